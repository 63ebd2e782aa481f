"""Retouch levels on real faces: what each level changes, and what it must leave alone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth.photo.face import FaceGeometry
from booth.photo.retouch import LEVELS, Retoucher, retouch
from booth.photo.tone import GAIN_LIMIT, GAMMA_RANGE, srgb_decode, srgb_encode
from test_photo_support import analyzer, geometry, load_rgb  # noqa: F401 (fixture)

PEOPLE = ("004", "064", "082", "131")  # a range of skin tones


def _with_light(rgb: np.ndarray, gains: tuple[float, float, float]) -> np.ndarray:
    """The photo as a camera would have taken it under light of another colour or level (linear gains)."""
    out = srgb_encode(srgb_decode(rgb / 255.0) * np.array(gains))
    return np.round(out * 255).astype(np.uint8)


def _chroma(rgb: np.ndarray) -> float:
    """Mean Lab chroma of an RGB region (0 = grey)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab).astype(np.float32) - [0, 128, 128]
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def _skin_lab(rgb: np.ndarray, face: FaceGeometry) -> np.ndarray:
    """Mean Lab of both cheeks (a patch below each eye)."""
    patches = []
    for eye in face.eyes:
        r = int(face.width * 0.06)
        cx, cy = int(eye[0]), int(eye[1] + face.width * 0.22)
        patches.append(rgb[cy - r:cy + r, cx - r:cx + r].reshape(-1, 3))
    lab = cv2.cvtColor(np.concatenate(patches)[None], cv2.COLOR_RGB2Lab).astype(np.float64)[0]
    return (lab - [0, 128, 128]).mean(axis=0) * [100 / 255, 1, 1]


def _backdrop(rgb: np.ndarray) -> np.ndarray:
    return rgb[:60, :60]  # London photos: plain grey backdrop in the corner


@pytest.fixture(scope="module")
def people(analyzer, faces_dir) -> list[tuple[np.ndarray, FaceGeometry]]:
    return [(rgb, geometry(analyzer, rgb))
            for rgb in (load_rgb(faces_dir / "london/neutral" / f"{p}.jpg") for p in PEOPLE)]


def test_none_is_the_identity(people):
    rgb, face = people[0]
    assert np.array_equal(retouch(rgb, face, "none"), rgb)
    with pytest.raises(ValueError):
        retouch(rgb, face, "glamour")


def test_natural_is_gentle_on_a_well_lit_face(people):
    for rgb, face in people:
        r = Retoucher(rgb, face)
        out = r.render("natural")
        assert out.shape == rgb.shape and out.dtype == np.uint8
        # Studio light, right white balance: no colour correction to speak of.
        assert max(abs(g - 1) for g in r.correction.gains) < 0.03, r.correction
        change = np.abs(_skin_lab(out, face) - _skin_lab(rgb, face))
        assert change[0] < 8 and change[1] < 2 and change[2] < 2, change


@pytest.mark.parametrize("cast", [(0.8, 1.0, 1.25), (1.0, 1.15, 0.8), (1.2, 1.0, 0.75)], ids=["blue", "green", "warm"])
def test_natural_moves_a_colour_cast_towards_neutral(people, cast):
    for rgb, face in people:
        tinted = _with_light(rgb, cast)
        r = Retoucher(tinted, face)
        out = r.render("natural")
        # The grey backdrop (never looked at by the correction) gets greyer ...
        before, after, truth = _chroma(_backdrop(tinted)), _chroma(_backdrop(out)), _chroma(_backdrop(rgb))
        assert after < before - 0.4 * (before - truth), (cast, before, after, truth)
        # ... and the skin's colour nearer what it was under white light.
        skin_before = np.linalg.norm((_skin_lab(tinted, face) - _skin_lab(rgb, face))[1:])
        skin_after = np.linalg.norm((_skin_lab(out, face) - _skin_lab(rgb, face))[1:])
        assert skin_after < 0.7 * skin_before, (cast, skin_before, skin_after)
        assert all(1 / GAIN_LIMIT <= g <= GAIN_LIMIT for g in r.correction.gains)


@pytest.mark.parametrize("wall", [(200, 40, 40), (40, 90, 200)], ids=["red", "blue"])
def test_a_coloured_wall_does_not_fool_the_white_balance(people, wall):
    for rgb, face in people:
        # White light, a strongly coloured wall filling most of the picture.
        h, w = rgb.shape[:2]
        scene = np.empty((h * 2, w * 2, 3), np.uint8)
        scene[:] = wall
        scene[h:, w // 2:w // 2 + w] = rgb
        moved = face.shifted(-(w // 2), -h)
        out = retouch(scene, moved, "natural")
        skin_shift = np.linalg.norm((_skin_lab(out, moved) - _skin_lab(scene, moved))[1:])
        assert skin_shift < 3.0, (wall, skin_shift)
        assert _chroma(out[:h, :w]) > 0.85 * _chroma(scene[:h, :w])  # the wall keeps its colour


def test_natural_brightens_an_under_exposed_face_within_bounds(people):
    for rgb, face in people:
        dark = _with_light(rgb, (0.4, 0.4, 0.4))  # about 1.3 stops under
        r = Retoucher(dark, face)
        out = r.render("natural")
        well_lit = retouch(rgb, face, "natural")
        l_dark, l_out, l_bound = (_skin_lab(x, face)[0] for x in (dark, out, well_lit))
        assert l_out > l_dark + 3, (l_dark, l_out)
        # Never past where the same retouch puts the face taken in the right light.
        assert l_out < l_bound + 1, (l_bound, l_out)
        assert GAMMA_RANGE[0] <= r.correction.gamma < 1.0


def test_dark_skin_in_a_well_exposed_scene_is_not_lifted(people):
    rgb, face = people[2]  # London 082: dark skin, white shirt, bright backdrop
    r = Retoucher(rgb, face)
    r.render("natural")
    assert r.correction.skin_lab[0] < 35  # darker than the lift threshold ...
    assert r.correction.gamma == 1.0  # ... yet left as it is


def _hf_energy(rgb: np.ndarray, face: FaceGeometry, points: list[int], radius: float) -> float:
    """Laplacian energy around landmarks, with the face scaled to 300 px wide."""
    s = 300 / face.width
    grey = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    lap = cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)
    r = int(radius * 300)
    total = 0.0
    for i in points:
        x, y = (face.points[i] * s).astype(int)
        total += float((lap[y - r:y + r, x - r:x + r] ** 2).mean())
    return total / len(points)


def _region_change(a: np.ndarray, b: np.ndarray, face: FaceGeometry, points: list[int], radius: float) -> float:
    r = int(radius * face.width)
    diffs = [np.abs(a[y - r:y + r, x - r:x + r].astype(np.int16) - b[y - r:y + r, x - r:x + r]).mean()
             for x, y in face.points[points].astype(int)]
    return float(max(diffs))


CHEEKS = [50, 280, 101, 330]  # mediapipe cheek landmarks, both sides
EYES = [468, 473]  # iris centres
LIPS = [13, 14, 61, 291]  # lip centre and corners
BROWS = [105, 334]


def test_polished_smooths_the_skin_and_nothing_else(people):
    # Minimum share of fine detail kept, and most mean change (levels), per feature.
    features = {"eyes": (EYES, 0.995, 0.1), "lips": (LIPS, 0.96, 0.6), "brows": (BROWS, 0.88, 0.6)}
    for rgb, face in people:
        r = Retoucher(rgb, face)
        natural, polished = r.render("natural"), r.render("polished")
        cheeks = _hf_energy(polished, face, CHEEKS, 0.05) / _hf_energy(natural, face, CHEEKS, 0.05)
        assert cheeks < 0.75, cheeks
        for name, (points, kept, change) in features.items():
            share = _hf_energy(polished, face, points, 0.04) / _hf_energy(natural, face, points, 0.04)
            assert share >= kept, (name, share)
            assert _region_change(natural, polished, face, points, 0.03) < change, name


@pytest.mark.parametrize("level", [lv for lv in LEVELS if lv != "none"])
def test_retouch_never_moves_the_face(analyzer, people, level):
    for rgb, face in people[:2]:
        out = retouch(rgb, face, level)
        again = geometry(analyzer, out)
        moved = np.linalg.norm(again.points - geometry(analyzer, rgb).points, axis=1)
        assert np.median(moved) < 0.005 * face.width and moved.max() < 0.03 * face.width, moved.max()
