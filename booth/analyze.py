"""`booth analyze`: score still images as the booth would, one result per image.

Each image is judged on its own (mediapipe IMAGE mode), optionally against a
neutral photo of the same person (``--baseline``), exactly as the booth judges
live frames against the breathing screen's baseline. Stills are judged on
expression, eyes and head pose, not on framing (see :mod:`booth.coach.looks`).
A file that cannot be read gets ``{"file", "face": false, "error"}``; a photo
without a face gets ``"face": false``; the run always goes on to the next
file, and exits 1 if any file could not be read. A baseline that cannot be
read or shows no face is an error (exit 2, nothing judged): judging without
it would quietly give other answers than the ones asked for.

``--json`` prints the objects as JSON lines (the contract in DESIGN.md);
without it, the same result as short text for a person at a terminal.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import cv2
import numpy as np

from booth.coach import LOOKS, Baseline, compute_metrics, evaluate_look
from booth.config import CoachConfig, Config
from booth.models import require_model
from booth.observation import Observation
from booth.vision import FaceAnalyzer

# Stills bigger than this are downscaled before detection (the mesh is
# normalised, so results come back in full-size pixels): a 12 MP photo costs
# as much as a preview frame and the pupils stay within 2 % of their place.
MAX_SIDE = 1280
# Decoding costs 3 bytes a pixel, so a small file claiming a huge size (an
# "image bomb") could exhaust memory. 100 MP is above any phone or camera
# photo (a Pi HQ still is 12 MP); the size is read from the header first.
MAX_PIXELS = 100_000_000


class ImageError(Exception):
    """The file is missing or not an image."""


def _check_size(data: np.ndarray) -> None:
    """ImageError if the header claims more than MAX_PIXELS, before anything is decoded.

    Pillow reads just the header here (OpenCV has no header-only call); a
    format Pillow does not know is left to OpenCV.
    """
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data.tobytes())) as image:
                width, height = image.size
        except Image.DecompressionBombError:  # Pillow's own limit, far above ours
            raise ImageError(f"too large to analyse: over {MAX_PIXELS // 1_000_000} megapixels "
                             "(decoding it could exhaust memory)") from None
        except Exception:  # noqa: BLE001 (not a format Pillow reads: OpenCV decides)
            return
    if width * height > MAX_PIXELS:
        raise ImageError(f"too large to analyse: {width} x {height} pixels; at most "
                         f"{MAX_PIXELS // 1_000_000} megapixels (decoding it could exhaust memory)")


def read_rgb(path: Path) -> np.ndarray:
    """An image file as RGB uint8 (EXIF orientation applied), or ImageError."""
    if not path.is_file():
        raise ImageError("file not found" if not path.exists() else "not a file")
    data = np.fromfile(str(path), dtype=np.uint8)  # works with any file name, unlike imread
    _check_size(data)
    try:
        bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    except cv2.error:  # OpenCV's own limits are assertions with C++ text: say it plainly instead
        raise ImageError("cannot be decoded (damaged, or too large to decode)") from None
    if bgr is None:
        raise ImageError("not an image (or an unsupported format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _r(x: float, nd: int = 4) -> float:
    return round(float(x), nd)


def describe(file: str, obs: Observation | None, settings: CoachConfig, baseline: Baseline | None) -> dict[str, Any]:
    """The JSON object for one image (the contract in DESIGN.md)."""
    if obs is None:
        return {"file": file, "face": False}
    m = compute_metrics(obs, baseline)
    looks = {}
    for look in LOOKS:
        res = evaluate_look(obs, look, settings, baseline, metrics=m)
        looks[look] = {"score": _r(res.score), "ready": res.ready, "advice": res.advice}
    b = obs.box
    return {
        "file": file,
        "face": True,
        "box": [_r(b.x, 1), _r(b.y, 1), _r(b.w, 1), _r(b.h, 1)],
        "pupils": [[_r(x, 1), _r(y, 1)] for x, y in obs.pupils],
        "pose": {"yaw": _r(obs.pose.yaw, 2), "pitch": _r(obs.pose.pitch, 2), "roll": _r(obs.pose.roll, 2)},
        "smile": _r(m.smile),
        "genuine": _r(m.genuine),
        "eyes_open": _r(m.eyes_open),
        "eye_contact": _r(m.eye_contact),
        "looks": looks,
    }


def describe_text(d: dict[str, Any]) -> str:
    """The readable form of one :func:`describe` result (what `booth analyze` prints without --json)."""
    if "error" in d:
        return f"{d['file']}: cannot read: {d['error']}"
    if not d["face"]:
        return f"{d['file']}: no face found"
    p = d["pose"]
    lines = [
        f"{d['file']}: smile {d['smile']:.2f} (genuine {d['genuine']:.2f}), eyes open {d['eyes_open']:.2f}, "
        f"eye contact {d['eye_contact']:.2f}, yaw {p['yaw']:+.1f}° pitch {p['pitch']:+.1f}° roll {p['roll']:+.1f}°"
    ]
    for look, res in d["looks"].items():
        verdict = "ready" if res["ready"] else "not ready"
        advice = f": {'; '.join(res['advice'])}" if res["advice"] else ""
        lines.append(f"  {look:<14} {res['score']:.2f}  {verdict}{advice}")
    return "\n".join(lines)


class BaselineError(Exception):
    """The --baseline photo cannot be used; the message says why."""


def analyze(
    files: list[str],
    model_path: Path,
    settings: CoachConfig,
    baseline_file: str | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    as_json: bool = True,
) -> int:
    """Write one result per file to ``out``: 0 if every file was read, 1 if any could not be.

    A baseline that cannot be used is reported on ``err`` and returns 2 before any image is judged.
    """
    with FaceAnalyzer(model_path, mode="image", max_side=MAX_SIDE) as analyzer:
        baseline = None
        if baseline_file:
            try:
                baseline = _baseline(analyzer, baseline_file)
            except BaselineError as exc:
                print(f"booth analyze: baseline {baseline_file}: {exc}", file=err)
                return 2
        unreadable = 0
        for file in files:
            try:
                obs = analyzer.detect(read_rgb(Path(file)))
                line = describe(file, obs, settings, baseline)
            except ImageError as exc:
                line = {"file": file, "face": False, "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 (one bad image must not end the run)
                line = {"file": file, "face": False, "error": f"{type(exc).__name__}: {exc}"}
            unreadable += "error" in line
            out.write((json.dumps(line) if as_json else describe_text(line)) + "\n")
            out.flush()
    if unreadable:
        print(f"booth analyze: {unreadable} of {len(files)} file(s) could not be read", file=err)
        return 1
    return 0


def _baseline(analyzer: FaceAnalyzer, file: str) -> Baseline:
    try:
        obs = analyzer.detect(read_rgb(Path(file)))
    except ImageError as exc:
        raise BaselineError(str(exc)) from None
    if obs is None:
        raise BaselineError("no face found; give a neutral photo of the same person")
    return Baseline.from_observation(obs)


def cli_analyze(args: argparse.Namespace, config: Config) -> int:
    """Entry point for `booth analyze` (JSON lines with --json, readable text without)."""
    model = require_model(config.models_dir)
    return analyze(list(args.images), model, config.coach, args.baseline, as_json=bool(args.json))
