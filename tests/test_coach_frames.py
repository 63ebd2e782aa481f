"""Observations for the coach tests: real ones from the face photos, and constructed variants.

Real observations come from the real model in IMAGE mode, on 640x480 frames
where the photo is placed as the booth frames a headshot (so the live
framing checks pass unless a test moves the face). Constructed variants
change one thing in a real observation (eyes shut, gaze turned, face moved,
one blendshape) so a test can say exactly what changed. The other coach test
modules import these helpers; the tests here check the constructions do what
they claim.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.coach import FRAMING_TARGET
from booth.coach.face import L_IRIS, L_LOWER, L_UPPER, R_IRIS, R_LOWER, R_UPPER, measure
from booth.models import require_model
from booth.observation import Box, Observation
from booth.vision import FaceAnalyzer, place_face
from booth_process import MODELS_DIR

REPO = Path(__file__).resolve().parent.parent
FACES = Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces"))
SIZE = (640, 480)
IRIS_POINTS = {R_IRIS: range(468, 473), L_IRIS: range(473, 478)}


@functools.cache
def analyzer() -> FaceAnalyzer:
    return FaceAnalyzer(require_model(MODELS_DIR), mode="image")


@pytest.fixture(scope="module", autouse=True)
def close_analyzer():
    """Close the shared analyzer after each module (import this fixture where the helpers are used).

    mediapipe's task must be closed while the interpreter is still whole; the
    observations stay cached, so the next module only pays for a new graph.
    """
    yield
    if analyzer.cache_info().currsize:
        analyzer().close()
        analyzer.cache_clear()


@functools.cache
def photo(rel: str) -> np.ndarray:
    """A face photo (path relative to the faces folder) as RGB."""
    bgr = cv2.imread(str(FACES / rel))
    assert bgr is not None, f"cannot read {FACES / rel}"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@functools.cache
def still(rel: str) -> Observation:
    """The photo as it is (booth analyze's view)."""
    obs = analyzer().detect(photo(rel))
    assert obs is not None, rel
    return obs


@functools.cache
def framed(rel: str, scale: float = 1.0, shift: tuple[float, float] = (0.0, 0.0), tilt: float = 0.0) -> Observation:
    """The photo placed in a 640x480 preview on FRAMING_TARGET (then scaled, shifted, tilted)."""
    frame = place_face(photo(rel), still(rel).box, SIZE, FRAMING_TARGET, scale=scale, shift=shift)
    if tilt:
        centre = (SIZE[0] * FRAMING_TARGET.centre[0], SIZE[1] * FRAMING_TARGET.centre[1])
        rot = cv2.getRotationMatrix2D(centre, tilt, 1.0)  # + = counter-clockwise in the image
        frame = cv2.warpAffine(frame, rot, SIZE, borderValue=(128, 128, 128))
    obs = analyzer().detect(frame)
    assert obs is not None, rel
    return obs


@functools.cache
def degraded(rel: str, face_px: float = 0.0, quality: int = 0, turn: float = 0.0, gain: float = 1.0,
             noise: float = 0.0) -> Observation:
    """The photo as a poorer camera takes it: the face ``face_px`` wide, turned ``turn`` degrees
    (counter-clockwise), exposure times ``gain``, Gaussian noise of this sd, then JPEG at ``quality``.

    What the booth meets outside a studio; scripts/robustness.py measures the same changes in bulk.
    """
    image = photo(rel)
    if face_px:
        k = face_px / still(rel).box.w
        image = cv2.resize(image, (round(image.shape[1] * k), round(image.shape[0] * k)), interpolation=cv2.INTER_AREA)
    if turn:
        h, w = image.shape[:2]
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), turn, 1.0)
        image = cv2.warpAffine(image, rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if gain != 1.0 or noise:
        rng = np.random.default_rng(len(rel))
        x = image.astype(np.float32) * gain + rng.normal(0.0, noise, image.shape).astype(np.float32)
        image = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    if quality:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
        image = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    obs = analyzer().detect(np.ascontiguousarray(image))
    assert obs is not None, rel
    return obs


def with_blendshapes(obs: Observation, **scores: float) -> Observation:
    return dataclasses.replace(obs, blendshapes={**obs.blendshapes, **scores})


def eyes_shut(obs: Observation) -> Observation:
    """Both eyes closed: eyeBlink high and each upper lid moved down onto the lower lid."""
    lm = obs.landmarks.copy()
    for upper, lower in ((R_UPPER, R_LOWER), (L_UPPER, L_LOWER)):
        lm[upper] = lm[lower] + (lm[upper] - lm[lower]) * 0.1
    shut = dataclasses.replace(obs, landmarks=lm)
    return with_blendshapes(shut, eyeBlinkLeft=0.9, eyeBlinkRight=0.9)


def gaze_shifted(obs: Observation, eye_widths: float) -> Observation:
    """Both irises moved along the image x axis by this fraction of the eye's width (+ = image right)."""
    lm = obs.landmarks.copy()
    w = obs.image_size[0]
    pts = obs.points()
    width = (abs(pts[133, 0] - pts[33, 0]) + abs(pts[263, 0] - pts[362, 0])) / 2
    for rows in IRIS_POINTS.values():
        lm[list(rows), 0] += eye_widths * width / w
    return dataclasses.replace(obs, landmarks=lm)


def moved(obs: Observation, dx: float) -> Observation:
    """The whole face moved dx pixels to the image right."""
    lm = obs.landmarks.copy()
    lm[:, 0] += dx / obs.image_size[0]
    b = obs.box
    (ax, ay), (bx, by) = obs.pupils
    return dataclasses.replace(obs, landmarks=lm, box=Box(b.x + dx, b.y, b.w, b.h),
                               pupils=((ax + dx, ay), (bx + dx, by)))


# -- the constructions do what they say ----------------------------------------


def test_framed_photo_sits_on_the_target() -> None:
    obs = framed("london/neutral/004.jpg")
    cx, cy = obs.box.centre
    tx, ty = FRAMING_TARGET.centre
    assert abs(cx / SIZE[0] - tx) < 0.02 and abs(cy / SIZE[1] - ty) < 0.02
    assert abs(obs.box.h / SIZE[1] / FRAMING_TARGET.h - 1) < 0.08


def test_eyes_shut_closes_the_lids_only() -> None:
    obs = framed("london/neutral/004.jpg")
    shut = measure(eyes_shut(obs))
    assert shut.eye_aperture < 0.2 * measure(obs).eye_aperture
    assert shut.smile_raw == measure(obs).smile_raw


def test_gaze_shift_turns_the_eyes_not_the_head() -> None:
    obs = framed("london/neutral/004.jpg")
    before, after = measure(obs), measure(gaze_shifted(obs, 0.15))
    assert after.gaze_h - before.gaze_h > 15
    assert after.yaw == before.yaw


def test_degraded_is_smaller_turned_and_the_same_face() -> None:
    obs = still("london/neutral/004.jpg")
    poor = degraded("london/neutral/004.jpg", face_px=90, quality=35, turn=8, gain=0.6, noise=6)
    assert poor.box.w == pytest.approx(90, rel=0.15)
    assert poor.pose.roll - obs.pose.roll == pytest.approx(8, abs=2)
    assert abs(poor.pose.yaw - obs.pose.yaw) < 4
