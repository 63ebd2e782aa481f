"""The analysis worker on the real scripted subject with the real face model."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import replace

import pytest

from booth.analysis import AnalysisWorker
from booth.camera.base import start_checked
from booth.camera.select import make_camera
from booth.coach import Baseline, Guidance
from booth.config import CoachConfig, Config, ScriptedConfig
from booth.session import Analysed
from booth.vision import FaceAnalyzer


@pytest.fixture
def camera(faces_dir):
    config = Config()
    config.scripted = replace(ScriptedConfig(), faces_dir=str(faces_dir), enter_s=0.0, centre_s=0.0)
    cam = make_camera("scripted", config)
    start_checked(cam, 5.0)
    yield cam
    cam.stop()


@pytest.fixture
def worker(camera, model_path):
    events: queue.Queue[Analysed] = queue.Queue()
    threads: set[str] = set()

    def post(event):
        threads.add(threading.current_thread().name)
        events.put(event)

    w = AnalysisWorker(camera, FaceAnalyzer(model_path, mode="video"), CoachConfig(), post)
    w.events, w.threads = events, threads  # type: ignore[attr-defined]
    w.start()
    yield w
    w.stop()


def _collect(q: queue.Queue, seconds: float) -> list[Analysed]:
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            out.append(q.get(timeout=0.05))
        except queue.Empty:
            pass
    return out


def _drain(q: queue.Queue) -> None:
    while not q.empty():
        q.get_nowait()


def test_watches_for_a_face_then_collects_a_baseline_then_coaches(worker):
    seen = _collect(worker.events, 2.0)
    assert seen and all(isinstance(e, Analysed) and e.guidance is None for e in seen)
    assert sum(e.face for e in seen) >= len(seen) // 2  # the subject stands in front of the camera
    assert worker.threads == {"analysis"}  # posted from its own thread, not the caller's
    assert worker.face_box is not None and worker.face_box.w > 50

    worker.set_mode("baseline")
    _collect(worker.events, 1.5)
    assert worker.baseline is None  # measured, but only handed over when coaching starts
    worker.set_mode("coach", "smile")
    assert isinstance(worker.baseline, Baseline)
    coached = [e for e in _collect(worker.events, 1.5) if e.guidance is not None]
    assert coached
    g = coached[-1].guidance
    assert isinstance(g, Guidance) and g.look == "smile" and 0.0 <= g.readiness <= 1.0


def test_idle_while_the_photo_is_made(worker):
    _collect(worker.events, 0.5)
    worker.set_mode("idle")
    time.sleep(0.3)  # a frame already in the model may still report
    _drain(worker.events)
    frames = worker.frames
    assert _collect(worker.events, 1.0) == []
    assert worker.frames == frames
    worker.set_mode("presence")
    assert _collect(worker.events, 1.0)


def test_only_the_newest_frame_is_analysed(worker, camera):
    _collect(worker.events, 0.5)
    start_frames, start_index = worker.frames, camera.latest().index
    _collect(worker.events, 2.0)
    analysed = worker.frames - start_frames
    delivered = camera.latest().index - start_index
    # Never more than the camera gave, never one frame twice. The +2: a frame in the model when the
    # counts were read is counted after it, and the newest frame then (read a moment later) may be
    # newer than it and analysed next.
    assert 0 < analysed <= delivered + 2


def test_a_new_breath_forgets_the_last_subject(worker):
    worker.set_mode("baseline")
    _collect(worker.events, 1.0)
    worker.set_mode("coach", "serious")
    assert worker.baseline is not None
    worker.set_mode("baseline")
    assert worker.baseline is None


def test_unknown_mode_is_refused(worker):
    with pytest.raises(ValueError):
        worker.set_mode("dance")
