"""Fault: the photo server's data disk is full to the last byte (a real tmpfs, filled with a real file).

A wrong staff password is still counted (the login state lives in the
service's RuntimeDirectory, in RAM, as booth-web.service sets it up; without
one it is refused, never checked uncounted), staff can still log in and out,
and "Delete my photo" still deletes (it frees space). And when the server
fails for real, its 500 page carries the security headers and its log
names no photo.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from booth.web.auth import PER_CLIENT
from faults import fill, free_mb, tmpfs
from test_web_phone import check_headers
from test_web_support import STAFF_PASSWORD, WebServer, add_photo, running_web

SAME_ORIGIN = {"sec-fetch-site": "same-origin", "origin": "null"}  # what a browser sends from the photo page


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", 16) as mnt:
        yield mnt


def _wrong_passwords(server: WebServer, source: str, n: int) -> list[int]:
    with server.client(source) as c:
        return [c.post("/staff/login", data={"password": f"guess {i}"}).status_code for i in range(n)]


def test_full_disk_still_counts_logins_and_deletes_photos(small_disk: Path, tmp_path: Path, faces_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    data = small_disk / "data"
    keep, gone = add_photo(data, faces_dir, index=0), add_photo(data, faces_dir, index=1)
    run = tmp_path / "run"  # systemd's RuntimeDirectory=booth-web: a tmpfs of its own, not the data disk
    run.mkdir()
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(run))
    for server in running_web(data, workers=2):
        with server.client("127.0.8.9") as staff:  # logged in before the disk fills
            assert staff.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            ballast = fill(small_disk, leave_mb=0)
            assert free_mb(small_disk) < 0.05
            codes = _wrong_passwords(server, "127.0.8.1", PER_CLIENT.attempts + 3)
            assert codes == [401] * PER_CLIENT.attempts + [429] * 3, codes
            with server.client("127.0.8.2") as other:
                assert other.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
                assert other.get("/staff").status_code == 200
            # Logging out works on a full disk too, and really ends the session.
            cookie = staff.cookies.get("booth_staff")
            assert staff.get("/staff").status_code == 200
            assert staff.post("/staff/logout").status_code == 303
            staff.cookies.set("booth_staff", cookie, path="/staff")
            assert staff.get("/staff").status_code == 303
        with server.client() as guest:
            before = free_mb(small_disk)
            r = guest.post(f"/p/{gone.token}/delete", headers=SAME_ORIGIN)
            assert r.status_code == 200 and "has been deleted" in r.text, (r.status_code, r.text[:300])
            assert not list((data / "photos").glob(f"{gone.token}*"))
            assert free_mb(small_disk) > before + 0.05  # deleting freed the photo's space
            for path in ("", "/download", "/original"):
                assert guest.get(f"/p/{gone.token}{path}").status_code == 404
            assert guest.get(f"/p/{keep.token}/download").status_code == 200
        log = server.log_text()
        ballast.unlink()
    assert "Traceback" not in log
    assert gone.token not in log and keep.token not in log
    assert log.count("staff login failed (client 127.0.8.1)") == PER_CLIENT.attempts


def test_full_disk_without_a_runtime_directory_refuses_logins_rather_than_not_counting(
        small_disk: Path, faces_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = small_disk / "data"
    add_photo(data, faces_dir)
    monkeypatch.delenv("RUNTIME_DIRECTORY", raising=False)  # state on the data disk (a run outside systemd)
    for server in running_web(data, workers=1):
        ballast = fill(small_disk, leave_mb=0)
        codes = _wrong_passwords(server, "127.0.8.3", PER_CLIENT.attempts + 5)
        log = server.log_text()
        ballast.unlink()
    assert set(codes) <= {401, 429, 503}, codes
    assert codes[-1] in (429, 503)  # refused: counted to the limit, or not checked at all
    assert log.count("staff login failed (client 127.0.8.3)") <= PER_CLIENT.attempts
    assert "Traceback" not in log


def test_a_server_fault_answers_500_with_the_security_headers_and_logs_no_photo(tmp_path: Path,
                                                                                faces_dir: Path) -> None:
    data = tmp_path / "data"
    photo = add_photo(data, faces_dir)
    for server in running_web(data, workers=1):
        # The photo folder replaced by a file underneath the running server: every file answer fails.
        photos = data / "photos"
        photos.rename(data / "photos-moved")
        photos.write_bytes(b"not a folder")
        with server.client() as c:
            r = c.get(f"/p/{photo.token}/download")
        log = server.log_text()
    assert r.status_code == 500 and "Something went wrong" in r.text
    check_headers(r)
    assert r.headers["x-frame-options"] == "DENY"
    assert photo.token not in r.text
    assert "internal error answering a GET request: NotADirectoryError at web/files.py" in log
    assert photo.token not in log and "photos/" not in log and "Traceback" not in log
