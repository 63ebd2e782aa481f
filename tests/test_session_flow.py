"""The session of looks ([session] flow = "all"): every new transition, skip, retake,
walk-away, faults mid-flow, late worker answers, and the pick.

Pure, like tests/test_session.py: time is a number the test moves by hand.
"""

from __future__ import annotations

import pytest

from booth import session as s
from booth.session import FLOW_ORDER, Action, Phase
from test_session import Drive, G


class FlowDrive(Drive):
    def to_breathe(self) -> Drive:
        """No look to choose: a guest in view presses and breathes."""
        self.face().press()
        assert self.phase is Phase.BREATHE
        return self


def flow(**settings: object) -> Drive:
    return FlowDrive(flow="all", **settings)


def shoot(d: Drive, token: str, *, fire: bool = True) -> Drive:
    """From COACH (or already CAPTURE, fire=False): the look fires by itself, the burst and
    the photo come back."""
    if fire:
        assert d.phase is Phase.COACH
        d.face(0.5, G(fire=True))
    assert d.phase is Phase.CAPTURE
    d.send(s.CaptureDone(d.state.job, ["frame"]), 0.5)
    assert d.phase is Phase.PROCESSING
    d.send(s.ProcessingDone(d.state.job, token, f"http://b/p/{token}", f"prev-{token}"), 1.0)
    return d


def to_pick(d: Drive) -> Drive:
    """All three looks shot, with a press through each hand-over."""
    d.to_coach()
    for i, look in enumerate(FLOW_ORDER):
        assert d.state.look == look
        shoot(d, f"t{i}")
        if i < len(FLOW_ORDER) - 1:
            assert d.phase is Phase.HANDOVER
            d.face().press()
    assert d.phase is Phase.PICK
    return d


def discarded(d: Drive) -> set[str]:
    return {e.token for e in d.effects if isinstance(e, s.Discard)}


def published(d: Drive) -> list[str]:
    return [e.token for e in d.effects if isinstance(e, s.Publish)]


# ---------------------------------------------------------------- the way through


def test_start_skips_choose_and_breathes_for_the_first_look_in_order():
    d = flow()
    d.face().press()
    assert d.phase is Phase.BREATHE
    assert d.state.look == FLOW_ORDER[0] and d.state.todo == FLOW_ORDER[1:]
    assert FLOW_ORDER[-1] == "smile"  # the smile last: a laugh is hard to come back from
    assert sorted(FLOW_ORDER) == sorted(s.LOOKS)


def test_each_look_is_coached_with_its_own_analysis_after_one_breathe():
    d = flow().to_coach()
    assert s.Analyse("coach", "serious") in d.last and s.Cue("coach", "serious") in d.last
    shoot(d, "t0")
    assert d.phase is Phase.HANDOVER and d.state.look == "contemplative"
    assert s.Cue("handover", "contemplative") in d.last
    d.tick(d.settings.handover_s)  # the hand-over runs out by itself
    assert d.phase is Phase.COACH
    assert s.Analyse("coach", "contemplative") in d.last
    assert not any(isinstance(e, s.Analyse) and e.mode == "baseline" for e in d.last)
    breathes = [e for e in d.effects if isinstance(e, s.Analyse) and e.mode == "baseline"]
    assert len(breathes) == 1  # one baseline for every look
    shoot(d, "t1").face().press()
    assert d.phase is Phase.COACH and d.state.look == "smile"
    shoot(d, "t2")
    assert d.phase is Phase.PICK
    assert [shot.look for shot in d.state.shots] == list(FLOW_ORDER)
    assert [shot.token for shot in d.state.shots] == ["t0", "t1", "t2"]
    assert d.state.keeps == (True, True, True)
    assert s.Analyse("idle") in d.last
    assert not published(d) and not discarded(d)  # nothing is public before the pick


def test_led_is_on_through_the_handover_and_pulses_on_the_pick():
    d = flow().to_coach()
    shoot(d, "t0")
    assert d.state.led == "on"
    d.press()
    shoot(d, "t1").press()
    shoot(d, "t2")
    assert d.phase is Phase.PICK and d.state.led == "pulse"


def test_keep_all_is_one_press_and_the_visit_url_is_shared():
    d = to_pick(flow())
    d.press()
    assert sorted(published(d)) == ["t0", "t1", "t2"] and not discarded(d)
    assert d.state.publishing and d.state.led == "off"
    d.press(Action.BACK)  # hands off while saving
    assert d.phase is Phase.PICK and d.state.publishing
    d.send(s.Published("t0", "http://b/v/visit"), 0.1)
    d.send(s.Published("t2", "http://b/v/visit"), 0.1)
    assert d.phase is Phase.PICK  # one still saving
    d.send(s.Published("t1", "http://b/v/visit"), 0.1)
    assert d.phase is Phase.SHARE and d.state.url == "http://b/v/visit" and d.state.kept
    assert d.state.shots == ()
    d.press().tick(d.settings.goodbye_s)
    assert d.phase is Phase.ATTRACT
    assert s.SessionEnded(1, True) in d.effects
    assert not discarded(d)  # the kept photos were never undone


def test_unkept_shots_are_discarded_and_only_the_kept_published():
    d = to_pick(flow())
    d.press(Action.TOGGLE, 1)
    assert d.state.keeps == (True, False, True)
    d.press(Action.LEVEL, 2)
    assert d.state.retouch == "polished"
    d.press()
    assert sorted(published(d)) == ["t0", "t2"] and discarded(d) == {"t1"}
    assert all(e.retouch == "polished" for e in d.effects if isinstance(e, s.Publish))
    d.send(s.Published("t1", "http://b/v/x"))  # not one of the kept: ignored
    assert d.state.publishing
    d.send(s.Published("t0", "http://b/v/x")).send(s.Published("t2", "http://b/v/x"))
    assert d.phase is Phase.SHARE


def test_keyboard_alone_chooses_the_retouch_level_with_up_and_down():
    """On the pick, left/right light a photo and up/down step the retouch level (stopping at
    either end); elsewhere up/down steer like left/right (tests/test_session.py)."""
    d = to_pick(flow())
    assert d.state.retouch == "natural" and d.state.selected == 0
    d.press(Action.DOWN)
    assert d.state.retouch == "polished" and d.state.selected == 0, "the level, not the lit photo"
    d.press(Action.DOWN)
    assert d.state.retouch == "polished", "no wrap from the strongest to none"
    d.press(Action.UP).press(Action.UP).press(Action.UP)
    assert d.state.retouch == "none"
    d.press(Action.NEXT)
    assert d.state.selected == 1 and d.state.retouch == "none"
    d.press()
    assert sorted(published(d)) == ["t0", "t1", "t2"]
    assert all(e.retouch == "none" for e in d.effects if isinstance(e, s.Publish))


def test_keyboard_alone_leaves_one_shot_out_and_takes_it_back():
    """Arrows light a shot, Delete (Action.TOGGLE with no index) keeps it or not, space keeps the rest."""
    d = to_pick(flow(choose_cycle_s=2.5))
    d.tick(2.6)  # a one-button booth's highlight has moved on by itself ...
    assert d.state.selected == 1 and d.state.scanning
    d.press(Action.TOGGLE)  # ... and a key takes the lit shot, and stops the highlight
    assert d.state.keeps == (True, False, True) and d.state.selected == 1 and not d.state.scanning
    d.tick(5.0)
    assert d.state.selected == 1  # stays where the guest left it
    d.press(Action.NEXT).press(Action.TOGGLE)
    assert d.state.keeps == (True, False, False)
    d.press(Action.TOGGLE)  # again: kept after all
    assert d.state.keeps == (True, False, True)
    d.press(Action.PREV).press(Action.PREV).press(Action.TOGGLE)
    assert d.state.keeps == (False, False, True)
    d.press(Action.TOGGLE).press(Action.NEXT).press(Action.TOGGLE).press(Action.TOGGLE)  # 0 back, 1 back, 1 out
    assert d.state.keeps == (True, False, True)
    d.press()
    assert sorted(published(d)) == ["t0", "t2"] and discarded(d) == {"t1"}
    d.press(Action.TOGGLE)  # saving: hands off
    assert d.state.keeps == (True, True) and d.state.publishing


def test_the_toggle_key_means_nothing_off_the_pick():
    d = Drive(flow="one").to_review()
    before = d.state
    d.press(Action.TOGGLE)
    assert d.state == before and d.last == ()
    d = flow().to_coach()
    before = d.state
    d.press(Action.TOGGLE)
    assert d.state == before


def test_pick_with_none_kept_is_refused():
    d = to_pick(flow())
    for i in range(3):
        d.press(Action.PICK, i)
    assert d.state.keeps == (False, False, False)
    d.press()
    assert d.phase is Phase.PICK and d.state.refused and not d.state.publishing
    assert not published(d) and not discarded(d)
    d.press(Action.TOGGLE, 0)
    assert not d.state.refused
    d.press()
    assert published(d) == ["t0"] and discarded(d) == {"t1", "t2"}


def test_pick_timeout_keeps_nothing():
    d = to_pick(flow(review_timeout_s=30.0))
    d.tick(29.0)
    assert d.phase is Phase.PICK
    d.press(Action.TOGGLE, 0).tick(29.0)  # a choice gives the guest their time again
    assert d.phase is Phase.PICK
    d.tick(1.5)
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    assert discarded(d) == {"t0", "t1", "t2"} and not published(d)


def test_publish_failed_or_silent_keeps_none_of_the_visit():
    d = to_pick(flow()).press()
    d.send(s.Published("t0", "http://b/v/x")).send(s.PublishFailed("t1", "disk"))
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO
    assert discarded(d) == {"t0", "t1", "t2"}
    d = to_pick(flow(publish_timeout_s=20.0)).press().tick(20.5)
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PHOTO
    assert discarded(d) == {"t0", "t1", "t2"}


def test_the_lit_shot_moves_by_itself_until_steered():
    d = to_pick(flow(choose_cycle_s=2.5))
    assert d.state.selected == 0
    d.tick(2.6)
    assert d.state.selected == 1
    d.tick(5.0)
    assert d.state.selected == 0  # round again
    d.press(Action.PREV)
    assert d.state.selected == 2 and not d.state.scanning
    d.tick(10.0)
    assert d.state.selected == 2


# ---------------------------------------------------------------- skip, stop, retake


def test_long_press_skips_a_look():
    d = flow().to_coach()
    d.press(Action.BACK)  # skip serious
    assert d.phase is Phase.HANDOVER and d.state.look == "contemplative" and d.state.shots == ()
    d.press()
    shoot(d, "t1").press()
    d.press(Action.BACK)  # skip the smile too: the last look, so to the pick
    assert d.phase is Phase.PICK and [shot.look for shot in d.state.shots] == ["contemplative"]


def test_skipping_every_look_says_goodbye():
    d = flow().to_coach()
    d.press(Action.BACK).press().press(Action.BACK).press().press(Action.BACK)
    assert d.phase is Phase.GOODBYE and d.state.message == s.THANKS
    assert not published(d) and not discarded(d)


def test_stop_after_any_shot_goes_to_the_pick():
    d = flow().to_coach()
    shoot(d, "t0")
    d.press(Action.BACK)
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0"]
    d.press().send(s.Published("t0", "http://b/v/x"))
    assert d.phase is Phase.SHARE and published(d) == ["t0"]


def test_stop_on_a_handover_with_no_shot_ends_the_session():
    d = flow().to_coach().press(Action.BACK)
    assert d.phase is Phase.HANDOVER
    d.press(Action.BACK)
    assert d.phase is Phase.GOODBYE


def test_a_look_not_caught_in_time_is_taken_anyway():
    d = flow(look_timeout_s=25.0, walkaway_s=100.0).to_coach()
    d.face(24.0, G())
    assert d.phase is Phase.COACH
    d.face(1.5, G())
    assert d.phase is Phase.CAPTURE and d.state.trigger == "timeout"
    shoot(d, "t0", fire=False)
    assert d.state.shots[0].trigger == "timeout"


def test_triggers_are_kept_per_shot():
    d = flow(countdown_s=3).to_coach()
    shoot(d, "t0").press()
    d.press()  # the guest's own press: the countdown, then the shot
    assert d.phase is Phase.COUNTDOWN
    d.face(1.0).face(1.0).face(1.1)
    shoot(d, "t1", fire=False).press()
    shoot(d, "t2")
    assert [shot.trigger for shot in d.state.shots] == ["auto", "button", "auto"]


def test_retake_one_look_replaces_only_that_shot():
    d = to_pick(flow(max_retakes=2, choose_cycle_s=0.0))
    d.press(Action.TOGGLE, 0).press(Action.LEVEL, 0)  # choices made before the retake stay
    d.press(Action.NEXT)  # light the contemplative shot
    d.press(Action.BACK)  # long press: retake it
    assert d.phase is Phase.COACH and d.state.look == "contemplative" and d.state.retaking
    assert s.Analyse("coach", "contemplative") in d.last and d.state.retakes == 1
    assert not discarded(d)  # the old shot is held until the new one is developed
    shoot(d, "t1b")
    assert d.phase is Phase.PICK  # a retake goes back to the pick, not on to the next look
    assert [shot.token for shot in d.state.shots] == ["t0", "t1b", "t2"]
    assert d.state.keeps == (False, True, True) and d.state.retouch == "none"
    assert discarded(d) == {"t1"}
    d.press(Action.RETAKE, 2)
    assert d.phase is Phase.COACH and d.state.look == "smile"
    shoot(d, "t2b")
    d.press(Action.RETAKE, 0)  # no retakes left
    assert d.phase is Phase.PICK
    d.press()
    assert sorted(published(d)) == ["t1b", "t2b"] and discarded(d) == {"t1", "t2", "t0"}


def test_a_retake_called_off_or_failed_keeps_the_old_shot():
    d = to_pick(flow(choose_cycle_s=0.0)).press(Action.RETAKE, 0)
    d.press(Action.BACK)
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0", "t1", "t2"]
    d.press(Action.RETAKE, 0).face(0.5, G(fire=True))
    d.send(s.CaptureFailed(d.state.job, "camera"), 0.5)
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0", "t1", "t2"]
    assert not discarded(d)


def test_no_retake_while_the_camera_is_down():
    d = to_pick(flow()).send(s.CameraLost())
    assert d.phase is Phase.PICK
    d.press(Action.RETAKE, 1)
    assert d.phase is Phase.PICK
    d.press()
    assert sorted(published(d)) == ["t0", "t1", "t2"]  # what was taken can still be kept


# ---------------------------------------------------------------- walk-away and faults mid-flow


def test_walking_away_mid_flow_discards_every_shot():
    d = flow(walkaway_s=6.0).to_coach()
    shoot(d, "t0")
    assert d.phase is Phase.HANDOVER
    d.tick(1.0).press()  # the next look, then nobody
    assert d.phase is Phase.COACH
    d.tick(5.0)
    assert d.phase is Phase.COACH
    d.tick(1.5)
    assert d.phase is Phase.GOODBYE
    assert discarded(d) == {"t0"} and d.state.shots == ()
    d.tick(d.settings.goodbye_s)
    assert d.phase is Phase.ATTRACT and s.SessionEnded(1, False) in d.effects


def test_walking_away_during_a_handover_ends_it():
    d = flow(walkaway_s=6.0, handover_s=30.0).to_coach()
    shoot(d, "t0").tick(6.5)
    assert d.phase is Phase.GOODBYE and discarded(d) == {"t0"}


def test_camera_lost_mid_flow_goes_to_the_pick_with_the_shots_taken():
    d = flow().to_coach()
    shoot(d, "t0").press()
    d.send(s.CameraLost())
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0"]
    assert not discarded(d)


def test_camera_lost_before_any_shot_ends_as_before():
    d = flow().to_coach().send(s.CameraLost())
    assert d.phase is Phase.ATTRACT and not discarded(d)


def test_disk_low_mid_flow_goes_to_the_pick_or_says_sorry():
    d = flow().to_coach()
    shoot(d, "t0")
    d.send(s.DiskLow())
    assert d.phase is Phase.PICK
    d = flow().to_coach().send(s.DiskLow())
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_PAUSED


@pytest.mark.parametrize("fail", ["capture", "processing", "capture_timeout", "processing_timeout"])
def test_a_failed_look_mid_flow_leaves_the_shots_to_pick(fail):
    d = flow(capture_timeout_s=15.0, processing_timeout_s=60.0).to_coach()
    shoot(d, "t0").press()
    d.face(0.5, G(fire=True))
    if fail == "capture":
        d.send(s.CaptureFailed(d.state.job, "x"))
    elif fail == "capture_timeout":
        d.tick(15.5)
    else:
        d.send(s.CaptureDone(d.state.job, ["f"]), 0.5)
        assert d.phase is Phase.PROCESSING
        if fail == "processing":
            d.send(s.ProcessingFailed(d.state.job, "x"))
        else:
            d.tick(60.5)
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0"]


def test_a_failed_first_look_says_sorry():
    d = flow().to_coach().face(0.5, G(fire=True))
    d.send(s.CaptureFailed(d.state.job, "x"))
    assert d.phase is Phase.GOODBYE and d.state.message == s.SORRY_CAMERA


def test_late_worker_answers_after_a_skip_are_discarded_not_shown():
    d = flow(processing_timeout_s=60.0, walkaway_s=100.0).to_coach()
    d.face(0.5, G(fire=True)).send(s.CaptureDone(d.state.job, ["f"]), 0.5)
    old = d.state.job
    d.tick(60.5)  # serious's photo never came: nothing to pick yet, so goodbye ...
    assert d.phase is Phase.GOODBYE
    d = flow(processing_timeout_s=60.0, walkaway_s=100.0).to_coach()
    shoot(d, "t0").press()
    d.face(0.5, G(fire=True)).send(s.CaptureDone(d.state.job, ["f"]), 0.5)
    old = d.state.job
    d.tick(60.5)  # ... contemplative's photo did not come in time: the pick, with serious
    assert d.phase is Phase.PICK
    d.press(Action.RETAKE, 0)  # retake serious: a new job
    d.face(0.5, G(fire=True))
    assert d.phase is Phase.CAPTURE and d.state.job == old + 1
    d.send(s.ProcessingDone(old, "late", "http://b/p/late", None), 0.1)  # the skipped look, late
    assert d.phase is Phase.CAPTURE and s.Discard("late") in d.last
    d.send(s.CaptureDone(old, ["stale"]), 0.1)
    assert d.state.burst is None
    shoot(d, "t0b", fire=False)
    assert d.phase is Phase.PICK and [shot.token for shot in d.state.shots] == ["t0b"]
    assert "late" not in {shot.token for shot in d.state.shots}


def test_late_answer_after_a_skip_in_coach():
    d = flow(walkaway_s=100.0).to_coach()
    shoot(d, "t0").press()
    job = d.state.job
    d.press(Action.BACK)  # skip contemplative
    d.send(s.ProcessingDone(job, "dup", "http://b/p/dup", None))  # an answer for a job already done
    assert d.phase is Phase.HANDOVER and s.Discard("dup") in d.last
    assert [shot.token for shot in d.state.shots] == ["t0"]


def test_back_while_breathing_goes_to_attract():
    d = flow().to_breathe().press(Action.BACK)
    assert d.phase is Phase.ATTRACT


def test_the_session_of_looks_is_the_default_and_flow_one_is_unchanged():
    from booth.config import Config

    assert s.Settings().flow == "all" == s.Settings.from_config(Config()).flow
    d = Drive(flow="all")  # Drive pins "one"; the default itself: no look to choose, the first look coached
    d.face().press()
    assert d.phase is Phase.BREATHE and d.state.look == FLOW_ORDER[0] and d.state.todo == FLOW_ORDER[1:]
    d = Drive(flow="one").to_review()
    assert d.state.shots == ()
    d.press(Action.BACK)
    assert d.phase is Phase.COACH and not d.state.retaking
