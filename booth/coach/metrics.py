"""Expression and pose metrics of one frame, each 0..1 where 0.5 is the line between no and yes.

Every metric is a calibrated ramp over a measurement from :mod:`booth.coach.face`;
the break points are below as named constants, each with the reason for it.
They were set from what the measurements mean (a noise floor, the gap between
neutral and smiling faces) on the London set, not fitted image by image, and
leave margin on both sides.

- **smile**: a visible smile. Without a baseline: mediapipe's mouthSmile
  (0.40 is the line: neutral faces sit below 0.3, plain closed-mouth smiles
  above 0.5). With a baseline: how far the mouth moved towards a smile since
  the neutral face (mouthSmile rise, corners up, mouth wider), so a subtle
  closed-mouth smile counts and a face that always looks a little amused
  does not.
- **genuine**: a smile that reaches the eyes: the smile, and the lower lids
  rising (eye squint up, eye aperture down) against the baseline, or against
  a typical neutral face without one. mediapipe's cheekSquint outputs stay
  near zero whatever the face does, so they are not used.
- **eyes_open**: not blinking (eyeBlink and the lid gap; a smiling squint is
  still open).
- **eye_contact**: looking into the lens: head yaw/pitch plus the iris's
  rotation in the eye, against the camera axis. 0.5 at 8 degrees off
  sideways or 20 degrees off vertically (vertical is rougher: mediapipe's
  head pitch of a level head varies by about 5 degrees from face to face).
  Live (``live=True``), head pitch and vertical gaze are read against the
  line to the lens rather than the axis: see LENS_PITCH.
- **framing**: the face against the framing rule (:mod:`booth.coach.framing`:
  size, room for the crop, centred across) and the head level (roll);
  ``placement`` and ``level`` are the two halves, ``where`` the rule's figures.
- **lips_closed**, **squinch** (lower lids raised without a smile, the
  confident look), **steadiness** (filled in by the Coach from motion over
  recent frames; None for a still).
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.coach.baseline import Baseline
from booth.coach.face import FaceShape, measure
from booth.coach.framing import FaceInFrame, Placement, place
from booth.observation import Observation

# Float slack when comparing elapsed times (motion window, prompt delays, hold and cooldown):
# a hold of 0.5 s must be met by frames 0.5 s apart whatever the rounding. Here because
# motion, prompts and trigger can all import it from here without a cycle.
EPS = 1e-9
# -- smile without a baseline: mouthSmile (mean of both sides) --
SMILE_ABS_LINE = 0.40  # midway between neutral faces (<= 0.3) and plain smiles (>= 0.5)
SMILE_ABS_FULL = 0.90  # a broad smile
# -- smile against a baseline: evidence in noise units --
SMILE_REL_STEP = 0.10  # mouthSmile rise worth one unit (neutral photos of one person vary < 0.02)
LIFT_REL_STEP = 0.025  # corner lift (inter-ocular units) worth one unit (neutral pairs vary up to ~0.02)
WIDTH_REL_STEP = 0.10  # relative mouth widening worth one unit (neutral pairs vary up to ~7 %)
GEOMETRY_CAP = 1.0  # geometry alone never makes a smile: each term is capped at one unit
SMILE_REL_LINE = 1.5  # evidence units for "smiling"
SMILE_REL_FULL = 6.0
# Without at least this mouthSmile rise it is not a smile, whatever the shape (talking moves the
# corners too). About one sd of mouthSmile's own noise (0.02 over JPEG, light, size, rotation and
# crop changes of one photo, up to 0.06 for a face resting at 0.2-0.3, ~0 for one resting at 0;
# scripts/robustness.py): it only vetoes "the model sees no smile".
# At 0.05 it sat within 1-2 sd of the smallest real subtle smiles (rises of 0.07-0.09) and was what
# failed them under crops and dim light, while their summed evidence stayed above the line.
SMILE_REL_MIN_RISE = 0.02
# -- genuine (eyes join the smile) --
SQUINT_TYPICAL = 0.28  # typical neutral eyeSquint, used without a baseline
APERTURE_TYPICAL = 0.34  # typical neutral lid gap / eye width
SQUINT_STEP = 0.08  # squint rise worth one unit
APERTURE_STEP = 0.06  # relative lid-gap drop worth one unit
GENUINE_LINE = 1.5  # units of eye involvement for "the eyes join in"
# -- eyes open --
BLINK_OPEN, BLINK_SHUT = 0.40, 0.70  # eyeBlink (the more closed eye); smiling squints reach ~0.3
APERTURE_OPEN, APERTURE_SHUT = 0.14, 0.05  # lid gap / eye width without a baseline
APERTURE_RATIO_OPEN, APERTURE_RATIO_SHUT = 0.50, 0.20  # the same against the baseline's open eye
# -- eye contact --
GAZE_TOL_H = 8.0  # degrees; front-facing photos looking at the lens measure within +-4 (sd 1.3)
GAZE_TOL_V = 20.0  # degrees; front-facing photos spread with sd 4.6 (pitch bias), 4 sd of room
# -- the line to the lens (live) --
# A face that looks into the lens from below the camera's axis is seen from above: mediapipe
# reads it as chin up, and one above the axis as chin down, by an amount that grows with its
# distance from the picture's middle row. The framing rule never asks a guest to change their
# height in the picture (nobody can), so live the coach reads pitch and vertical gaze against
# the line to the lens: minus these degrees per frame height below the middle. Medians over ten
# London neutral faces rendered looking into the lens at 0.12 and 0.85 of a 16:9 640x360 frame
# (pitch rose 8.9-14.4 degrees over those 0.73 frame heights, median 10.8; gaze 5.0-13.5,
# median 8.9). The line of sight itself turns by about 40 degrees per frame height on a Camera
# Module 3 (41 degrees vertical field), so these are what the model reads of it, not more.
LENS_PITCH = 15.0
LENS_GAZE_V = 12.0
# -- head level --
ROLL_OK = 8.0  # degrees of tilt still "level"
# -- lips --
LIP_GAP_CLOSED, LIP_GAP_OPEN = 0.03, 0.08  # inner-lip gap, inter-ocular units; 0.5 at 0.055 (parted teeth ~0.07+)
# -- squinch --
SQUINCH_ABS = (0.30, 0.45)  # eyeSquint without a baseline: typical -> clearly squinched
SQUINCH_REL = (0.02, 0.10)  # eyeSquint rise over the baseline


def ramp(x: float, zero: float, one: float) -> float:
    """0 at ``zero``, 1 at ``one``, linear between, clipped (either direction)."""
    if one == zero:
        return 1.0 if x >= one else 0.0
    return max(0.0, min(1.0, (x - zero) / (one - zero)))


def piecewise(x: float, line: float, full: float) -> float:
    """0 at 0, 0.5 at ``line``, 1 at ``full``: maps a measurement onto the 0.5 convention."""
    if x <= line:
        return max(0.0, 0.5 * x / line)
    return min(1.0, 0.5 + 0.5 * (x - line) / (full - line))


def _clip(x: float, cap: float) -> float:
    return max(-cap, min(cap, x))


@dataclass(frozen=True)
class Metrics:
    """One frame's metrics; see the module docstring for each one's meaning."""

    smile: float
    genuine: float
    eyes_open: float
    eye_contact: float
    framing: float
    placement: float  # framing without roll
    level: float  # head level (roll)
    lips_closed: float
    squinch: float
    steadiness: float | None  # None for a single frame; the Coach fills it in
    smile_raw: float  # mouthSmile as the model gave it
    gaze_h: float  # degrees off the lens, + = towards the subject's left (image right)
    gaze_v: float  # degrees off the lens, + = up
    yaw: float
    pitch: float
    roll: float
    where: Placement  # the face against the framing rule
    relative: bool  # judged against a baseline
    # pitch minus the baseline's (+ = chin raised since; both as the model read them, the baseline
    # taken where the guest stands); None without one
    pitch_change: float | None = None


def smile_evidence(shape: FaceShape, baseline: Baseline) -> float:
    """How far the mouth moved towards a smile since the neutral face, in noise units."""
    rise = shape.smile_raw - baseline.smile_raw
    widen = shape.mouth_width / baseline.mouth_width - 1.0 if baseline.mouth_width > 0 else 0.0
    return (
        rise / SMILE_REL_STEP
        + _clip((shape.corner_lift - baseline.corner_lift) / LIFT_REL_STEP, GEOMETRY_CAP)
        + _clip(widen / WIDTH_REL_STEP, GEOMETRY_CAP)
    )


def smile_score(shape: FaceShape, baseline: Baseline | None) -> float:
    """The smile metric (see module docstring)."""
    if baseline is None:
        return piecewise(shape.smile_raw, SMILE_ABS_LINE, SMILE_ABS_FULL)
    rise = shape.smile_raw - baseline.smile_raw
    score = piecewise(max(0.0, smile_evidence(shape, baseline)), SMILE_REL_LINE, SMILE_REL_FULL)
    if rise < SMILE_REL_MIN_RISE:
        score = min(score, 0.45)
    return score


def eye_involvement(shape: FaceShape, baseline: Baseline | None) -> float:
    """Lower lids up: squint rise plus lid-gap drop, in units (about 0 for a neutral face)."""
    squint0 = SQUINT_TYPICAL if baseline is None else baseline.squint
    aperture0 = APERTURE_TYPICAL if baseline is None else baseline.eye_aperture
    drop = 1.0 - shape.eye_aperture / aperture0 if aperture0 > 0 else 0.0
    return (shape.squint - squint0) / SQUINT_STEP + drop / APERTURE_STEP


def eyes_open_score(shape: FaceShape, baseline: Baseline | None) -> float:
    shut_model = ramp(shape.blink, BLINK_OPEN, BLINK_SHUT)
    if baseline is not None and baseline.eye_aperture > 0:
        ratio = shape.eye_aperture_min / baseline.eye_aperture
        shut_lids = ramp(ratio, APERTURE_RATIO_OPEN, APERTURE_RATIO_SHUT)
    else:
        shut_lids = ramp(shape.eye_aperture_min, APERTURE_OPEN, APERTURE_SHUT)
    # Either sign of a closed eye is enough: a false "closed" only delays a shot.
    return 1.0 - max(shut_model, shut_lids)


def compute_metrics(
    obs: Observation,
    baseline: Baseline | None = None,
    *,
    shape: FaceShape | None = None,
    live: bool = False,
) -> Metrics:
    """All metrics of one observation, against the subject's baseline when there is one.

    ``live``: a preview frame, whose middle is the camera's axis; pitch and vertical gaze are then
    read against the line to the lens (LENS_PITCH). A still may be a crop with its axis unknown.
    """
    s = shape if shape is not None else measure(obs)
    face = FaceInFrame.from_observation(obs)
    below = face.eye_y - 0.5 if live else 0.0  # frame heights below the middle row
    pitch, gaze_v = s.pitch - LENS_PITCH * below, s.gaze_v - LENS_GAZE_V * below
    smile = smile_score(s, baseline)
    eyes = eye_involvement(s, baseline)
    genuine = min(ramp(smile, 0.3, 0.5), piecewise(max(0.0, eyes), GENUINE_LINE, 2 * GENUINE_LINE + 1))
    eye_contact = 0.5 ** ((s.gaze_h / GAZE_TOL_H) ** 2 + (gaze_v / GAZE_TOL_V) ** 2)
    level = max(0.0, min(1.0, 1.0 - abs(s.roll) / (2 * ROLL_OK)))
    where = place(face)
    placement = where.score
    if baseline is None:
        squinch = ramp(s.squint, *SQUINCH_ABS)
    else:
        squinch = ramp(s.squint - baseline.squint, *SQUINCH_REL)
    return Metrics(
        smile=smile,
        genuine=genuine,
        eyes_open=eyes_open_score(s, baseline),
        eye_contact=eye_contact,
        framing=min(placement, level),
        placement=placement,
        level=level,
        lips_closed=1.0 - ramp(s.lip_gap, LIP_GAP_CLOSED, LIP_GAP_OPEN),
        squinch=squinch,
        steadiness=None,
        smile_raw=s.smile_raw,
        gaze_h=s.gaze_h,
        gaze_v=gaze_v,
        yaw=s.yaw,
        pitch=pitch,
        roll=s.roll,
        where=where,
        relative=baseline is not None,
        pitch_change=None if baseline is None else s.pitch - baseline.pitch,
    )

