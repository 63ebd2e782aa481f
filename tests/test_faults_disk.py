"""Fault: the disk is nearly full, or really full.

The data directory is a real small filesystem (a tmpfs of a few tens of MB
mounted for the test) filled with a real ballast file.

- Below ``[storage] min_free_mb``: the booth stops offering captures (no
  session starts), says so on screen, over systemd's STATUS= and on the
  staff page of a real ``booth web``, and resumes by itself when the
  ballast is deleted; the photo then taken is whole and the gallery clean.
- With the guard off (``min_free_mb = 0``) and the disk filled to the last
  byte mid-run, the save fails with ENOSPC for real: the booth says sorry,
  keeps running, leaves no partial file, and saves the next photo once
  space is back.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from booth.gallery import Gallery

REPO = Path(__file__).resolve().parent.parent
PAUSED_STATUS = "STATUS=Disk nearly full: captures paused"
SCREEN_TEXT = "storage is full"

FAST = """
[session]
look = "smile"
breathe_s = 1.0
countdown_s = 0
review_timeout_s = 3.0
share_timeout_s = 3.0
goodbye_s = 0.5
[display]
fps = 15
sound = false
[storage]
min_free_mb = {min_free_mb}
[web]
staff_password_hash = "{staff_hash}"
workers = 1
"""
STAFF_PASSWORD = "staff-pass-123"


@pytest.fixture
def small_disk(tmp_path: Path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.fail("these tests mount a tmpfs and need root (the suite runs as root in CI)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _free_mb(path: Path) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / (1 << 20)


def _fill(path: Path, leave_mb: float) -> Path:
    """A ballast file that leaves about ``leave_mb`` free (0 = fill to the last byte)."""
    ballast = path / "ballast.bin"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while _free_mb(path) - 1 >= leave_mb:
            os.write(fd, b"\xaa" * (1 << 20))
        if leave_mb == 0:
            for size in (1 << 16, 4096, 1):
                try:
                    while True:
                        os.write(fd, b"\xaa" * size)
                except OSError:
                    pass
    finally:
        os.close(fd)
    return ballast


def _config(tmp_path: Path, min_free_mb: int) -> Path:
    from booth.web.auth import hash_password

    conf = tmp_path / "booth.toml"
    conf.write_text(FAST.format(min_free_mb=min_free_mb, staff_hash=hash_password(STAFF_PASSWORD)))
    return conf


def _check_gallery(data: Path, photos: int) -> None:
    """Whole photos only, an intact index, nothing left to repair."""
    assert not list((data / "photos").glob(".tmp-*"))
    db = sqlite3.connect(data / "gallery.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    with Gallery(data) as g:
        assert g.reconcile().clean
        records = g.records()
        assert len(records) == photos
        for r in records:
            for kind in ("original", "retouched"):
                raw = g.path(r, kind).read_bytes()
                assert raw.endswith(b"\xff\xd9")  # the JPEG end marker: not truncated
                assert cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR) is not None


def test_screen_says_storage_full_and_resumes(small_disk: Path, tmp_path: Path, model_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config
    from booth.session import Phase

    data = small_disk / "data"
    monkeypatch.setenv("BOOTH_DATA_DIR", str(data))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    config = load_config(_config(tmp_path, min_free_mb=20))
    ballast = _fill(small_disk, leave_mb=8)
    app = build(config, camera_spec="scripted", options=Options(headless=True, sessions=1, autopilot=True,
                                                                 max_run_s=240.0))
    problems: list[BaseException] = []
    paused_screen: list[str] = []

    def text() -> str:
        return app.last_drawn.text() if app.last_drawn is not None else ""

    def fault() -> None:
        try:
            deadline = time.monotonic() + 30
            while SCREEN_TEXT not in text():
                assert time.monotonic() < deadline, text()
                time.sleep(0.05)
            paused_screen.append(text())
            # a face is in front of the booth and the hand would press: still nothing starts
            time.sleep(6.0)
            assert app.started == 0
            assert app.session.state.phase is Phase.ATTRACT and not app.session.state.can_start
            assert SCREEN_TEXT in text()
            ballast.unlink()
        except BaseException as exc:
            problems.append(exc)
            app.quit = True

    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    try:
        code = app.run()
    finally:
        app.camera.stop()
        thread.join(30)
    assert not problems, problems[0]
    assert paused_screen
    assert code == 0 and app.completed == 1
    _check_gallery(data, photos=1)


class Listener:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.fields: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.fields += self.sock.recv(4096).decode().split("\n")
            except TimeoutError:
                continue
            except OSError:
                return

    def wait(self, field: str, timeout: float, start: int = 0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if field in self.fields[start:]:
                return self.fields.index(field, start)
            time.sleep(0.05)
        raise AssertionError(f"no {field!r}; got {sorted(set(self.fields))}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _staff_page(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as c:
        c.post("/staff/login", data={"password": STAFF_PASSWORD})
        r = c.get("/staff")
        assert r.status_code == 200 and "staff" in r.text.lower()
        return r.text


def _booth(data: Path, config: Path, model_path: Path, notify: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "BOOTH_DATA_DIR": str(data), "BOOTH_MODELS_DIR": str(model_path.parent),
           "BOOTH_CONFIG": str(config), "NOTIFY_SOCKET": str(notify), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as err:
        return subprocess.Popen([sys.executable, "-m", "booth", "run", "--camera", "scripted", "--headless",
                                 "--sessions", "1"], env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                cwd=REPO)


def _web(data: Path, config: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "BOOTH_DATA_DIR": str(data), "BOOTH_CONFIG": str(config)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "booth", "web", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            httpx.get(f"http://127.0.0.1:{port}/staff/login", timeout=2)
            return proc
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(20)


def test_real_booth_pauses_captures_and_staff_page_says_so(small_disk: Path, tmp_path: Path,
                                                           model_path: Path) -> None:
    data = small_disk / "data"
    config = _config(tmp_path, min_free_mb=20)
    ballast = _fill(small_disk, leave_mb=8)
    listener = Listener(tmp_path / "notify.sock")
    port = _free_port()
    log = tmp_path / "booth.log"
    web = _web(data, config, port, tmp_path / "web.log")
    booth = _booth(data, config, model_path, listener.path, log)
    try:
        listener.wait("READY=1", 120)
        listener.wait(PAUSED_STATUS, 30)
        # the staff page shows it, from the booth's status file and its own look at the disk
        deadline = time.monotonic() + 30
        while "captures paused" not in (page := _staff_page(f"http://127.0.0.1:{port}")):
            assert time.monotonic() < deadline, page
            time.sleep(1.0)
        assert "— low" in page
        time.sleep(6.0)  # long enough for a session to have started, were captures offered
        assert "session 1 started" not in log.read_text()
        assert booth.poll() is None
        mark = len(listener.fields)
        ballast.unlink()
        listener.wait("STATUS=Running", 30, start=mark)
        out, _ = booth.communicate(timeout=240)
        assert booth.returncode == 0, log.read_text()
        assert len(re.findall(r"/p/[A-Za-z0-9_-]{24}", out)) == 1
    finally:
        _stop(booth)
        _stop(web)
        listener.close()
    text = log.read_text()
    assert "disk nearly full" in text and "Traceback" not in text
    _check_gallery(data, photos=1)


def test_disk_really_full_mid_run_corrupts_nothing(small_disk: Path, tmp_path: Path, model_path: Path) -> None:
    data = small_disk / "data"
    config = _config(tmp_path, min_free_mb=0)  # guard off: the save itself meets ENOSPC
    listener = Listener(tmp_path / "notify.sock")
    log = tmp_path / "booth.log"
    booth = _booth(data, config, model_path, listener.path, log)
    ballast = None
    try:
        listener.wait("READY=1", 120)
        ballast = _fill(small_disk, leave_mb=0)
        assert _free_mb(small_disk) < 0.05
        deadline = time.monotonic() + 150
        while "photo not saved" not in log.read_text():
            assert booth.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert not list((data / "photos").glob(".tmp-*"))  # the failed save cleaned up after itself
        ballast.unlink()
        out, _ = booth.communicate(timeout=300)
        assert booth.returncode == 0, log.read_text()
        assert len(re.findall(r"/p/[A-Za-z0-9_-]{24}", out)) == 1
    finally:
        _stop(booth)
        listener.close()
    text = log.read_text()
    assert "No space left on device" in text
    assert "Traceback" not in text
    _check_gallery(data, photos=1)
    status = json.loads((data / "status.json").read_text())
    assert status["disk_low"] is False
