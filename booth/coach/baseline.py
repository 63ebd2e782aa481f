"""The subject's neutral face, measured during the breathing screen.

Faces differ more between people than a subtle smile changes one face: one
person's resting mouth turns up, another's eyes are always narrow. Judging
each frame against the same person's neutral face is what lets the booth see
a closed-mouth smile or the eyes joining a smile. Medians over a few seconds
shrug off a blink or a stray frame.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from booth.coach.face import FaceShape, measure
from booth.observation import Observation

# A frame smiling this much more than the subject's calmer frames (their lower
# quartile) is not neutral: nervous subjects grin for a moment. Such frames are
# left out when enough others remain. Relative, because some resting faces
# score 0.5 on mouthSmile all by themselves.
GRIN_MARGIN = 0.15
# An eye this closed is a blink: its frame tells nothing about the open eye.
BLINK = 0.5
# Frames with a face a baseline needs at least: a median of fewer is one stray frame away from
# a wrong neutral face. The breathing screen waits for this many (booth.session).
MIN_FRAMES = 5


@dataclass(frozen=True)
class Baseline:
    """Median neutral measurements of one subject (fields as in FaceShape)."""

    frames: int
    smile_raw: float
    squint: float
    blink: float
    mouth_width: float
    corner_lift: float
    lip_gap: float
    eye_aperture: float
    pitch: float
    yaw: float
    roll: float

    @classmethod
    def from_shapes(cls, shapes: list[FaceShape]) -> Baseline:
        """Medians over the given neutral measurements (at least one)."""
        if not shapes:
            raise ValueError("a baseline needs at least one frame")
        names = [f.name for f in fields(cls) if f.name != "frames"]
        values = {n: float(np.median([getattr(s, n) for s in shapes])) for n in names}
        return cls(frames=len(shapes), **values)

    @classmethod
    def from_observation(cls, obs: Observation) -> Baseline:
        """A baseline from one neutral photo (`booth analyze --baseline`)."""
        return cls.from_shapes([measure(obs)])


class BaselineCollector:
    """Feed it the breathing screen's observations; ask for the Baseline at the end."""

    def __init__(self, min_frames: int = MIN_FRAMES) -> None:
        self.min_frames = max(1, min_frames)
        self._shapes: list[FaceShape] = []

    @property
    def count(self) -> int:
        """Frames collected so far (frames without a face are not counted)."""
        return len(self._shapes)

    def add(self, obs: Observation | None) -> None:
        if obs is not None:
            self._shapes.append(measure(obs))

    def reset(self) -> None:
        self._shapes.clear()

    def result(self) -> Baseline | None:
        """The baseline, or None when fewer than min_frames faces were seen."""
        if len(self._shapes) < self.min_frames:
            return None
        calmest = float(np.percentile([s.smile_raw for s in self._shapes], 25))
        calm = [s for s in self._shapes if s.smile_raw <= calmest + GRIN_MARGIN and s.blink < BLINK]
        use = calm if len(calm) >= self.min_frames else self._shapes
        return Baseline.from_shapes(use)
