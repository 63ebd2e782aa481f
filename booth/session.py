"""The session: a pure state machine from "walk up" to "QR on screen".

``step(state, event, now, settings)`` returns the next state and the effects
the shell must carry out (start a burst, set the LED, publish a photo...). It
never reads the clock, touches hardware or draws: the caller passes the time
in, so every transition and timeout is a plain function call in the tests.

Phases, in order::

    ATTRACT -> CHOOSE (skipped when the look is fixed) -> BREATHE -> COACH
    -> COUNTDOWN (button only) -> CAPTURE -> PROCESSING -> REVIEW
    -> SHARE_WIFI (only with the booth's own Wi-Fi) -> SHARE -> GOODBYE -> ATTRACT

The breathing screen is also when the coach measures the subject's neutral
face (their baseline), so it breathes only with the face in view: its clock
runs while a face was seen in the last ``FACE_SEEN_S`` and stands still
otherwise, while the screen asks the subject to step into the frame (the
coach's words for a missing face). It ends once ``breathe_s`` of such time
and the frames a baseline needs (booth.coach.baseline.MIN_FRAMES, with a
face) have passed; a subject who never shows up is let go by the walk-away
rule, as in every live phase.

The coach's words and numbers used here are imported where they are used:
the photo servers import this module (for RETOUCH_NAMES) and stay free of
numpy and OpenCV, which importing the booth.coach package brings along.

With [cloud] set the QR on SHARE works on mobile data, which most guests
have, so SHARE comes first; the booth's own Wi-Fi is the way for guests
with no signal, offered on SHARE and shown after it (SHARE -> SHARE_WIFI ->
GOODBYE): joining the booth's offline Wi-Fi first would cut a phone off
the cloud page.

Every phase but ATTRACT has a deadline; GOODBYE is the short polite moment
("Thanks — see you next time") that ends a session, whether it was finished,
abandoned or walked away from. Jobs handed to workers carry a job number, so a
late answer for an abandoned capture is recognised and discarded.

Only what the guest keeps is published: the developed photo waits, staged,
through REVIEW, and only "keep" (``Publish``) makes it public. A review that
runs out of time means the guest walked away or never chose: the photo is
not kept (``Discard``), and the session says goodbye.

The session of looks (``Settings.flow == "all"``): no CHOOSE; after BREATHE
(whose baseline serves every look) each look of ``FLOW_ORDER`` is coached in
turn, COACH -> [COUNTDOWN] -> CAPTURE -> PROCESSING -> HANDOVER (a short
"Lovely. Now a ..." before the next look) -> COACH ..., and after the last
look PICK shows the shots side by side. Each developed shot waits, staged,
in ``State.shots``; PICK publishes the kept ones and discards the rest, and
every way out that is not a finished PICK (walk-away, timeout, failure)
discards every shot held. A long press skips the look being coached, or,
on HANDOVER, stops there and goes to PICK; a look that runs out of its
``look_timeout_s`` is taken anyway (trigger "timeout"), as a photographer
would. On PICK a long press retakes the lit look (the old shot stays until
the new one is developed, and comes back if the retake fails).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from booth.i18n import N_

LOOKS: tuple[str, ...] = ("smile", "serious", "contemplative")
FLOWS: tuple[str, ...] = ("one", "all")  # [session] flow: one chosen look, or the session of all three
# The session of looks coaches them in this order. Serious first: straight after the breathing
# step the guest's face is calm and close to the neutral baseline just measured, the easiest
# place to find a steady, confident look. Contemplative next: a small softening of that.
# The smile last, because a real smile (let alone a laugh) lingers: a guest who has just
# laughed finds it hard to come back to a straight face, while going up into a smile is easy.
FLOW_ORDER: tuple[str, ...] = ("serious", "contemplative", "smile")
RETOUCH_LEVELS: tuple[str, ...] = ("none", "natural", "polished")
# As the guest reads them (English msgids, translated where they are shown).
RETOUCH_NAMES = {
    # TRANSLATORS: a retouch level on a small button: no retouching at all; one short word.
    "none": N_("None"),
    # TRANSLATORS: a retouch level on a small button: a light, natural retouch; one short word.
    "natural": N_("Natural"),
    # TRANSLATORS: a retouch level on a small button: a stronger, polished retouch; one short word.
    "polished": N_("Polished"),
}

# What the screen says (English msgids; the session passes them on, the screen translates them).
THANKS = N_("Thanks — see you next time")
SORRY_CAMERA = N_("Sorry — the camera missed that. Please try again.")
SORRY_PHOTO = N_("Sorry — that photo didn't work out. Please try again.")
SORRY_PAUSED = N_("Sorry — the booth is paused for a moment.")
CAMERA_RETRYING = N_("Camera unavailable — retrying")
TELL_STAFF = N_("Please tell a member of staff.")
DISK_FULL = N_("Photos are paused: the booth's storage is full. Please tell a member of staff.")

# The breathing clock runs while a face was seen this recently. The face model misses the odd
# frame (a far or tilted face flickers in and out), and a Pi analyses 8 to 15 frames a second:
# half a second bridges a few missed frames without counting a guest who has stepped away.
FACE_SEEN_S = 0.5

# A language chosen on the attract screen by a guest who then never started is their choice, not
# the next guest's: it goes back to the booth's first language after this long without a press.
LANGUAGE_IDLE_S = 45.0


class Phase(enum.Enum):
    ATTRACT = "attract"
    CHOOSE = "choose"
    BREATHE = "breathe"
    COACH = "coach"
    COUNTDOWN = "countdown"
    CAPTURE = "capture"
    PROCESSING = "processing"
    REVIEW = "review"
    HANDOVER = "handover"  # flow "all": between two looks
    PICK = "pick"  # flow "all": the shots side by side, the guest keeps any
    SHARE_WIFI = "share_wifi"
    SHARE = "share"
    GOODBYE = "goodbye"


# Phases in which the subject stands in front of the live camera: a lost
# camera, a full disk or a walk-away ends the session there.
LIVE_PHASES = frozenset({Phase.CHOOSE, Phase.BREATHE, Phase.COACH, Phase.COUNTDOWN, Phase.HANDOVER})


class Action(enum.Enum):
    """What any control means, whatever it was (button, key, tap)."""

    MAIN = "main"  # short press, space, enter, tap
    BACK = "back"  # long press, escape
    PREV = "prev"  # left arrow (and up, on every screen but the pick)
    NEXT = "next"  # right arrow (and down, on every screen but the pick)
    UP = "up"  # up arrow: on the pick, the retouch level before; elsewhere the same as PREV
    DOWN = "down"  # down arrow: on the pick, the retouch level after; elsewhere the same as NEXT
    PICK = "pick"  # a tap on one option (index given)
    TOGGLE = "toggle"  # pick: keep a shot or not: a tap on it (index given), or the Delete key (the lit one)
    LEVEL = "level"  # pick: a tap on one retouch level (index given)
    RETAKE = "retake"  # pick: a tap on one shot's retake (index given)
    LANGUAGE = "language"  # attract: the next language (L, Tab), or a tap on one's name (index given)


class GuidanceLike(Protocol):
    """What the session reads from the coach's Guidance."""

    face: Any
    fire: bool
    readiness: float
    prompts: tuple[str, ...]


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Input:
    action: Action
    index: int | None = None  # for PICK


@dataclass(frozen=True)
class Analysed:
    """One analysed preview frame: was there a face, and the coach's view of it."""

    face: bool
    guidance: GuidanceLike | None = None


@dataclass(frozen=True)
class CaptureDone:
    job: int
    burst: Any  # the frames, opaque here


@dataclass(frozen=True)
class CaptureFailed:
    job: int
    reason: str


@dataclass(frozen=True)
class ProcessingDone:
    job: int
    token: str
    url: str
    photo: Any = None  # previews for the review screen, opaque here


@dataclass(frozen=True)
class ProcessingFailed:
    job: int
    reason: str


@dataclass(frozen=True)
class Published:
    token: str
    url: str


@dataclass(frozen=True)
class PublishFailed:
    token: str
    reason: str


@dataclass(frozen=True)
class CameraLost:
    message: str = CAMERA_RETRYING


@dataclass(frozen=True)
class CameraBack:
    pass


@dataclass(frozen=True)
class DiskLow:
    pass


@dataclass(frozen=True)
class DiskOk:
    pass


@dataclass(frozen=True)
class Notice:
    """A standing message for staff (e.g. the GPIO button is missing)."""

    text: str


@dataclass(frozen=True)
class Tick:
    pass


Event = (
    Input | Analysed | CaptureDone | CaptureFailed | ProcessingDone | ProcessingFailed
    | Published | PublishFailed | CameraLost | CameraBack | DiskLow | DiskOk | Notice | Tick
)


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class SetLed:
    mode: str  # "off" | "on" | "pulse"


@dataclass(frozen=True)
class PlaySound:
    name: str


@dataclass(frozen=True)
class Cue:
    """Tell the camera what the screen asks of the subject (the scripted subject acts on it)."""

    state: str
    look: str | None = None
    prompts: tuple[str, ...] = ()  # what the screen asks (the coach's prompt; breathe: a missing face's)


@dataclass(frozen=True)
class Analyse:
    """What the analysis worker should do with frames from now on."""

    mode: str  # "presence" | "baseline" | "coach" | "idle"
    look: str | None = None


@dataclass(frozen=True)
class StartCapture:
    job: int


@dataclass(frozen=True)
class StartProcessing:
    job: int
    burst: Any
    look: str


@dataclass(frozen=True)
class Publish:
    token: str
    retouch: str


@dataclass(frozen=True)
class Discard:
    token: str


@dataclass(frozen=True)
class SessionStarted:
    number: int


@dataclass(frozen=True)
class SessionEnded:
    number: int
    kept: bool  # a photo was published in this session


Effect = (
    SetLed | PlaySound | Cue | Analyse | StartCapture | StartProcessing | Publish | Discard
    | SessionStarted | SessionEnded
)


# ---------------------------------------------------------------- settings and state


@dataclass(frozen=True)
class Shot:
    """One look's developed photo, staged (published nowhere) until PICK."""

    look: str
    token: str
    url: str
    photo: Any = None  # previews for the pick screen, opaque here
    trigger: str = ""  # "auto" | "button" | "timeout": what took it


@dataclass(frozen=True)
class Settings:
    """Timings and choices, taken from the config once."""

    look: str = "choose"
    choose_timeout_s: float = 20.0
    choose_cycle_s: float = 2.5
    breathe_s: float = 4.0
    coach_timeout_s: float = 45.0
    countdown_s: int = 3
    review_timeout_s: float = 30.0
    share_timeout_s: float = 45.0
    wifi_qr_s: float = 20.0
    walkaway_s: float = 6.0
    max_retakes: int = 2
    auto_trigger: bool = True
    wifi: bool = False
    cloud: bool = False  # [cloud] set: the QR is the cloud page's; the booth's Wi-Fi is the no-signal way
    retouch: str = "natural"
    flash_s: float = 0.35
    capture_timeout_s: float = 15.0
    processing_timeout_s: float = 60.0
    publish_timeout_s: float = 20.0
    goodbye_s: float = 3.0
    flow: str = "all"  # "all" | "one": see FLOWS
    handover_s: float = 3.0  # flow "all": the "Lovely. Now a ..." moment between looks
    look_timeout_s: float = 25.0  # flow "all": a look not caught by then is taken anyway
    languages: tuple[str, ...] = ("en",)  # [display] languages: what the attract screen offers, first = default

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        s = config.session
        return cls(
            look=s.look,
            choose_timeout_s=s.choose_timeout_s,
            choose_cycle_s=s.choose_cycle_s,
            breathe_s=s.breathe_s,
            coach_timeout_s=s.coach_timeout_s,
            countdown_s=s.countdown_s,
            review_timeout_s=s.review_timeout_s,
            share_timeout_s=s.share_timeout_s,
            wifi_qr_s=s.wifi_qr_s,
            walkaway_s=s.walkaway_s,
            max_retakes=s.max_retakes,
            auto_trigger=config.coach.auto_trigger,
            wifi=bool(config.wifi.ssid),
            cloud=config.cloud.enabled,
            retouch=config.photo.retouch,
            goodbye_s=s.goodbye_s,
            flow=s.flow,
            handover_s=s.handover_s,
            look_timeout_s=s.look_timeout_s,
            languages=tuple(config.display.languages),
        )


@dataclass(frozen=True)
class State:
    """Everything the screen shows and the next step depends on; replaced, never changed."""

    phase: Phase = Phase.ATTRACT
    since: float = 0.0  # when this phase began
    deadline: float | None = None  # when this phase times out
    number: int = 0  # sessions started so far
    look: str | None = None
    selected: int = 0  # highlighted look (choose) or retouch level (review)
    scanning: bool = True  # choose: the highlight moves by itself until the subject steers it
    scan_at: float = 0.0  # choose: when the highlight last moved
    retakes: int = 0
    face: bool = False  # a face in the latest analysed frame
    last_face: float = 0.0  # the walk-away clock: the last face, or the start of watching
    seen_at: float | None = None  # when analysis last saw a face (never moved for a grace period)
    breathed: float = 0.0  # breathe: seconds counted so far (only with the face seen)
    counted_at: float = 0.0  # breathe: up to when `breathed` is counted
    breath_frames: int = 0  # breathe: analysed frames with a face (what the baseline is made of)
    breathe_prompts: tuple[str, ...] = ()  # breathe: what the screen asks instead (the face is missing)
    guidance: Any = None
    trigger: str = ""  # "auto" | "button": what fired the capture
    job: int = 0
    burst: Any = None  # held until the flash has shown long enough
    token: str | None = None
    url: str | None = None
    photo: Any = None
    retouch: str = "natural"
    publishing: bool = False
    kept: bool = False
    message: str = ""  # the goodbye line
    camera_ok: bool = True
    camera_message: str = ""
    disk_ok: bool = True
    notice: str = ""
    led: str = "off"
    todo: tuple[str, ...] = ()  # flow "all": the looks still to come after this one
    shots: tuple[Shot, ...] = ()  # flow "all": developed and staged, waiting for PICK
    keeps: tuple[bool, ...] = ()  # pick: which shots are kept (all, at first)
    retaking: bool = False  # flow "all": this look is a retake from PICK
    refused: bool = False  # pick: "keep" was pressed with nothing kept
    pending: frozenset[str] = frozenset()  # pick: kept tokens not yet published
    language: str = "en"  # the guest's language (a code of Settings.languages); the default at each new guest
    language_at: float = 0.0  # attract: when the guest last chose a language

    @property
    def can_start(self) -> bool:
        """Whether a capture may be offered at all right now."""
        return self.camera_ok and self.disk_ok

    def retakes_left(self, settings: Settings) -> int:
        return max(0, settings.max_retakes - self.retakes)

    def remaining(self, now: float) -> float:
        return 0.0 if self.deadline is None else max(0.0, self.deadline - now)

    def face_seen(self, now: float) -> bool:
        """A face in view for the breathing clock: seen within the last FACE_SEEN_S."""
        return self.seen_at is not None and now - self.seen_at <= FACE_SEEN_S

    def breath(self, now: float) -> float:
        """The breathing screen's progress (0..1) at ``now``: it stands still while the face is missing."""
        if self.deadline is None:
            return 0.0
        total = self.breathed + (self.deadline - self.counted_at)  # breathe_s: see _count_breath
        running = 0.0 if self.breathe_prompts else max(0.0, min(now, self.deadline) - self.counted_at)
        return min(1.0, (self.breathed + running) / total) if total > 0 else 1.0


@dataclass(frozen=True)
class Transition:
    state: State
    effects: tuple[Effect, ...] = field(default_factory=tuple)


def initial(now: float, settings: Settings) -> Transition:
    """The booth at power-on: attract, LED pulsing, analysis watching for faces."""
    state = State(since=now, retouch=settings.retouch, led="pulse", language=settings.languages[0])
    return Transition(state, (SetLed("pulse"), Analyse("presence"), Cue("attract")))


# ---------------------------------------------------------------- the machine


def step(state: State, event: Event, now: float, settings: Settings) -> Transition:
    """The one entry point: apply an event at time ``now``."""
    fx: list[Effect] = []
    if state.phase is Phase.BREATHE:
        state = _count_breath(state, now, settings)  # up to now, before this event's face counts
    state = _apply(state, event, now, settings, fx)
    state = _timeouts(state, now, settings, fx)
    if state.phase is Phase.BREATHE:
        state = _ask_for_face(state, now, fx)
    led = led_mode(state)
    if led != state.led:
        state = replace(state, led=led)
        fx.append(SetLed(led))
    return Transition(state, tuple(fx))


def led_mode(state: State) -> str:
    """Pulsing when the button is the next step, solid while coaching, off otherwise."""
    p = state.phase
    if p is Phase.ATTRACT:
        return "pulse" if state.can_start else "off"
    if p in (Phase.CHOOSE, Phase.SHARE_WIFI):
        return "pulse"
    if p in (Phase.REVIEW, Phase.PICK):
        return "off" if state.publishing else "pulse"
    if p in (Phase.BREATHE, Phase.COACH, Phase.COUNTDOWN, Phase.HANDOVER):
        return "on"
    return "off"


def _enter(state: State, phase: Phase, now: float, settings: Settings, fx: list[Effect], *,
           same_guest: bool = False, **changes: Any) -> State:
    """Move to ``phase`` with its deadline and entry effects.

    Back to ATTRACT, the next guest is greeted in the booth's first language, unless this is the
    same guest stepping back (``same_guest``: a long press on the choose or coaching screen).
    """
    deadline = {
        Phase.ATTRACT: None,
        Phase.CHOOSE: settings.choose_timeout_s,
        Phase.BREATHE: settings.breathe_s,
        Phase.COACH: settings.look_timeout_s if settings.flow == "all" else settings.coach_timeout_s,
        Phase.COUNTDOWN: float(settings.countdown_s),
        Phase.CAPTURE: settings.capture_timeout_s,
        Phase.PROCESSING: settings.processing_timeout_s,
        Phase.REVIEW: settings.review_timeout_s,
        Phase.HANDOVER: settings.handover_s,
        Phase.PICK: settings.review_timeout_s,
        Phase.SHARE_WIFI: settings.wifi_qr_s,
        Phase.SHARE: settings.share_timeout_s,
        Phase.GOODBYE: settings.goodbye_s,
    }[phase]
    new = replace(state, phase=phase, since=now, deadline=None if deadline is None else now + deadline, **changes)
    if phase in LIVE_PHASES and state.phase not in LIVE_PHASES:
        new = replace(new, last_face=now)  # a grace period: nobody was watched until now
    if phase in (Phase.ATTRACT, Phase.GOODBYE, Phase.SHARE, Phase.SHARE_WIFI) and new.shots:
        # Leaving the session of looks: what was not published by now never will be (on the
        # way to SHARE every held shot was published; anywhere else, none is kept).
        if phase in (Phase.ATTRACT, Phase.GOODBYE):
            fx += [Discard(shot.token) for shot in new.shots]
        new = replace(new, shots=(), keeps=(), pending=frozenset())
    if phase is Phase.ATTRACT:
        if state.phase is not Phase.ATTRACT:
            fx.append(SessionEnded(state.number, state.kept))
        new = replace(new, look=None, retakes=0, guidance=None, token=None, url=None, photo=None,
                      burst=None, publishing=False, kept=False, message="", trigger="",
                      todo=(), retaking=False, refused=False)
        if not same_guest and state.phase is not Phase.ATTRACT:
            new = replace(new, language=settings.languages[0])
        new = replace(new, language_at=now)
        fx += [Analyse("presence"), Cue("attract")]
    elif phase is Phase.CHOOSE:
        new = replace(new, selected=0, scanning=settings.choose_cycle_s > 0, scan_at=now)
        fx.append(Analyse("presence"))
    elif phase is Phase.BREATHE:
        asks = _missing_face(new, now)
        new = replace(new, breathed=0.0, counted_at=now, breath_frames=0, breathe_prompts=asks)
        fx += [Analyse("baseline"), Cue("breathe", prompts=asks)]
    elif phase is Phase.COACH:
        new = replace(new, guidance=None, trigger="")
        fx += [Analyse("coach", new.look), Cue("coach", new.look)]
    elif phase is Phase.CAPTURE:
        new = replace(new, job=state.job + 1, burst=None)
        fx += [Analyse("idle"), PlaySound("shutter"), StartCapture(new.job)]
    elif phase is Phase.REVIEW:
        new = replace(new, retouch=settings.retouch, selected=RETOUCH_LEVELS.index(settings.retouch),
                      publishing=False)
    elif phase is Phase.HANDOVER:
        fx += [Analyse("presence"), Cue("handover", new.look)]
    elif phase is Phase.PICK:
        new = replace(new, selected=0, scanning=settings.choose_cycle_s > 0, scan_at=now, publishing=False,
                      retaking=False, refused=False, guidance=None, trigger="", pending=frozenset())
        fx += [Analyse("idle"), Cue("pick")]
    elif phase is Phase.GOODBYE:
        fx.append(Analyse("idle"))
    return new


def _start_session(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    number = state.number + 1
    fx.append(SessionStarted(number))
    state = replace(state, number=number, retakes=0, kept=False)
    if settings.flow == "all":
        return _enter(state, Phase.BREATHE, now, settings, fx, look=FLOW_ORDER[0], todo=FLOW_ORDER[1:],
                      shots=(), keeps=(), retouch=settings.retouch)
    if settings.look in LOOKS:
        return _enter(state, Phase.BREATHE, now, settings, fx, look=settings.look)
    return _enter(state, Phase.CHOOSE, now, settings, fx)


def _goodbye(state: State, now: float, settings: Settings, fx: list[Effect], message: str = THANKS) -> State:
    return _enter(state, Phase.GOODBYE, now, settings, fx, message=message)


def _back_from_coaching(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Long press while getting ready: one step back (the look, or attract if it is fixed).
    In the session of looks a long press while coaching skips this look."""
    if settings.flow == "all" and state.phase is Phase.COACH:
        return _next_look(state, now, settings, fx)
    if settings.look in LOOKS or settings.flow == "all":
        return _enter(state, Phase.ATTRACT, now, settings, fx, same_guest=True)
    return _enter(state, Phase.CHOOSE, now, settings, fx)


def _fire(state: State, now: float, settings: Settings, fx: list[Effect], trigger: str) -> State:
    return _enter(state, Phase.CAPTURE, now, settings, fx, trigger=trigger)


def _next_look(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Flow "all": this look is done (shot, skipped or failed): hand over to the next one,
    or, after the last (or a retake), the pick; with no shot at all, the session ends."""
    if state.todo and not state.retaking:
        return _enter(state, Phase.HANDOVER, now, settings, fx, look=state.todo[0], todo=state.todo[1:])
    return _to_pick(state, now, settings, fx)


def _to_pick(state: State, now: float, settings: Settings, fx: list[Effect], message: str = THANKS) -> State:
    if state.shots:
        return _enter(state, Phase.PICK, now, settings, fx, look=None)
    return _goodbye(state, now, settings, fx, message)


def _failed(state: State, now: float, settings: Settings, fx: list[Effect], message: str) -> State:
    """A capture or its processing went wrong: sorry, and goodbye; in the session of looks
    the shots already taken are still the guest's to pick from."""
    if settings.flow == "all":
        return _to_pick(state, now, settings, fx, message)
    return _goodbye(state, now, settings, fx, message)


def _developed(state: State, event: ProcessingDone, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Flow "all": hold the shot (a retake replaces the look's earlier one) and move on."""
    assert state.look is not None
    shot = Shot(state.look, event.token, event.url, event.photo, state.trigger)
    shots, keeps = list(state.shots), list(state.keeps)
    old = next((i for i, held in enumerate(shots) if held.look == shot.look), None)
    if old is not None:
        fx.append(Discard(shots[old].token))
        shots[old], keeps[old] = shot, True
    else:
        shots.append(shot)
        keeps.append(True)
    state = replace(state, shots=tuple(shots), keeps=tuple(keeps))
    return _next_look(state, now, settings, fx)


def _keep_picked(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Pick: publish the kept shots, discard the others; nothing kept is refused."""
    if not any(state.keeps):
        return replace(state, refused=True, deadline=now + settings.review_timeout_s)
    kept = tuple(shot for shot, keep in zip(state.shots, state.keeps) if keep)
    fx += [Discard(shot.token) for shot, keep in zip(state.shots, state.keeps) if not keep]
    fx += [Publish(shot.token, state.retouch) for shot in kept]
    return replace(state, shots=kept, keeps=(True,) * len(kept), publishing=True, refused=False,
                   pending=frozenset(shot.token for shot in kept), deadline=now + settings.publish_timeout_s)


def _retake_shot(state: State, index: int, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Pick: coach the look of shot ``index`` again (its shot is held until the new one is developed)."""
    if not (0 <= index < len(state.shots)) or state.retakes_left(settings) <= 0 or not state.can_start:
        return state
    return _enter(state, Phase.COACH, now, settings, fx, look=state.shots[index].look, retaking=True,
                  retakes=state.retakes + 1)


def _pick_input(state: State, event: Input, now: float, settings: Settings, fx: list[Effect]) -> State:
    if state.publishing:
        return state
    a, i, n = event.action, event.index, len(state.shots)
    later = now + settings.review_timeout_s  # every choice gives the guest their time again
    if a is Action.TOGGLE and i is None:  # a key, not a tap: the lit shot
        i = state.selected
    if a in (Action.PREV, Action.NEXT):
        return replace(state, selected=(state.selected + (-1 if a is Action.PREV else 1)) % n,
                       scanning=False, deadline=later)
    if a in (Action.TOGGLE, Action.PICK) and i is not None and 0 <= i < n:
        keeps = tuple(not k if j == i else k for j, k in enumerate(state.keeps))
        return replace(state, keeps=keeps, selected=i, scanning=False, refused=False, deadline=later)
    if a is Action.LEVEL and i is not None and 0 <= i < len(RETOUCH_LEVELS):
        return replace(state, retouch=RETOUCH_LEVELS[i], deadline=later)
    if a in (Action.UP, Action.DOWN):  # the keyboard's way to the retouch levels (left/right light a photo)
        level = RETOUCH_LEVELS.index(state.retouch) + (-1 if a is Action.UP else 1)
        return replace(state, retouch=RETOUCH_LEVELS[min(max(level, 0), len(RETOUCH_LEVELS) - 1)], deadline=later)
    if a is Action.MAIN:
        return _keep_picked(state, now, settings, fx)
    if a is Action.BACK:
        return _retake_shot(state, state.selected, now, settings, fx)
    if a is Action.RETAKE and i is not None:
        return _retake_shot(state, i, now, settings, fx)
    return state


def _keep(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    assert state.token is not None
    fx.append(Publish(state.token, state.retouch))
    return replace(state, publishing=True, deadline=now + settings.publish_timeout_s)


def _to_share(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    phase = Phase.SHARE_WIFI if settings.wifi and not settings.cloud else Phase.SHARE
    return _enter(state, phase, now, settings, fx, publishing=False, kept=True)


def _count_breath(state: State, now: float, settings: Settings) -> State:
    """Breathe: add the time since the last count during which a face was seen (the last sighting
    covers FACE_SEEN_S after it); the deadline is what is left from now, so it moves on while
    no face is seen."""
    start = state.counted_at
    if state.seen_at is not None:
        start = max(start, state.seen_at)
        end = min(now, state.seen_at + FACE_SEEN_S)
    else:
        end = start
    breathed = state.breathed + max(0.0, end - start)
    return replace(state, breathed=breathed, counted_at=now,
                   deadline=now + max(0.0, settings.breathe_s - breathed))


def _missing_face(state: State, now: float) -> tuple[str, ...]:
    """What the breathing screen asks: to step into the frame while no face is seen, else nothing."""
    from booth.coach.words import STEP_INTO_FRAME  # see the module docstring

    return () if state.face_seen(now) else (STEP_INTO_FRAME,)


def _ask_for_face(state: State, now: float, fx: list[Effect]) -> State:
    """Breathe: show (and cue the camera with) the missing face's prompt when it comes or goes."""
    asks = _missing_face(state, now)
    if asks == state.breathe_prompts:
        return state
    fx.append(Cue("breathe", prompts=asks))
    return replace(state, breathe_prompts=asks)


def _after_wifi(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    """Joined (or not): the download QR next; with [cloud] it was shown first, so the session ends."""
    if settings.cloud:
        return _goodbye(state, now, settings, fx)
    return _enter(state, Phase.SHARE, now, settings, fx)


def _apply(state: State, event: Event, now: float, settings: Settings, fx: list[Effect]) -> State:
    p = state.phase

    # Faults and notices: tracked in every phase; they end a live session.
    if isinstance(event, CameraLost):
        state = replace(state, camera_ok=False, camera_message=event.message or CAMERA_RETRYING)
        if p in LIVE_PHASES and state.shots:  # mid-way through the looks: the shots taken are theirs
            state = _to_pick(state, now, settings, fx)
        elif p in LIVE_PHASES:
            state = _enter(state, Phase.ATTRACT, now, settings, fx)
        return state
    if isinstance(event, CameraBack):
        state = replace(state, camera_ok=True, camera_message="")
        if p is Phase.ATTRACT:
            fx.append(Cue("attract"))
        return state
    if isinstance(event, DiskLow):
        state = replace(state, disk_ok=False)
        if p in LIVE_PHASES:
            state = _to_pick(state, now, settings, fx, SORRY_PAUSED)  # no shots: goodbye
        return state
    if isinstance(event, DiskOk):
        return replace(state, disk_ok=True)
    if isinstance(event, Notice):
        return replace(state, notice=event.text)

    if isinstance(event, Analysed):
        state = replace(state, face=event.face, last_face=now if event.face else state.last_face,
                        seen_at=now if event.face else state.seen_at)
        if p is Phase.BREATHE and event.face:
            state = replace(state, breath_frames=state.breath_frames + 1)
        if p in (Phase.COACH, Phase.COUNTDOWN) and event.guidance is not None:
            shown = state.guidance.prompts if state.guidance is not None else ()
            if p is Phase.COACH and event.guidance.prompts != shown:
                fx.append(Cue("coach", state.look, tuple(event.guidance.prompts)))
            state = replace(state, guidance=event.guidance)
            # Both must agree: the coach's verdict and a face in this very frame.
            if (p is Phase.COACH and settings.auto_trigger and event.face and event.guidance.fire
                    and state.can_start):
                state = _fire(state, now, settings, fx, "auto")
        return state

    # Worker answers: a stale job number means the session has moved on.
    if isinstance(event, CaptureDone):
        if p is Phase.CAPTURE and event.job == state.job:
            state = replace(state, burst=event.burst)
        return state
    if isinstance(event, CaptureFailed):
        if p is Phase.CAPTURE and event.job == state.job:
            state = _failed(state, now, settings, fx, SORRY_CAMERA)
        return state
    if isinstance(event, ProcessingDone):
        if p is Phase.PROCESSING and event.job == state.job:
            if settings.flow == "all":
                return _developed(state, event, now, settings, fx)
            return _enter(state, Phase.REVIEW, now, settings, fx, token=event.token, url=event.url, photo=event.photo)
        fx.append(Discard(event.token))  # saved, but nobody will ever see it
        return state
    if isinstance(event, ProcessingFailed):
        if p is Phase.PROCESSING and event.job == state.job:
            state = _failed(state, now, settings, fx, SORRY_PHOTO)
        return state
    if isinstance(event, Published):
        if p is Phase.PICK and state.publishing and event.token in state.pending:
            state = replace(state, pending=state.pending - {event.token}, url=event.url)
            return state if state.pending else _to_share(state, now, settings, fx)
        if p is Phase.REVIEW and state.publishing and event.token == state.token:
            return _to_share(replace(state, url=event.url), now, settings, fx)
        return state
    if isinstance(event, PublishFailed):
        if p is Phase.PICK and state.publishing and event.token in state.pending:
            return _goodbye(state, now, settings, fx, SORRY_PHOTO)  # none of the visit's shots is kept
        if p is Phase.REVIEW and state.publishing and event.token == state.token:
            return _goodbye(state, now, settings, fx, SORRY_PHOTO)
        return state

    if isinstance(event, Input):
        return _input(state, event, now, settings, fx)
    return state  # Tick: only the timeouts below


def _input(state: State, event: Input, now: float, settings: Settings, fx: list[Effect]) -> State:
    if event.action in (Action.UP, Action.DOWN) and state.phase is not Phase.PICK:
        # One row of choices on every other screen: up and down steer it like left and right.
        event = replace(event, action=Action.PREV if event.action is Action.UP else Action.NEXT)
    p, a = state.phase, event.action
    if p is Phase.ATTRACT:
        if a is Action.MAIN and state.can_start:
            return _start_session(state, now, settings, fx)
        return _choose_language(state, event, now, settings)
    if p is Phase.HANDOVER:
        if a is Action.MAIN:  # ready now: coach the next look
            return _enter(state, Phase.COACH, now, settings, fx)
        if a is Action.BACK:  # that's enough: stop after this shot
            return _to_pick(state, now, settings, fx)
        return state
    if p is Phase.PICK:
        return _pick_input(state, event, now, settings, fx)
    if p is Phase.CHOOSE:
        n = len(LOOKS)
        if a is Action.BACK:
            return _enter(state, Phase.ATTRACT, now, settings, fx, same_guest=True)
        if a in (Action.PREV, Action.NEXT):
            delta = -1 if a is Action.PREV else 1
            return replace(state, selected=(state.selected + delta) % n, scanning=False,
                           deadline=now + settings.choose_timeout_s)
        if a is Action.PICK and event.index is not None and 0 <= event.index < n:
            state = replace(state, selected=event.index)
            a = Action.MAIN
        if a is Action.MAIN:
            return _enter(state, Phase.BREATHE, now, settings, fx, look=LOOKS[state.selected])
        return state
    if p in (Phase.BREATHE, Phase.COACH):
        if a is Action.BACK and state.retaking:  # the retake called off: back to the shots, old one kept
            return _to_pick(state, now, settings, fx)
        if a is Action.BACK:
            return _back_from_coaching(state, now, settings, fx)
        if a is Action.MAIN and p is Phase.COACH:
            if settings.countdown_s > 0:
                return _enter(state, Phase.COUNTDOWN, now, settings, fx, trigger="button")
            return _fire(state, now, settings, fx, "button")
        return state
    if p is Phase.COUNTDOWN:
        if a is Action.BACK:
            return _enter(state, Phase.COACH, now, settings, fx)
        return state
    if p is Phase.REVIEW:
        if state.publishing:
            return state
        n = len(RETOUCH_LEVELS)
        if a in (Action.PREV, Action.NEXT):
            i = (state.selected + (-1 if a is Action.PREV else 1)) % n
            return replace(state, selected=i, retouch=RETOUCH_LEVELS[i], deadline=now + settings.review_timeout_s)
        if a is Action.PICK and event.index is not None and 0 <= event.index < n:
            return replace(state, selected=event.index, retouch=RETOUCH_LEVELS[event.index],
                           deadline=now + settings.review_timeout_s)
        if a is Action.MAIN:
            return _keep(state, now, settings, fx)
        if a is Action.BACK and state.retakes_left(settings) > 0 and state.can_start:
            assert state.token is not None
            fx.append(Discard(state.token))
            return _enter(state, Phase.COACH, now, settings, fx, retakes=state.retakes + 1,
                          token=None, url=None, photo=None)
        return state
    if p is Phase.SHARE_WIFI:
        if a in (Action.MAIN, Action.BACK, Action.NEXT):
            return _after_wifi(state, now, settings, fx)
        return state
    if p is Phase.SHARE:
        if a is Action.MAIN and settings.wifi and settings.cloud:  # "No signal?": the booth's own Wi-Fi
            return _enter(state, Phase.SHARE_WIFI, now, settings, fx)
        if a in (Action.MAIN, Action.BACK):
            return _goodbye(state, now, settings, fx)
        return state
    return state  # CAPTURE, PROCESSING, GOODBYE: hands off


def _choose_language(state: State, event: Input, now: float, settings: Settings) -> State:
    """Attract: the guest's language. A tap on a name picks it; L or Tab, an arrow, or the big
    button's long press (its only other gesture) goes to the next one, round the list."""
    offered = settings.languages
    if len(offered) < 2:
        return state
    here = offered.index(state.language) if state.language in offered else 0
    a = event.action
    if a is Action.LANGUAGE and event.index is not None:
        if not 0 <= event.index < len(offered):
            return state
        there = event.index
    elif a in (Action.LANGUAGE, Action.BACK, Action.NEXT):
        there = (here + 1) % len(offered)
    elif a is Action.PREV:
        there = (here - 1) % len(offered)
    else:
        return state
    return replace(state, language=offered[there], language_at=now)


def _timeouts(state: State, now: float, settings: Settings, fx: list[Effect]) -> State:
    p = state.phase
    if p is Phase.ATTRACT and state.language != settings.languages[0] \
            and now - state.language_at >= LANGUAGE_IDLE_S:
        return replace(state, language=settings.languages[0], language_at=now)
    if p in LIVE_PHASES and now - state.last_face > settings.walkaway_s:
        return _goodbye(state, now, settings, fx)
    if p in (Phase.CHOOSE, Phase.PICK) and state.scanning and not state.publishing \
            and now - state.scan_at >= settings.choose_cycle_s:
        steps = int((now - state.scan_at) // settings.choose_cycle_s)
        n = len(LOOKS) if p is Phase.CHOOSE else max(1, len(state.shots))
        state = replace(state, selected=(state.selected + steps) % n,
                        scan_at=state.scan_at + steps * settings.choose_cycle_s)
    if p is Phase.CAPTURE and state.burst is not None and now - state.since >= settings.flash_s:
        assert state.look is not None
        fx.append(StartProcessing(state.job, state.burst, state.look))
        return _enter(state, Phase.PROCESSING, now, settings, fx, burst=None)
    if p is Phase.BREATHE:  # its own clock: time with the face seen, and the baseline's frames
        from booth.coach.baseline import MIN_FRAMES  # see the module docstring

        if state.breathed >= settings.breathe_s - 1e-9 and state.breath_frames >= MIN_FRAMES:
            return _enter(state, Phase.COACH, now, settings, fx)
        return state
    if state.deadline is None or now < state.deadline:
        return state
    # The phase has run out of time.
    if p is Phase.CHOOSE:
        return _enter(state, Phase.ATTRACT, now, settings, fx)
    if p is Phase.COACH and settings.flow == "all":
        if state.can_start:  # the look's time is up: taken as it is, as a photographer would
            return _fire(state, now, settings, fx, "timeout")
        return _to_pick(state, now, settings, fx, SORRY_PAUSED)
    if p is Phase.COACH:
        return _goodbye(state, now, settings, fx)
    if p is Phase.HANDOVER:
        return _enter(state, Phase.COACH, now, settings, fx)
    if p is Phase.PICK:
        # Not kept (the guest walked away or never chose), or saving did not answer: nothing is published.
        return _goodbye(state, now, settings, fx, SORRY_PHOTO if state.publishing else THANKS)
    if p is Phase.COUNTDOWN:
        if not state.can_start:
            return _to_pick(state, now, settings, fx, SORRY_PAUSED)  # no shots held: goodbye
        return _fire(state, now, settings, fx, state.trigger or "button")
    if p is Phase.CAPTURE:
        return _failed(state, now, settings, fx, SORRY_CAMERA)
    if p is Phase.PROCESSING:
        return _failed(state, now, settings, fx, SORRY_PHOTO)
    if p is Phase.REVIEW:
        assert state.token is not None
        # Not kept: a walk-away (or no answer from saving) publishes nothing. A
        # keep still under way is undone by this Discard, queued behind it.
        fx.append(Discard(state.token))
        return _goodbye(state, now, settings, fx, SORRY_PHOTO if state.publishing else THANKS)
    if p is Phase.SHARE_WIFI:
        return _after_wifi(state, now, settings, fx)
    if p is Phase.SHARE:
        return _goodbye(state, now, settings, fx)
    if p is Phase.GOODBYE:
        return _enter(state, Phase.ATTRACT, now, settings, fx)
    return state


class Session:
    """A holder for the current state, for callers that prefer an object."""

    def __init__(self, settings: Settings, now: float) -> None:
        self.settings = settings
        t = initial(now, settings)
        self.state = t.state
        self.pending: tuple[Effect, ...] = t.effects

    def handle(self, event: Event, now: float) -> tuple[Effect, ...]:
        t = step(self.state, event, now, self.settings)
        self.state = t.state
        effects, self.pending = self.pending + t.effects, ()
        return effects
