#!/usr/bin/env python3
"""Cost of the full vision path per frame, as a ratio to mediapipe's bare detect_for_video.

The same 640x480 frames (London photos placed as the booth frames a
headshot, with a little drift so the tracker has work to do) go through:

- reference: a FaceLandmarker in VIDEO mode with the same settings as ours
  (up to MAX_FACES faces, blendshapes, transformation matrix),
  ``detect_for_video`` and nothing else;
- full: FaceAnalyzer (VIDEO mode) -> Observations, the subject tracker, then
  Coach.update (metrics, the look's checks, steadiness, prompts, trigger);
- one face: the reference asked for one face only (the model settings before
  the booth looked for onlookers): ``extra_faces_ratio`` is the reference's
  time over this one's, the cost of asking for more than one face.

The two alternate frame by frame (reference then full, then full then
reference, ...) so a busy machine slows both alike; the headline ``ratio``
is the median per-frame time of the full path over the reference's (medians
shrug off the spikes other processes cause); ``pair_ratio`` is the median of
the per-frame ratios and ``mean_ratio`` the plain ratio of totals. ``overhead_ratio`` is a second, quieter
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
from booth.vision import MAX_FACES, FaceAnalyzer, build_observations, place_face  # noqa: E402

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
    """Bare mediapipe: the model and its own Python result conversion, nothing of ours."""

    def __init__(self, model: Path, num_faces: int = MAX_FACES) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self._lm = vision.FaceLandmarker.create_from_options(vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model)),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=num_faces,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        ))
        self._ms = 0

    def detect(self, frame: np.ndarray) -> Any:
        """The FaceLandmarkerResult for the next frame (timestamps 33 ms apart)."""
        self._ms += 33
        return self._lm.detect_for_video(self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame), self._ms)

    def run(self, frame: np.ndarray) -> float:
        start = time.perf_counter()
        self.detect(frame)
        return time.perf_counter() - start

    def close(self) -> None:
        self._lm.close()


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
        seen = self._tracker.update(self._analyzer.detect_all(frame, self._t))
        if self._coach.update(seen.subject, self._t, seen.crowded).fire:
            self.fired += 1
        return time.perf_counter() - start

    def close(self) -> None:
        self._analyzer.close()


def ours_only(frames: list[np.ndarray], model: Path, repeats: int) -> float:
    """Seconds per frame spent in our code alone (Observation building + coach), model excluded."""
    ref = Reference(model)
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
            seen = tracker.update(build_observations(result, SIZE, t))
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
    ref, full, one = Reference(model), Full(model), Reference(model, num_faces=1)
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
    ref_ms = statistics.median(ref_times) * 1000
    full_ms = statistics.median(full_times) * 1000
    one_ms = statistics.median(one_times) * 1000
    pair_ratio = statistics.median(b / a for a, b in zip(ref_times, full_times))
    ours_ms = ours_only(frames, model, repeats=5) * 1000
    print(f"frames {len(frames)} at {SIZE[0]}x{SIZE[1]}, rounds {args.rounds}")
    print(f"bare detect_for_video: {ref_ms:.2f} ms/frame (median), {MAX_FACES} faces asked for")
    print(f"the same, one face:    {one_ms:.2f} ms/frame (median)")
    print(f"full path:             {full_ms:.2f} ms/frame (median)")
    print(f"our code alone:        {ours_ms:.3f} ms/frame (best of 5)")
    print(json.dumps({
        "benchmark": "vision",
        "frames": len(frames),
        "rounds": args.rounds,
        "num_faces": MAX_FACES,
        "reference_ms": round(ref_ms, 3),
        "one_face_ms": round(one_ms, 3),
        "extra_faces_ratio": round(ref_ms / one_ms, 4),
        "full_ms": round(full_ms, 3),
        "ours_ms": round(ours_ms, 4),
        "overhead_ratio": round(1 + ours_ms / ref_ms, 4),
        "mean_ratio": round(sum(full_times) / sum(ref_times), 4),
        "pair_ratio": round(pair_ratio, 4),
        "ratio": round(full_ms / ref_ms, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
