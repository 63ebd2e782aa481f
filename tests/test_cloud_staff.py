"""Staff pages on `booth web --cloud` against a real S3 server: every booth's photos, per booth, and their ZIP."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator

import cv2
import httpx
import numpy as np
import pytest
from booth_process import free_port
from s3_server import Booth, CloudWeb, S3Server, jpegs, s3  # noqa: F401 - jpegs and s3 are fixtures
from test_web_support import STAFF_HASH, STAFF_PASSWORD

DAY = 86400.0


def body(s3: S3Server, key: str) -> bytes:
    return s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()


def publish(booth: Booth, original: bytes, retouched: bytes, *, demo: bool = False, now: float | None = None,
            look: str = "smile") -> str:
    with booth.gallery() as g:
        staged = g.stage(original_jpeg=original, retouched_jpeg=retouched, look=look, crop="4:5",
                         retouch="natural", scores={"smile": 0.7}, now=now, demo=demo)
        return g.publish(staged).token


def variant(jpeg: bytes, shade: int) -> bytes:
    """Another real JPEG of the same face (brighter by ``shade``): every photo has bytes of its own."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return cv2.imencode(".jpg", cv2.add(image, shade))[1].tobytes()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, s3: S3Server, jpegs: tuple[bytes, bytes]):
    """Two booths in one bucket, synced; the cloud server with a staff password. Yields (web, photos)."""
    tmp = tmp_path_factory.mktemp("fleet")
    port = free_port()
    prefix = f"{tmp.name}/"
    a = Booth(tmp, s3, "hall-a", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
    b = Booth(tmp, s3, "hall-b", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
    original, retouched = jpegs
    photos = {
        "a1": (a, publish(a, variant(original, 1), variant(retouched, 1), look="smile")),
        "a2": (a, publish(a, variant(original, 2), variant(retouched, 2), look="serious")),
        "a_gone": (a, publish(a, variant(original, 3), variant(retouched, 3))),
        "a_demo": (a, publish(a, variant(original, 4), variant(retouched, 4), demo=True)),
        "a_old": (a, publish(a, variant(original, 5), variant(retouched, 5), now=time.time() - 8 * DAY)),
        "b1": (b, publish(b, variant(original, 6), variant(retouched, 6), look="contemplative")),
        "b_demo": (b, publish(b, variant(original, 7), variant(retouched, 7), demo=True)),
    }
    assert a.sync_once().returncode == 0 and b.sync_once().returncode == 0
    server = Booth(tmp, s3, "server", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
    server.config.write_text(server.config.read_text() + f'\n[web]\nstaff_password_hash = "{STAFF_HASH}"\n')
    web = CloudWeb(server, port, tmp / "cloud-web.log")
    try:
        yield web, photos
    finally:
        web.stop()


@contextlib.contextmanager
def logged_in(web: CloudWeb) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.base, timeout=30) as client:
        r = client.post("/staff/login", data={"password": STAFF_PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/staff", r.text
        yield client


def figure(html: str, name: str) -> int:
    return int(html.split(f'id="{name}"><b>')[1].split("<")[0])


def booth_row(html: str, booth: str) -> list[str]:
    row = re.search(rf'<tr data-booth="{booth}">(.*?)</tr>', html)
    assert row, f"no row for {booth}"
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def test_cloud_staff_pages_need_a_login(fleet) -> None:
    web, photos = fleet
    token = photos["a1"][1]
    with httpx.Client(base_url=web.base, timeout=30) as c:
        for path in ("/staff", "/staff/", "/staff/export.zip", "/staff/export.zip?booth=hall-a",
                     f"/staff/thumb/{token}.jpg"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == "/staff/login", path
            assert token not in r.text and r.content[:3] != b"PK\x03"
        c.cookies.set("booth_staff", "forged-session-cookie", path="/staff")
        assert c.get("/staff").status_code == 303
        form = c.get("/staff/login")
        assert form.status_code == 200 and 'type="password"' in form.text
        wrong = c.post("/staff/login", data={"password": "not the password"})
        assert wrong.status_code == 401 and "Wrong password" in wrong.text and "set-cookie" not in wrong.headers
        assert c.get("/staff").status_code == 303


def test_staff_see_both_booths_and_filter_per_booth(fleet) -> None:
    web, photos = fleet
    with logged_in(web) as c:
        page = c.get("/staff")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        html = page.text
        # hall-a: a1, a2, a_gone (not deleted yet); hall-b: b1. Demo and expired photos are not counted.
        assert figure(html, "today") == 4 and figure(html, "total") == 4
        assert booth_row(html, "hall-a")[:2] == ["3", "3"] and booth_row(html, "hall-b")[:2] == ["1", "1"]
        assert re.search(r'id="demo">Demo photos: 2\b', html)
        assert 'data-booth="server"' not in html, "the server's own name is no booth"
        svg = html[html.index('<svg id="per-hour"'):html.index("</svg>")]
        assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', svg)) == 4
        assert f'data-hour="{time.localtime().tm_hour}" data-count="4"' in svg
        for name, (_, token) in photos.items():  # the latest photos: the event's live ones only
            assert (f"p/{token}" in html) == (name in ("a1", "a2", "a_gone", "b1")), name
        thumb = c.get(f"/staff/thumb/{photos['b1'][1]}.jpg")
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
        assert cv2.imdecode(np.frombuffer(thumb.content, np.uint8), cv2.IMREAD_COLOR).shape[1] == 240
        assert c.get(f"/staff/thumb/{photos['a_old'][1]}.jpg").status_code == 404, "expired: not shown"
        assert "Delete all photos" not in html, "deleting is a booth's own staff page's"

        only_b = c.get("/staff", params={"booth": "hall-b"}).text
        assert figure(only_b, "today") == 1 and figure(only_b, "total") == 1
        assert photos["b1"][1] in only_b and photos["a1"][1] not in only_b
        assert 'href="../staff/export.zip?booth=hall-b"' in only_b
        assert c.get("/staff", params={"booth": "hall-z"}).status_code == 404
        assert c.get("/staff/export.zip", params={"booth": "../hall-a"}).status_code == 404


def zip_of(c: httpx.Client, **params: str) -> zipfile.ZipFile:
    r = c.get("/staff/export.zip", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="booth-photos-')
    return zipfile.ZipFile(io.BytesIO(r.content))


def expect_zip(archive: zipfile.ZipFile, s3: S3Server, photos: dict[str, tuple[Booth, str]], names: list[str]) -> None:
    """Exactly these photos, each retouched and original with the bucket's bytes, and a manifest row each."""
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(rows) == len(names)
    wanted = {}
    for name in names:
        booth, token = photos[name]
        wanted[body(s3, booth.key(token, "retouched.jpg"))] = booth.name
        wanted[body(s3, booth.key(token, "original.jpg"))] = booth.name
    files = [n for n in archive.namelist() if n != "manifest.csv"]
    assert len(files) == 2 * len(names)
    got = {archive.read(n): n.split("/")[0] for n in files}
    assert got == wanted, "the non-demo, live photos' bytes exactly, each in its booth's folder"
    listed = {r["file"] for r in rows} | {r["original"] for r in rows}
    assert listed == set(files)


def test_the_zip_holds_exactly_the_live_event_photos(fleet, s3: S3Server) -> None:
    web, photos = fleet
    with logged_in(web) as c:
        assert figure(c.get("/staff").text, "total") == 4  # the server has read a_gone's meta.json
        gone_booth, gone = photos["a_gone"]
        with gone_booth.gallery() as g:
            assert g.delete(gone)
        assert gone_booth.sync_once().returncode == 0
        assert not [k for k in gone_booth.objects() if f"/{gone}/" in k]
        expect_zip(zip_of(c), s3, photos, ["a1", "a2", "b1"])
        expect_zip(zip_of(c, booth="hall-a"), s3, photos, ["a1", "a2"])
        expect_zip(zip_of(c, booth="hall-b"), s3, photos, ["b1"])
        assert figure(c.get("/staff").text, "total") == 3


def test_logout_ends_the_session(fleet) -> None:
    web, _ = fleet
    with logged_in(web) as c:
        cookie = c.cookies.get("booth_staff")
        assert c.post("/staff/logout").status_code == 303
    with httpx.Client(base_url=web.base, timeout=30) as copied:
        copied.cookies.set("booth_staff", cookie, path="/staff")
        assert copied.get("/staff").status_code == 303, "a copied cookie no longer opens the page"
