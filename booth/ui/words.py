"""The screen's words for the controls a booth actually has: one vocabulary.

A booth with a big button says "press" and "hold"; one with only a touch
screen says "tap"; one with only a keyboard names the keys. Every screen
text that tells the guest how to act comes from one :class:`Words`, picked
once at start-up by :func:`words_for` from the controls that really work
(a configured button that failed to open does not count).
"""

from __future__ import annotations

from dataclasses import dataclass

@dataclass(frozen=True)
class Words:
    """How to act, in the words of one kind of control."""

    kind: str  # "button" | "touch" | "keyboard"
    start: str  # attract
    choose_scanning: str  # choose, while the highlight moves by itself
    choose: str  # choose, once the guest steers
    take_it: str  # coach: the guest may take the shot themselves
    take_now: str  # coach, ready, no automatic trigger: the one thing to do now
    keep: str  # review: the keep button's label
    retake: str  # review: the retake button's label, formatted with {n} retakes left
    wifi_next: str  # share Wi-Fi: how to get to step 2
    no_signal: str  # share, with [cloud]: how to get to the booth's own Wi-Fi
    skip_look: str  # coach, session of looks: how to skip this look
    handover_next: str  # hand-over: how to go on now, or finish here
    keep_all: str  # pick: the keep button's label with every shot kept
    keep_some: str  # pick: ... with some, formatted with {n}
    pick_how: str  # pick: how to keep a shot or not ("": not with these controls; every shot is kept at first)
    retake_lit: str  # pick: how to retake the lit shot, formatted with {n} retakes left ("": a button per shot)


BUTTON = Words(
    kind="button",
    start="Press the button",
    choose_scanning="Press the button when your look lights up",
    choose="Press the button to choose the lit look",
    take_it="Or press the button to take it yourself",
    take_now="Press the button now",
    keep="Keep it — press",
    retake="Retake — hold ({n} left)",
    wifi_next="Then press the button for 2. Download",
    no_signal="No signal? Press the button for the booth's Wi-Fi",
    skip_look="Hold the button to skip this look",
    handover_next="Press when you're ready · hold to finish here",
    keep_all="Keep all — press",
    keep_some="Keep {n} — press",
    pick_how="",
    retake_lit="Hold to retake the lit photo ({n} left)",
)
TOUCH = Words(
    kind="touch",
    start="Tap the screen to start",
    choose_scanning="Tap the look you want",
    choose="Tap the look you want",
    take_it="Or tap the screen to take it yourself",
    take_now="Tap the screen now",
    keep="Keep it",
    retake="Retake ({n} left)",
    wifi_next="Then tap the screen for 2. Download",
    no_signal="No signal? Tap below for the booth's Wi-Fi",
    skip_look="Skip look",
    handover_next="Tap when you're ready · Finish to stop here",
    keep_all="Keep all",
    keep_some="Keep {n}",
    pick_how="Tap a photo to keep it or not",
    retake_lit="",
)
KEYBOARD = Words(
    kind="keyboard",
    start="Press space to start",
    choose_scanning="Press space when your look lights up, or pick one with the arrows",
    choose="Pick a look with the arrows, then press space",
    take_it="Or press space to take it yourself",
    take_now="Press space now",
    keep="Keep it — space",
    retake="Retake — Esc ({n} left)",
    wifi_next="Then press space for 2. Download",
    no_signal="No signal? Press space for the booth's Wi-Fi",
    skip_look="Esc skips this look",
    handover_next="Space when you're ready · Esc to finish here",
    keep_all="Keep all — space",
    keep_some="Keep {n} — space",
    pick_how="Arrows light a photo, Delete keeps it or not",
    retake_lit="Esc retakes it ({n} left)",
)

# The session of looks: what the hand-over says before each look (the look coming next).
# Lines a photographer would say: praise for the shot just taken, then the one thing to do.
HANDOVER_LINES = {
    "serious": "Lovely. Now a confident look: let the smile go, eyes on the lens",
    "contemplative": "Lovely. Now a thoughtful look: soften your face, eyes just off the lens",
    "smile": "Lovely. Now a real smile: think of someone you like",
}
PICK_TITLE = "Pick your favourites"
KEPT = "Kept"
NOT_KEPT = "Not kept"
KEEP_ONE = "Keep at least one photo"
FINISH = "Finish"  # touch: the hand-over's stop-here button
RETAKE = "Retake"  # touch: under each shot on the pick


def words_for(*, button: bool, touch: bool, keyboard: bool) -> Words:
    """The words for the controls the booth has: the big button first (it is
    what the booth is built around), then touch, then the keyboard."""
    if button:
        return BUTTON
    if touch:
        return TOUCH
    if keyboard:
        return KEYBOARD
    return BUTTON  # no control at all: only the unattended hand presses (headless)
