"""What the fault tests share (no tests here): the real App run while a fault acts on it, small real
filesystems to fill up or pull away, and the check that a gallery came through a fault whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from booth.gallery import Gallery, PhotoRecord
from booth_process import wait_until

# ---------------------------------------------------------------- the App in this process


def screen_text(app: Any) -> str:
    """The text of the screen the App drew last ("" before its first frame)."""
    drawn = app.last_drawn
    return drawn.text() if drawn is not None else ""


def wait_for_screen(app: Any, cond: Callable[[], object], timeout: float, what: str) -> None:
    """:func:`booth_process.wait_until`, saying on failure what the screen shows."""
    wait_until(cond, timeout, lambda: f"{what}; screen shows: {screen_text(app)!r}")


def run_while(app: Any, fault: Callable[[], None]) -> int:
    """Run the App's loop here while ``fault`` acts on it from a thread; the loop's exit code.

    The loop keeps the main thread (pygame draws there). A failing ``fault``
    ends the loop, and its error is raised here once the loop has stopped.
    """
    problems: list[BaseException] = []

    def guarded() -> None:
        try:
            fault()
        except BaseException as exc:
            problems.append(exc)
            app.quit = True

    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()
    try:
        code = app.run()
    finally:
        app.camera.stop()
        thread.join(30)
    if problems:
        raise problems[0]
    return code


# ---------------------------------------------------------------- small real filesystems


def mount_tmpfs(where: Path, size_mb: int) -> None:
    """A tmpfs on ``where``: a real full disk or real vanishing files, the real disk untouched."""
    if os.geteuid() != 0:
        pytest.fail("these tests mount a tmpfs and need root (the suite runs as root in CI)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where)], check=True)


def unmount(where: Path, *, check: bool = True) -> None:
    subprocess.run(["umount", "-l", str(where)], check=check)


@contextmanager
def tmpfs(where: Path, size_mb: int) -> Iterator[Path]:
    """A new folder ``where`` with a tmpfs of ``size_mb`` MB mounted on it while the block runs."""
    where.mkdir()
    mount_tmpfs(where, size_mb)
    try:
        yield where
    finally:
        unmount(where, check=False)


class Plug:
    """A replay camera's images on a tmpfs that can be unmounted and mounted again.

    "Unplugging" is a real ``umount``: the files vanish under the running
    booth and its reads fail; nothing in the booth is patched or told.
    """

    def __init__(self, where: Path, images: list[Path]) -> None:
        self.dir = where
        self.images = images
        self.dir.mkdir()
        self.mounted = False

    def plug_in(self) -> None:
        mount_tmpfs(self.dir, 16)
        self.mounted = True
        for i, img in enumerate(self.images):
            shutil.copy(img, self.dir / f"{i:03d}{img.suffix}")

    def pull_out(self) -> None:
        unmount(self.dir)
        self.mounted = False

    def close(self) -> None:
        if self.mounted:
            self.pull_out()


def free_mb(path: Path) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / (1 << 20)


def fill(path: Path, leave_mb: float) -> Path:
    """A ballast file in ``path`` that leaves about ``leave_mb`` free (0 = fill to the last byte)."""
    ballast = path / "ballast.bin"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while free_mb(path) - 1 >= leave_mb:
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


# ---------------------------------------------------------------- the gallery afterwards


def check_gallery(data: Path) -> list[PhotoRecord]:
    """The gallery a fault left behind, and its live photos.

    No temporary file, an index that passes SQLite's integrity check, nothing
    left to repair once it is opened again (opening repairs), and every
    photo's files whole JPEGs.
    """
    assert not list((data / "photos").glob(".tmp-*"))
    assert not (data / "staging").exists() or not list((data / "staging").glob(".tmp-*"))
    db = sqlite3.connect(data / "gallery.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    with Gallery(data) as g:
        assert g.reconcile().clean
        records = g.records()
        for r in records:
            for kind in ("original", "retouched"):
                raw = g.path(r, kind).read_bytes()
                assert raw.endswith(b"\xff\xd9")  # the JPEG end marker: not truncated
                assert cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_COLOR) is not None
    return records
