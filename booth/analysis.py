"""The analysis worker: face analysis and the coach on the newest preview frame only.

It runs on its own thread so the render loop never waits for mediapipe. It
takes the latest frame from the camera's one-slot buffer (frames that arrive
while it is busy are skipped, never queued), and posts one
:class:`~booth.session.Analysed` event per analysed frame. What it does with
a frame follows the session's ``Analyse`` effects: watch for a face
(attract, choose), collect the neutral baseline (breathe), coach the chosen
look (coach, countdown), or rest (after the shot, so the photo pipeline gets
the CPU).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from booth.camera.base import Camera
from booth.coach import BaselineCollector, Coach
from booth.coach.subject import SubjectTracker
from booth.config import CoachConfig
from booth.observation import Box
from booth.session import Analysed

log = logging.getLogger(__name__)

MODES = ("presence", "baseline", "coach", "idle")


class AnalysisWorker:
    def __init__(self, camera: Camera, analyzer: Any, coach_settings: CoachConfig,
                 post: Callable[[Analysed], None]) -> None:
        self.camera = camera
        self.analyzer = analyzer  # FaceAnalyzer(mode="video"); owned (closed) by this worker
        self.coach_settings = coach_settings
        self.post = post
        self._lock = threading.Lock()
        self._mode, self._look = "presence", None
        self._generation = 0  # bumps on every mode change, so a stale frame's result is dropped
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._collector = BaselineCollector()
        self._baseline: Any = None
        self._coach: Coach | None = None
        self._tracker = SubjectTracker()
        self._last_box: Box | None = None
        self._latest_face: Any = None  # the newest frame's Observation, None when it had no face
        self.frames = 0  # analysed so far
        self.busy_s = 0.0  # time spent in detect()

    # ---- called from the main thread
    def set_mode(self, mode: str, look: str | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"analysis mode {mode!r}; one of {MODES}")
        with self._lock:
            self._mode, self._look = mode, look
            self._generation += 1
            if mode == "baseline":  # a new subject: forget the last one's neutral face and face
                self._collector.reset()
                self._baseline = None
                self._tracker.reset()
            elif mode == "presence":
                self._tracker.reset()
            elif mode == "coach":
                if self._collector.count:
                    self._baseline = self._collector.result()
                self._coach = Coach(self.coach_settings, look or "smile", self._baseline)
        self._wake.set()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def baseline(self) -> Any:
        """The subject's neutral face from the breathing screen (None if no face was seen)."""
        with self._lock:
            return self._baseline

    @property
    def face_box(self) -> Box | None:
        """The subject's last face box in preview pixels (the autofocus before the burst, the photo's face)."""
        return self._last_box

    @property
    def latest_face(self) -> Any:
        """The newest analysed frame's face (None if it had none): the coach screen's guide follows it."""
        return self._latest_face

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="analysis", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.analyzer.close()

    # ---- the worker thread
    def _run(self) -> None:
        last_index = -1
        failures = 0
        while not self._stop.is_set():
            with self._lock:
                mode, generation = self._mode, self._generation
            if mode == "idle":
                self._wake.wait(0.2)
                self._wake.clear()
                continue
            frame = self.camera.wait_frame(last_index, 0.25)
            if frame is None:
                continue
            last_index = frame.index
            t0 = time.perf_counter()
            try:
                faces = self.analyzer.detect_all(frame.image, frame.timestamp)
                failures = 0
            except Exception:
                failures += 1
                if failures in (1, 10, 100) or failures % 1000 == 0:
                    log.exception("analysis: face detection failed (%d in a row)", failures)
                time.sleep(0.05)
                continue
            self.busy_s += time.perf_counter() - t0
            self.frames += 1
            with self._lock:
                if generation != self._generation:
                    continue  # the session moved on while this frame was analysed
                seen = self._tracker.update(faces, self.analyzer.onlookers)
                obs = seen.subject
                if obs is not None:
                    self._last_box = obs.box
                self._latest_face = obs
                guidance = None
                if mode == "baseline":
                    self._collector.add(obs)
                elif mode == "coach" and self._coach is not None:
                    guidance = self._coach.update(obs, frame.timestamp, seen.crowded)
            self.post(Analysed(bool(faces), guidance))
