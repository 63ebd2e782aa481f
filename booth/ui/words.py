"""The screen's words for the controls a booth actually has: one vocabulary.

A booth with a big button says "press" and "hold"; one with only a touch
screen says "tap"; one with only a keyboard names the keys. Every screen
text that tells the guest how to act comes from one :class:`Words`, picked
once at start-up by :func:`words_for` from the controls that really work
(a configured button that failed to open does not count).

Every word here is an English msgid (``N_``, or a :class:`~booth.i18n.Plural`
where a count is in it), translated by the screen at the moment it is drawn,
in the guest's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.i18n import N_, Plural

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
    retake: Plural  # review: the retake button's label, with {n} retakes left
    wifi_next: str  # share Wi-Fi: how to get to step 2
    no_signal: str  # share, with [cloud]: how to get to the booth's own Wi-Fi
    skip_look: str  # coach, session of looks: how to skip this look
    handover_next: str  # hand-over: how to go on now, or finish here
    keep_all: str  # pick: the keep button's label with every shot kept
    keep_some: Plural  # pick: ... with {n} of them kept
    pick_how: str  # pick: how to keep a shot or not ("": not with these controls; every shot is kept at first)
    retake_lit: str | Plural  # pick: how to retake the lit shot, with {n} retakes left ("": a button per shot)


BUTTON = Words(
    kind="button",
    start=N_("Press the button"),
    choose_scanning=N_("Press the button when your look lights up"),
    choose=N_("Press the button to choose the lit look"),
    take_it=N_("Or press the button to take it yourself"),
    take_now=N_("Press the button now"),
    # TRANSLATORS: a button label on the screen, read from two metres: keep it short.
    keep=N_("Keep it — press"),
    # TRANSLATORS: a button label: hold the big button to take the photo again; {n} retakes are left.
    retake=Plural("Retake — hold ({n} left)", "Retake — hold ({n} left)"),
    # TRANSLATORS: "2. Download" is the title of the next screen: use the same words as it.
    wifi_next=N_("Then press the button for 2. Download"),
    no_signal=N_("No signal? Press the button for the booth's Wi-Fi"),
    skip_look=N_("Hold the button to skip this look"),
    handover_next=N_("Press when you're ready · hold to finish here"),
    keep_all=N_("Keep all — press"),
    # TRANSLATORS: a button label: keep {n} of the photos (press the big button).
    keep_some=Plural("Keep {n} — press", "Keep {n} — press"),
    pick_how="",
    retake_lit=Plural("Hold to retake the lit photo ({n} left)", "Hold to retake the lit photo ({n} left)"),
)
TOUCH = Words(
    kind="touch",
    start=N_("Tap the screen to start"),
    choose_scanning=N_("Tap the look you want"),
    choose=N_("Tap the look you want"),
    take_it=N_("Or tap the screen to take it yourself"),
    take_now=N_("Tap the screen now"),
    # TRANSLATORS: a button label (keep this photo); short.
    keep=N_("Keep it"),
    retake=Plural("Retake ({n} left)", "Retake ({n} left)"),
    # TRANSLATORS: "2. Download" is the title of the next screen: use the same words as it.
    wifi_next=N_("Then tap the screen for 2. Download"),
    no_signal=N_("No signal? Tap below for the booth's Wi-Fi"),
    # TRANSLATORS: a small button: go on without this look (smile, confident, thoughtful); short.
    skip_look=N_("Skip look"),
    handover_next=N_("Tap when you're ready · Finish to stop here"),
    keep_all=N_("Keep all"),
    # TRANSLATORS: a button label: keep {n} of the photos.
    keep_some=Plural("Keep {n}", "Keep {n}"),
    pick_how=N_("Tap a photo to keep it or not"),
    retake_lit="",
)
KEYBOARD = Words(
    kind="keyboard",
    # TRANSLATORS: the keyboard's keys (space, Esc, arrows): name them as the keys are known in your language.
    start=N_("Press space to start"),
    choose_scanning=N_("Press space when your look lights up, or pick one with the arrows"),
    choose=N_("Pick a look with the arrows, then press space"),
    take_it=N_("Or press space to take it yourself"),
    take_now=N_("Press space now"),
    keep=N_("Keep it — space"),
    retake=Plural("Retake — Esc ({n} left)", "Retake — Esc ({n} left)"),
    # TRANSLATORS: "2. Download" is the title of the next screen: use the same words as it.
    wifi_next=N_("Then press space for 2. Download"),
    no_signal=N_("No signal? Press space for the booth's Wi-Fi"),
    skip_look=N_("Esc skips this look"),
    handover_next=N_("Space when you're ready · Esc to finish here"),
    keep_all=N_("Keep all — space"),
    keep_some=Plural("Keep {n} — space", "Keep {n} — space"),
    # TRANSLATORS: the pick screen: the left/right arrow keys light one photo, the up/down arrow keys
    # choose the retouch level, the Delete key keeps the lit photo or not. Keep the arrows as they are.
    pick_how=N_("← → light a photo, ↑ ↓ retouch, Delete keeps it or not"),
    # TRANSLATORS: the pick screen, after "← → light a photo, …": Esc takes the lit one again.
    retake_lit=Plural("Esc retakes it ({n} left)", "Esc retakes it ({n} left)"),
)

# The session of looks: what the hand-over says before each look (the look coming next).
# Lines a photographer would say: praise for the shot just taken, then the one thing to do.
HANDOVER_LINES = {
    # TRANSLATORS: said between two photos, at title size: praise, then the next look (confident, serious).
    "serious": N_("Lovely. Now a confident look: let the smile go, eyes on the lens"),
    # TRANSLATORS: said between two photos: the next look is thoughtful, eyes a little off the lens.
    "contemplative": N_("Lovely. Now a thoughtful look: soften your face, eyes just off the lens"),
    # TRANSLATORS: said between two photos: the next look is a real smile.
    "smile": N_("Lovely. Now a real smile: think of someone you like"),
}
PICK_TITLE = N_("Pick your favourites")
# TRANSLATORS: under a photo on the pick screen: "{look}" is the look's name (Smile, Confident, Thoughtful).
KEPT = N_("{look}: kept")
# TRANSLATORS: under a photo on the pick screen: this photo will be deleted unless chosen.
NOT_KEPT = N_("{look}: not kept")
# TRANSLATORS: a button label, shown when no photo is chosen on the pick screen.
KEEP_ONE = N_("Keep at least one photo")
# TRANSLATORS: a small button between two photos: stop here, take no more looks.
FINISH = N_("Finish")  # touch: the hand-over's stop-here button
# TRANSLATORS: a small button under a photo: take this look again.
RETAKE = N_("Retake")  # touch: under each shot on the pick


# ---------------------------------------------------------------- what each screen says
# English msgids, translated with the guest's language when the screen is drawn. A count is a
# Plural (the language's own forms); a sentence with a duration comes in one wording per unit
# (booth.durations.span: "days" or "hours"), so the unit is declined with its sentence.

BACK = N_("‹ Back")  # touch: the small button back to the previous screen

# Attract
# TRANSLATORS: the attract screen's title, at the top: come and have your portrait photo taken.
ATTRACT_TITLE = N_("Get your headshot")
# Posing tips, one at a time on the attract screen, each for TIP_S seconds.
TIPS = (
    N_("Wear solid colours: they keep the eye on your face"),
    N_("Relax your shoulders and let them drop"),
    # TRANSLATORS: a posing tip: the chin pushed forward and slightly down makes the jaw line clear.
    N_("Chin forward and a touch down: it defines the jaw"),
    N_("Look into the lens, not at the screen"),
    N_("Think of someone you like: the smile follows"),
    N_("Stand tall and lean in a little"),
    N_("Smile with your eyes, not only your mouth"),
)
TIP_S = 6.0
PRIVACY = {
    "days": Plural("Photos are deleted after {n} day. Delete yours any time from its page.",
                   "Photos are deleted after {n} days. Delete yours any time from its page."),
    "hours": Plural("Photos are deleted after {n} hour. Delete yours any time from its page.",
                    "Photos are deleted after {n} hours. Delete yours any time from its page."),
}

# Choose
CHOOSE_TITLE = N_("Choose your look")

# Breathe
# TRANSLATORS: the breathing screen, at title size, while a circle grows: breathe in slowly.
BREATHE_IN = N_("Breathe in …")
# TRANSLATORS: the breathing screen, while the circle shrinks: ... and breathe out.
BREATHE_OUT = N_("… and out")
BREATHE_HINT = N_("Relax your shoulders and let your face rest")

# Coach and countdown
# TRANSLATORS: the look is right: the photo is about to be taken; stay still.
HOLD_IT = N_("Hold it …")
# TRANSLATORS: the guest is placed well: keep that pose.
STAY = N_("Good — stay like that")
# TRANSLATORS: the coach screen's title in a session of three looks: "{look}" is its name, e.g. "Smile · 2 of 3".
LOOK_OF = N_("{look} · {index} of {total}")

# Processing
# TRANSLATORS: shown while the photo is being made; "developing" as with film.
PROCESSING_TITLE = N_("Developing your photo …")
PROCESSING_LINES = (
    N_("Finding your best frame"),
    N_("Framing your headshot"),
    N_("A light retouch"),
)

# Review (one look) and pick (the session of looks)
REVIEW_TITLE = N_("Keep this one?")
# TRANSLATORS: on a button while the kept photo is being saved.
SAVING = N_("Saving …")
NO_RETAKES = N_("No retakes left")
REVIEW_DELETED_IN = Plural("Deleted in {n} second unless you keep it", "Deleted in {n} seconds unless you keep it")
PICK_DELETED_IN = Plural("Deleted in {n} second unless you keep them", "Deleted in {n} seconds unless you keep them")
# TRANSLATORS: between two looks: "{taken}" photos of the session's {n} are taken, e.g. "1 of 3 photos taken".
HANDOVER_TAKEN = Plural("{taken} of {n} photo taken", "{taken} of {n} photos taken")

# Share
# TRANSLATORS: the share screen's title, beside a QR code: scan it with a phone to download the photo.
SCAN_TO_DOWNLOAD = N_("Scan to download")
# TRANSLATORS: the QR code works without the booth's Wi-Fi, over the phone's own internet.
WORKS_ON_DATA = N_("Works on mobile data")
# TRANSLATORS: a button: the phone has no internet; show the booth's own Wi-Fi instead.
NO_SIGNAL = N_("No signal?")
NO_SIGNAL_SCAN = N_("No signal? On the booth's Wi-Fi, scan this:")
# TRANSLATORS: under a QR code: "{url}" is the photo's short address, to type into a browser.
OR_TYPE = N_("or type {url}")
KEPT_FOR = {
    "days": Plural("Kept for {n} day. Delete it any time from the page.",
                   "Kept for {n} days. Delete it any time from the page."),
    "hours": Plural("Kept for {n} hour. Delete it any time from the page.",
                    "Kept for {n} hours. Delete it any time from the page."),
}
# TRANSLATORS: a button: the guest is finished with the share screen.
DONE = N_("Done")
# TRANSLATORS: step 1 of 2 on the share screen, at title size: connect the phone to the booth's own Wi-Fi.
JOIN_WIFI = N_("1. Join the booth's Wi-Fi")
# TRANSLATORS: step 2 of 2 on the share screen: download the photo. Also said in "Then ... for 2. Download".
STEP_DOWNLOAD = N_("2. Download")
# TRANSLATORS: "{ssid}" is the name of the booth's Wi-Fi network.
NETWORK = N_("Network: {ssid}")
SCAN_WITH_CAMERA = N_("Scan with your phone's camera")
SCAN_THEN = N_("2. Then scan this to download")


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
