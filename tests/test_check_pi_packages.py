"""scripts/check-pi-packages.sh against the real PyPI: every pin has an aarch64 wheel for Bookworm and Trixie.

This needs the network: CI reaches PyPI, and so does any machine that can
run `make test` (it installs from there). An unreachable PyPI is a failure
here, not a skip: the script's answer is the point. pip's own cache keeps
the second run to about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from booth_process import REPO

SCRIPT = REPO / "scripts" / "check-pi-packages.sh"


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, env=env, timeout=900)


def _pins() -> list[str]:
    lines = [line.split("#")[0].strip() for line in (REPO / "constraints.txt").read_text().splitlines()]
    return [line for line in lines if line]


@pytest.mark.timeout(1200)
def test_every_pin_has_an_aarch64_wheel_for_bookworm_and_trixie() -> None:
    run = _run(SCRIPT)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    simplejpeg = re.search(r"^SIMPLEJPEG_VERSION=(\S+)$", (REPO / "scripts/install-pi.sh").read_text(), re.M)
    assert simplejpeg
    wanted = _pins() + [f"simplejpeg=={simplejpeg[1]}"]
    for release, py in (("bookworm", "311"), ("trixie", "313")):
        section = out.split(f"== {release}: ", 1)[1].split("\n== ", 1)[0]
        rows = dict(re.findall(r"^ok {4}(\S+) +(\S+\.whl)$", section, re.M))
        assert sorted(rows) == sorted(wanted), section
        for pin, wheel in rows.items():
            # a wheel for aarch64 (or pure Python), for this Python or any Python 3, never a source package
            assert wheel.endswith("-any.whl") or "aarch64" in wheel, (pin, wheel)
            tags = wheel.split("-")[-3:-1]
            assert tags[0] in (f"cp{py}", "py3", "cp37", "py2.py3") or tags[0].startswith("cp3"), (pin, wheel)
        assert "ok    the whole install" in section, section
    assert "python3-picamera2" in out and "python3-lgpio" in out and "with --hotspot:" in out
    assert out.rstrip().endswith("every package resolves to an aarch64 wheel")


@pytest.mark.timeout(600)
def test_a_pin_without_an_aarch64_wheel_is_named(tmp_path: Path) -> None:
    """lgpio is on PyPI for x86_64 only (Raspberry Pi OS has it as python3-lgpio): pinned, it must fail."""
    (tmp_path / "scripts").mkdir()
    for name in ("check-pi-packages.sh", "install-pi.sh"):
        shutil.copy(REPO / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "constraints.txt").write_text("qrcode==8.2\nlgpio==0.2.2.0  # GPIO\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\ndependencies = ["qrcode"]\n')
    run = _run(tmp_path / "scripts" / "check-pi-packages.sh", "3.13")
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"^ok {4}qrcode==8\.2 +qrcode-8\.2-py3-none-any\.whl$", run.stdout, re.M), run.stdout
    assert re.search(r"^FAIL  lgpio==0\.2\.2\.0 +no aarch64 wheel for Python 3\.13$", run.stdout, re.M), run.stdout
    assert "== bookworm" not in run.stdout  # only the Python asked for
    assert "some packages have no aarch64 wheel" in run.stderr
