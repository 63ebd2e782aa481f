"""The photo pipeline on real bursts: best frame, crop, renders and JPEGs, and the no-face fallback."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.base import Frame
from booth.coach.baseline import Baseline
from booth.config import CoachConfig, PhotoConfig
from booth.photo.crop import EYE_LINE
from booth.photo.pipeline import PhotoPipeline, ProcessedPhoto
from test_photo_support import in_scene, load_rgb

SIZE = (1600, 900)


@pytest.fixture(scope="module")
def pipeline(model_path: Path) -> Iterator[PhotoPipeline]:
    with PhotoPipeline(PhotoConfig(), CoachConfig(), model_path) as p:
        yield p


@pytest.fixture(scope="module")
def burst(faces_dir: Path) -> list[Frame]:
    """One person: neutral, smiling, smiling but blurred (moved during the exposure)."""
    neutral = load_rgb(faces_dir / "london/neutral/004.jpg")
    smiling = load_rgb(faces_dir / "london/smiling/004.jpg")
    images = [in_scene(neutral, SIZE, 0.7), in_scene(smiling, SIZE, 0.7),
              cv2.GaussianBlur(in_scene(smiling, SIZE, 0.7), (0, 0), 2.0)]
    return [Frame(image, 10.0 + i / 10, 100 + i) for i, image in enumerate(images)]


def _decode(jpeg: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)


def test_the_look_and_sharpness_pick_the_frame(pipeline, burst):
    smile = pipeline.process(burst, "smile")
    assert smile.index == 1  # smiling and sharp; frame 2 smiles as much but is blurred
    sharpness = [smile.scores[f"frame{i}.sharpness"] for i in range(3)]
    assert max(sharpness) == 1.0 and sharpness[2] < 0.5 * sharpness[1]  # relative to the burst's sharpest
    assert smile.scores["frame1.look"] > smile.scores["frame0.look"]
    serious = pipeline.process(burst, "serious")
    assert serious.index == 0  # the neutral face
    for photo in (smile, serious):
        assert photo.original is burst[photo.index].image  # the frame itself, untouched
        assert "fallback" not in photo.scores and photo.scores["crop"] == "headshot"
        assert set(photo.scores) >= {f"frame{i}.total" for i in range(3)}


def test_a_baseline_from_the_same_person_is_used(pipeline, burst, analyzer_obs):
    baseline = Baseline.from_observation(analyzer_obs)
    photo = pipeline.process(burst, "smile", baseline)
    assert photo.index == 1
    assert photo.scores["frame1.look"] > photo.scores["frame0.look"]


@pytest.fixture(scope="module")
def analyzer_obs(model_path: Path, faces_dir: Path):
    from booth.vision import FaceAnalyzer

    with FaceAnalyzer(model_path, mode="image") as analyzer:
        obs = analyzer.detect(load_rgb(faces_dir / "london/neutral/004.jpg"))
    assert obs is not None
    return obs


def test_the_photo_is_cropped_rendered_and_encoded(pipeline, burst):
    photo = pipeline.process(burst, "smile")
    x, y, w, h = photo.crop_box
    assert photo.crop_preset == "4:5" and Fraction(w, h) == Fraction(4, 5)
    assert 0 <= x and x + w <= SIZE[0] and 0 <= y and y + h <= SIZE[1]
    assert photo.scores["crop.eye_line"] == pytest.approx(EYE_LINE, abs=0.01)

    natural = photo.render("natural")
    assert natural.shape == (h, w, 3) and photo.render("natural") is natural  # cached
    assert np.array_equal(photo.render("none"), photo.original[y:y + h, x:x + w])
    assert not photo.render("none").flags.writeable  # a view of the original, protected
    assert not np.array_equal(photo.render("polished"), natural)

    original, retouched = photo.jpeg(None, 90), photo.jpeg("natural", 90)
    assert _decode(original).shape == photo.original.shape
    assert _decode(retouched).shape == natural.shape
    # The JPEG is the render, not something else (RGB in, BGR out of OpenCV's decoder).
    decoded = cv2.cvtColor(_decode(retouched), cv2.COLOR_BGR2RGB).astype(np.int16)
    assert np.abs(decoded - natural).mean() < 3
    with pytest.raises(ValueError):
        photo.render("heavy")


def test_the_crop_preset_comes_from_the_config(model_path, burst):
    with PhotoPipeline(PhotoConfig(crop="2:3"), CoachConfig(), model_path) as p:
        photo = p.process(burst[:1], "serious")
    _, _, w, h = photo.crop_box
    assert photo.crop_preset == "2:3" and Fraction(w, h) == Fraction(2, 3) and photo.index == 0


def test_without_a_face_the_sharpest_frame_and_a_centred_crop(pipeline, faces_dir):
    # The zoom set's corridor, cut from above the person's head: no face anywhere.
    wall = load_rgb(faces_dir / "zoom/60cm.jpg")[:200]
    wall = cv2.resize(wall, SIZE, interpolation=cv2.INTER_CUBIC)
    frames = [Frame(cv2.GaussianBlur(wall, (0, 0), 3.0), 0.0, 1), Frame(wall, 0.1, 2),
              Frame(cv2.GaussianBlur(wall, (0, 0), 1.0), 0.2, 3)]
    photo = pipeline.process(frames, "smile")
    assert isinstance(photo, ProcessedPhoto)
    assert photo.index == 1 and "no face found" in str(photo.scores["fallback"])
    assert photo.scores["crop"] == "centred (no face)"
    x, y, w, h = photo.crop_box
    assert h == SIZE[1] - SIZE[1] % 5 and abs(x + w / 2 - SIZE[0] / 2) <= 1
    assert photo.render("polished").shape == (h, w, 3)  # every level still renders
    assert _decode(photo.jpeg("natural", 85)).shape == (h, w, 3)


def test_an_empty_burst_is_refused(pipeline):
    with pytest.raises(ValueError):
        pipeline.process([], "smile")
