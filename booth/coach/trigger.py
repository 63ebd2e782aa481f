"""When to take the shot: ready held for a moment, eyes open, still, not too soon after the last.

Readiness (0..1, >= 0.5 when every target holds) goes through hysteresis:
the look becomes ready at ``enter`` and stops being ready only below
``exit``, so a score hovering at the line does not chatter. Closed eyes, a
moving face or no face drop readiness at once and restart the hold. The shot
fires when the look has been ready for ``hold_s`` and the last shot is at
least ``cooldown_s`` ago. Pure: time comes in with every update.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.coach.metrics import EPS

ENTER = 0.55
EXIT = 0.45


@dataclass(frozen=True)
class Decision:
    ready: bool  # the look holds (after hysteresis and the eyes/motion blocks)
    held: float  # seconds it has held so far (0 when not ready)
    fire: bool  # take the shot now


class Trigger:
    def __init__(self, hold_s: float, cooldown_s: float, *, auto: bool = True,
                 enter: float = ENTER, exit: float = EXIT) -> None:
        if exit > enter:
            raise ValueError("the exit threshold must not be above the enter threshold")
        self.hold_s = hold_s
        self.cooldown_s = cooldown_s
        self.auto = auto
        self.enter = enter
        self.exit = exit
        self._since: float | None = None  # when the current ready spell began
        self._last_shot: float | None = None

    def reset(self) -> None:
        """Forget the ready spell (a new session or a new attempt); the cooldown stays."""
        self._since = None

    def shot(self, t: float) -> None:
        """A shot was taken at t (by the trigger or the button): the cooldown starts."""
        self._last_shot = t
        self._since = None

    def cooling(self, t: float) -> bool:
        return self._last_shot is not None and t - self._last_shot < self.cooldown_s - EPS

    def update(self, t: float, readiness: float, *, face: bool = True,
               eyes_open: bool = True, moving: bool = False) -> Decision:
        if not face or not eyes_open or moving:
            self._since = None
        elif self._since is None:
            if readiness >= self.enter:
                self._since = t
        elif readiness < self.exit:
            self._since = None
        if self._since is None:
            return Decision(False, 0.0, False)
        held = t - self._since
        fire = self.auto and held >= self.hold_s - EPS and not self.cooling(t)
        if fire:
            self._last_shot = t
            self._since = t  # still ready, but the next shot needs a fresh hold
        return Decision(True, held, fire)
