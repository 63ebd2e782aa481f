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
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from booth_process import (
    NotifyListener,
    booth_env,
    fast_config,
    start_booth,
    start_web,
    stop,
    wait_for_log,
    wait_until,
)
from faults import check_gallery, fill, free_mb, run_while, screen_text, tmpfs, wait_for_screen

PAUSED_STATUS = "STATUS=Disk nearly full: captures paused"
SCREEN_TEXT = "storage is full"
STAFF_PASSWORD = "staff-pass-123"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", 48) as mnt:
        yield mnt


def _config(tmp_path: Path, min_free_mb: int) -> Path:
    from booth.web.auth import hash_password

    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config(storage={"min_free_mb": min_free_mb},
                                web={"staff_password_hash": hash_password(STAFF_PASSWORD), "workers": 1}))
    return conf


def test_screen_says_storage_full_and_resumes(small_disk: Path, tmp_path: Path, model_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config
    from booth.session import Phase

    data = small_disk / "data"
    monkeypatch.setenv("BOOTH_DATA_DIR", str(data))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    config = load_config(_config(tmp_path, min_free_mb=20))
    ballast = fill(small_disk, leave_mb=8)
    app = build(config, camera_spec="scripted", options=Options(headless=True, sessions=1, autopilot=True,
                                                                 max_run_s=240.0))
    paused_screen: list[str] = []

    def fault() -> None:
        wait_for_screen(app, lambda: SCREEN_TEXT in screen_text(app), 30, f"{SCREEN_TEXT!r} on screen")
        paused_screen.append(screen_text(app))
        # a face is in front of the booth and the hand would press: still nothing starts
        time.sleep(6.0)
        assert app.started == 0
        assert app.session.state.phase is Phase.ATTRACT and not app.session.state.can_start
        assert SCREEN_TEXT in screen_text(app)
        ballast.unlink()

    code = run_while(app, fault)
    assert paused_screen
    assert code == 0 and app.completed == 1
    assert len(check_gallery(data)) == 1


def _staff_page(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as c:
        c.post("/staff/login", data={"password": STAFF_PASSWORD})
        r = c.get("/staff")
        assert r.status_code == 200 and "staff" in r.text.lower()
        return r.text


def _booth(data: Path, config: Path, model_path: Path, notify: Path, log: Path) -> subprocess.Popen[str]:
    env = booth_env(data=data, config=config, models=model_path.parent, notify=notify)
    return start_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", env=env, log=log,
                       stdout=subprocess.PIPE)


def test_real_booth_pauses_captures_and_staff_page_says_so(small_disk: Path, tmp_path: Path, model_path: Path,
                                                           listener: NotifyListener) -> None:
    data = small_disk / "data"
    config = _config(tmp_path, min_free_mb=20)
    ballast = fill(small_disk, leave_mb=8)
    log = tmp_path / "booth.log"
    web = start_web(booth_env(data=data, config=config), tmp_path / "web.log")
    booth = _booth(data, config, model_path, listener.path, log)
    try:
        listener.wait("READY=1", 120)
        listener.wait(PAUSED_STATUS, 30)
        # the staff page shows it, from the booth's status file and its own look at the disk
        page = ""

        def staff_says_paused() -> bool:
            nonlocal page
            page = _staff_page(web.base)
            return "captures paused" in page

        wait_until(staff_says_paused, 30, lambda: f"'captures paused' on the staff page:\n{page}", every=0.5)
        assert "— low" in page
        time.sleep(6.0)  # long enough for a session to have started, were captures offered
        assert "session 1 started" not in log.read_text()
        assert booth.poll() is None
        mark = time.monotonic()
        ballast.unlink()
        listener.wait("STATUS=Running", 30, after=mark)
        out, _ = booth.communicate(timeout=240)
        assert booth.returncode == 0, log.read_text()
        assert len(re.findall(r"/p/[A-Za-z0-9_-]{24}", out)) == 1
    finally:
        stop(booth)
        web.stop()
    text = log.read_text()
    assert "disk nearly full" in text and "Traceback" not in text
    assert len(check_gallery(data)) == 1


def test_disk_really_full_mid_run_corrupts_nothing(small_disk: Path, tmp_path: Path, model_path: Path,
                                                   listener: NotifyListener) -> None:
    data = small_disk / "data"
    config = _config(tmp_path, min_free_mb=0)  # guard off: the save itself meets ENOSPC
    log = tmp_path / "booth.log"
    booth = _booth(data, config, model_path, listener.path, log)
    try:
        listener.wait("READY=1", 120)
        ballast = fill(small_disk, leave_mb=0)
        assert free_mb(small_disk) < 0.05
        wait_for_log(log, "photo not developed", 150, booth)
        # the failed save cleaned up after itself, and nothing half-made reached photos/
        assert not list((data / "staging").iterdir()) and not list((data / "photos").iterdir())
        ballast.unlink()
        out, _ = booth.communicate(timeout=300)
        assert booth.returncode == 0, log.read_text()
        assert len(re.findall(r"/p/[A-Za-z0-9_-]{24}", out)) == 1
    finally:
        stop(booth)
    text = log.read_text()
    assert "No space left on device" in text
    assert "Traceback" not in text
    assert len(check_gallery(data)) == 1
    status = json.loads((data / "status.json").read_text())
    assert status["disk_low"] is False
