"""Face geometry in the head's own frame: the raw measurements the metrics build on.

Measured in 2D, a mouth looks wider when the head turns and mouth corners
look higher when the chin drops; judged against a baseline taken a moment
earlier in a slightly different pose, that noise swamps a subtle smile. So
the few landmarks we need are rotated into the head's frame with the inverse
of mediapipe's facial transformation matrix, and distances are divided by the
inter-ocular distance (eye corner to eye corner), which makes them free of
image size, distance to the camera and head pose.

Gaze is head pose plus the eye's rotation (iris offset over the eyeball
radius), against the camera's axis rather than the line to the lens: a face
framed on the target is within a few degrees of the axis, and for a cropped
photo the axis is unknown anyway.

Landmark indices are mediapipe's 478-point face mesh. "Right"/"left" below
are the subject's own: the subject's right eye is on the image left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from booth.observation import Observation

# subject's right eye (image left): outer corner, inner corner, upper lid, lower lid, iris centre
R_OUTER, R_INNER, R_UPPER, R_LOWER, R_IRIS = 33, 133, 159, 145, 468
# subject's left eye (image right)
L_OUTER, L_INNER, L_UPPER, L_LOWER, L_IRIS = 263, 362, 386, 374, 473
MOUTH_R, MOUTH_L = 61, 291  # mouth corners (image left, image right)
LIP_UPPER_IN, LIP_LOWER_IN = 13, 14  # inner lip midpoints

INDICES = np.array([
    R_OUTER, R_INNER, R_UPPER, R_LOWER, R_IRIS,
    L_OUTER, L_INNER, L_UPPER, L_LOWER, L_IRIS,
    MOUTH_R, MOUTH_L, LIP_UPPER_IN, LIP_LOWER_IN,
])
_ROW = {int(i): k for k, i in enumerate(INDICES)}

# Eyeball radius as a fraction of the eye's corner-to-corner width (about 12 mm
# over 28-30 mm): turns an iris offset into an eye rotation angle.
EYEBALL_RADIUS = 0.42
# The iris centre sits this far above the line through the eye corners when
# looking straight ahead (fraction of eye width; the median over the London set).
IRIS_REST_HEIGHT = 0.08


def _blend(bs: object, name: str) -> float:
    return float(bs.get(name, 0.0))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FaceShape:
    """Pose-free measurements of one face, from one Observation.

    Distances are fractions of the inter-ocular distance (outer eye corners)
    unless said otherwise; angles are degrees.
    """

    smile_raw: float  # mediapipe mouthSmile, mean of both sides, 0..1
    squint: float  # mediapipe eyeSquint, mean of both eyes, 0..1
    blink: float  # mediapipe eyeBlink, the more closed eye, 0..1
    mouth_width: float  # corner to corner
    corner_lift: float  # mouth corners above the inner-lip midpoint (+ = corners up)
    lip_gap: float  # inner lips apart
    eye_aperture: float  # lid gap over eye width, mean of both eyes
    eye_aperture_min: float  # the more closed eye
    iris_h: float  # iris offset from the eye centre along the eye, fraction of eye width (+ = image right)
    iris_v: float  # iris height above the corner line, fraction of eye width
    gaze_h: float  # gaze off the camera axis, degrees (+ = image right = subject's left)
    gaze_v: float  # the same vertically, degrees (+ = up); rough: head pitch carries a per-person bias
    yaw: float
    pitch: float
    roll: float


def head_frame_points(obs: Observation) -> np.ndarray:
    """The landmarks in INDICES, rotated into the head frame (x right, y up, z out of the face), pixels."""
    w, h = obs.image_size
    lm = obs.landmarks[INDICES].astype(np.float64)
    # camera space of the transformation matrix: x right, y up, z towards the viewer;
    # mediapipe's landmark z grows away from the camera, in units of the image width.
    pts = np.empty((len(INDICES), 3))
    pts[:, 0] = lm[:, 0] * w
    pts[:, 1] = -lm[:, 1] * h
    pts[:, 2] = -lm[:, 2] * w
    rot = np.asarray(obs.matrix, dtype=np.float64)[:3, :3]
    rot = rot / np.linalg.norm(rot, axis=0)  # drop any scale, keep the rotation
    return pts @ rot  # row vectors: R^T p


def measure(obs: Observation) -> FaceShape:
    """All FaceShape measurements of one observation (cheap: 14 landmarks)."""
    q = head_frame_points(obs)

    def p(index: int) -> np.ndarray:
        return q[_ROW[index]]

    iod = math.hypot(*(p(L_OUTER)[:2] - p(R_OUTER)[:2])) or 1.0

    def eye(outer: int, inner: int, upper: int, lower: int, iris: int) -> tuple[float, float, float]:
        o, i = p(outer), p(inner)
        width = abs(i[0] - o[0]) or 1.0
        cx, cy = (o[0] + i[0]) / 2, (o[1] + i[1]) / 2
        aperture = abs(p(upper)[1] - p(lower)[1]) / width
        return aperture, (p(iris)[0] - cx) / width, (p(iris)[1] - cy) / width

    ap_r, h_r, v_r = eye(R_OUTER, R_INNER, R_UPPER, R_LOWER, R_IRIS)
    ap_l, h_l, v_l = eye(L_OUTER, L_INNER, L_UPPER, L_LOWER, L_IRIS)
    corners = (p(MOUTH_R) + p(MOUTH_L)) / 2
    lips = (p(LIP_UPPER_IN) + p(LIP_LOWER_IN)) / 2
    iris_h = (h_r + h_l) / 2
    iris_v = (v_r + v_l) / 2

    eye_h = math.degrees(math.asin(max(-1.0, min(1.0, iris_h / EYEBALL_RADIUS))))
    eye_v = math.degrees(math.asin(max(-1.0, min(1.0, (iris_v - IRIS_REST_HEIGHT) / EYEBALL_RADIUS))))
    pose = obs.pose
    bs = obs.blendshapes
    return FaceShape(
        smile_raw=(_blend(bs, "mouthSmileLeft") + _blend(bs, "mouthSmileRight")) / 2,
        squint=(_blend(bs, "eyeSquintLeft") + _blend(bs, "eyeSquintRight")) / 2,
        blink=max(_blend(bs, "eyeBlinkLeft"), _blend(bs, "eyeBlinkRight")),
        mouth_width=math.hypot(*(p(MOUTH_L)[:2] - p(MOUTH_R)[:2])) / iod,
        corner_lift=(corners[1] - lips[1]) / iod,
        lip_gap=abs(p(LIP_UPPER_IN)[1] - p(LIP_LOWER_IN)[1]) / iod,
        eye_aperture=(ap_r + ap_l) / 2,
        eye_aperture_min=min(ap_r, ap_l),
        iris_h=iris_h,
        iris_v=iris_v,
        gaze_h=pose.yaw + eye_h,
        gaze_v=pose.pitch + eye_v,
        yaw=pose.yaw,
        pitch=pose.pitch,
        roll=pose.roll,
    )
