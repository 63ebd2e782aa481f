"""From shutter to QR: a 3-frame burst of 4608x2592 stills to a published photo and its QR code.

Stages, timed end to end as the booth runs them (pipeline and gallery
already open, as they are in the running booth):

1. ``best shot``: face analysis of every frame, ranking, headshot crop;
2. ``render + JPEGs``: the JPEG of the original frame, the natural retouch
   of the crop and its JPEG;
3. ``gallery``: atomic writes of both files (fsync) and the SQLite row;
4. ``qr``: the photo's URL and its QR matrix.

The reference is one OpenCV JPEG encode of one burst frame at the same
quality, measured in the same run, interleaved with the pipeline runs so
that whatever else the machine is doing weighs on both alike. Medians of
``--repeats`` runs (default 11). ``ratio`` = end-to-end median / reference median
(target: <= 6).

The stills are the scripted subject's frames (booth.camera.scene: real
London-set photos of one person on a studio backdrop with vignette and
grain), rendered at the Pi camera's full 4608x2592 with the face box 42 %
of the frame height, as the coach frames it (FRAMING_TARGET), so the
headshot crop is nearly the full frame height (2072x2590). Frame 0 has a partial
smile, frame 1 the full smile, frame 2 the full smile slightly blurred (a
sway during the exposure), so the ranking has something to decide.

    .venv/bin/python benchmarks/capture_to_qr.py [--repeats 11]
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

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from booth.camera.base import Frame  # noqa: E402
from booth.camera.scene import Scene  # noqa: E402
from booth.camera.scripted import faces_dir, find_photos, find_pupils, load_rgb  # noqa: E402
from booth.camera.subject import SubjectPose  # noqa: E402
from booth.config import CoachConfig, PhotoConfig  # noqa: E402
from booth.gallery import Gallery  # noqa: E402
from booth.models import require_model  # noqa: E402
from booth.net import photo_url  # noqa: E402
from booth.photo.pipeline import PhotoPipeline  # noqa: E402
from booth.qr import qr_matrix  # noqa: E402

MODELS = Path(os.environ.get("BOOTH_MODELS_DIR", REPO / ".models"))
SIZE = (4608, 2592)
PERSON = "london-004"
EYE_CHIN = 0.26  # eyes to chin in frame heights: the face box is then ~42 % of the frame, as FRAMING_TARGET
EYE_Y = 0.33
LOOK = "smile"
LEVEL = "natural"
BASE_URL = "http://10.42.0.1:8080"


def make_burst() -> list[Frame]:
    neutral, smiling = find_photos(faces_dir(""), PERSON)
    image = load_rgb(neutral)
    pupils = find_pupils(faces_dir(""), neutral)
    assert pupils is not None, f"{neutral}: no pupils in labels.csv"
    scene = Scene(image, load_rgb(smiling), pupils)
    frames = []
    for i, (x, smile) in enumerate([(0.500, 0.6), (0.502, 1.0), (0.503, 1.0)]):
        image = scene.render(SubjectPose("smile", x, EYE_Y, EYE_CHIN, 0.0, smile, 0.0, True), SIZE)
        if i == 2:
            image = cv2.GaussianBlur(image, (0, 0), 1.5)
        frames.append(Frame(image=image, timestamp=i / 10, index=i))
    return frames


def _ms(t0: float, t1: float) -> float:
    return (t1 - t0) * 1000.0


def run_once(pipeline: PhotoPipeline, gallery: Gallery, burst: list[Frame], quality: int) -> dict[str, float]:
    t0 = time.perf_counter()
    photo = pipeline.process(burst, LOOK)
    t1 = time.perf_counter()
    original, retouched = photo.jpeg(None, quality), photo.jpeg(LEVEL, quality)
    t2 = time.perf_counter()
    record = gallery.add(original_jpeg=original, retouched_jpeg=retouched, look=LOOK,
                         crop=photo.crop_preset, retouch=LEVEL, scores=photo.scores)
    t3 = time.perf_counter()
    modules = qr_matrix(photo_url(BASE_URL, record.token))
    t4 = time.perf_counter()
    assert modules.ndim == 2 and modules.any()
    return {"best_shot": _ms(t0, t1), "render_and_jpegs": _ms(t1, t2), "gallery": _ms(t2, t3),
            "qr": _ms(t3, t4), "end_to_end": _ms(t0, t4), "chosen": photo.index,
            "crop_w": photo.crop_box[2], "crop_h": photo.crop_box[3]}


def parts_once(pipeline: PhotoPipeline, burst: list[Frame], quality: int) -> dict[str, float]:
    """The pieces of stage 2 one after the other (diagnostics, not in the ratio)."""
    photo = pipeline.process(burst, LOOK)
    t0 = time.perf_counter()
    photo.render(LEVEL)
    t1 = time.perf_counter()
    photo.jpeg(LEVEL, quality)
    t2 = time.perf_counter()
    photo.jpeg(None, quality)
    t3 = time.perf_counter()
    return {"render_natural": _ms(t0, t1), "jpeg_retouched": _ms(t1, t2), "jpeg_original": _ms(t2, t3)}


def reference_once(frame: Frame, quality: int) -> float:
    t0 = time.perf_counter()
    ok, _ = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    t1 = time.perf_counter()
    assert ok
    return _ms(t0, t1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()

    photo_cfg = PhotoConfig()
    quality = photo_cfg.jpeg_quality
    burst = make_burst()
    runs: list[dict[str, float]] = []
    parts: list[dict[str, float]] = []
    refs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="booth-bench-", dir=REPO) as tmp, \
            PhotoPipeline(photo_cfg, CoachConfig(), require_model(MODELS)) as pipeline, \
            Gallery(Path(tmp), expiry_days=7) as gallery:
        run_once(pipeline, gallery, burst, quality)  # warm-up: first-call costs are not the booth's steady state
        reference_once(burst[0], quality)
        for _ in range(args.repeats):
            refs.append(reference_once(burst[0], quality))
            runs.append(run_once(pipeline, gallery, burst, quality))
            refs.append(reference_once(burst[0], quality))
            parts.append(parts_once(pipeline, burst, quality))

    def median(rows: list[dict[str, float]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 2)

    reference = statistics.median(refs)
    end_to_end = statistics.median(r["end_to_end"] for r in runs)
    stages = {k: median(runs, k) for k in ("best_shot", "render_and_jpegs", "gallery", "qr")}
    stages.update({k: median(parts, k) for k in parts[0]})
    for name, value in stages.items():
        print(f"{name:18s} {value:8.1f} ms", file=sys.stderr)
    print(f"{'end to end':18s} {end_to_end:8.1f} ms   reference JPEG encode {reference:.1f} ms", file=sys.stderr)
    print(json.dumps({
        "benchmark": "capture_to_qr",
        "frame": list(SIZE),
        "burst": len(burst),
        "repeats": args.repeats,
        "jpeg_quality": quality,
        "chosen_frame": int(statistics.mode(r["chosen"] for r in runs)),
        "crop": [int(runs[0]["crop_w"]), int(runs[0]["crop_h"])],
        "reference_ms": round(reference, 2),
        "end_to_end_ms": round(end_to_end, 2),
        "stages_ms": stages,
        "ratio": round(end_to_end / reference, 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
