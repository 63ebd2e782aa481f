"""What the scripted subject does and when: a person in front of the booth, as a function of time.

Pure: time is passed in, so a test can ask "where is the subject at 5.2 s"
without a thread or a clock. :mod:`booth.camera.scene` draws the answer.

The subject is a modelled guest (:mod:`booth.coach.geometry`): an eye
height, a distance from the lens, a place across and a head tilt, drawn by
seed at each new subject (short, average, tall, off to one side; seated
when the camera is low enough to frame one), and
projected into the picture through the camera's field of view.

Plain timeline (scene time t from the last restart)::

    enter      walks in from the image left, far off       [0, enter_s)
    centre     reaches the start position                  [enter_s, +centre_s)
    neutral    settles with a neutral face                  neutral_s
    smile      smiles (a fade_s crossfade), holds           smile_s
    ...        back to neutral; neutral/smile repeat

Cues (what the screen asks) replace the expression part of the timeline;
prompts (the coach's words, :mod:`booth.coach.words`) are acted on like a
person would: after a human delay, with a little overshoot, smaller steps
once told to go back the other way, again if the prompt stays. On the coach
screen the look is done when asked, but sometimes the wrong one first (a
straight face for a smile, a grin for the serious look) until the prompt
corrects it. The eyes blink now and then.
"""

from __future__ import annotations

import math
import random
import threading
import zlib
from dataclasses import dataclass, replace

from booth.coach import words as W
from booth.coach.framing import DETECT_MIN
from booth.vision import ANALYSED_ASPECT
from booth.coach.geometry import EYE_TO_CHIN_M, MODELLED, Guest, Rig, framable, project
from booth.config import ScriptedConfig

ENTER_FROM_X = -0.45  # metres across: starts walking in from the image left ...
ENTER_BACK_M = 0.6  # ... this much further back than where they stop
SWAY_M = 0.003  # a person never stands perfectly still; this small keeps "hold still" reachable
SWAY_HZ = 0.2
# A person reacting to the screen (seconds, drawn per reaction): reading, then moving.
REACT_S = (0.5, 0.9)
MOVE_S = 0.6  # a step or a shuffle sideways
TURN_S = 0.4  # straightening the head
STEP_M = 0.15  # "Step closer" / "Step back a little"
SIDE_M = 0.10  # "Move to your left/right"
OVERSHOOT = (1.0, 1.3)  # a step a bit bigger than needed
WRONG_LOOK_FIRST = 0.25  # chance of doing the other expression first
TILTED = 0.3  # chance of starting with the head tilted past the coach's line
# Where guests stop, against the floor mark: some a little behind it, more in front of it.
# Not much further back: mediapipe's face detector (128 px) misses faces under about
# DETECT_MIN of the width it is shown (the frame's middle, booth.vision.ANALYSED_ASPECT:
# about 1.4 m from a Camera Module 3), and a guest it does not see is only told to step into the frame.
START_FROM_MARK_M = (-0.35, 0.2)
SEEN_MARGIN = 0.95
# Smile intensity (SubjectPose.smile) per "Smile!" / "A bit bigger smile" once already
# smiling, and the most: the smiling photo plus one typical broad smile (booth.camera.smile).
BIGGER_STEP = 0.5
BIGGEST_SMILE = 2.0
# Eyes turned aside ("Look a little to your left"), degrees of gaze: a first glance, then further
# (or back, "Not quite so far") while the prompt stays; never past GLANCE_MAX.
GLANCE_FIRST = (15.0, 22.0)
GLANCE_MORE = (5.0, 8.0)
GLANCE_MAX = 35.0
GLANCE_S = 0.3
BLINK_EVERY_S = (2.5, 6.0)
BLINK_S = 0.15

_NEUTRAL_STATES = ("breathe", "share", "review", "choose", "goodbye")
_BREATHE_ACTS = (W.STEP_INTO_FRAME,)  # what the breathing screen may ask (booth.session)
# The subject's own left is +gaze (booth.coach.face: the image right).
_AWAY = {W.LOOK_AWAY["left"]: 1.0, W.LOOK_AWAY["right"]: -1.0}
_OPPOSITE = {W.STEP_CLOSER: W.STEP_BACK, W.STEP_BACK: W.STEP_CLOSER,
             W.MOVE_LEFT: W.MOVE_RIGHT, W.MOVE_RIGHT: W.MOVE_LEFT}


@dataclass(frozen=True)
class SubjectPose:
    """The subject in the picture at one moment."""

    phase: str  # "enter" | "centre" | "neutral" | "smile"
    eye_x: float  # midpoint of the eyes, fraction of the frame width
    eye_y: float  # the same, fraction of the frame height
    eye_chin: float  # eyes to chin, fraction of the frame height
    roll: float  # head tilt, degrees (+ = the image-right eye higher, as vision measures it)
    smile: float  # 0 = the neutral photo, 1 = the smiling photo, 2 = that plus a broad smile's more
    blink: float = 0.0  # 0 = eyes open, 1 = shut
    cued: bool = False  # True once a cue (not the plain timeline) decides the expression
    gaze: float = 0.0  # eyes turned aside, degrees (+ = the subject's own left, the image right)


def _smoothstep(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


def _ramp(t: float, start: float, length: float) -> float:
    """0 before start, 1 after start+length, linear between (a step when length is 0)."""
    if length <= 0:
        return 1.0 if t >= start else 0.0
    return min(1.0, max(0.0, (t - start) / length))


@dataclass(frozen=True)
class _Move:
    """A change of one quantity from ``a`` to ``b`` over [t0, t0 + dur], eased."""

    t0: float
    dur: float
    a: float
    b: float

    def at(self, t: float) -> float:
        return self.a + (self.b - self.a) * _smoothstep((t - self.t0) / self.dur if self.dur > 0 else 1.0)

    def done(self, t: float) -> bool:
        return t >= self.t0 + self.dur


def draw_guest(rng: random.Random, rig: Rig, kind: str = "drawn") -> Guest:
    """A guest to start from, placed near the mark: any standing one (people come as they are),
    a seated one only where the camera can frame one (staff lower it for such an event)."""
    if kind == "drawn":
        names = [g.name for g in MODELLED if g.name != "seated" or framable(g.eye_height, rig) is not None]
        kind = rng.choice(names)
    base = next((g for g in MODELLED if g.name == kind), None)
    if base is None:
        raise ValueError(f"unknown guest {kind!r}; one of drawn, {', '.join(g.name for g in MODELLED)}")
    x = base.x * rng.choice((-1.0, 1.0)) if base.x else rng.uniform(-0.12, 0.12)
    # Nobody stays where the screen does not show them: a guest comes at least close enough
    # for the face model to find them (a little inside DETECT_MIN, which the picture's shape sets).
    _, tv = rig.half_tangents()
    seen_from = EYE_TO_CHIN_M / (2 * tv * DETECT_MIN * min(rig.aspect, ANALYSED_ASPECT)) * SEEN_MARGIN
    distance = min(rig.distance_m + rng.uniform(*START_FROM_MARK_M), seen_from - rng.uniform(0.0, 0.1))
    roll = rng.choice((-1.0, 1.0)) * rng.uniform(9.0, 14.0) if rng.random() < TILTED else rng.uniform(-3.0, 3.0)
    return replace(base, distance=distance, x=x, roll=roll)


class SubjectScript:
    """The subject's place, head and expression at any moment, given the cues and prompts so far.

    Thread-safe: the capture thread asks :meth:`at`, the main thread cues.
    Deterministic: the same seed, cues and prompts at the same times give the same subject.
    """

    def __init__(self, cfg: ScriptedConfig, start: float, *, rig: Rig | None = None, seed: int | None = None,
                 guest: str | None = None, wrong_look_first: float = WRONG_LOOK_FIRST,
                 stands: Guest | None = None) -> None:
        """``stands``: where every subject stops (a placed guest, for a test), instead of a drawn one."""
        self.cfg = cfg
        self.rig = rig or Rig()
        self.kind = guest or cfg.guest
        self.stands = stands
        self.wrong_look_first = wrong_look_first
        self._rng = random.Random(cfg.seed if seed is None else seed)
        self._lock = threading.Lock()
        self._new_subject(start)

    # ---- a new subject
    def _new_subject(self, now: float) -> None:
        rng = self._rng
        self._t0 = now
        self.guest = draw_guest(rng, self.rig, self.kind) if self.stands is None else self.stands
        g = self.guest
        assert g.distance is not None
        walk = self.settled_at
        self._d = _Move(now, walk, g.distance + ENTER_BACK_M, g.distance)
        self._x = _Move(now, walk, ENTER_FROM_X, g.x)
        self._roll = _Move(now, 0.0, g.roll, g.roll)
        self._gaze = _Move(now, 0.0, 0.0, 0.0)
        # (from, to, begin) of the current expression change; None while the plain timeline decides.
        self._expr: tuple[float, float, float] | None = None
        self._state: tuple[str, str | None] = ("", None)
        self._prompt = ""
        self._act_at: float | None = None  # when the subject acts on the prompt shown
        self._last_act = ""  # the last prompt acted on (a reversal makes smaller steps)
        self._step, self._side = STEP_M, SIDE_M
        self._blinks = self._draw_blinks(now)
        self._wrong_first = False

    def _draw_blinks(self, now: float) -> list[float]:
        out, t = [], now + self._rng.uniform(*BLINK_EVERY_S)
        while t < now + 600.0:
            out.append(t)
            t += self._rng.uniform(*BLINK_EVERY_S)
        return out

    @property
    def started_at(self) -> float:
        """Clock time the current subject began walking in (scene time 0)."""
        return self._t0

    @property
    def settled_at(self) -> float:
        """Scene time at which the subject stands at their start position."""
        return self.cfg.enter_s + self.cfg.centre_s

    def set_rig(self, rig: Rig) -> None:
        """The picture changed shape (the screen's): the subject stands where this one shows them."""
        with self._lock:
            self.rig = rig
            self._new_subject(self._t0)

    def restart(self, now: float) -> None:
        """A new subject walks in."""
        with self._lock:
            self._new_subject(now)

    # ---- the screen
    def cue(self, state: str, look: str | None, now: float, prompts: tuple[str, ...] = ()) -> None:
        """React to the screen like a person would.

        attract: a new subject. breathe, review, share, choose, goodbye:
        neutral, holding. coach: the look after react_s (the wrong one first,
        sometimes), and the prompt shown acted on. breathe: only its framing
        prompt (nobody seen: step into the frame) is acted on. Other states
        leave things as they are (a countdown should not change the face being
        photographed).
        """
        with self._lock:
            self._advance(now)
            if state == "attract":
                self._new_subject(now)
                return
            if (state, look) != self._state:
                self._state = (state, look)
                self._gaze = _Move(now, GLANCE_S, self._gaze.at(now), 0.0)  # a new screen: eyes on it again
                if state == "coach":
                    self._wrong_first = self._rng.random() < self.wrong_look_first
                    smile = 1.0 if (look == "smile") != self._wrong_first else 0.0
                    self._hold(smile, now, now + self.cfg.react_s)
                elif state in _NEUTRAL_STATES:
                    self._hold(0.0, now, now)
            if state == "coach":
                self._show(prompts[0] if prompts else "", now)
            elif state == "breathe":
                self._show(next((p for p in prompts if p in _BREATHE_ACTS), ""), now)

    def _show(self, prompt: str, now: float) -> None:
        if prompt == self._prompt:
            return
        self._prompt = prompt
        self._act_at = now + self._rng.uniform(*REACT_S) if prompt else None

    def _hold(self, target: float, now: float, begin: float) -> None:
        self._expr = (self._smile_at(now), target, begin)

    # ---- acting on prompts (advanced lazily, at the times the actions were due)
    def _advance(self, now: float) -> None:
        while self._act_at is not None and self._act_at <= now:
            t = self._act_at
            busy = self._act(self._prompt, t)
            # Still shown once the move is done and read again: do it again.
            self._act_at = t + busy + self._rng.uniform(*REACT_S) if busy > 0 else None

    def _act(self, prompt: str, t: float) -> float:
        """Start acting on ``prompt`` at t; how long the action takes (0 = nothing to do)."""
        rng = self._rng
        if _OPPOSITE.get(prompt) == self._last_act:
            self._step, self._side = self._step / 2, self._side / 2
        over = rng.uniform(*OVERSHOOT)
        if prompt == W.STEP_INTO_FRAME:  # not seen: a step towards the camera and its middle
            self._last_act = prompt
            d, x = self._d.at(t), self._x.at(t)
            self._d = _Move(t, MOVE_S, d, d - self._step * over)
            self._x = _Move(t, MOVE_S, x, x * 0.5)
            return MOVE_S
        if prompt in (W.STEP_CLOSER, W.STEP_BACK):
            self._last_act = prompt
            d = self._d.at(t)
            to = d - self._step * over if prompt == W.STEP_CLOSER else d + self._step * over
            self._d = _Move(t, MOVE_S, d, to)
            return MOVE_S
        if prompt in (W.MOVE_LEFT, W.MOVE_RIGHT):
            self._last_act = prompt
            x = self._x.at(t)
            # Un-mirrored picture: the subject's own left is the image right.
            to = x + self._side * over if prompt == W.MOVE_LEFT else x - self._side * over
            self._x = _Move(t, MOVE_S, x, to)
            return MOVE_S
        if prompt == W.STRAIGHTEN:
            self._roll = _Move(t, TURN_S, self._roll.at(t), rng.uniform(-2.0, 2.0))
            return TURN_S
        if prompt == W.TILT:
            r = self._roll.at(t)
            self._roll = _Move(t, TURN_S, r, math.copysign(rng.uniform(7.0, 10.0), r or 1.0))
            return TURN_S
        if prompt == W.TILT_LESS:
            r = self._roll.at(t)
            self._roll = _Move(t, TURN_S, r, math.copysign(rng.uniform(6.0, 9.0), r or 1.0))
            return TURN_S
        if prompt in (W.SMILE, W.BIGGER_SMILE):
            now = self._smile_at(t)  # not smiling yet: a smile; smiling already: a bigger one
            if now >= BIGGEST_SMILE:
                return 0.0  # as big as it gets
            self._hold(1.0 if now < 1.0 else min(BIGGEST_SMILE, now + BIGGER_STEP), t, t)
            return max(self.cfg.fade_s, 0.1)  # then, still asked, a bit bigger again
        if prompt == W.RELAX_SMILE or (prompt == W.CLOSE_LIPS and self._smile_at(t) > 0.0):
            # A grin asked to close its lips lets the smile go: the neutral photo is their closed mouth.
            self._hold(0.0, t, t)
            return 0.0
        side = _AWAY.get(prompt)
        if side is not None:  # "Look a little to your left/right": further that way if already looking
            g = self._gaze.at(t)
            further = abs(g) + rng.uniform(*GLANCE_MORE) if g * side > 0 else rng.uniform(*GLANCE_FIRST)
            self._gaze = _Move(t, GLANCE_S, g, side * min(GLANCE_MAX, further))
            return GLANCE_S
        if prompt == W.NOT_SO_FAR:
            g = self._gaze.at(t)
            self._gaze = _Move(t, GLANCE_S, g, math.copysign(max(0.0, abs(g) - rng.uniform(*GLANCE_MORE)), g))
            return GLANCE_S
        if prompt == W.LOOK_AT_LENS:
            self._gaze = _Move(t, GLANCE_S, self._gaze.at(t), 0.0)
            return 0.0
        return 0.0  # nothing a photo of a face can do about it (lips, chin)

    # ---- expression
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

    def _smile_at(self, now: float) -> float:
        if self._expr is None:
            return self._timeline_smile(now - self._t0)
        start, target, begin = self._expr
        return start + (target - start) * _ramp(now, begin, self.cfg.fade_s)

    def _blink_at(self, now: float) -> float:
        for b in self._blinks:
            if b > now:
                break
            if now < b + BLINK_S:
                return 1.0 - abs(2 * (now - b) / BLINK_S - 1.0)  # closes and opens again
        return 0.0

    # ---- the answer
    def where(self, now: float) -> Guest:
        """The guest as placed at ``now``: distance, across, head tilt."""
        with self._lock:
            self._advance(now)
            return replace(self.guest, distance=self._d.at(now), x=self._x.at(now), roll=self._roll.at(now))

    def at(self, now: float) -> SubjectPose:
        with self._lock:
            self._advance(now)
            cfg = self.cfg
            t = now - self._t0
            sway = SWAY_M * math.sin(2 * math.pi * SWAY_HZ * t)
            where = replace(self.guest, distance=self._d.at(now), x=self._x.at(now) + sway, roll=self._roll.at(now))
            face = project(where, self.rig)
            if t < cfg.enter_s:
                phase = "enter"
            elif t < self.settled_at:
                phase = "centre"
            else:
                phase = "neutral"
            smile = self._smile_at(now)
            if phase == "neutral" and smile >= 0.5:
                phase = "smile"
            return SubjectPose(phase, face.eye_x, face.eye_y, face.eye_chin, where.roll, smile,
                               self._blink_at(now), self._expr is not None, self._gaze.at(now))


def person_seed(seed: int, person: str) -> int:
    """One seed per person and config seed: different people start differently, the same one the same way."""
    return zlib.crc32(f"{seed}:{person}".encode())
