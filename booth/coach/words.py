"""Every prompt the coach can show, defined once.

Each asks for one thing a person in front of the booth can do (step, move,
turn or straighten the head, change the expression); none asks anyone to be
taller or shorter. The screen shows them, the scripted subject reacts to
them, tests name them from here. Each is an English msgid (``N_``): the coach
and the session pass it on as it is, the screen translates it when it draws
it, in the guest's language.
"""

from __future__ import annotations

from booth.i18n import N_

# Where to stand (booth.coach.framing)
STEP_INTO_FRAME = N_("Step into the frame")
STEP_CLOSER = N_("Step closer")
STEP_BACK = N_("Step back a little")
# TRANSLATORS: the guest's own right (they face the screen).
MOVE_RIGHT = N_("Move to your right")  # the subject's own right
# TRANSLATORS: the guest's own left (they face the screen).
MOVE_LEFT = N_("Move to your left")
ONE_PERSON = N_("One person at a time, please")
HOLD_STILL = N_("Hold still")
# Head and eyes
# TRANSLATORS: the head is tilted to one side: hold it upright.
STRAIGHTEN = N_("Straighten your head")
FACE_CAMERA = N_("Face the camera")
LOOK_AT_LENS = N_("Look into the lens")
OPEN_EYES = N_("Open your eyes")
TILT = N_("Tilt your head a little")
TILT_LESS = N_("A little less tilt")
# The subject's own left or right (booth.config CoachConfig.contemplative_side): one whole sentence each.
LOOK_AWAY = {
    # TRANSLATORS: the guest's own left (they face the screen): eyes turned a little towards it.
    "left": N_("Look a little to your left"),
    # TRANSLATORS: the guest's own right (they face the screen): eyes turned a little towards it.
    "right": N_("Look a little to your right"),
}
NOT_SO_FAR = N_("Not quite so far")
EYES_LEVEL = N_("Eyes level, not up or down")
# Expression
SMILE = N_("Smile!")
BIGGER_SMILE = N_("A bit bigger smile")
SMILE_EYES = N_("Smile with your eyes")
RELAX_SMILE = N_("Relax the smile")
CLOSE_LIPS = N_("Close your lips")
# TRANSLATORS: "a touch" = a little.
CHIN_DOWN = N_("Chin down a touch")
NARROW_EYES = N_("Narrow your eyes a touch")

FRAMING = (STEP_CLOSER, STEP_BACK, MOVE_RIGHT, MOVE_LEFT)

# The looks, as the guest reads them on the choose screen, the coach and the pick: (name, description).
# Defined here, beside the prompts that coach them, so the coach, the screens and the tests share them.
LOOK_INFO: dict[str, tuple[str, str]] = {
    # TRANSLATORS: the name of a look (a photo style), on a card and as a title; one or two words.
    "smile": (N_("Smile"), N_("Warm and friendly: a real smile that reaches your eyes.")),
    # TRANSLATORS: the name of a look (a photo style): a serious, self-assured portrait; one or two words.
    "serious": (N_("Confident"), N_("Calm and self-assured: relaxed mouth, eyes on the lens.")),
    # TRANSLATORS: the name of a look (a photo style): a quiet, reflective portrait; one or two words.
    "contemplative": (N_("Thoughtful"), N_("Soft and reflective: eyes just off the lens, head tilted a little.")),
}
