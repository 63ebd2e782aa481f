"""What the machine running the tests has: decided by looking, never assumed (no tests here).

The suite runs on a CI machine and on a Raspberry Pi (`make test` there;
its venv sees Debian's packages, so lgpio and picamera2 may be importable,
/dev/dri usable and the GPIO pins real). A test that needs something absent
makes it absent itself or asks here; a test that would touch real hardware
(claim a BCM pin, draw on the panel) skips with the reason when it is there.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from booth.pi import pi_model

# The PyPI build of the library Raspberry Pi OS ships as python3-lgpio, for
# machines without it (CI). PyPI has x86_64 wheels of it only, no aarch64
# ones (scripts/check-pi-packages.sh), so it is not in constraints.txt: a Pi
# uses Debian's. Installed per test session into a temporary folder.
LGPIO_FOR_TESTS = "lgpio==0.2.2.0"


def real_gpio() -> str:
    """Why this machine has GPIO pins a test could claim for real ("" when it has none)."""
    model = pi_model()
    if "Raspberry Pi" in model:
        return f"this is a {model}: its BCM pins are real"
    chips = sorted(p.name for p in Path("/dev").glob("gpiochip*"))
    return f"this machine has GPIO chips ({', '.join(chips)})" if chips else ""


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def lgpio_site(cache: Path) -> Path | None:
    """A folder to put on PYTHONPATH so a child can import lgpio; None when it already can (a Pi)."""
    if importable("lgpio"):
        return None
    site = cache / "lgpio-site"
    if not (site / "lgpio.py").is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--only-binary=:all:", "--no-deps", "--target", str(site), LGPIO_FOR_TESTS],
                       check=True, timeout=300)
    return site


@contextmanager
def unwritable_dir(where: Path) -> Iterator[Path]:
    """A directory this process's user cannot create files in (``where``, created).

    As root (CI) permissions do not stop us, so it is a read-only tmpfs;
    as anyone else, a folder without write permission.
    """
    where.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(where)], check=True)
        try:
            yield where
        finally:
            subprocess.run(["umount", "-l", str(where)], check=False)
    else:
        where.chmod(0o555)
        try:
            yield where
        finally:
            where.chmod(0o755)


def absent(monkeypatch: Any, *libraries: str) -> None:
    """Make GPIO ``libraries`` (and gpiozero's pin modules for them) fail to import for one test.

    How a test gets "this library is not installed" on any machine, a Pi
    with python3-lgpio included, without touching a real pin.
    """
    pin_modules = {"lgpio": "lgpio", "RPi": "rpigpio", "pigpio": "pigpio"}
    for lib in libraries:
        monkeypatch.setitem(sys.modules, lib, None)
        if lib in pin_modules:
            monkeypatch.setitem(sys.modules, f"gpiozero.pins.{pin_modules[lib]}", None)


def camera_hardware() -> str:
    """Why `booth run` with ``source = "auto"`` would find a real camera here ("" when it would not)."""
    if importable("picamera2"):
        try:
            from picamera2 import Picamera2

            listed = Picamera2.global_camera_info()
        except Exception:  # noqa: BLE001 — a broken libcamera finds no camera either
            listed = []
        if listed:
            return f"libcamera lists {', '.join(str(c.get('Model', '?')) for c in listed)}"
    if Path("/dev/video0").exists():
        return "this machine has /dev/video0"
    return ""


def display_hardware() -> str:
    """Why `booth run` would draw on a real screen here ("" when it would not)."""
    from booth.ui.display import dri_usable

    return "this machine has a usable /dev/dri (a screen the booth would draw on)" if dri_usable() else ""
