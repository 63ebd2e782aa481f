"""Best shot: which frame of a burst to keep, and why.

Frames with the eyes closed or the face turned away are dropped first; the
rest are ranked by the look's score, sharpness and eye contact. Sharpness
(variance of the Laplacian on a fixed-size crop of the face) depends on the
face, the light and the lens, so it means nothing on its own: it is only
compared within the burst, as a fraction of the burst's sharpest frame.

Every frame's figures and every reason a frame was dropped go into the
photo's scores, so a surprising choice can be explained afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from booth.photo.face import FaceGeometry

EYES_OPEN_MIN = 0.5  # the metrics' own yes/no line
YAW_MAX = 30.0  # degrees: beyond this the face is turned away (the looks ask for <= 20, 30 contemplative)
PITCH_MAX = 25.0  # degrees up or down
SHARPNESS_SIZE = 320  # pixels: the face crop is resized to this square before measuring
# Weights of the ranking; eye contact counts for nothing in the contemplative
# look, whose gaze is meant to be off the lens (its look score judges that).
WEIGHTS = {"look": 0.5, "sharpness": 0.3, "eye_contact": 0.2}
WEIGHTS_CONTEMPLATIVE = {"look": 0.6, "sharpness": 0.4, "eye_contact": 0.0}


@dataclass(frozen=True)
class Candidate:
    """One burst frame, as judged."""

    position: int  # in the burst
    sharpness: float  # raw Laplacian variance (face crop, or the whole frame without a face)
    face: bool
    look: float = 0.0  # the look's score 0..1
    eyes_open: float = 0.0
    eye_contact: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0

    def dropped(self) -> str:
        """Why this frame cannot be the photo ('' if it can)."""
        if not self.face:
            return "no face"
        if self.eyes_open < EYES_OPEN_MIN:
            return "eyes closed"
        if abs(self.yaw) > YAW_MAX:
            return "face turned away"
        if abs(self.pitch) > PITCH_MAX:
            return "head tipped up or down"
        return ""


@dataclass(frozen=True)
class BestShot:
    """The winning frame and the figures behind the choice."""

    position: int
    fallback: str  # '' normally; else why no frame qualified and the sharpest was taken
    scores: dict[str, float | int | str]


def face_sharpness(image: np.ndarray, face: FaceGeometry) -> float:
    """Variance of the Laplacian on the face (brows to chin, cheek to cheek), resized to a fixed square."""
    ih, iw = image.shape[:2]
    x0, x1 = int(max(face.left, 0)), int(min(face.right, iw))
    y0, y1 = int(max(face.eye_y - 0.2 * face.width, 0)), int(min(face.chin[1], ih))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return frame_sharpness(image)
    return _laplacian_variance(image[y0:y1, x0:x1])


def frame_sharpness(image: np.ndarray) -> float:
    """The same measure on the whole frame: for frames without a face."""
    return _laplacian_variance(image)


def _laplacian_variance(region: np.ndarray) -> float:
    grey = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY) if region.ndim == 3 else region
    grey = cv2.resize(grey, (SHARPNESS_SIZE, SHARPNESS_SIZE), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def choose(candidates: list[Candidate], look: str) -> BestShot:
    """The best frame of a non-empty burst; the sharpest one when none qualifies."""
    if not candidates:
        raise ValueError("an empty burst has no best shot")
    weights = WEIGHTS_CONTEMPLATIVE if look == "contemplative" else WEIGHTS
    kept = [c for c in candidates if not c.dropped()]
    # Sharpness is compared among like frames only: face crops with face crops.
    pool = kept or [c for c in candidates if c.face] or candidates
    in_pool = {c.position for c in pool}
    top = max(c.sharpness for c in pool) or 1.0

    scores: dict[str, float | int | str] = {"frames": len(candidates), "look": look}
    totals: dict[int, float] = {}
    for c in candidates:
        key = f"frame{c.position}"
        if c.position in in_pool:
            scores[f"{key}.sharpness"] = round(c.sharpness / top, 4)
        if c.face:
            scores[f"{key}.look"] = round(c.look, 4)
            scores[f"{key}.eyes_open"] = round(c.eyes_open, 4)
            scores[f"{key}.eye_contact"] = round(c.eye_contact, 4)
        reason = c.dropped()
        if reason:
            scores[f"{key}.dropped"] = reason
        else:
            totals[c.position] = (
                weights["look"] * c.look
                + weights["sharpness"] * c.sharpness / top
                + weights["eye_contact"] * c.eye_contact
            )
            scores[f"{key}.total"] = round(totals[c.position], 4)

    if totals:
        position, fallback = max(totals, key=lambda p: totals[p]), ""
    else:
        position = max(pool, key=lambda c: c.sharpness).position
        fallback = (
            "no usable face: the sharpest frame with a face was kept" if pool[0].face
            else "no face found: the sharpest frame was kept"
        )
        scores["fallback"] = fallback
    scores["chosen"] = position
    return BestShot(position, fallback, scores)
