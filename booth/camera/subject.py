"""What the scripted subject does and when: a timeline, and reactions to the screen.

Pure: time is passed in, so a test can ask "where is the subject at 5.2 s"
without a thread or a clock. :mod:`booth.camera.scene` draws the answer.

Plain timeline (scene time t from the last restart)::

    enter      small and off-centre, walking in          [0, enter_s)
    centre     moves to the centre, grows to headshot     [enter_s, +centre_s)
    neutral    settles with a neutral face                 neutral_s
    smile      smiles (a fade_s crossfade), holds          smile_s
    ...        back to neutral; neutral/smile repeat

Cues (what the screen asks, see :meth:`SubjectScript.cue`) replace the
expression part of the timeline; the walking-in part always plays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from booth.config import ScriptedConfig

# Framing, as fractions of the frame: the photo's height relative to the
# frame's (1.0 is a head-and-shoulders headshot) and its centre across.
FAR_HEIGHT = 0.5
NEAR_HEIGHT = 1.0
ENTER_FROM_X = 0.17
ENTER_TO_X = 0.26
CENTRE_X = 0.5
SWAY = 0.004  # a person never stands perfectly still; this small a sway keeps the coach's "hold still" reachable
SWAY_HZ = 0.2

_NEUTRAL_STATES = ("breathe", "share", "review", "choose", "goodbye")


@dataclass(frozen=True)
class SubjectPose:
    phase: str  # "enter" | "centre" | "neutral" | "smile"
    x: float  # photo centre across, fraction of the frame width
    height: float  # photo height, fraction of the frame height
    smile: float  # 0 = the neutral photo, 1 = the smiling photo
    cued: bool  # True once a cue (not the plain timeline) decides the expression


def _smoothstep(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


def _ramp(t: float, start: float, length: float) -> float:
    """0 before start, 1 after start+length, linear between (a step when length is 0)."""
    if length <= 0:
        return 1.0 if t >= start else 0.0
    return min(1.0, max(0.0, (t - start) / length))


class SubjectScript:
    """The subject's position and expression at any moment, given the cues so far."""

    def __init__(self, cfg: ScriptedConfig, start: float) -> None:
        self.cfg = cfg
        # (timeline start, expression transition). The transition is None
        # while the plain timeline decides the expression, else (from, to,
        # begin): a crossfade from one smile level to another starting at
        # begin. One tuple, replaced whole, so the capture thread never sees
        # half a cue.
        self._state: tuple[float, tuple[float, float, float] | None] = (start, None)

    @property
    def started_at(self) -> float:
        """Clock time the current subject began walking in (scene time 0)."""
        return self._state[0]

    @property
    def settled_at(self) -> float:
        """Scene time at which the subject stands centred."""
        return self.cfg.enter_s + self.cfg.centre_s

    def restart(self, now: float) -> None:
        """A new subject walks in."""
        self._state = (now, None)

    def cue(self, state: str, look: str | None, now: float) -> None:
        """React to the screen like a person would.

        attract: a new subject (restart from "enter"). breathe, review, share:
        neutral, holding. coach with the smile look: smiles after react_s;
        any other look: stays neutral. Other states leave things as they are
        (a countdown should not change the face being photographed).
        """
        if state == "attract":
            self.restart(now)
        elif state == "coach" and look == "smile":
            self._hold(1.0, now, now + self.cfg.react_s)
        elif state == "coach" or state in _NEUTRAL_STATES:
            self._hold(0.0, now, now)

    def _hold(self, target: float, now: float, begin: float) -> None:
        t0, _ = self._state
        self._state = (t0, (self._smile_at(now), target, begin))

    def _timeline_smile(self, t: float) -> float:
        cfg = self.cfg
        since = t - self.settled_at
        if since < 0:
            return 0.0
        period = cfg.neutral_s + cfg.smile_s
        cycle, tau = divmod(since, period)
        rising = _ramp(tau, cfg.neutral_s, cfg.fade_s)
        if cycle >= 1 and tau < cfg.neutral_s:
            return 1.0 - _ramp(tau, 0.0, cfg.fade_s)  # relaxing back from the previous smile
        return rising

    def _smile_at(self, now: float, state: tuple[float, tuple[float, float, float] | None] | None = None) -> float:
        t0, transition = state or self._state
        if transition is None:
            return self._timeline_smile(now - t0)
        start, target, begin = transition
        return start + (target - start) * _ramp(now, begin, self.cfg.fade_s)

    def at(self, now: float) -> SubjectPose:
        cfg = self.cfg
        state = self._state
        t = now - state[0]
        sway = SWAY * math.sin(2 * math.pi * SWAY_HZ * t)
        if t < cfg.enter_s:
            u = t / cfg.enter_s if cfg.enter_s > 0 else 1.0
            phase, x, height = "enter", ENTER_FROM_X + (ENTER_TO_X - ENTER_FROM_X) * u, FAR_HEIGHT
        elif t < self.settled_at:
            u = _smoothstep((t - cfg.enter_s) / cfg.centre_s)
            phase = "centre"
            x = ENTER_TO_X + (CENTRE_X - ENTER_TO_X) * u
            height = FAR_HEIGHT + (NEAR_HEIGHT - FAR_HEIGHT) * u
        else:
            phase, x, height = "neutral", CENTRE_X, NEAR_HEIGHT
        smile = self._smile_at(now, state)
        if phase == "neutral" and smile >= 0.5:
            phase = "smile"
        return SubjectPose(phase, x + sway, height, smile, state[1] is not None)
