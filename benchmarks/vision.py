#!/usr/bin/env python3
"""Cost of the full vision path per frame, as a ratio to mediapipe's bare detect_for_video.

The same 640x480 frames (London photos placed as the booth frames a
headshot, with a little drift so the tracker has work to do) go through:

- reference: mediapipe with the same model settings as ours (blendshapes,
  transformation matrix; a one-face VIDEO landmarker on every frame, and a
  MAX_FACES IMAGE landmarker every ONLOOKERS_EVERY frames for onlookers) and
  nothing else;
- full: FaceAnalyzer (VIDEO mode) -> Observations, the subject tracker, then
  Coach.update (metrics, the look's checks, steadiness, prompts, trigger);
- one face: the reference without the onlooker pass (the model settings
  before the booth looked for onlookers): ``extra_faces_ratio`` is the
  reference's time over this one's, the cost of asking for more faces.

The two alternate frame by frame (reference then full, then full then
reference, ...) so a busy machine slows both alike; the headline ``ratio``
is the median of the per-frame ratios, full path over reference, each pair
on the same frame with the same passes (both run the onlooker pass on the
same frames; medians shrug off the spikes other processes cause);
``mean_ratio`` is the plain ratio of totals. ``overhead_ratio`` is a second, quieter
estimate: the time spent in our own code (building the Observation, the
coach) over the reference's per-frame time. Last line: one JSON object.

Usage: benchmarks/vision.py [--rounds N] [--frames N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from booth.camera.scripted import faces_dir, load_rgb  # noqa: E402
from booth.coach import FRAMING_TARGET, Coach  # noqa: E402
from booth.coach.subject import SubjectTracker  # noqa: E402
from booth.config import CoachConfig  # noqa: E402
from booth.models import require_model  # noqa: E402
from booth.vision import MAX_FACES, ONLOOKERS_EVERY, FaceAnalyzer, build_observations, place_face  # noqa: E402

FACES = faces_dir("")
SIZE = (640, 480)


def load_frames(count: int, model: Path) -> list[np.ndarray]:
    """``count`` 640x480 RGB frames from the London photos, face on the framing target, drifting."""
    with (FACES / "labels.csv").open(newline="") as fh:
        files = [FACES / r["file"] for r in csv.DictReader(fh) if r["set"] == "london"]
    frames = []
    with FaceAnalyzer(model, mode="image") as analyzer:
        placed = []
        for file in files[: max(2, min(len(files), count // 8))]:
            image = load_rgb(file)
            obs = analyzer.detect(image)
            if obs is not None:
                placed.append((image, obs.box))
    for i in range(count):
        image, box = placed[(i // 8) % len(placed)]  # eight frames per photo, like a subject holding still
        drift = 0.01 * np.sin(i / 5.0)
        frames.append(place_face(image, box, SIZE, FRAMING_TARGET, scale=1.0 + drift, shift=(drift, -drift / 2)))
    return frames


class Reference:
    """Bare mediapipe with our model settings, and nothing of ours: a one-face VIDEO landmarker on
    every frame and, with ``onlookers``, a MAX_FACES IMAGE landmarker every ONLOOKERS_EVERY frames."""

    def __init__(self, model: Path, onlookers: bool = True) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        def make(running: Any, faces: int) -> Any:
            return vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(model)),
                running_mode=running,
                num_faces=faces,
                output_face_blendshapes=True,
                output_facial_transformation_matrixes=True,
            ))

        self._mp = mp
        self._lm = make(vision.RunningMode.VIDEO, 1)
        self._others = make(vision.RunningMode.IMAGE, MAX_FACES) if onlookers else None
        self._ms = 0
        self._n = 0

    def detect(self, frame: np.ndarray) -> Any:
        """The FaceLandmarkerResult for the next frame (timestamps 33 ms apart)."""
        self._ms += 33
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame)
        result = self._lm.detect_for_video(image, self._ms)
        if self._others is not None and self._n % ONLOOKERS_EVERY == 0:
            self._others.detect(image)
        self._n += 1
        return result

    def run(self, frame: np.ndarray) -> float:
        start = time.perf_counter()
        self.detect(frame)
        return time.perf_counter() - start

    def close(self) -> None:
        self._lm.close()
        if self._others is not None:
            self._others.close()


class Full:
    """Our path: FaceAnalyzer -> Observations -> the subject -> Coach.update (as booth.analysis does)."""

    def __init__(self, model: Path) -> None:
        self._analyzer = FaceAnalyzer(model, mode="video")
        self._tracker = SubjectTracker()
        self._coach = Coach(CoachConfig(), "smile")
        self._t = 0.0
        self.fired = 0

    def run(self, frame: np.ndarray) -> float:
        start = time.perf_counter()
        self._t += 0.033
        seen = self._tracker.update(self._analyzer.detect_all(frame, self._t), self._analyzer.onlookers)
        if self._coach.update(seen.subject, self._t, seen.crowded).fire:
            self.fired += 1
        return time.perf_counter() - start

    def close(self) -> None:
        self._analyzer.close()


def ours_only(frames: list[np.ndarray], model: Path, repeats: int) -> float:
    """Seconds per frame spent in our code alone (Observation building + coach), model excluded."""
    ref = Reference(model, onlookers=False)
    try:
        results = [ref.detect(f) for f in frames]
    finally:
        ref.close()
    coach, tracker = Coach(CoachConfig(), "smile"), SubjectTracker()
    best = float("inf")
    t = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for result in results:
            t += 0.033
            seen = tracker.update(build_observations(result, SIZE, t))  # (the onlooker pass is mediapipe's time)
            coach.update(seen.subject, t, seen.crowded)
        best = min(best, (time.perf_counter() - start) / len(results))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="vision path cost vs bare mediapipe")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--frames", type=int, default=48)
    args = parser.parse_args(argv)
    model = require_model(Path(os.environ.get("BOOTH_MODELS_DIR", REPO / ".models")))
    frames = load_frames(args.frames, model)
    ref, full, one = Reference(model), Full(model), Reference(model, onlookers=False)
    try:
        for frame in frames[:8]:  # warm up the graphs
            ref.run(frame)
            full.run(frame)
            one.run(frame)
        ref_times, full_times, one_times = [], [], []
        for r in range(args.rounds):
            for i, frame in enumerate(frames):
                order = [(ref, ref_times), (full, full_times), (one, one_times)]
                k = (i + r) % 3  # rotate who goes first, so a busy machine slows all alike
                for runner, times in order[k:] + order[:k]:
                    times.append(runner.run(frame))
    finally:
        ref.close()
        full.close()
        one.close()
    # Means, not medians: the onlooker pass runs on one frame in ONLOOKERS_EVERY, which a median hides.
    ref_ms = statistics.mean(ref_times) * 1000
    full_ms = statistics.mean(full_times) * 1000
    one_ms = statistics.mean(one_times) * 1000
    pair_ratio = statistics.median(b / a for a, b in zip(ref_times, full_times))
    ours_ms = ours_only(frames, model, repeats=5) * 1000
    print(f"frames {len(frames)} at {SIZE[0]}x{SIZE[1]}, rounds {args.rounds}")
    print(f"bare mediapipe:        {ref_ms:.2f} ms/frame (mean), onlookers ({MAX_FACES} faces) every {ONLOOKERS_EVERY}")
    print(f"the same, one face:    {one_ms:.2f} ms/frame (mean)")
    print(f"full path:             {full_ms:.2f} ms/frame (mean)")
    print(f"our code alone:        {ours_ms:.3f} ms/frame (best of 5)")
    print(json.dumps({
        "benchmark": "vision",
        "frames": len(frames),
        "rounds": args.rounds,
        "num_faces": MAX_FACES,
        "onlookers_every": ONLOOKERS_EVERY,
        "reference_ms": round(ref_ms, 3),
        "one_face_ms": round(one_ms, 3),
        "extra_faces_ratio": round(ref_ms / one_ms, 4),
        "full_ms": round(full_ms, 3),
        "ours_ms": round(ours_ms, 4),
        "overhead_ratio": round(1 + ours_ms / ref_ms, 4),
        "mean_ratio": round(sum(full_times) / sum(ref_times), 4),
        "ratio": round(pair_ratio, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
