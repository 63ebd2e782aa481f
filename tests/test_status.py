"""booth.status: the booth's health file, written atomically and read defensively."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from booth.status import STALE_AFTER_S, STATUS_FILE, BoothStatus, read_status, write_status


def test_round_trip_and_no_temp_files(tmp_path: Path) -> None:
    assert read_status(tmp_path) is None
    status = BoothStatus(state="coach", camera="scripted", camera_ok=False, disk_low=True,
                         message="Camera unavailable — retrying", photos_taken=3)
    write_status(tmp_path, status)
    got = read_status(tmp_path)
    assert got == status and got.pid == os.getpid()
    write_status(tmp_path, BoothStatus(state="attract"))
    assert read_status(tmp_path).state == "attract"
    assert [p.name for p in tmp_path.iterdir()] == [STATUS_FILE]


def test_stale_means_not_running(tmp_path: Path) -> None:
    now = time.time()
    assert not BoothStatus(updated=now - 5).stale(now)
    assert BoothStatus(updated=now - STALE_AFTER_S - 1).stale(now)


def test_garbage_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / STATUS_FILE
    for text in ("", "{not json", "[1, 2]", json.dumps({"state": 5, "updated": "x"}),
                 json.dumps({"camera_ok": "yes"})):
        path.write_text(text)
        assert read_status(tmp_path) is None, text
    path.write_text(json.dumps({"state": "review", "updated": 1.0, "future_field": 1}))
    assert read_status(tmp_path).state == "review"  # unknown fields from a newer booth are ignored


def test_the_camera_fault_outranks_the_disk_and_running_is_only_when_both_are_well() -> None:
    from booth.session import CAMERA_RETRYING
    from booth.status import DISK_PAUSED, RUNNING, fault_message

    assert fault_message(camera_ok=True, disk_low=False) == ""
    assert fault_message(camera_ok=True, disk_low=True) == DISK_PAUSED
    assert fault_message(camera_ok=False, disk_low=False) == CAMERA_RETRYING
    assert fault_message(camera_ok=False, disk_low=True) == CAMERA_RETRYING
    assert fault_message(camera_ok=False, disk_low=True, camera_message="Check the ribbon") == "Check the ribbon"
    assert BoothStatus(message="").line == RUNNING
    assert BoothStatus(message=DISK_PAUSED).line == DISK_PAUSED


def test_what_doctor_reads_survives_the_round_trip_and_bad_types_are_refused(tmp_path: Path) -> None:
    status = BoothStatus(camera="Pi camera imx708", camera_detail="Pi camera imx708: preview 640x480",
                         camera_fps=30.0, frame_age_s=0.03,
                         gpio={"factory": "LGPIOFactory", "button": 17, "led": 27, "problems": []})
    write_status(tmp_path, status)
    assert read_status(tmp_path) == status
    for bad in ({"gpio": "17"}, {"camera_fps": "30"}, {"frame_age_s": [1]}):
        (tmp_path / STATUS_FILE).write_text(json.dumps({"state": "attract", **bad}))
        assert read_status(tmp_path) is None, bad
