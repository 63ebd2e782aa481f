"""Headshot crop on real faces: eye line, head size, exact aspect, inside the frame."""

from __future__ import annotations

from fractions import Fraction

import pytest

from booth.photo.face import FaceGeometry
from booth.photo.crop import EYE_LINE, HEAD_MAX, HEAD_RANGE, PRESETS, Crop, centred_crop, headshot_crop
from test_photo_support import analyzer, geometry, in_scene, load_rgb  # noqa: F401 (fixture)

LONDON_PEOPLE = ("004", "024", "067", "082", "114", "140")
EYE_TOLERANCE = 0.01  # of the crop height


def _valid(crop: Crop, frame: tuple[int, int], preset: str) -> None:
    p, q = PRESETS[preset]
    assert Fraction(crop.w, crop.h) == Fraction(p, q)
    assert crop.x >= 0 and crop.y >= 0
    assert crop.x + crop.w <= frame[0] and crop.y + crop.h <= frame[1]


@pytest.fixture(scope="module")
def faces_with_room(analyzer, faces_dir) -> list[tuple[str, tuple[int, int], FaceGeometry]]:
    """London faces placed in 16:9 frames with room around them, at several places."""
    positions = [(0.5, 0.5), (0.35, 0.55), (0.62, 0.45)]
    found = []
    for person, centre in zip(LONDON_PEOPLE, positions * 2):
        scene = in_scene(load_rgb(faces_dir / "london" / "neutral" / f"{person}.jpg"), height=0.7, centre=centre)
        found.append((person, (scene.shape[1], scene.shape[0]), geometry(analyzer, scene)))
    return found


@pytest.mark.parametrize("preset", list(PRESETS))
def test_faces_with_room_get_the_eye_line_head_size_and_centring(faces_with_room, preset):
    eye_lines = []
    for person, frame, face in faces_with_room:
        crop = headshot_crop(frame, face, preset)
        _valid(crop, frame, preset)
        eye_line = (face.eye_y - crop.y) / crop.h
        assert abs(eye_line - EYE_LINE) <= EYE_TOLERANCE, (person, eye_line)
        head = face.head_height / crop.h
        assert HEAD_RANGE[0] <= head <= HEAD_RANGE[1], (person, head)
        assert abs(crop.x + crop.w / 2 - face.centre_x) <= 1.0
        assert crop.rules_kept
        eye_lines.append(eye_line)
    # The same preset gives every photo the same eye line.
    assert max(eye_lines) - min(eye_lines) <= 2 * EYE_TOLERANCE


@pytest.mark.parametrize("name", ["lisa/lisa1.jpg", "lisa/lisa3.jpg", "lisa/lisa4.jpg",
                                  "zoom/15cm.jpg", "zoom/30cm.jpg", "london/neutral/030.jpg"])
def test_faces_near_an_edge_or_too_close_still_get_a_valid_crop(analyzer, faces_dir, name):
    rgb = load_rgb(faces_dir / name)
    face = geometry(analyzer, rgb)
    frame = (rgb.shape[1], rgb.shape[0])
    for preset, (p, q) in PRESETS.items():
        crop = headshot_crop(frame, face, preset)
        _valid(crop, frame, preset)
        # The face itself is in the crop, eyes in the upper half.
        assert crop.x <= face.eyes[:, 0].min() and face.eyes[:, 0].max() <= crop.x + crop.w
        assert crop.y < face.eye_y < crop.y + crop.h / 2
        # The crop only grows past HEAD_MAX when the frame itself is the limit.
        frame_limited = crop.h > frame[1] - q or crop.w > frame[0] - p
        assert face.head_height / crop.h <= HEAD_MAX + 0.01 or frame_limited, (preset, crop)


def test_a_face_cut_by_the_frame_edge_slides_the_crop_and_keeps_the_eye_line(analyzer, faces_dir):
    scene = in_scene(load_rgb(faces_dir / "london/neutral/004.jpg"), height=0.8, centre=(0.08, 0.5))
    face = geometry(analyzer, scene)
    frame = (scene.shape[1], scene.shape[0])
    crop = headshot_crop(frame, face, "4:5")
    _valid(crop, frame, "4:5")
    assert crop.x == 0 and not crop.rules_kept
    assert abs((face.eye_y - crop.y) / crop.h - EYE_LINE) <= EYE_TOLERANCE
    assert face.head_height / crop.h <= HEAD_MAX + 0.01


def test_centred_fallback_is_the_largest_crop_of_the_aspect():
    for preset, (p, q) in PRESETS.items():
        crop = centred_crop((1600, 900), preset)
        _valid(crop, (1600, 900), preset)
        assert crop.h > 900 - q and abs(crop.x + crop.w / 2 - 800) <= 1
    with pytest.raises(ValueError):
        centred_crop((1600, 900), "16:9")
