"""Fault: the real booth process is SIGKILLed during a session, at each stage of a photo.

``booth run --camera scripted --headless`` runs real sessions; this test
watches what the process itself shows (its log lines on stderr, the screen
PNGs of --screenshots, the photo URLs it prints once a photo is handed
over) and SIGKILLs it at: coaching, mid-burst capture, just after the photo
was saved, on the review screen, and just after a URL was handed out. The
booth is started again on the same data folder after every kill. Then:

- the gallery has no half-written photo and passes its integrity check;
- every photo whose URL was handed out is still there, whole, and served
  by a real ``booth web``;
- a last run completes a session normally.

The step-by-step version (a kill before every file-system call of a save,
a retouch change and a delete) is tests/test_faults_kill.py.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import httpx
import numpy as np

from booth.gallery import Gallery

REPO = Path(__file__).resolve().parent.parent
URL_RE = re.compile(r"/p/([A-Za-z0-9_-]{24})")
FAST = """
[session]
look = "smile"
breathe_s = 1.0
countdown_s = 0
review_timeout_s = 4.0
share_timeout_s = 3.0
goodbye_s = 0.5
[display]
fps = 15
sound = false
[web]
workers = 1
"""


class Booth:
    """One `booth run` process, with what it says collected as it says it."""

    def __init__(self, env: dict[str, str], shots: Path, log: Path, sessions: int = 3) -> None:
        self.shots = shots
        self.log = log
        self.lines: list[str] = []
        with log.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "booth", "run", "--camera", "scripted", "--headless",
                 "--sessions", str(sessions), "--screenshots", str(shots), "--public-url", "http://booth.test"],
                env=env, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO,
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def tokens(self) -> list[str]:
        return [m.group(1) for line in self.lines if (m := URL_RE.search(line))]

    def wait(self, cond: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            assert self.proc.poll() is None, f"booth exited before {what}:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)

    def logged(self, text: str) -> Callable[[], bool]:
        start = self.log.stat().st_size if self.log.exists() else 0
        return lambda: text in self.log.read_bytes()[start:].decode(errors="replace")

    def screen(self, phase: str) -> Callable[[], bool]:
        return lambda: any(p.name.endswith(f"-{phase}.png") for p in self.shots.glob("*.png"))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._reader.join(10)
        assert self.proc.returncode == -signal.SIGKILL


def _check(data: Path, handed_out: set[str]) -> None:
    photos = data / "photos"
    assert not list(photos.glob(".tmp-*"))
    db = sqlite3.connect(data / "gallery.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    with Gallery(data) as g:
        g.reconcile()
        assert g.reconcile().clean
        live = {r.token: r for r in g.records()}
        assert handed_out <= live.keys(), "a photo whose QR code was shown is gone"
        for r in live.values():
            for kind in ("original", "retouched"):
                raw = g.path(r, kind).read_bytes()
                assert raw.endswith(b"\xff\xd9")
                assert cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR) is not None
        on_disk = {p.name.split(".")[0] for p in photos.iterdir()}
        assert on_disk == live.keys()


def test_kills_during_sessions_lose_nothing_handed_out(tmp_path: Path, model_path: Path) -> None:
    data = tmp_path / "data"
    conf = tmp_path / "booth.toml"
    conf.write_text(FAST)
    env = {**os.environ, "BOOTH_DATA_DIR": str(data), "BOOTH_MODELS_DIR": str(model_path.parent),
           "BOOTH_CONFIG": str(conf), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "booth.log"
    handed_out: set[str] = set()
    points: list[tuple[str, Callable[[Booth], Callable[[], bool]]]] = [
        ("coaching", lambda b: b.screen("coach")),
        ("capturing", lambda b: b.screen("capture")),
        ("just saved", lambda b: b.logged("photo saved")),
        ("reviewing", lambda b: b.screen("review")),
        ("just handed out", lambda b: lambda: bool(b.tokens())),
    ]
    for i, (name, point) in enumerate(points):
        booth = Booth(env, tmp_path / f"shots-{i}", log)
        try:
            booth.wait(point(booth), name)
        finally:
            booth.kill()
        handed_out |= set(booth.tokens())
        _check(data, handed_out)
    assert handed_out  # the last point guarantees at least one

    # after all that, the booth still works
    final = Booth(env, tmp_path / "shots-final", log, sessions=1)
    assert final.proc.wait(300) == 0, log.read_text()
    final._reader.join(10)
    handed_out |= set(final.tokens())
    _check(data, handed_out)
    assert "Traceback" not in log.read_text()

    # and every photo handed out is served to the phone
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    web = subprocess.Popen([sys.executable, "-m", "booth", "web", "--host", "127.0.0.1", "--port", str(port)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                assert web.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        for token in handed_out:
            r = httpx.get(f"{base}/p/{token}/photo.jpg", timeout=10)
            assert r.status_code == 200
            assert cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR) is not None
    finally:
        web.terminate()
        web.wait(30)
