"""Which prompts to show, without flicker.

A score wobbling around a line would make its prompt blink on and off every
frame, and nobody reads a word that is there for a tenth of a second. So a
target counts as fixed only once it has held for ``clear_after`` seconds
without a break; until then every miss counts towards showing its prompt,
which appears once the target has been missed ``show_after`` seconds ago and
is still missed now. A shown prompt stays until its target has held for
``clear_after``. At most ``max_shown`` prompts are shown, most important
first; soft prompts (nice-to-haves) only while no required one is showing.
The first prompt shown is not swapped for another within ``min_shown``
while its own target is still missed, so there is time to act on it.
Pure: time comes in with every update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from booth.coach.metrics import EPS

SHOW_AFTER = 0.5
CLEAR_AFTER = 0.5
# The first prompt, once up, stays first this long while its target is still missed, even when a more
# important one slips meanwhile: time to read three or four words and start doing it (a person needs
# about half a second to a second to react to what they read, the scripted subject 0.5-0.9 s). Swapped
# any sooner, a guest whose gaze hovers at its line was told "Relax the smile" and taken back to "Look
# a little to your left" before they could relax, over and over (live accuracy, london-114).
MIN_SHOWN = 1.5


@dataclass(frozen=True)
class PromptItem:
    """One target this frame, as the prompt logic sees it."""

    key: str
    text: str
    met: bool
    required: bool = True


@dataclass
class _State:
    text: str
    required: bool
    rank: int
    active: bool = False
    missed_since: float | None = None  # first miss since the target last held cleanly
    held_since: float | None = None  # start of the current unbroken run of "met"


class PromptBoard:
    """Debounced prompts: update(t, items) -> the prompts to show now."""

    def __init__(
        self,
        show_after: float = SHOW_AFTER,
        clear_after: float = CLEAR_AFTER,
        max_shown: int = 2,
        show_after_by_key: Mapping[str, float] | None = None,
        min_shown: float = MIN_SHOWN,
    ) -> None:
        self.show_after = show_after
        self.clear_after = clear_after
        self.max_shown = max_shown
        self.show_after_by_key = dict(show_after_by_key or {})
        self._states: dict[str, _State] = {}
        self.min_shown = min_shown
        self._top: tuple[str, float] | None = None  # the first prompt shown, and since when

    def reset(self) -> None:
        self._states.clear()
        self._top = None

    def update(self, t: float, items: Iterable[PromptItem]) -> tuple[str, ...]:
        seen: set[str] = set()
        for rank, item in enumerate(items):
            seen.add(item.key)
            st = self._states.get(item.key)
            if st is None:
                st = self._states[item.key] = _State(item.text, item.required, rank)
            st.rank, st.required = rank, item.required
            if not st.active:
                st.text = item.text  # the words stay fixed while shown
            self._step(st, item.key, item.met, t)
        for key, st in list(self._states.items()):
            if key not in seen:  # no longer asked about (e.g. the face left): as if met
                self._step(st, key, True, t)
                if not st.active and st.missed_since is None:
                    del self._states[key]
        shown = self.shown()
        top = self._top
        if top is not None and shown and shown[0] != top[0] and t - top[1] < self.min_shown - EPS \
                and any(st.active and st.required and st.text == top[0] for st in self._states.values()):
            # The prompt shown first is still missed and has not been up long enough to be read and
            # acted on: it stays first, even if a more important target slipped meanwhile.
            shown = (top[0], *[s for s in shown if s != top[0]])[: self.max_shown]
        if shown and (self._top is None or shown[0] != self._top[0]):
            self._top = (shown[0], t)
        elif not shown:
            self._top = None
        return shown

    def _step(self, st: _State, key: str, met: bool, t: float) -> None:
        if met:
            if st.held_since is None:
                st.held_since = t
            if t - st.held_since >= self.clear_after - EPS:
                st.active = False
                st.missed_since = None
            return
        st.held_since = None
        if st.missed_since is None:
            st.missed_since = t
        if not st.active and t - st.missed_since >= self.show_after_by_key.get(key, self.show_after) - EPS:
            st.active = True

    def shown(self) -> tuple[str, ...]:
        active = sorted((st for st in self._states.values() if st.active), key=lambda s: s.rank)
        required = [s for s in active if s.required]
        pool = required if required else active
        texts = list(dict.fromkeys(s.text for s in pool))
        return tuple(texts[: self.max_shown])
