"""The live coach: observations and time in, guidance out, one frame at a time.

Ties the pieces together for the chosen look: metrics against the subject's
baseline, the look's checks including framing, steadiness from the recent
frames, debounced prompts and the trigger. Pure: it never reads the clock,
so a test can replay any sequence of frames at any times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from booth.coach import words as W
from booth.coach.baseline import Baseline
from booth.coach.looks import LOOKS, Check, LookResult, at_most, judge, summarise
from booth.coach.metrics import Metrics, compute_metrics
from booth.coach.motion import MotionTracker
from booth.coach.prompts import PromptBoard, PromptItem
from booth.coach.subject import AS_CLOSE
from booth.coach.trigger import Trigger
from booth.config import CoachConfig
from booth.observation import Observation

CROWD_WIDTH = 0.15  # closeness width of "one person at a time" (other face over the subject's)
# A blink is not worth a word; eyes closed for a second are.
SHOW_AFTER = {"eyes_open": 1.0, "face": 1.0}


@dataclass(frozen=True)
class Guidance:
    """What the coach says about one frame."""

    t: float
    look: str
    face: bool
    readiness: float  # 0..1 for the UI meter; >= 0.5 when every target holds
    ready: bool  # the look holds (with hysteresis, eyes open, still)
    prompts: tuple[str, ...]  # 0 or 1 short prompt: one thing at a time, the most important
    fire: bool  # take the shot now
    eyes_open: bool
    moving: bool
    metrics: Metrics | None
    held: float = 0.0  # seconds the look has held so far (for a progress ring)
    result: LookResult | None = None  # the look's full judgement this frame


class Coach:
    def __init__(self, settings: CoachConfig, look: str, baseline: Baseline | None = None) -> None:
        if look not in LOOKS:
            raise ValueError(f"unknown look {look!r}; looks are {', '.join(LOOKS)}")
        self.settings = settings
        self.look = look
        self.baseline = baseline
        self._motion = MotionTracker()
        self._prompts = PromptBoard(max_shown=1, show_after_by_key=SHOW_AFTER)
        self._trigger = Trigger(settings.hold_s, settings.cooldown_s, auto=settings.auto_trigger)

    def reset(self, t: float) -> None:
        """Start afresh (new session, or after a shot): hold, prompts and motion history.

        A shot the coach fired, or one reported with :meth:`shot_taken`, keeps
        its cooldown across the reset.
        """
        self._motion.reset()
        self._prompts.reset()
        self._trigger.reset()

    def shot_taken(self, t: float) -> None:
        """A shot was taken at t some other way (the button): start the cooldown."""
        self._trigger.shot(t)

    def update(self, obs: Observation | None, t: float, crowded: float = 0.0) -> Guidance:
        """Guidance for one frame: ``obs`` is the subject's face (None when not seen),
        ``crowded`` the largest other face over the subject's (booth.coach.subject.Seen.crowded)."""
        if obs is None:
            self._motion.reset()
            decision = self._trigger.update(t, 0.0, face=False)
            prompts = self._prompts.update(t, [PromptItem("face", W.STEP_INTO_FRAME, False)])
            return Guidance(t, self.look, False, 0.0, False, prompts, False, False, False, None)
        m = compute_metrics(obs, self.baseline, live=True)
        steadiness = self._motion.update(t, obs)
        m = replace(m, steadiness=steadiness)
        checks = judge(m, self.look, self.settings, live=True)
        # A second person as close as the subject would share the photo: first thing to sort out.
        checks.insert(0, Check("one_person", W.ONE_PERSON, at_most(crowded, AS_CLOSE, CROWD_WIDTH)))
        checks.append(Check("still", W.HOLD_STILL, steadiness))
        result = summarise(checks)
        eyes_open = m.eyes_open >= 0.5
        moving = steadiness < 0.5
        decision = self._trigger.update(t, result.readiness, eyes_open=eyes_open, moving=moving)
        # Until the look is ready, a target counts as met for the prompts only where the trigger
        # would take it (its enter line): one just over the 0.5 line would hold the trigger back
        # with nothing on screen to say why. Once ready, the 0.5 line (no nagging while it holds).
        line = 0.5 if decision.ready else self._trigger.enter
        prompts = self._prompts.update(
            t, [PromptItem(c.key, c.prompt, c.closeness >= line, c.required) for c in checks])
        return Guidance(
            t=t, look=self.look, face=True, readiness=result.readiness, ready=decision.ready,
            prompts=prompts, fire=decision.fire, eyes_open=eyes_open, moving=moving, metrics=m,
            held=decision.held, result=result,
        )
