"""Best shot: which frames are dropped, how the rest are ranked, and the sharpness measure on real faces."""

from __future__ import annotations

import cv2
import pytest

from booth.photo.bestshot import Candidate, choose, face_sharpness
from test_photo_support import analyzer, geometry, load_rgb  # noqa: F401 (fixture)


def _face(position: int, sharpness: float = 100.0, look: float = 0.6, eyes_open: float = 0.9,
          eye_contact: float = 0.9, yaw: float = 0.0, pitch: float = 0.0) -> Candidate:
    return Candidate(position, sharpness, True, look, eyes_open, eye_contact, yaw, pitch)


def test_closed_eyes_and_turned_faces_are_dropped_whatever_their_score():
    burst = [
        _face(0, look=0.5),
        _face(1, look=1.0, eyes_open=0.2),
        _face(2, look=1.0, yaw=40.0),
        _face(3, look=1.0, pitch=-30.0),
        Candidate(4, 500.0, face=False),
    ]
    shot = choose(burst, "smile")
    assert shot.position == 0 and not shot.fallback
    assert shot.scores["frame1.dropped"] == "eyes closed"
    assert shot.scores["frame2.dropped"] == "face turned away"
    assert shot.scores["frame3.dropped"] == "head tipped up or down"
    assert shot.scores["frame4.dropped"] == "no face"
    assert "frame0.dropped" not in shot.scores and shot.scores["chosen"] == 0


def test_ranking_weighs_look_sharpness_and_eye_contact():
    # Equal looks: the sharper frame wins; a much better look beats a little blur.
    assert choose([_face(0, sharpness=50), _face(1, sharpness=100)], "serious").position == 1
    assert choose([_face(0, sharpness=90, look=0.95), _face(1, sharpness=100, look=0.5)], "smile").position == 0
    # Eye contact counts, except in the contemplative look, whose gaze is meant to be off the lens.
    pair = [_face(0, eye_contact=0.1, look=0.62), _face(1, eye_contact=0.95, look=0.6)]
    assert choose(pair, "serious").position == 1
    assert choose(pair, "contemplative").position == 0


def test_sharpness_is_compared_only_within_the_burst():
    burst = [_face(0, sharpness=40, look=0.7), _face(1, sharpness=80, look=0.6)]
    brighter_scene = [_face(0, sharpness=4000, look=0.7), _face(1, sharpness=8000, look=0.6)]
    a, b = choose(burst, "smile"), choose(brighter_scene, "smile")
    assert a.position == b.position
    assert a.scores == b.scores  # only the ratio to the burst's sharpest frame is kept
    assert a.scores["frame1.sharpness"] == 1.0 and a.scores["frame0.sharpness"] == 0.5


def test_without_a_usable_frame_the_sharpest_is_kept_and_the_scores_say_why():
    closed = [_face(0, sharpness=10, eyes_open=0.1), _face(1, sharpness=30, eyes_open=0.2),
              Candidate(2, 99.0, face=False)]
    shot = choose(closed, "smile")
    assert shot.position == 1 and "no usable face" in shot.fallback
    assert shot.scores["fallback"] == shot.fallback
    faceless = [Candidate(0, 5.0, face=False), Candidate(1, 7.0, face=False)]
    shot = choose(faceless, "smile")
    assert shot.position == 1 and "no face found" in shot.fallback
    with pytest.raises(ValueError):
        choose([], "smile")


def test_face_sharpness_drops_with_blur_and_looks_only_at_the_face(analyzer, faces_dir):
    for person in ("004", "082", "140"):
        rgb = load_rgb(faces_dir / "london/neutral" / f"{person}.jpg")
        face = geometry(analyzer, rgb)
        sharp = face_sharpness(rgb, face)
        soft = face_sharpness(cv2.GaussianBlur(rgb, (0, 0), 1.0), face)
        softer = face_sharpness(cv2.GaussianBlur(rgb, (0, 0), 2.0), face)
        assert sharp > 1.3 * soft > 1.3 * softer, (person, sharp, soft, softer)
        # Blurring everything but the face changes nothing; blurring only the face does.
        x0, x1 = int(face.left), int(face.right)
        y0, y1 = int(face.crown[1]), int(face.chin[1])
        background_blurred = cv2.GaussianBlur(rgb, (0, 0), 3.0)
        background_blurred[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
        assert face_sharpness(background_blurred, face) == pytest.approx(sharp, rel=0.02)
        face_blurred = rgb.copy()
        face_blurred[y0:y1, x0:x1] = cv2.GaussianBlur(rgb, (0, 0), 2.0)[y0:y1, x0:x1]
        assert face_sharpness(face_blurred, face) < 0.6 * sharp
