"""Eyes turned aside: the scripted subject's answer to "Look a little to your left".

The photos look into the lens. A person asked to look aside turns their eyes;
so the subject's irises move along the eye (the line through its corners),
the lids and the rest of the face held still (:mod:`booth.camera.warp`). The
field is made for GAZE_UNIT degrees towards the subject's own left (the image
right, as booth.coach.face measures gaze); a pose's gaze scales it, either way.

An eye turning by an angle moves the iris by the eyeball's radius times its
sine (booth.coach.face.EYEBALL_RADIUS, of the eye's corner-to-corner width).
Read back by the face model, the warp gives about half to two thirds of the
angle asked (london-004, -024, -131: 20 degrees asked read as 8-14), so the
subject looks further when the prompt stays, as a person would.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from booth.camera.warp import landmark_field
from booth.coach.face import EYEBALL_RADIUS, L_INNER, L_IRIS, L_OUTER, R_INNER, R_IRIS, R_OUTER

GAZE_UNIT = 20.0  # degrees the field turns the eyes
IRIS_WEIGHT = 10.0  # an iris point against a still one (the lids around it would hold it otherwise)
SPREAD = 0.03  # of the eye-corner distance: about an iris's radius


@lru_cache(maxsize=1)
def iris_indices() -> tuple[int, ...]:
    """Both irises' landmarks: mediapipe's iris connection tables, and the two centres."""
    from mediapipe.tasks.python.vision.face_landmarker import FaceLandmarksConnections as C

    rings = {i for conns in (C.FACE_LANDMARKS_LEFT_IRIS, C.FACE_LANDMARKS_RIGHT_IRIS)
             for c in conns for i in (c.start, c.end)}
    return tuple(sorted(rings | {R_IRIS, L_IRIS}))


def gaze_field(landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """HxWx2 float32 pixel displacements that turn both eyes GAZE_UNIT degrees to the subject's left."""
    pts = np.asarray(landmarks, np.float64)[:, :2]
    across = pts[L_OUTER] - pts[R_OUTER]
    iod = float(np.linalg.norm(across))
    if iod <= 0:
        raise ValueError("no eyes in these landmarks")
    eye = (float(np.linalg.norm(pts[R_OUTER] - pts[R_INNER])) + float(np.linalg.norm(pts[L_OUTER] - pts[L_INNER]))) / 2
    shift = across / iod * EYEBALL_RADIUS * eye * math.sin(math.radians(GAZE_UNIT))
    moves = np.zeros_like(pts)
    irises = np.zeros(len(pts), bool)
    irises[list(iris_indices())] = True
    moves[irises] = shift
    return landmark_field(pts, moves, irises, size, spread=SPREAD * iod, weight=IRIS_WEIGHT)
