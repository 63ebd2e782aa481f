"""The three looks: each a list of checks on the metrics, most important first.

A check is a target ("eyes on the lens") with the prompt that fixes it and a
closeness 0..1 (0.5 = just met). A look is **ready** when every required
check is met; its **readiness** is the worst required closeness (so
readiness >= 0.5 exactly when ready, which is what the trigger's hysteresis
works on); its **score** adds the soft checks too, for ranking frames.

Soft checks are what a photographer adds once the basics hold: "smile with
your eyes", "narrow your eyes a touch". They raise the score and get a prompt
when nothing more important is pending, but never block the shot: a smile
that is asked to reach the eyes and held while waiting only gets less
genuine.

Stills (``live=False``, used by ``booth analyze`` and the best-shot ranking)
are judged on expression, eyes and head pose only: a photo's framing is the
photographer's crop, not the subject's doing. The live coach (``live=True``)
adds the face's place in the preview (the framing rule); steadiness is
added by the Coach, which has the history.

"Head level" is strict live (ROLL_OK: the booth's camera is mounted level,
and the subject can straighten up when asked) and lenient on stills
(ROLL_OK_STILL): a photo's roll is the head's plus the camera's, a crop can
level it, and a tilt up to the contemplative look's "small tilt" reads as a
natural pose. scripts/robustness.py measured it: with the live line, turning
the London photos by 10 degrees made the smile look miss 80-90 % of clear
smiles on roll alone, with the expression read as well as ever.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from booth.coach import words as W
from booth.coach.baseline import Baseline
from booth.coach.framing import ACROSS_WIDTH, MAX_CROP, ROOM_WIDTH, SIZE_WIDTH, Placement
from booth.coach.metrics import ROLL_OK, Metrics, compute_metrics
from booth.config import CoachConfig
from booth.observation import Observation

LOOKS = ("smile", "serious", "contemplative")
LOOK_INFO = W.LOOK_INFO  # the looks' names and descriptions, defined with the coach's words

# Smile metric needed per smile_strength setting (the metric's 0.5 = a plainly visible smile).
SMILE_NEEDED = {"soft": 0.35, "clear": 0.5, "big": 0.8}
NO_SMILE_MAX = 0.5  # serious/contemplative: no visible smile
FACE_TURN_MAX = 20.0  # degrees of yaw before "face the camera"
FACE_TURN_MAX_CONTEMPLATIVE = 30.0  # the same for contemplative: eyes off the lens, head turned a little with them
# Serious, chin: mediapipe's pitch of a level head varies by about +-5 degrees
# (sd) from face to face, so a still is only told "chin down" beyond 2.5 sd of
# that; against a baseline, raising the chin 5 degrees above the neutral pose is enough.
CHIN_UP_MAX = 15.0
CHIN_UP_REL = 5.0
HEAD_PITCH_MAX = 20.0  # any look: beyond this the head is tipped well up or down
# Live, against the subject's own neutral pose (the breathing screen): mediapipe's pitch of
# a head looking into the lens carries a per-face bias (sd about 5 degrees) and moves with
# the face's place in the picture (a rendered London face read 4-7 degrees more chin-down
# near the top edge than in the middle; live, metrics.LENS_PITCH takes most of that out,
# the per-face bias stays), so a guest standing high in the frame whose
# neutral face reads -17 must not be told to "face the camera". Tipped means moved this
# far from their own neutral pose, or past HEAD_PITCH_MAX_BASELINE whatever the baseline.
HEAD_PITCH_REL = 12.0
HEAD_PITCH_MAX_BASELINE = 30.0
GAZE_AWAY = (10.0, 35.0)  # contemplative: degrees off the lens, towards the configured side
GAZE_AWAY_V = 20.0  # contemplative: not far up or down
TILT = (4.0, 15.0)  # contemplative: degrees of head tilt (either way)
ROLL_OK_STILL = TILT[1]  # stills, smile/serious: a tilt up to the contemplative "small tilt" is still level


@dataclass(frozen=True)
class Check:
    """One target of a look."""

    key: str  # stable id: the prompt logic tracks checks by it
    prompt: str  # what to say while it is not met
    closeness: float  # 0..1; >= 0.5 means met
    required: bool = True

    @property
    def met(self) -> bool:
        return self.closeness >= 0.5


@dataclass(frozen=True)
class LookResult:
    """One frame judged for one look."""

    score: float  # 0..1 overall quality (for ranking frames)
    ready: bool  # every required target holds
    advice: list[str] = field(default_factory=list)  # prompts of unmet targets, most important first
    readiness: float = 0.0  # 0..1, the worst required target; >= 0.5 exactly when ready
    checks: tuple[Check, ...] = ()


def at_least(x: float, line: float, width: float) -> float:
    """Closeness for "x >= line": 0.5 at the line, 1 at line + width."""
    return max(0.0, min(1.0, 0.5 + (x - line) / (2 * width)))


def at_most(x: float, line: float, width: float) -> float:
    """Closeness for "x <= line"."""
    return max(0.0, min(1.0, 0.5 + (line - x) / (2 * width)))


def framing_checks(w: Placement) -> list[Check]:
    """The framing rule (booth.coach.framing), one check per thing a guest can do about it.

    Only steps and sideways moves: height in the frame is the crop's job. Room
    for the crop is asked for only where stepping back can make it.
    """
    if w.crop < (w.least + MAX_CROP) / 2:
        size = Check("closer", W.STEP_CLOSER, at_least(w.crop, w.least, SIZE_WIDTH))
    else:
        size = Check("back", W.STEP_BACK, at_most(w.crop, MAX_CROP, SIZE_WIDTH))
    checks = [size]
    if w.room_reachable:
        checks.append(Check("room", W.STEP_BACK, at_least(w.room, 0.0, ROOM_WIDTH)))
    # Un-mirrored image: a face on the image right is on the subject's left.
    checks.append(Check("to_right" if w.offset_x > 0 else "to_left",
                        W.MOVE_RIGHT if w.offset_x > 0 else W.MOVE_LEFT,
                        at_most(abs(w.offset_x), w.across_ok, ACROSS_WIDTH)))
    return checks


def _expression_checks(m: Metrics, look: str, settings: CoachConfig) -> list[Check]:
    if look == "smile":
        need = SMILE_NEEDED[settings.smile_strength]
        prompt = W.SMILE if m.smile < need / 2 else W.BIGGER_SMILE
        return [
            Check("smile", prompt, at_least(m.smile, need, 0.25)),
            Check("genuine", W.SMILE_EYES, m.genuine, required=False),
        ]
    checks = [Check("no_smile", W.RELAX_SMILE, at_most(m.smile, NO_SMILE_MAX, 0.25))]
    if look == "serious":
        checks += [
            Check("lips", W.CLOSE_LIPS, m.lips_closed),
            Check("chin", W.CHIN_DOWN, _chin(m)),
            Check("squinch", W.NARROW_EYES, m.squinch, required=False),
        ]
    return checks


def _head_pitch(m: Metrics) -> float:
    if m.pitch_change is None:
        return at_most(abs(m.pitch), HEAD_PITCH_MAX, 8.0)
    return min(at_most(abs(m.pitch_change), HEAD_PITCH_REL, 6.0), at_most(abs(m.pitch), HEAD_PITCH_MAX_BASELINE, 8.0))


def _chin(m: Metrics) -> float:
    closeness = at_most(m.pitch, CHIN_UP_MAX, 6.0)
    if m.pitch_change is not None:
        closeness = min(closeness, at_most(m.pitch_change, CHIN_UP_REL, 3.0))
    return closeness


def _gaze_checks(m: Metrics, look: str, settings: CoachConfig) -> list[Check]:
    if look != "contemplative":
        return [
            Check("face_camera", W.FACE_CAMERA, at_most(abs(m.yaw), FACE_TURN_MAX, 8.0)),
            Check("lens", W.LOOK_AT_LENS, m.eye_contact),
        ]
    side = 1.0 if settings.contemplative_side == "left" else -1.0  # subject's left = +gaze_h
    away = side * m.gaze_h
    word = settings.contemplative_side
    lo, hi = GAZE_AWAY
    gaze = Check("gaze_far", W.NOT_SO_FAR, at_most(away, hi, 6.0)) if away > hi else \
        Check("gaze_away", W.LOOK_AWAY[word], at_least(away, lo, 4.0))
    return [
        Check("face_camera", W.FACE_CAMERA, at_most(abs(m.yaw), FACE_TURN_MAX_CONTEMPLATIVE, 8.0)),
        gaze,
        Check("gaze_level", W.EYES_LEVEL, at_most(abs(m.gaze_v), GAZE_AWAY_V, 8.0)),
    ]


def _level_checks(m: Metrics, look: str, live: bool) -> list[Check]:
    if look != "contemplative":
        line = ROLL_OK if live else ROLL_OK_STILL
        return [Check("level", W.STRAIGHTEN, at_most(abs(m.roll), line, 4.0))]
    lo, hi = TILT
    if abs(m.roll) > hi:
        return [Check("tilt_less", W.TILT_LESS, at_most(abs(m.roll), hi, 3.0))]
    return [Check("tilt", W.TILT, at_least(abs(m.roll), lo, 2.0))]


def judge(m: Metrics, look: str, settings: CoachConfig, *, live: bool = False) -> list[Check]:
    """The look's checks on these metrics, most important first."""
    if look not in LOOKS:
        raise ValueError(f"unknown look {look!r}; looks are {', '.join(LOOKS)}")
    checks: list[Check] = framing_checks(m.where) if live else []
    checks.append(Check("eyes_open", W.OPEN_EYES, m.eyes_open))
    checks.append(Check("head_pitch", W.FACE_CAMERA, _head_pitch(m)))
    checks += _gaze_checks(m, look, settings)
    checks += _level_checks(m, look, live)
    checks += _expression_checks(m, look, settings)
    return checks


def summarise(checks: list[Check]) -> LookResult:
    """Readiness, score, ready and advice from a look's checks."""
    required = [c for c in checks if c.required]
    readiness = min((c.closeness for c in required), default=1.0)
    mean = sum(c.closeness for c in checks) / len(checks) if checks else 1.0
    advice = [c.prompt for c in required if not c.met] + [c.prompt for c in checks if not c.required and not c.met]
    return LookResult(
        score=0.75 * readiness + 0.25 * mean,
        ready=all(c.met for c in required),
        advice=list(dict.fromkeys(advice)),  # the same words once
        readiness=readiness,
        checks=tuple(checks),
    )


def evaluate_look(
    obs: Observation,
    look: str,
    settings: CoachConfig,
    baseline: Baseline | None = None,
    *,
    metrics: Metrics | None = None,
    live: bool = False,
) -> LookResult:
    """Judge one frame for one look (a still unless ``live``); pass ``metrics`` to reuse them."""
    m = metrics if metrics is not None else compute_metrics(obs, baseline)
    return summarise(judge(m, look, settings, live=live))
