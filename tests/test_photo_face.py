"""Face geometry on real photos: the estimated crown against the measured top of the head."""

from __future__ import annotations

import numpy as np

from booth.photo.face import FaceGeometry, region
from test_photo_support import analyzer, geometry, load_rgb  # noqa: F401 (fixture)


def _measured_crown(rgb: np.ndarray, face: FaceGeometry) -> float:
    """Top of the head on a London photo: the first row, above the face, that is not the plain backdrop."""
    backdrop = np.median(rgb[:20].reshape(-1, 3), axis=0)
    band = rgb[:, int(face.left):int(face.right)].astype(np.int16)
    differs = (np.abs(band - backdrop).max(axis=2) > 40).mean(axis=1) > 0.05
    return float(np.argmax(differs))


def test_crown_estimate_matches_the_top_of_the_head_on_london_photos(analyzer, face_labels):
    errors = []
    for label in face_labels:
        if label.set != "london" or label.expression != "neutral":
            continue
        rgb = load_rgb(label.file)
        face = geometry(analyzer, rgb)
        eye_to_chin = face.chin[1] - face.eye_y
        errors.append((face.crown[1] - _measured_crown(rgb, face)) / eye_to_chin)
    errors = np.array(errors)
    assert len(errors) >= 30
    # In eye-to-chin units; hair volume differs between people, so judge the spread.
    assert abs(np.median(errors)) < 0.1, errors
    assert np.mean(np.abs(errors) < 0.25) >= 0.8, errors


def test_geometry_follows_the_face(analyzer, face_labels):
    label = next(lb for lb in face_labels if lb.set == "london" and lb.pupils)
    rgb = load_rgb(label.file)
    face = geometry(analyzer, rgb)
    eyes = np.sort(face.eyes[:, 0])
    assert np.allclose(eyes, [label.pupils[0][0], label.pupils[1][0]], atol=6)
    assert abs(face.eye_y - np.mean([p[1] for p in label.pupils])) < 6
    assert face.crown[1] < face.eye_y < face.chin[1]
    assert face.left < eyes[0] < eyes[1] < face.right
    moved = face.shifted(100, 50)
    assert np.allclose(moved.chin, face.chin - [100, 50]) and moved.eye_y == face.eye_y - 50
    assert len(region("oval")) == 36 and set(region("lips")).isdisjoint(region("eyes"))
