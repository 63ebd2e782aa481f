"""Two faults at once: the camera is gone while the disk fills and empties, in a real `booth run`.

systemd's STATUS= line and the status file the staff page and `booth doctor`
read come from one place (booth.status.fault_message). Each fault clearing
used to write "Running" on its own, ignoring the other: the disk recovering
while the camera was still gone said "Running", and so did the camera coming
back onto a full disk. Here both faults are real: the camera is a ``replay:``
source on a tmpfs that is unmounted under the booth, the data directory is a
small tmpfs filled with a real ballast file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.status import DISK_PAUSED, RUNNING
from booth.session import CAMERA_RETRYING
from booth_process import NotifyListener, booth_env, fast_config, kill, start_booth, stop, wait_for_status
from faults import Plug, fill, tmpfs


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", 48) as mnt:
        yield mnt


@pytest.fixture
def plug(tmp_path: Path) -> Iterator[Plug]:
    # An empty room (no face): the booth idles on attract, so no session writes to the small disk.
    room = tmp_path / "room.jpg"
    cv2.imwrite(str(room), np.full((480, 640, 3), 90, np.uint8))
    p = Plug(tmp_path / "camera", [room] * 3)
    p.plug_in()
    yield p
    p.close()


def _statuses(listener: NotifyListener) -> list[str]:
    return [f.removeprefix("STATUS=") for _, f in list(listener.messages) if f.startswith("STATUS=")]


def _agree(data: Path, listener: NotifyListener, line: str, **facts: object) -> None:
    """The status file has ``facts`` and the line, and systemd's last STATUS= is that line too."""
    status = wait_for_status(data, 20, **facts)
    assert (status["message"] or RUNNING) == line, status
    assert _statuses(listener)[-1] == line, _statuses(listener)


def test_one_status_line_when_camera_and_disk_faults_overlap(small_disk: Path, plug: Plug, tmp_path: Path,
                                                           model_path: Path, listener: NotifyListener) -> None:
    data = small_disk / "data"
    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config(camera={"stall_timeout_s": 1.0}, storage={"min_free_mb": 20}))
    env = booth_env(data=data, config=conf, models=model_path.parent, notify=listener.path)
    log = tmp_path / "booth.log"
    proc = start_booth("run", "--camera", f"replay:{plug.dir}", "--headless", env=env, log=log,
                       stdout=subprocess.DEVNULL)
    try:
        listener.wait("READY=1", 120)
        listener.wait("STATUS=" + RUNNING, 5)
        _agree(data, listener, RUNNING, camera_ok=True, disk_low=False)

        ballast = fill(small_disk, leave_mb=8)
        listener.wait("STATUS=" + DISK_PAUSED, 30)
        _agree(data, listener, DISK_PAUSED, camera_ok=True, disk_low=True)

        # Both faults: the camera's is the one shown (nothing can be photographed).
        plug.pull_out()
        camera_gone = listener.wait("STATUS=" + CAMERA_RETRYING, 30)
        _agree(data, listener, CAMERA_RETRYING, camera_ok=False, disk_low=True)

        # The disk recovers while the camera is still gone: still the camera fault, not "Running".
        ballast.unlink()
        _agree(data, listener, CAMERA_RETRYING, camera_ok=False, disk_low=False)
        assert ("STATUS=" + RUNNING) not in [f for t, f in list(listener.messages) if t > camera_gone]

        # The disk fills again, then the camera comes back onto it: the disk's fault, not "Running".
        ballast = fill(small_disk, leave_mb=8)
        _agree(data, listener, CAMERA_RETRYING, camera_ok=False, disk_low=True)
        plug.plug_in()
        camera_back = listener.wait("STATUS=" + DISK_PAUSED, 60, after=camera_gone)
        _agree(data, listener, DISK_PAUSED, camera_ok=True, disk_low=True)
        assert ("STATUS=" + RUNNING) not in [f for t, f in list(listener.messages) if t > camera_gone]

        ballast.unlink()
        listener.wait("STATUS=" + RUNNING, 30, after=camera_back)
        _agree(data, listener, RUNNING, camera_ok=True, disk_low=False)
        # Each change of the line was sent once: no repeats from the housekeeper's polling.
        assert _statuses(listener) == [RUNNING, DISK_PAUSED, CAMERA_RETRYING, DISK_PAUSED, RUNNING]
        stop(proc)
    finally:
        kill(proc)
    text = log.read_text(errors="replace")
    assert proc.returncode == 0, text
    assert "Traceback" not in text
