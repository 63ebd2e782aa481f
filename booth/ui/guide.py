"""The coach screen's framing guide, derived from the headshot crop the photo will get.

The guide is not drawn from constants of its own: it is the crop
:mod:`booth.photo.crop` would cut from this very preview frame (the
headshot crop around the face seen now, or the centred crop when there is
none, as the photo pipeline does), and, inside it, the place that crop's
rules give the head: eye line on :data:`~booth.photo.crop.EYE_LINE`,
centred, as tall as the head is in that crop (crown to chin). When the crop
keeps its rules the guest's head fills the oval from crown to chin; when it
cannot (the head too big for the frame, or at an edge) the head visibly
spills out, and the oval does not turn green even if the coach is otherwise
ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from booth.photo.face import CROWN_RATIO, FaceGeometry
from booth.photo.crop import EYE_LINE, HEAD_FRACTION, PRESETS, Crop, centred_crop, headshot_crop

Fractions = tuple[float, float, float, float]  # x, y, w, h as fractions of the camera image


@dataclass(frozen=True)
class Guide:
    """Where the photo's crop and the head inside it fall, in fractions of the camera image."""

    crop: Fractions
    head: Fractions
    face: bool  # derived from a face seen now (else: the centred crop)
    fits: bool  # the head fills the oval: the crop kept its rules (eye line and centring)


def _fractions(box: tuple[float, float, float, float], size: tuple[int, int]) -> Fractions:
    x, y, w, h = box
    return (x / size[0], y / size[1], w / size[0], h / size[1])


def guide_for_crop(crop: Crop, size: tuple[int, int], head_aspect: float) -> Guide:
    """The head's place in ``crop`` (the crop's own rules), ``head_aspect`` = head width / height."""
    head_h = (crop.head_fraction or HEAD_FRACTION) * crop.h  # no face: the size the crop aims for
    head_w = head_aspect * head_h
    eye_y = crop.y + EYE_LINE * crop.h
    above = head_h * CROWN_RATIO / (1 + CROWN_RATIO)  # eyes to crown, as the crop estimates the crown
    head = (crop.x + (crop.w - head_w) / 2, eye_y - above, head_w, head_h)
    return Guide(_fractions(crop.box, size), _fractions(head, size), crop.eye_fraction is not None, crop.rules_kept)


def guide(size: tuple[int, int], preset: str, observation: Any = None) -> Guide:
    """The guide for a preview frame of ``size`` (width, height) and the face in it, if any."""
    if observation is None:
        p, q = PRESETS[preset]
        return guide_for_crop(centred_crop(size, preset), size, p / q)  # a head as wide as the photo's shape
    face = FaceGeometry.from_landmarks(observation.landmarks, size)  # normalised landmarks, this frame's pixels
    crop = headshot_crop(size, face, preset)
    return guide_for_crop(crop, size, face.width / max(face.head_height, 1.0))


def head_box(size: tuple[int, int], observation: Any) -> Fractions:
    """The subject's whole head in a preview frame of ``size``: estimated crown to chin, the face oval's width.

    What the live screens keep clear of their bands (booth/ui/placement.py): the
    guest should see their hair too, not only the mesh, which stops at the forehead.
    """
    face = FaceGeometry.from_landmarks(observation.landmarks, size)
    ys = face.points[:, 1]
    top = min(float(face.crown[1]), float(ys.min()))
    bottom = max(float(face.chin[1]), float(ys.max()))
    return _fractions((face.left, top, face.right - face.left, bottom - top), size)
