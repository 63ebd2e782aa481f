"""Every prompt the coach can show, defined once.

Each asks for one thing a person in front of the booth can do (step, move,
turn or straighten the head, change the expression); none asks anyone to be
taller or shorter. The screen shows them, the scripted subject reacts to
them, tests name them from here.
"""

from __future__ import annotations

# Where to stand (booth.coach.framing)
STEP_INTO_FRAME = "Step into the frame"
STEP_CLOSER = "Step closer"
STEP_BACK = "Step back a little"
MOVE_RIGHT = "Move to your right"  # the subject's own right
MOVE_LEFT = "Move to your left"
ONE_PERSON = "One person at a time, please"
HOLD_STILL = "Hold still"
# Head and eyes
STRAIGHTEN = "Straighten your head"
FACE_CAMERA = "Face the camera"
LOOK_AT_LENS = "Look into the lens"
OPEN_EYES = "Open your eyes"
TILT = "Tilt your head a little"
TILT_LESS = "A little less tilt"
LOOK_AWAY = "Look a little to your {side}"  # side: "left" or "right", the subject's own
NOT_SO_FAR = "Not quite so far"
EYES_LEVEL = "Eyes level, not up or down"
# Expression
SMILE = "Smile!"
BIGGER_SMILE = "A bit bigger smile"
SMILE_EYES = "Smile with your eyes"
RELAX_SMILE = "Relax the smile"
CLOSE_LIPS = "Close your lips"
CHIN_DOWN = "Chin down a touch"
NARROW_EYES = "Narrow your eyes a touch"

FRAMING = (STEP_CLOSER, STEP_BACK, MOVE_RIGHT, MOVE_LEFT)
