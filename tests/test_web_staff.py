"""Staff pages over real HTTP against a real `booth web`: login, rate limits, figures, export."""

from __future__ import annotations

import io
import re
import subprocess
import time
import zipfile

import cv2
import numpy as np
import pytest

from booth.status import BoothStatus, write_status
from booth.web.auth import GLOBAL, PER_CLIENT, hash_password, verify_password
from booth_process import booth_command, run_booth
from test_web_support import STAFF_PASSWORD, add_photo, running_web, stored

DAY = 86400.0
STAFF_PATHS = ("/staff", "/staff/", "/staff/export.zip", "/staff/thumb/{t}.jpg")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from running_web(tmp_path_factory.mktemp("staff") / "data")


def login(client, password: str = STAFF_PASSWORD):
    return client.post("/staff/login", data={"password": password})


def test_staff_pages_need_a_login(server, faces_dir) -> None:
    record = add_photo(server.data_dir, faces_dir)
    with server.client("127.0.0.11") as c:
        for path in STAFF_PATHS:
            r = c.get(path.format(t=record.token))
            assert r.status_code == 303 and r.headers["location"] == "/staff/login", path
            assert record.token not in r.text and r.content[:3] != b"PK\x03"
        c.cookies.set("booth_staff", f"{int(time.time()) + 3600}.forged", path="/staff")
        assert c.get("/staff").status_code == 303
        c.cookies.set("booth_staff", "9999999999.0000", path="/staff")
        assert c.get("/staff/export.zip").status_code == 303
        form = c.get("/staff/login")
        assert form.status_code == 200 and 'type="password"' in form.text
        assert form.headers["cache-control"] == "no-store"


def test_login_dashboard_and_logout(server, faces_dir) -> None:
    made = [add_photo(server.data_dir, faces_dir, index=i, look=look)
            for i, look in enumerate(("smile", "serious", "contemplative"))]
    with server.client("127.0.0.12") as c:
        wrong = login(c, "not the password")
        assert wrong.status_code == 401 and "Wrong password" in wrong.text
        ok = login(c)
        assert ok.status_code == 303 and ok.headers["location"] == "/staff"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
        page = c.get("/staff")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        html = page.text
        assert "photos today" in html and "free disk space" in html and "Download all photos (ZIP)" in html
        assert "Not running" in html  # no booth status file yet
        for r in made:
            assert f"staff/thumb/{r.token}.jpg" in html
            thumb = c.get(f"/staff/thumb/{r.token}.jpg")
            assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
            image = cv2.imdecode(np.frombuffer(thumb.content, np.uint8), cv2.IMREAD_COLOR)
            assert image is not None and image.shape[1] <= 240
            assert len(thumb.content) < len(stored(server.data_dir, r, "retouched"))
        assert c.get("/staff/thumb/AAAAAAAAAAAAAAAAAAAAAAAA.jpg").status_code == 404
        assert c.post("/staff/logout").status_code == 303
        assert c.get("/staff").status_code == 303


def test_dashboard_shows_the_booth_status(server) -> None:
    with server.client("127.0.0.13") as c:
        assert login(c).status_code == 303
        write_status(server.data_dir, BoothStatus(state="attract", camera="scripted"))
        html = c.get("/staff").text
        assert "Running" in html and "screen: attract" in html
        write_status(server.data_dir, BoothStatus(state="attract", camera="picamera", camera_ok=False,
                                                  disk_low=True, message="Camera unavailable — retrying"))
        html = c.get("/staff").text
        assert "Needs attention" in html and "Camera unavailable — retrying" in html
        assert "disk nearly full" in html
        write_status(server.data_dir, BoothStatus(state="coach", updated=time.time() - 600))
        html = c.get("/staff").text
        assert "Not running" in html and "last seen 10 min ago" in html


def test_counts_per_hour(server, faces_dir) -> None:
    with server.client("127.0.0.14") as c:
        assert login(c).status_code == 303
        before = c.get("/staff").text
        add_photo(server.data_dir, faces_dir)
        add_photo(server.data_dir, faces_dir, now=time.time() - 30 * DAY)  # expired: not counted
        after = c.get("/staff").text
    hour = time.strftime("%H:00")

    def today(html: str) -> int:
        return int(html.split('id="today"><b>')[1].split("<")[0])

    assert today(after) == today(before) + 1
    assert f"<title>{hour} — " in after


def _bars(html: str) -> dict[int, tuple[int, float]]:
    """The chart's bars: hour -> (count, drawn height)."""
    svg = html[html.index('<svg id="per-hour"'):html.index("</svg>")]
    bars = re.findall(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" '
                      r'data-hour="(\d+)" data-count="(\d+)">', svg)
    return {int(h): (int(n), float(height)) for height, h, n in bars}


def test_photos_per_hour_is_an_inline_svg_bar_chart(tmp_path, faces_dir) -> None:
    now = time.time()
    lt = time.localtime(now)
    midnight = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, 0, 0, 0, 0, 0, -1))
    for minutes in (5, 20, 40):  # three in the first hour of the day
        add_photo(tmp_path / "data", faces_dir, now=midnight + 60 * minutes)
    add_photo(tmp_path / "data", faces_dir, now=now)  # and one now
    for server in running_web(tmp_path / "data"):
        with server.client("127.0.0.16") as c:
            assert login(c).status_code == 303
            html = c.get("/staff").text
    assert "<script" not in html and "<table" not in html
    bars = _bars(html)
    assert sorted(bars) == list(range(24))
    want = [0] * 24
    want[0] += 3
    want[lt.tm_hour] += 1
    assert [bars[h][0] for h in range(24)] == want
    top = max(height for _, height in bars.values())
    for h, (count, height) in bars.items():
        assert height == pytest.approx(top * count / max(want), abs=0.02)  # heights to scale, zero for none
    assert 'role="img"' in html and "Photos per hour today: 00:00 " in html  # and in words, for screen readers


def _photos_on_disk(data_dir) -> list[str]:
    return sorted(p.name for p in (data_dir / "photos").iterdir())


def test_staff_delete_one_photo(tmp_path, faces_dir) -> None:
    data = tmp_path / "data"
    keep, gone_ = add_photo(data, faces_dir, index=0), add_photo(data, faces_dir, index=1)
    for server in running_web(data):
        url = f"/staff/delete/{gone_.token}"
        with server.client("127.0.0.17") as c:
            # Not logged in: the form and the action both go to the login page, nothing is deleted.
            assert c.get(url).status_code == 303 and c.post(url).status_code == 303
            assert login(c).status_code == 303
            assert f'href="../staff/delete/{gone_.token}"' in c.get("/staff").text
            page = c.get(url)
            assert page.status_code == 200 and "Delete this photo?" in page.text
            assert 'method="post"' in page.text
            # Another site's page cannot make the logged-in browser do it.
            for headers in ({"sec-fetch-site": "cross-site", "origin": "http://evil.example"},
                            {"sec-fetch-site": "same-site"}, {"origin": "http://evil.example"}):
                assert c.post(url, headers=headers).status_code == 403, headers
            assert len(_photos_on_disk(data)) == 6  # two JPEGs and a sidecar each
            r = c.post(url, headers={"sec-fetch-site": "same-origin", "origin": "null"})
            assert r.status_code == 303 and r.headers["location"] == "/staff?done=deleted"
            assert "The photo was deleted." in c.get("/staff?done=deleted").text
            assert c.post(url, headers={"sec-fetch-site": "same-origin"}).status_code == 404  # already gone
            assert c.get(f"/p/{gone_.token}").status_code == 404 and c.get(f"/p/{keep.token}").status_code == 200
        assert _photos_on_disk(data) == sorted([f"{keep.token}.original.jpg", f"{keep.token}.retouched.jpg",
                                                f"{keep.token}.json"])
        log = server.log_text()
        assert "staff deleted one photo taken" in log and "delete refused: sent from another site" in log
        assert gone_.token not in log and keep.token not in log and "/p/" not in log


def test_staff_wipe_the_event_after_confirming_the_count(tmp_path, faces_dir) -> None:
    data = tmp_path / "data"
    made = [add_photo(data, faces_dir, index=i) for i in range(3)]
    (data / "quarantine" / "left-over.jpg").write_bytes(b"\xff\xd8\xff")
    for server in running_web(data):
        with server.client("127.0.0.18") as c:
            assert c.post("/staff/wipe", data={"count": "3"}).status_code == 303  # to the login page
            assert login(c).status_code == 303
            page = c.get("/staff/wipe")
            assert page.status_code == 200 and '<b id="count">3</b>' in page.text and "Type 3 to confirm" in page.text
            assert c.post("/staff/wipe", data={"count": "3"},
                          headers={"sec-fetch-site": "cross-site"}).status_code == 403
            # A photo taken while the page was open: the old count no longer confirms anything.
            made.append(add_photo(data, faces_dir, index=3))
            r = c.post("/staff/wipe", data={"count": "3"}, headers={"sec-fetch-site": "same-origin"})
            assert r.status_code == 409 and '<b id="count">4</b>' in r.text
            assert c.post("/staff/wipe", data={}, headers={"sec-fetch-site": "same-origin"}).status_code == 409
            assert len(_photos_on_disk(data)) == 12
            r = c.post("/staff/wipe", data={"count": "4"}, headers={"sec-fetch-site": "same-origin"})
            assert r.status_code == 303 and r.headers["location"] == "/staff?done=wiped"
            html = c.get("/staff?done=wiped").text
            assert "All photos were deleted." in html and '<div class="figure" id="total"><b>0</b>' in html
            for record in made:
                assert c.get(f"/p/{record.token}").status_code == 404
            assert "There are no photos on the booth" in c.get("/staff/wipe").text
        assert _photos_on_disk(data) == [] and list((data / "quarantine").iterdir()) == []
        log = server.log_text()
        assert "staff wiped the event: 4 photo(s) and 1 quarantined file(s) deleted" in log
        assert not any(r.token in log for r in made)


def test_export_streams_every_photo(server, faces_dir, tmp_path) -> None:
    made = [add_photo(server.data_dir, faces_dir, index=i) for i in range(3)]
    expired = add_photo(server.data_dir, faces_dir, index=9, now=time.time() - 30 * DAY)  # no live photo uses 9
    with server.client("127.0.0.15") as c:
        assert login(c).status_code == 303
        with c.stream("GET", "/staff/export.zip") as r:
            assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
            assert "content-length" not in r.headers  # streamed, not built first
            assert r.headers["content-disposition"].startswith('attachment; filename="booth-photos-')
            body = b"".join(r.iter_bytes())
    zf = zipfile.ZipFile(io.BytesIO(body))
    assert zf.testzip() is None
    names = zf.namelist()
    assert "manifest.csv" in names
    contents = {zf.read(n) for n in names if n.endswith(".jpg")}
    for record in made:
        assert stored(server.data_dir, record, "retouched") in contents
        assert stored(server.data_dir, record, "original") in contents
        assert record.token not in " ".join(names) and record.token not in zf.read("manifest.csv").decode()
    assert stored(server.data_dir, expired, "retouched") not in contents
    assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
    manifest = zf.read("manifest.csv").decode().splitlines()
    assert manifest[0].startswith("file,original,taken,look")
    assert len(manifest) - 1 == sum(1 for n in names if n.endswith(".jpg") and not n.endswith("-original.jpg"))
    (tmp_path / "export.zip").write_bytes(body)  # Info-ZIP's unzip: an independent reader
    unzip = subprocess.run(["unzip", "-t", str(tmp_path / "export.zip")], capture_output=True, text=True)
    assert unzip.returncode == 0 and "No errors detected" in unzip.stdout, unzip.stdout + unzip.stderr


def test_rate_limit_per_client_then_other_clients_unaffected(server) -> None:
    with server.client("127.0.0.21") as attacker:
        for _ in range(PER_CLIENT.attempts):
            assert login(attacker, "guess").status_code == 401
        blocked = login(attacker)  # even the right password is refused now
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert "Too many wrong passwords" in blocked.text
        assert "set-cookie" not in blocked.headers
        assert attacker.get("/staff").status_code == 303
    with server.client("127.0.0.22") as staff:
        assert login(staff).status_code == 303
        assert staff.get("/staff").status_code == 200
    log = server.log_text()
    assert "staff login failed (client 127.0.0.21)" in log
    assert "too many failed attempts (client 127.0.0.21)" in log


def test_global_rate_limit(tmp_path) -> None:
    # Its own server: this one is locked for everybody afterwards.
    for server in running_web(tmp_path / "data"):
        failures = 0
        for i in range(GLOBAL.attempts):
            with server.client(f"127.0.1.{i + 1}") as c:
                assert login(c, "guess").status_code == 401
                failures += 1
        with server.client("127.0.2.1") as fresh:
            r = login(fresh)
            assert r.status_code == 429, failures


def test_staff_pages_off_without_a_password(tmp_path) -> None:
    for server in running_web(tmp_path / "data", staff_hash=""):
        with server.client() as c:
            r = c.get("/staff/login")
            assert r.status_code == 403 and "booth staff-password" in r.text
            assert login(c, "anything").status_code == 403
            assert c.get("/staff").status_code == 303
            assert c.get("/staff/export.zip").status_code == 303


def test_bad_password_hash_is_a_clear_error(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "booth.toml"
    config.write_text('[web]\nstaff_password_hash = "hunter2"\n')
    out = run_booth("web", "--host", "127.0.0.1", "--port", "1", timeout=60,
                    env={"BOOTH_CONFIG": str(config), "BOOTH_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 2
    assert "staff_password_hash is not a hash from `booth staff-password`" in out.stderr
    assert "Traceback" not in out.stderr


def test_staff_password_command(tmp_path) -> None:
    """The password comes from a pipe (scripts); never from an option, which would sit in shell history."""
    def staff_password(typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(booth_command("staff-password"), input=typed, capture_output=True, text=True,
                              timeout=60)

    out = staff_password("event-2024!\n")
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stdout.splitlines() if x.startswith("staff_password_hash = ")][0]
    stored_hash = line.split('"')[1]
    assert verify_password("event-2024!", stored_hash) and not verify_password("event-2025!", stored_hash)
    assert "event-2024!" not in out.stdout
    short = staff_password("abc\n")
    assert short.returncode == 2 and "at least 8" in short.stderr


def test_password_hashes_are_salted() -> None:
    a, b = hash_password("same password", n=2**10), hash_password("same password", n=2**10)
    assert a != b and verify_password("same password", a) and verify_password("same password", b)
    assert not verify_password("", a) and not verify_password("x" * 5000, a)
