"""Staff pages over real HTTP against a real `booth web`: login, rate limits, figures, export."""

from __future__ import annotations

import io
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
    assert f"<th>{hour}</th>" in after


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
        for _ in range(PER_CLIENT.failures):
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
        for i in range(GLOBAL.failures):
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
