#!/usr/bin/env python3
"""Does the render loop keep up with the camera while everything else runs?

The real booth (booth.app.build) runs headless on SDL's dummy driver with
the scripted subject at 30 fps, the face model and coach on the analysis
thread, and the capture worker making and saving real photos, for whole
sessions driven by the scripted hand. Measured in the same run:

- the camera's delivered frame rate (the reference) and the display loop's
  achieved frame rate; the headline ``ratio`` is display fps / camera fps
  (target >= 0.95). ``worst_1s_ratio`` is the slowest one-second window, and
  ``busy_ratio`` the rate while a photo is being captured and processed;
- ``trigger_to_still_ms``: from the moment the session decides to shoot
  (the StartCapture effect is handed to the worker) to the timestamp of the
  burst's first full-resolution still.

Usage: benchmarks/ui_loop.py [--sessions N] [--size WxH]. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("BOOTH_MODELS_DIR", str(REPO / ".models"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from booth.app import Options, build
    from booth.config import load_config
    from booth.session import Phase

    with tempfile.TemporaryDirectory(prefix="booth-bench-") as data:
        os.environ["BOOTH_DATA_DIR"] = data
        os.environ.pop("BOOTH_CONFIG", None)
        config = load_config(None)
        config.camera.fps = 30
        config.display.fps = 30
        config.display.width, config.display.height = width, height
        app = build(config, camera_spec="scripted", options=Options(
            headless=True, sessions=args.sessions, autopilot=True, max_run_s=60.0 + 90.0 * args.sessions))

        frames: list[tuple[float, Phase]] = []
        camera_marks: list[tuple[float, int]] = []
        draw = app._frame

        def recorded(now: float) -> None:
            draw(now)
            frames.append((time.monotonic(), app.session.state.phase))
            latest = app.camera.latest()
            if latest is not None:
                camera_marks.append((latest.timestamp, latest.index))

        app._frame = recorded  # type: ignore[method-assign]
        t0 = time.monotonic()
        code = app.run()
        wall = time.monotonic() - t0
        app.camera.stop()

    times = [t for t, _ in frames]
    display_fps = (len(times) - 1) / (times[-1] - times[0])
    (c0, i0), (c1, i1) = camera_marks[0], camera_marks[-1]
    camera_fps = (i1 - i0) / (c1 - c0)
    windows = []
    start = times[0]
    while start + 1.0 <= times[-1]:
        windows.append(sum(1 for t in times if start <= t < start + 1.0))
        start += 1.0
    busy = [t for t, p in frames if p in (Phase.CAPTURE, Phase.PROCESSING)]
    busy_fps = _rate(busy)
    latencies = app.capture.trigger_to_still
    analysed = app.analysis.frames
    print(f"{app.completed} sessions in {wall:.1f} s at {width}x{height}")
    print(f"camera {camera_fps:.2f} fps, display {display_fps:.2f} fps, worst second {min(windows)} frames,"
          f" while capturing/processing {busy_fps:.2f} fps")
    print(f"trigger to first still: {', '.join(f'{x * 1000:.0f} ms' for x in latencies)}")
    print(json.dumps({
        "benchmark": "ui_loop",
        "size": f"{width}x{height}",
        "sessions": app.completed,
        "seconds": round(wall, 1),
        "camera_fps": round(camera_fps, 2),
        "display_fps": round(display_fps, 2),
        "worst_1s_ratio": round(min(windows) / camera_fps, 3),
        "busy_fps": round(busy_fps, 2),
        "busy_ratio": round(busy_fps / camera_fps, 3),
        "analysed_fps": round(analysed / wall, 2),
        "trigger_to_still_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "trigger_to_still_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "exit": code,
        "ratio": round(display_fps / camera_fps, 4),
    }))
    return 0 if code == 0 else 1


def _rate(times: list[float]) -> float:
    """Frames per second over runs of consecutive frames (gaps over 0.5 s split runs)."""
    if len(times) < 2:
        return 0.0
    frames, span, run_start = 0, 0.0, times[0]
    for a, b in zip(times, times[1:]):
        if b - a > 0.5:
            span += a - run_start
            run_start = b
        else:
            frames += 1
    span += times[-1] - run_start
    return frames / span if span > 0 else 0.0


if __name__ == "__main__":
    sys.exit(main())
