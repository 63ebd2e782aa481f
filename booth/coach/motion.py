"""Steadiness: is the face still enough for a sharp, composed shot?

Compares the newest face with the oldest one in a short window (not frame
to frame, where landmark jitter dominates): movement of the face centre and
change of size in face heights per second, and head rotation in degrees per
second. 1 = still, 0.5 = at the limit, 0 = twice the limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from booth.coach.metrics import EPS
from booth.observation import Observation

WINDOW_S = 0.4
MOVE_LIMIT = 0.3  # face heights per second (at 2 m about 6 cm/s)
SCALE_LIMIT = 0.3  # relative size change per second (walking in or out)
TURN_LIMIT = 20.0  # degrees per second of yaw, pitch or roll


@dataclass(frozen=True)
class _Sample:
    t: float
    cx: float
    cy: float
    h: float
    yaw: float
    pitch: float
    roll: float


class MotionTracker:
    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._samples: deque[_Sample] = deque()

    def reset(self) -> None:
        self._samples.clear()

    def update(self, t: float, obs: Observation) -> float:
        """Steadiness 0..1 after adding this frame."""
        cx, cy = obs.box.centre
        p = obs.pose
        new = _Sample(t, cx, cy, max(obs.box.h, 1e-6), p.yaw, p.pitch, p.roll)
        samples = self._samples
        if samples and t <= samples[-1].t:  # time went backwards: start over
            samples.clear()
        samples.append(new)
        while len(samples) > 2 and t - samples[1].t >= self.window_s - EPS:
            samples.popleft()
        old = samples[0]
        dt = t - old.t
        if dt <= 0:
            return 1.0
        size = (old.h + new.h) / 2
        move = ((new.cx - old.cx) ** 2 + (new.cy - old.cy) ** 2) ** 0.5 / size / dt
        scale = abs(new.h - old.h) / size / dt
        turn = max(abs(new.yaw - old.yaw), abs(new.pitch - old.pitch), abs(new.roll - old.roll)) / dt
        worst = max(move / MOVE_LIMIT, scale / SCALE_LIMIT, turn / TURN_LIMIT)
        return max(0.0, min(1.0, 1.0 - worst / 2.0))
