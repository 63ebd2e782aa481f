"""The phone page over real HTTP against a real `booth web` process."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from booth.gallery import new_token
from test_web_support import add_photo, one_char_off, running_web, stored

DAY = 86400.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from running_web(tmp_path_factory.mktemp("phone") / "data")


@pytest.fixture
def photo(server, faces_dir):
    return add_photo(server.data_dir, faces_dir)


def check_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"].startswith("private") or r.headers["cache-control"] == "no-store"


def test_page_has_photo_downloads_delete_and_notice(server, photo) -> None:
    with server.client() as c:
        r = c.get(f"/p/{photo.token}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    check_headers(r)
    assert r.headers["cache-control"] == "private, no-cache"
    html = r.text
    for needle in (f'src="../p/{photo.token}/photo.jpg"', f'href="../p/{photo.token}/download"',
                   f'href="../p/{photo.token}/original"', f'href="../p/{photo.token}/delete"',
                   "Delete my photo", "Download original", "deleted automatically after 7 days"):
        assert needle in html
    assert "<script" not in html and "http://" not in html and "https://" not in html  # nothing external


def test_page_says_what_each_download_is_and_why_no_level_switch(server, faces_dir) -> None:
    from test_web_support import face_jpegs

    from booth.gallery import Gallery

    original, retouched = face_jpegs(faces_dir)
    with Gallery(server.data_dir, reconcile=False) as g:
        record = g.add(original_jpeg=original, retouched_jpeg=retouched, look="smile", crop="1:1",
                       retouch="polished", scores={})
    with server.client() as c:
        html = c.get(f"/p/{record.token}").text
    assert "Download original (whole frame, uncropped, no retouch)" in html
    versions = html[html.index('id="versions"'):]
    versions = versions[:versions.index("</p>")]
    assert "1:1 headshot" in versions and "(Polished)" in versions  # the level this photo really has
    assert "whole frame" in versions and "not cropped" in versions
    assert "cannot be switched here" in versions  # and why: only the chosen level is kept


def test_downloads_are_the_stored_bytes(server, photo) -> None:
    with server.client() as c:
        for path, kind, disposition in (("download", "retouched", "attachment"),
                                        ("original", "original", "attachment"),
                                        ("photo.jpg", "retouched", None)):
            r = c.get(f"/p/{photo.token}/{path}")
            assert r.status_code == 200, path
            check_headers(r)
            assert r.content == stored(server.data_dir, photo, kind)
            assert r.headers["content-type"] == "image/jpeg"
            assert int(r.headers["content-length"]) == len(r.content)
            assert r.headers["etag"] and r.headers["accept-ranges"] == "bytes"
            if disposition:
                assert r.headers["content-disposition"].startswith("attachment; filename=\"headshot-")
            else:
                assert "attachment" not in r.headers.get("content-disposition", "")
            h = c.head(f"/p/{photo.token}/{path}")
            assert h.status_code == 200 and h.content == b""
            assert h.headers["content-length"] == r.headers["content-length"]


def test_conditional_and_range_requests_let_a_phone_resume(server, photo) -> None:
    body = stored(server.data_dir, photo, "retouched")
    url = f"/p/{photo.token}/download"
    with server.client() as c:
        etag = c.get(url).headers["etag"]
        assert c.get(url, headers={"if-none-match": etag}).status_code == 304
        part = c.get(url, headers={"range": "bytes=1000-"})
        assert part.status_code == 206 and part.content == body[1000:]
        assert part.headers["content-range"] == f"bytes 1000-{len(body) - 1}/{len(body)}"
        resumed = c.get(url, headers={"range": "bytes=500-1499", "if-range": etag})
        assert resumed.status_code == 206 and resumed.content == body[500:1500]
        stale = c.get(url, headers={"range": "bytes=500-", "if-range": '"some-older-version"'})
        assert stale.status_code == 200 and stale.content == body  # changed since: the whole file
        assert c.get(url, headers={"range": f"bytes={len(body) + 10}-"}).status_code == 416


def test_resume_after_a_server_restart(tmp_path, faces_dir) -> None:
    data = tmp_path / "data"
    record = add_photo(data, faces_dir)
    body = stored(data, record, "retouched")
    gen = running_web(data)
    server = next(gen)
    url = f"/p/{record.token}/download"
    with server.client() as c, c.stream("GET", url) as r:
        etag = r.headers["etag"]
        first = next(r.iter_raw(4096))
    server.stop()
    gen.close()
    gen = running_web(data, port=server.port)
    server = next(gen)
    try:
        with server.client() as c:
            rest = c.get(url, headers={"range": f"bytes={len(first)}-", "if-range": etag})
        assert rest.status_code == 206
        assert first + rest.content == body
    finally:
        gen.close()


def test_unknown_expired_and_deleted_all_look_alike(server, faces_dir, photo) -> None:
    expired = add_photo(server.data_dir, faces_dir, now=time.time() - 8 * DAY)
    deleted = add_photo(server.data_dir, faces_dir)
    with server.client() as c:
        assert c.post(f"/p/{deleted.token}/delete").status_code == 200
        cases = {
            "unknown": (new_token(), 404),
            "one character off": (one_char_off(photo.token), 404),
            "deleted": (deleted.token, 404),
            "expired": (expired.token, 410),
        }
        shapes = {}
        for name, (token, status) in cases.items():
            for suffix in ("", "/photo.jpg", "/download", "/original", "/delete"):
                r = c.get(f"/p/{token}{suffix}")
                assert r.status_code == status, (name, suffix)
                check_headers(r)
                assert token not in r.text
                assert "Photos are kept for 7 days" in r.text
            shapes[name] = r.text.replace("This photo has expired", "X").replace("No photo here", "X")
        # An unknown token and a deleted one give byte-identical pages.
        assert shapes["unknown"] == shapes["deleted"] == shapes["one character off"]
    # The photo next door was not touched.
    assert stored(server.data_dir, photo, "retouched")


@pytest.mark.parametrize("path", [
    "/p/..", "/p/../gallery.sqlite3", "/p/%2e%2e%2fgallery.sqlite3", "/p/..%2F..%2Fetc%2Fpasswd",
    "/p/{t}%2F..%2F..%2Fgallery.sqlite3", "/p/{t}/..%2Fdownload", "/p/{t}/../../gallery.sqlite3",
    "/p/{t}{t}", "/p/{t}" + "A" * 5000, "/p/{short}", "/p/{t}%00", "/p/{uni}", "/p/%C3%A9%C3%A9",
    "/photos/{t}.retouched.jpg", "/gallery.sqlite3", "/web-secret", "/p/", "/p", "/", "/p/{t}/",
    "/p/{t}/retouched", "/static/../gallery.sqlite3", "/p/{t}/original.jpg", "/p/{t}/photo.jpg/",
])
def test_path_tricks_reveal_nothing(server, photo, path) -> None:
    t = photo.token
    url = path.format(t=t, short=t[:-1], uni=t[:-1] + "é")
    with server.client() as c:
        r = c.get(url)
    if r.request.url.path == "/":  # "/p/.." is "/": the short-code form, which shows no photo
        assert r.status_code == 200 and 'name="code"' in r.text and t not in r.text
        return
    assert r.status_code in (400, 404, 414), (url, r.status_code)
    if r.status_code == 404:
        check_headers(r)
        assert "No photo here" in r.text
    assert b"\xff\xd8\xff" not in r.content and b"SQLite" not in r.content


def test_no_listing_or_search(server, photo) -> None:
    with server.client() as c:
        for path in ("/p", "/p/", "/p/*", "/p/?q=a", "/photos/", "/api/photos"):
            r = c.get(path)
            assert r.status_code == 404, path
            assert photo.token not in r.text
        for path in ("/", "/?search=smile"):  # the short-code form: it finds one photo by its code, never lists
            r = c.get(path)
            assert r.status_code == 200 and 'name="code"' in r.text, path
            assert photo.token not in r.text and "/p/" not in r.text


def test_delete_asks_first_then_really_deletes(server, photo) -> None:
    with server.client() as c:
        confirm = c.get(f"/p/{photo.token}/delete")
        assert confirm.status_code == 200 and "Yes, delete it" in confirm.text
        assert f'action="../../p/{photo.token}/delete"' in confirm.text and 'method="post"' in confirm.text
        assert c.get(f"/p/{photo.token}/download").status_code == 200  # asking deleted nothing
        done = c.post(f"/p/{photo.token}/delete", data={"confirm": "yes"})
        assert done.status_code == 200 and "has been deleted" in done.text
        assert photo.token not in done.text
        assert c.get(f"/p/{photo.token}").status_code == 404
        assert c.post(f"/p/{photo.token}/delete").status_code == 404
    assert not list((server.data_dir / "photos").glob(f"{photo.token}*"))
    with sqlite3.connect(server.data_dir / "gallery.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM photos WHERE token = ?", (photo.token,)).fetchone()[0] == 0


def test_other_methods_refused(server, photo) -> None:
    before = {kind: stored(server.data_dir, photo, kind) for kind in ("original", "retouched")}
    with server.client() as c:
        assert c.put(f"/p/{photo.token}", content=b"\xff\xd8\xffnot the photo").status_code == 405
        assert c.delete(f"/p/{photo.token}").status_code == 405
        assert c.post(f"/p/{photo.token}/download").status_code == 405
        assert c.get(f"/p/{photo.token}/download").content == before["retouched"]  # still served, the same
    assert {kind: stored(server.data_dir, photo, kind) for kind in before} == before  # unchanged, byte for byte


def test_logs_carry_no_tokens(server, faces_dir) -> None:
    record = add_photo(server.data_dir, faces_dir)
    with server.client() as c:
        c.get(f"/p/{record.token}")
        c.get(f"/p/{record.token}/download")
        c.get(f"/p/{one_char_off(record.token)}")
        c.post(f"/p/{record.token}/delete")
    time.sleep(0.3)
    log = server.log_text()
    assert "deleted by its owner" in log  # the log is really being written
    assert record.token not in log and one_char_off(record.token) not in log
    assert "/p/" not in log
