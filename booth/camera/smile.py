"""A bigger smile than the photo's: the scripted subject's answer to "A bit bigger smile".

Some people's smiling photo is a smile only its owner would notice. Asked
for a bigger one, a person smiles more; the photo cannot. So the subject's
smile can go past its photo: the smiling photo with its mouth moved further
the way a smile moves a mouth, the corners out and up with the lips bending
between them, by up to one typical broad smile's worth (BROAD_WIDEN,
BROAD_LIFT) on top of what the photo shows.

The movement is a warp of the photo's own pixels (:mod:`booth.camera.warp`):
the lips' landmarks get their displacement, the rest of the face's landmarks
hold still. The still points beside the lips damp
it all the same: read back by the face model, the whole field adds about
two thirds of the broad smile's widening and a third of its lift (london-131:
mouth 13 % wider, corners 0.024 higher; tests/test_camera_smile.py), never
more than asked.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from booth.camera.warp import landmark_field, warped

# A typical broad smile, against the same person's neutral face: the median over the London
# set's smiling photos that read as a full smile (21 of 34; booth.coach.face measures,
# head frame, inter-ocular units): the mouth 19 % wider (11-42 %), the corners 0.068 of the
# eye-corner distance higher (0.027-0.103).
BROAD_WIDEN = 0.19
BROAD_LIFT = 0.068
LIP_WEIGHT = 10.0
SPREAD = 0.07  # of the inter-ocular distance: how far one landmark's movement reaches (the lips' own scale)
MOUTH_R, MOUTH_L = 61, 291  # mediapipe face mesh: mouth corners (image left, image right)
EYE_R, EYE_L = 33, 263  # outer eye corners


@lru_cache(maxsize=1)
def lip_indices() -> tuple[int, ...]:
    """The lips' landmarks, from mediapipe's own face mesh connection table."""
    from mediapipe.tasks.python.vision.face_landmarker import FaceLandmarksConnections

    return tuple(sorted({i for c in FaceLandmarksConnections.FACE_LANDMARKS_LIPS for i in (c.start, c.end)}))


def smile_field(landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """HxWx2 float32 pixel displacements that add one typical broad smile to a face.

    ``landmarks`` are the face mesh points of the photo in pixels (Nx2), ``size``
    its (width, height). Each lip point moves along the mouth's own axis (so a
    tilted head smiles along its mouth): outward in proportion to its place
    between the corners, up by the square of it (corners up, the middle
    staying).
    """
    w, h = size
    pts = np.asarray(landmarks, np.float64)[:, :2]
    right, left = pts[MOUTH_R], pts[MOUTH_L]
    half = float(np.linalg.norm(left - right)) / 2
    iod = float(np.linalg.norm(pts[EYE_L] - pts[EYE_R]))
    if half <= 0 or iod <= 0:
        raise ValueError("no mouth or eyes in these landmarks")
    along = (left - right) / (2 * half)
    down = np.array([-along[1], along[0]])  # image y grows downwards
    centre = (left + right) / 2
    move = np.zeros_like(pts)
    for i in lip_indices():
        u = float(np.dot(pts[i] - centre, along)) / half
        move[i] = along * (BROAD_WIDEN * half * u) - down * (BROAD_LIFT * iod * u * u)
    lips = np.zeros(len(pts), bool)
    lips[list(lip_indices())] = True
    # The lips' own points count more (LIP_WEIGHT), or the still points around the mouth cancel most of it.
    return landmark_field(pts, move, lips, (w, h), spread=SPREAD * iod, weight=LIP_WEIGHT)


def bigger(image: np.ndarray, field: np.ndarray, amount: float) -> np.ndarray:
    """``image`` with ``amount`` (0..1) of the field's smile added."""
    return warped(image, field, amount)
