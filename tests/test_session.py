"""The session state machine: every transition, every timeout, every fault.

Pure: no pygame, no clock. Time is a number the test moves by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from booth import session as s
from booth.coach import words as W
from booth.coach.baseline import MIN_FRAMES
from booth.session import Action, Phase


FPS = 15.0  # analysed frames a second, as on a Pi 5


@dataclass(frozen=True)
class G:
    """The fields of the coach's Guidance the session reads."""

    face: bool = True
    fire: bool = False
    readiness: float = 0.5
    prompts: tuple[str, ...] = ("Chin down a touch",)


class Drive:
    """Feeds events at a moving time and keeps every effect seen."""

    def __init__(self, **settings: object) -> None:
        # The one-look visit unless told (the default is the session of looks: test_session_flow).
        self.settings = s.Settings(**{"flow": "one", **settings})  # type: ignore[arg-type]
        self.now = 100.0
        t = s.initial(self.now, self.settings)
        self.state = t.state
        self.effects: list[object] = list(t.effects)
        self.last: tuple[object, ...] = t.effects

    def send(self, event: s.Event, dt: float = 0.0) -> Drive:
        self.now += dt
        t = s.step(self.state, event, self.now, self.settings)
        self.state, self.last = t.state, t.effects
        self.effects += t.effects
        return self

    def tick(self, dt: float) -> Drive:
        return self.send(s.Tick(), dt)

    def press(self, action: Action = Action.MAIN, index: int | None = None, dt: float = 0.0) -> Drive:
        return self.send(s.Input(action, index), dt)

    def face(self, dt: float = 0.0, guidance: G | None = None) -> Drive:
        return self.send(s.Analysed(True, guidance), dt)

    @property
    def phase(self) -> Phase:
        return self.state.phase

    def of(self, kind: type) -> list:
        return [e for e in self.last if isinstance(e, kind)]

    # ---- getting to each phase the ordinary way
    def to_choose(self) -> Drive:
        self.press()
        assert self.phase is Phase.CHOOSE
        return self

    def to_breathe(self) -> Drive:
        """The guest in view (a face in the frame just analysed) starts breathing."""
        if self.settings.look == "choose":
            self.to_choose().face().press(Action.PICK, 0)
        else:
            self.face().press()
        assert self.phase is Phase.BREATHE
        return self

    def breathe(self, seconds: float, fps: float = FPS) -> Drive:
        """A face in every analysed frame for ``seconds`` (stops early if the phase moves on)."""
        end = self.now + seconds
        while self.now < end - 1e-9 and self.phase is Phase.BREATHE:
            self.face(min(1 / fps, end - self.now))
        return self

    def to_coach(self) -> Drive:
        self.to_breathe().breathe(self.settings.breathe_s + 1.0)
        assert self.phase is Phase.COACH
        return self

    def to_capture(self) -> Drive:
        self.to_coach().face(0.5, G(fire=True))
        assert self.phase is Phase.CAPTURE
        return self

    def to_processing(self) -> Drive:
        self.to_capture().send(s.CaptureDone(self.state.job, ["frame"]), 1.0)
        assert self.phase is Phase.PROCESSING
        return self

    def to_review(self, token: str = "tok1") -> Drive:
        self.to_processing().send(s.ProcessingDone(self.state.job, token, f"http://b/p/{token}", "prev"), 1.0)
        assert self.phase is Phase.REVIEW
        return self

    def to_share(self) -> Drive:
        self.to_review().press()
        self.send(s.Published(self.state.token, self.state.url), 0.2)  # type: ignore[arg-type]
        assert self.phase in (Phase.SHARE, Phase.SHARE_WIFI)
        return self


# ---------------------------------------------------------------- attract


def test_power_on_is_attract_with_pulsing_led_and_a_subject_cued():
    d = Drive()
    assert d.phase is Phase.ATTRACT and d.state.deadline is None
    assert s.SetLed("pulse") in d.effects
    assert s.Analyse("presence") in d.effects and s.Cue("attract") in d.effects


def test_attract_never_times_out():
    d = Drive().tick(10_000)
    assert d.phase is Phase.ATTRACT and d.last == ()


def test_button_in_attract_opens_choose_look_and_counts_a_session():
    d = Drive().press()
    assert d.phase is Phase.CHOOSE
    assert s.SessionStarted(1) in d.last and s.Analyse("presence") in d.last
    assert d.state.number == 1 and d.state.last_face == d.now


def test_fixed_look_skips_choose():
    d = Drive(look="serious").face(1.0).press(dt=0.1)  # the attract screen saw the guest just now
    assert d.phase is Phase.BREATHE and d.state.look == "serious"
    assert s.Analyse("baseline") in d.last and s.Cue("breathe") in d.last


@pytest.mark.parametrize("action", [Action.BACK, Action.PREV, Action.NEXT])
def test_other_inputs_do_nothing_in_attract(action):
    d = Drive().press(action)
    assert d.phase is Phase.ATTRACT and d.last == ()


def test_camera_down_in_attract_refuses_to_start_and_stops_the_led():
    d = Drive().send(s.CameraLost())
    assert d.state.camera_message == s.CAMERA_RETRYING and not d.state.can_start
    assert d.last == (s.SetLed("off"),)
    d.press()
    assert d.phase is Phase.ATTRACT
    d.send(s.CameraBack())
    assert d.state.camera_ok and s.SetLed("pulse") in d.last and s.Cue("attract") in d.last
    d.press()
    assert d.phase is Phase.CHOOSE


def test_disk_low_in_attract_refuses_captures_until_space_returns():
    d = Drive().send(s.DiskLow())
    assert not d.state.disk_ok and d.last == (s.SetLed("off"),)
    d.press()
    assert d.phase is Phase.ATTRACT
    d.send(s.DiskOk()).press()
    assert d.phase is Phase.CHOOSE


def test_notice_is_kept_for_the_screen():
    d = Drive().send(s.Notice("GPIO button missing"))
    assert d.state.notice == "GPIO button missing" and d.phase is Phase.ATTRACT


# ---------------------------------------------------------------- choose


def test_choose_highlight_scans_by_itself_and_the_button_picks_it():
    d = Drive(choose_cycle_s=2.0).to_choose()
    assert d.state.selected == 0
    d.face(1.9)
    assert d.state.selected == 0
    d.face(0.2)
    assert d.state.selected == 1
    d.face(4.0)  # two more cycles at once
    assert d.state.selected == 0
    d.face(2.0).press()
    assert d.phase is Phase.BREATHE and d.state.look == s.LOOKS[1]


def test_choose_arrows_steer_and_stop_the_scan():
    d = Drive(choose_cycle_s=2.0).to_choose().press(Action.NEXT).press(Action.NEXT)
    assert d.state.selected == 2 and not d.state.scanning
    d.face(5.0)
    assert d.state.selected == 2
    d.press(Action.NEXT)
    assert d.state.selected == 0
    d.press(Action.PREV)
    assert d.state.selected == 2
    d.press(Action.DOWN)  # up and down steer the one row of looks like left and right
    assert d.state.selected == 0
    d.press(Action.UP)
    assert d.state.selected == 2
    d.press()
    assert d.state.look == "contemplative"


def test_choose_without_scanning_when_cycle_is_zero():
    d = Drive(choose_cycle_s=0.0).to_choose()
    assert not d.state.scanning
    d.face(5).face(5)
    assert d.state.selected == 0


def test_choose_tap_picks_that_look():
    d = Drive().to_choose().press(Action.PICK, 2)
    assert d.phase is Phase.BREATHE and d.state.look == "contemplative"


def test_choose_tap_outside_the_options_is_ignored():
    d = Drive().to_choose().press(Action.PICK, 7)
    assert d.phase is Phase.CHOOSE


def test_choose_back_returns_to_attract_and_ends_the_session():
    d = Drive().to_choose().press(Action.BACK)
    assert d.phase is Phase.ATTRACT and s.SessionEnded(1, False) in d.last


def test_choose_times_out_to_attract():
    d = Drive(choose_timeout_s=20.0, walkaway_s=100.0).to_choose()
    d.tick(19.9)
    assert d.phase is Phase.CHOOSE
    d.tick(0.1)
    assert d.phase is Phase.ATTRACT


def test_choose_arrow_resets_the_timeout():
    d = Drive(choose_timeout_s=20.0, walkaway_s=100.0).to_choose().tick(15).press(Action.NEXT).tick(15)
    assert d.phase is Phase.CHOOSE


# ---------------------------------------------------------------- walk-away


@pytest.mark.parametrize("target", ["to_choose", "to_breathe", "to_coach"])
def test_walking_away_ends_the_session_politely(target):
    d = Drive(walkaway_s=6.0, breathe_s=4.0)
    getattr(d, target)()
    d.send(s.Analysed(False), 5.9)
    assert d.phase is not Phase.GOODBYE
    d.send(s.Analysed(False), 0.2)
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    assert s.Analyse("idle") in d.last


def test_walking_away_during_the_countdown():
    d = Drive(walkaway_s=6.0, countdown_s=10).to_coach().press()
    assert d.phase is Phase.COUNTDOWN
    d.send(s.Analysed(False), 6.1)
    assert d.phase is Phase.GOODBYE


def test_a_face_keeps_the_session_alive():
    d = Drive(walkaway_s=6.0, coach_timeout_s=45.0).to_coach()
    for _ in range(8):
        d.face(5.0)
    assert d.phase is Phase.COACH


def test_no_walkaway_after_the_shot():
    d = Drive(walkaway_s=2.0).to_review()
    d.send(s.Analysed(False), 5.0)
    assert d.phase is Phase.REVIEW


# ---------------------------------------------------------------- breathe


def test_breathe_runs_its_length_then_coaches_the_chosen_look():
    d = Drive(breathe_s=4.0).to_breathe()
    assert d.state.deadline == pytest.approx(d.now + 4.0)
    start = d.now
    d.breathe(3.9)
    assert d.phase is Phase.BREATHE
    assert d.state.deadline == pytest.approx(start + 4.0)  # the face in view: the deadline stands
    d.breathe(0.2)
    assert d.phase is Phase.COACH and d.now == pytest.approx(start + 4.0, abs=1 / FPS)  # the first frame on time
    assert s.Analyse("coach", "smile") in d.last and s.Cue("coach", "smile") in d.last


def test_breathe_asks_a_guest_it_cannot_see_to_step_in_and_waits():
    d = Drive(breathe_s=4.0, walkaway_s=6.0).to_choose().press(Action.PICK, 0)  # nobody seen yet
    assert d.phase is Phase.BREATHE
    assert d.state.breathe_prompts == (W.STEP_INTO_FRAME,)
    assert s.Cue("breathe", prompts=(W.STEP_INTO_FRAME,)) in d.last  # the camera is told too
    for _ in range(50):  # 5 s of frames without a face: the clock stands still, the deadline moves on
        d.send(s.Analysed(False), 0.1)
    assert d.phase is Phase.BREATHE and d.state.breathed == 0.0
    assert d.state.deadline == pytest.approx(d.now + 4.0)
    assert d.state.breathe_prompts == (W.STEP_INTO_FRAME,)
    d.face(0.1)  # stepped in: the usual breathing screen, and the camera is told it asks nothing now
    assert d.state.breathe_prompts == () and d.of(s.Cue) == [s.Cue("breathe", prompts=())]
    seen_from = d.now
    d.breathe(3.9)
    assert d.phase is Phase.BREATHE  # four seconds from the face, not from the screen
    d.breathe(0.2)
    assert d.phase is Phase.COACH and d.now == pytest.approx(seen_from + 4.0, abs=1 / FPS)


def test_breathe_pauses_while_the_face_is_lost_and_resumes_where_it_was():
    d = Drive(breathe_s=4.0, walkaway_s=6.0).to_breathe().breathe(2.0)
    assert d.state.breathed == pytest.approx(2.0, abs=0.01) and d.state.breathe_prompts == ()
    lost = d.now
    d.send(s.Analysed(False), 0.1)
    assert d.state.breathe_prompts == ()  # a missed frame or two is not a missing face
    for _ in range(30):
        d.send(s.Analysed(False), 0.1)
    assert d.state.breathe_prompts == (W.STEP_INTO_FRAME,)
    assert s.Cue("breathe", prompts=(W.STEP_INTO_FRAME,)) in d.effects
    # Counted: only the half second after the last face.
    assert d.state.breathed == pytest.approx(2.0 + s.FACE_SEEN_S, abs=0.01)
    assert d.phase is Phase.BREATHE and d.now - lost == pytest.approx(3.1)
    back = d.now
    d.face(0.1)
    assert d.state.breathe_prompts == ()
    d.breathe(4.0)
    assert d.phase is Phase.COACH
    assert d.now - back == pytest.approx(4.0 - 2.0 - s.FACE_SEEN_S + 0.1, abs=0.1)  # the rest, no more


def test_the_breathing_screen_shows_its_progress_standing_still_without_a_face():
    d = Drive(breathe_s=4.0).to_breathe().breathe(1.0)
    assert d.state.breath(d.now) == pytest.approx(0.25, abs=0.02)
    assert d.state.breath(d.now + 0.5) == pytest.approx(0.375, abs=0.02)  # runs between frames
    for _ in range(20):
        d.send(s.Analysed(False), 0.1)
    held = d.state.breath(d.now)
    assert held == pytest.approx((1.0 + s.FACE_SEEN_S) / 4.0, abs=0.02)
    assert d.state.breath(d.now + 1.0) == held


def test_breathe_waits_for_the_frames_a_baseline_needs():
    # A slow analysis: the face is seen, but only two frames a second.
    d = Drive(breathe_s=1.0).to_breathe()
    assert MIN_FRAMES >= 4
    for _ in range(MIN_FRAMES - 1):
        d.face(0.45)
    assert d.state.breathed >= 1.0 and d.state.breath_frames == MIN_FRAMES - 1
    assert d.phase is Phase.BREATHE  # long enough, but too few frames for a baseline
    d.face(0.45)
    assert d.phase is Phase.COACH


def test_walking_away_during_breathe_still_ends_the_session():
    d = Drive(breathe_s=4.0, walkaway_s=6.0).to_breathe().breathe(1.0)
    last = d.now
    while d.phase is Phase.BREATHE and d.now - last < 10.0:
        d.send(s.Analysed(False), 0.1)
    assert d.phase is Phase.GOODBYE and d.now - last == pytest.approx(6.1, abs=0.11)
    assert s.Analyse("idle") in d.last and d.state.message == s.THANKS


def test_breathe_back_returns_to_choose_or_attract():
    d = Drive().to_breathe().press(Action.BACK)
    assert d.phase is Phase.CHOOSE
    d = Drive(look="smile").to_breathe().press(Action.BACK)
    assert d.phase is Phase.ATTRACT


def test_button_during_breathe_does_nothing():
    d = Drive().to_breathe().press()
    assert d.phase is Phase.BREATHE


# ---------------------------------------------------------------- coach


def test_coach_keeps_the_latest_guidance_for_the_screen():
    g = G(readiness=0.7, prompts=("Look into the lens",))
    d = Drive().to_coach().face(0.1, g)
    assert d.state.guidance == g and d.phase is Phase.COACH


def test_expression_trigger_fires_at_once_without_countdown():
    d = Drive().to_coach().face(0.5, G(fire=True))
    assert d.phase is Phase.CAPTURE and d.state.trigger == "auto"
    assert d.of(s.StartCapture) == [s.StartCapture(1)]
    assert s.PlaySound("shutter") in d.last and s.Analyse("idle") in d.last
    assert s.SetLed("off") in d.last


def test_no_auto_trigger_when_disabled():
    d = Drive(auto_trigger=False).to_coach().face(0.5, G(fire=True))
    assert d.phase is Phase.COACH


def test_fire_without_a_face_in_the_event_still_needs_the_face_flag():
    """The coach says fire, but this frame has no face: no shot (a stale verdict must not fire at nobody)."""
    d = Drive().to_coach().send(s.Analysed(False, G(fire=True)), 0.1)
    assert d.phase is Phase.COACH and not d.state.face and not d.of(s.StartCapture)
    d.send(s.Analysed(True, G(fire=True)), 0.1)  # the same verdict with a face in the frame fires
    assert d.phase is Phase.CAPTURE and d.of(s.StartCapture)


def test_button_in_coach_starts_the_countdown():
    d = Drive(countdown_s=3).to_coach().press()
    assert d.phase is Phase.COUNTDOWN and d.state.trigger == "button"
    assert d.state.remaining(d.now) == pytest.approx(3.0)


def test_button_with_zero_countdown_fires_at_once():
    d = Drive(countdown_s=0).to_coach().press()
    assert d.phase is Phase.CAPTURE and d.state.trigger == "button"


def test_coach_times_out_politely():
    d = Drive(coach_timeout_s=45.0, walkaway_s=100.0).to_coach()
    d.tick(44.9)
    assert d.phase is Phase.COACH
    d.tick(0.2)
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS


def test_coach_back_returns_to_choose():
    d = Drive().to_coach().press(Action.BACK)
    assert d.phase is Phase.CHOOSE


def test_coach_led_is_solid():
    d = Drive().to_coach()
    assert d.state.led == "on"


# ---------------------------------------------------------------- countdown


def test_countdown_ends_in_the_capture():
    d = Drive(countdown_s=3).to_coach().press()
    d.face(2.9)
    assert d.phase is Phase.COUNTDOWN
    d.face(0.1)
    assert d.phase is Phase.CAPTURE and d.state.trigger == "button"
    assert d.of(s.StartCapture)


def test_countdown_ignores_the_expression_trigger_and_the_button():
    d = Drive(countdown_s=3).to_coach().press().face(0.5, G(fire=True)).press()
    assert d.phase is Phase.COUNTDOWN
    assert d.state.guidance == G(fire=True)  # prompts still update


def test_countdown_back_cancels_to_coach():
    d = Drive(countdown_s=3).to_coach().press().press(Action.BACK)
    assert d.phase is Phase.COACH


# ---------------------------------------------------------------- capture


def test_flash_shows_its_minimum_time_before_processing():
    d = Drive(flash_s=0.35).to_capture()
    job = d.state.job
    d.send(s.CaptureDone(job, ["a", "b", "c"]), 0.1)
    assert d.phase is Phase.CAPTURE
    d.tick(0.3)
    assert d.phase is Phase.PROCESSING
    assert s.StartProcessing(job, ["a", "b", "c"], "smile") in d.last
    assert d.state.burst is None


def test_slow_capture_goes_straight_to_processing():
    d = Drive().to_capture()
    d.send(s.CaptureDone(d.state.job, ["x"]), 2.0)
    assert d.phase is Phase.PROCESSING


def test_capture_failure_apologises():
    d = Drive().to_capture()
    d.send(s.CaptureFailed(d.state.job, "timeout"), 0.5)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_CAMERA


def test_capture_times_out():
    d = Drive(capture_timeout_s=15.0).to_capture().tick(15.0)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_CAMERA


def test_a_late_capture_answer_is_ignored():
    d = Drive().to_capture()
    stale = d.state.job - 1
    d.send(s.CaptureDone(stale, ["x"]), 1.0).send(s.CaptureFailed(stale, "x"))
    assert d.phase is Phase.CAPTURE and d.state.burst is None


def test_inputs_are_ignored_during_capture_and_processing():
    d = Drive().to_capture().press().press(Action.BACK)
    assert d.phase is Phase.CAPTURE
    d.send(s.CaptureDone(d.state.job, ["x"]), 1).press().press(Action.BACK)
    assert d.phase is Phase.PROCESSING


def test_each_capture_gets_a_new_job_number():
    d = Drive().to_review()
    first = d.state.job
    d.press(Action.BACK).face(0.5, G(fire=True))
    assert d.state.job == first + 1


# ---------------------------------------------------------------- processing


def test_processing_done_opens_the_review_at_the_default_level():
    d = Drive(retouch="polished").to_review("abc")
    assert d.state.token == "abc" and d.state.url == "http://b/p/abc" and d.state.photo == "prev"
    assert d.state.retouch == "polished" and d.state.selected == 2
    assert d.state.led == "pulse"


def test_processing_failure_apologises():
    d = Drive().to_processing()
    d.send(s.ProcessingFailed(d.state.job, "no face"), 1)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO


def test_processing_times_out():
    d = Drive(processing_timeout_s=60.0).to_processing().tick(60)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO


def test_a_stale_processed_photo_is_discarded():
    d = Drive(processing_timeout_s=60.0).to_processing()
    job = d.state.job
    d.tick(60).send(s.ProcessingDone(job, "late", "http://b/p/late"))
    assert d.phase is Phase.GOODBYE and s.Discard("late") in d.last
    d = Drive().to_processing()
    d.send(s.ProcessingFailed(d.state.job - 1, "old"))
    assert d.phase is Phase.PROCESSING


# ---------------------------------------------------------------- review


def test_review_retouch_level_by_arrows_and_taps():
    d = Drive(retouch="natural").to_review()
    d.press(Action.NEXT)
    assert d.state.retouch == "polished"
    d.press(Action.NEXT)
    assert d.state.retouch == "none"
    d.press(Action.PREV)
    assert d.state.retouch == "polished"
    d.press(Action.DOWN).press(Action.UP)  # the same as right and left here
    assert d.state.retouch == "polished"
    d.press(Action.DOWN)
    assert d.state.retouch == "none"
    d.press(Action.UP)
    assert d.state.retouch == "polished"
    d.press(Action.PICK, 0)
    assert d.state.retouch == "none" and d.phase is Phase.REVIEW
    d.press(Action.PICK, 9)
    assert d.state.retouch == "none"


def test_keep_publishes_the_chosen_level_then_shares():
    d = Drive().to_review("t9").press(Action.PICK, 2).press()
    assert d.last[0] == s.Publish("t9", "polished")
    assert d.state.publishing and d.phase is Phase.REVIEW and d.state.led == "off"
    d.press(Action.BACK).press(Action.NEXT)  # hands off while saving
    assert d.state.retouch == "polished" and d.phase is Phase.REVIEW
    d.send(s.Published("other", "u"))
    assert d.phase is Phase.REVIEW
    d.send(s.Published("t9", "http://b/p/t9"), 0.3)
    assert d.phase is Phase.SHARE and d.state.kept and d.state.url == "http://b/p/t9"


def test_review_timeout_is_a_walk_away_and_keeps_nothing():
    d = Drive(review_timeout_s=30.0, goodbye_s=3.0).to_review("k").tick(29.9)
    assert d.phase is Phase.REVIEW and not d.state.publishing
    d.tick(0.1)
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    assert s.Discard("k") in d.last and not any(isinstance(e, s.Publish) for e in d.effects)
    d.tick(3.0)
    assert d.phase is Phase.ATTRACT and s.SessionEnded(1, False) in d.last


def test_publish_that_never_answers_apologises_and_undoes_the_keep():
    d = Drive(publish_timeout_s=20.0).to_review("k").press().tick(19.9)
    assert d.phase is Phase.REVIEW and d.state.publishing
    d.tick(0.1)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO
    assert s.Discard("k") in d.last  # queued behind the Publish: a late save is deleted again
    d.send(s.Published("k", "http://b/p/k"))  # too late: no link shown for it
    assert d.phase is Phase.GOODBYE and not d.state.kept


def test_publish_failure_apologises():
    d = Drive().to_review("k").press()
    d.send(s.PublishFailed("other", "no"))
    assert d.phase is Phase.REVIEW and d.state.publishing
    d.send(s.PublishFailed("k", "disk full"))
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO and not d.state.kept


def test_retake_discards_the_photo_and_coaches_again():
    d = Drive(max_retakes=2).to_review("first").press(Action.BACK)
    assert d.phase is Phase.COACH and d.state.retakes == 1 and d.state.token is None
    assert s.Discard("first") in d.last and s.Cue("coach", "smile") in d.last
    assert s.Analyse("coach", "smile") in d.last


def test_retakes_are_limited():
    d = Drive(max_retakes=1).to_review("a").press(Action.BACK)
    d.face(0.5, G(fire=True)).send(s.CaptureDone(d.state.job, ["x"]), 1)
    d.send(s.ProcessingDone(d.state.job, "b", "http://b/p/b"), 1)
    assert d.phase is Phase.REVIEW and d.state.retakes_left(d.settings) == 0
    d.press(Action.BACK)
    assert d.phase is Phase.REVIEW and not d.of(s.Discard)


def test_no_retake_while_the_camera_is_down():
    d = Drive().to_review().send(s.CameraLost()).press(Action.BACK)
    assert d.phase is Phase.REVIEW


# ---------------------------------------------------------------- share


def test_share_goes_straight_to_the_photo_qr_without_wifi():
    d = Drive(wifi=False).to_share()
    assert d.phase is Phase.SHARE and d.state.led == "off"


def test_wifi_qr_comes_first_then_the_photo_qr():
    d = Drive(wifi=True, wifi_qr_s=20.0).to_share()
    assert d.phase is Phase.SHARE_WIFI and d.state.led == "pulse"
    d.press()
    assert d.phase is Phase.SHARE
    d = Drive(wifi=True, wifi_qr_s=20.0).to_share().tick(20.0)
    assert d.phase is Phase.SHARE


def test_with_cloud_the_photo_qr_comes_first_and_the_wifi_is_the_no_signal_way():
    # The cloud page works on mobile data: joining the booth's offline Wi-Fi first would cut the phone off it.
    d = Drive(wifi=True, cloud=True, wifi_qr_s=20.0, share_timeout_s=45.0).to_share()
    assert d.phase is Phase.SHARE and d.state.url
    d.press()  # "No signal?"
    assert d.phase is Phase.SHARE_WIFI and d.state.url, "the booth's own download QR needs the photo"
    d.press()
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    d = Drive(wifi=True, cloud=True, wifi_qr_s=20.0).to_share().press().tick(20.0)
    assert d.phase is Phase.GOODBYE, "the Wi-Fi screen runs out: the session ends, the photo QR was shown"
    d = Drive(wifi=True, cloud=True, share_timeout_s=45.0).to_share().tick(45.0)
    assert d.phase is Phase.GOODBYE
    d = Drive(wifi=True, cloud=True).to_share().press(Action.BACK)
    assert d.phase is Phase.GOODBYE
    d = Drive(wifi=False, cloud=True).to_share().press()
    assert d.phase is Phase.GOODBYE, "no Wi-Fi of the booth's own: the button is Done"


def test_share_button_says_goodbye_and_the_session_ends_kept():
    d = Drive(goodbye_s=3.0).to_share().press()
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    d.press().tick(2.9)
    assert d.phase is Phase.GOODBYE
    d.tick(0.1)
    assert d.phase is Phase.ATTRACT and s.SessionEnded(1, True) in d.last
    assert d.state.token is None and d.state.look is None and d.state.retakes == 0
    assert s.Analyse("presence") in d.last and s.Cue("attract") in d.last


def test_share_times_out_to_goodbye():
    d = Drive(share_timeout_s=45.0).to_share().tick(44.9)
    assert d.phase is Phase.SHARE
    d.tick(0.1)
    assert d.phase is Phase.GOODBYE


def test_second_session_counts_on():
    d = Drive().to_share().press().tick(10)
    d.press()
    assert d.state.number == 2 and s.SessionStarted(2) in d.last


# ---------------------------------------------------------------- faults mid-session


@pytest.mark.parametrize("target", ["to_choose", "to_breathe", "to_coach"])
def test_camera_lost_mid_session_returns_to_attract(target):
    d = Drive()
    getattr(d, target)()
    d.send(s.CameraLost("Camera unavailable — retrying"))
    assert d.phase is Phase.ATTRACT and d.state.camera_message
    assert s.SessionEnded(1, False) in d.last and d.state.led == "off"


def test_camera_lost_after_the_shot_lets_the_session_finish():
    d = Drive().to_processing().send(s.CameraLost())
    assert d.phase is Phase.PROCESSING
    d.send(s.ProcessingDone(d.state.job, "t", "http://b/p/t"), 1).press()
    d.send(s.Published("t", "http://b/p/t"))
    assert d.phase is Phase.SHARE
    d.press().tick(5)
    assert d.phase is Phase.ATTRACT and d.state.led == "off"


@pytest.mark.parametrize("target", ["to_choose", "to_breathe", "to_coach"])
def test_disk_low_mid_session_stops_before_the_shot(target):
    d = Drive()
    getattr(d, target)()
    d.send(s.DiskLow())
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PAUSED


def test_disk_low_during_the_countdown_then_no_shot():
    d = Drive(countdown_s=3).to_coach().press()
    d.send(s.DiskLow())
    assert d.phase is Phase.GOODBYE


def test_disk_low_while_processing_lets_it_finish():
    d = Drive().to_processing().send(s.DiskLow())
    assert d.phase is Phase.PROCESSING


def test_countdown_deadline_with_disk_low_does_not_fire():
    # The disk event ends the countdown itself; this checks the guard in the timeout too.
    d = Drive(countdown_s=3).to_coach().press()
    st = replace(d.state, disk_ok=False)
    t = s.step(st, s.Tick(), d.now + 3.0, d.settings)
    assert t.state.phase is Phase.GOODBYE and not any(isinstance(e, s.StartCapture) for e in t.effects)


# ---------------------------------------------------------------- whole-machine properties


PHASE_ROUTES = {
    Phase.CHOOSE: "to_choose",
    Phase.BREATHE: "to_breathe",
    Phase.COACH: "to_coach",
    Phase.CAPTURE: "to_capture",
    Phase.PROCESSING: "to_processing",
    Phase.REVIEW: "to_review",
    Phase.SHARE: "to_share",
}


@pytest.mark.parametrize("phase", list(PHASE_ROUTES), ids=lambda p: p.value)
def test_every_phase_returns_to_attract_on_time_alone(phase):
    """Nobody touches anything, no worker answers, the face stays: it still ends."""
    d = Drive(wifi=True)
    getattr(d, PHASE_ROUTES[phase])()
    seen = [d.phase]
    for _ in range(40):
        if d.phase is Phase.ATTRACT:
            break
        d.face(5.0)
        seen.append(d.phase)
    assert d.phase is Phase.ATTRACT, seen


def test_led_follows_each_phase_and_is_only_set_on_change():
    d = Drive(countdown_s=3)
    expect = {
        Phase.ATTRACT: "pulse", Phase.CHOOSE: "pulse", Phase.BREATHE: "on", Phase.COACH: "on",
        Phase.COUNTDOWN: "on", Phase.CAPTURE: "off", Phase.PROCESSING: "off", Phase.REVIEW: "pulse",
        Phase.SHARE_WIFI: "pulse", Phase.SHARE: "off", Phase.GOODBYE: "off",
    }
    for phase, mode in expect.items():
        assert s.led_mode(s.State(phase=phase)) == mode
    d.to_coach()
    leds = [e for e in d.effects if isinstance(e, s.SetLed)]
    assert leds == [s.SetLed("pulse"), s.SetLed("on")]


def test_settings_come_from_the_config():
    from booth.config import Config

    c = Config()
    c.session.look = "serious"
    c.session.max_retakes = 5
    c.wifi.ssid = "booth"
    c.coach.auto_trigger = False
    c.photo.retouch = "none"
    st = s.Settings.from_config(c)
    assert (st.look, st.max_retakes, st.wifi, st.auto_trigger, st.retouch) == ("serious", 5, True, False, "none")


def test_session_object_hands_out_the_power_on_effects_first():
    sess = s.Session(s.Settings(flow="one"), 0.0)
    first = sess.handle(s.Input(Action.MAIN), 1.0)
    assert first[0] == s.SetLed("pulse") and s.SessionStarted(1) in first
    assert sess.state.phase is Phase.CHOOSE
    assert s.SessionStarted(1) not in sess.handle(s.Tick(), 1.1)


def test_retake_starts_a_fresh_walkaway_clock():
    # No frames are analysed after the shot, so the last face is long ago by the retake.
    d = Drive(walkaway_s=6.0, review_timeout_s=30.0).to_review().tick(20.0).press(Action.BACK)
    assert d.phase is Phase.COACH
    d.tick(5.9)
    assert d.phase is Phase.COACH
    d.tick(0.2)
    assert d.phase is Phase.GOODBYE  # and with nobody there, it still ends


def test_the_walkaway_clock_runs_on_from_breathe_into_coach():
    d = Drive(walkaway_s=6.0, breathe_s=4.0).to_breathe().breathe(3.7)
    last = d.now  # the last face: the breath ends on the half second it still counts
    d.send(s.Analysed(False), 0.4)
    assert d.phase is Phase.COACH
    d.send(s.Analysed(False), 5.5)
    assert d.phase is Phase.COACH
    d.send(s.Analysed(False), 0.2)  # six seconds from the last face, not from the coach screen
    assert d.phase is Phase.GOODBYE and d.now - last == pytest.approx(6.1)
