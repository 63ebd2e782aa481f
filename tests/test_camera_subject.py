"""The scripted subject as a person (pure: no frames): placed by the geometry, following the coach.

A closed loop without rendering: the subject's pose projected into the
preview goes through the coach's own framing checks and prompt board, the
prompt shown goes back to the subject, and time runs at 15 frames a second.
The rendered subject with the real face model is in test_camera_scripted and
scripts/live_accuracy.py.
"""

from __future__ import annotations

import pytest

from booth.camera.subject import (
    BIGGER_STEP,
    BIGGEST_SMILE,
    BLINK_S,
    GLANCE_FIRST,
    GLANCE_MAX,
    MOVE_S,
    OVERSHOOT,
    REACT_S,
    STEP_M,
    SubjectScript,
    person_seed,
)
from booth.coach import words as W
from booth.coach.framing import DETECT_MIN, FaceInFrame, place
from booth.coach.geometry import EYE_TO_CHIN_M, MODELLED, Rig
from booth.coach.looks import framing_checks
from booth.coach.metrics import ROLL_OK
from booth.coach.prompts import PromptBoard
from booth.config import ScriptedConfig
from booth.vision import ANALYSED_ASPECT

FPS = 15.0
SETTLED = 3.0  # default enter_s + centre_s


def script(guest: str = "drawn", seed: int = 1, rig: Rig | None = None, **kw: float) -> SubjectScript:
    return SubjectScript(ScriptedConfig(guest=guest), 0.0, rig=rig or Rig(), seed=seed, **kw)


def coach_framing(s: SubjectScript, until: float = 25.0) -> tuple[float | None, list[str]]:
    """Coach the subject's framing and head level from SETTLED; (when all held for 0.6 s, prompts shown)."""
    board = PromptBoard(max_shown=1)
    s.cue("coach", "serious", SETTLED)
    shown: tuple[str, ...] = ()
    asked: list[str] = []
    held_since = None
    t = SETTLED
    while t < until:
        t += 1 / FPS
        pose = s.at(t)
        where = place(FaceInFrame(pose.eye_x, pose.eye_y, pose.eye_chin, s.rig.aspect))
        items = [(c.key, c.prompt, c.met) for c in framing_checks(where)]
        items.append(("level", W.STRAIGHTEN, abs(pose.roll) <= ROLL_OK))
        from booth.coach.prompts import PromptItem

        now = board.update(t, [PromptItem(k, p, m) for k, p, m in items])
        if now != shown:
            shown = now
            asked += list(now)
            s.cue("coach", "serious", t, now)
        if all(m for _, _, m in items):
            held_since = t if held_since is None else held_since
            if t - held_since >= 0.6:
                return t, asked
        else:
            held_since = None
    return None, asked


@pytest.mark.parametrize("seed", range(12))
def test_a_drawn_subject_gets_framed_by_following_the_prompts(seed: int) -> None:
    s = script(seed=seed)
    done, asked = coach_framing(s)
    assert done is not None, (s.guest, asked)
    assert set(asked) <= {*W.FRAMING, W.STRAIGHTEN}  # nothing out of a person's reach was asked
    assert done - SETTLED < 15.0, (s.guest, asked)


@pytest.mark.parametrize("aspect", [4 / 3, 16 / 9])
@pytest.mark.parametrize("kind", ["short", "tall", "off-centre", "average"])
def test_every_modelled_standing_guest_gets_framed_with_room_for_the_crop(kind: str, aspect: float) -> None:
    # On a 16:9 picture too: the face model is shown its middle 4:3 (booth.vision.ANALYSED_ASPECT),
    # so a guest need not come so close that a tall one's eyes sit at the top edge with no room.
    for seed in range(4):
        s = script(kind, seed, rig=Rig(aspect=aspect))
        done, asked = coach_framing(s)
        assert done is not None, (s.guest, asked)
        pose = s.at(done)
        where = place(FaceInFrame(pose.eye_x, pose.eye_y, pose.eye_chin, aspect))
        assert where.room_reachable and where.room >= 0 and where.ok, (s.guest, where)


def test_a_seated_guest_is_drawn_only_where_the_camera_can_frame_one_and_then_framed() -> None:
    standing_rig = Rig()
    kinds = {script(seed=seed, rig=standing_rig).guest.name for seed in range(40)}
    assert "seated" not in kinds and {"short", "tall", "off-centre"} <= kinds
    low = Rig(height_m=1.40, distance_m=1.3)
    kinds = {script(seed=seed, rig=low).guest.name for seed in range(40)}
    assert "seated" in kinds
    s = script("seated", 3, rig=low)
    done, asked = coach_framing(s)
    assert done is not None, asked


def test_steps_come_after_a_human_delay_with_a_little_overshoot_and_get_smaller_on_reversal() -> None:
    s = script("average", 5)
    d0 = s.where(SETTLED).distance
    s.cue("coach", "smile", SETTLED, (W.STEP_CLOSER,))
    assert s.where(SETTLED + REACT_S[0] - 0.01).distance == d0  # still reading
    after = SETTLED + REACT_S[1] + MOVE_S + 0.01
    s.cue("coach", "smile", after, ())  # the prompt went away once the step was done
    first = d0 - s.where(after).distance
    assert STEP_M * OVERSHOOT[0] <= first <= STEP_M * OVERSHOOT[1]
    s.cue("coach", "smile", after, (W.STEP_BACK,))  # overshot: told to go back
    later = after + REACT_S[1] + MOVE_S + 0.01
    s.cue("coach", "smile", later, ())
    back = s.where(later).distance - (d0 - first)
    assert 0 < back <= first / 2 * OVERSHOOT[1] / OVERSHOOT[0] + 1e-9


def test_a_prompt_that_stays_is_acted_on_again() -> None:
    s = script("average", 6)
    d0 = s.where(SETTLED).distance
    s.cue("coach", "smile", SETTLED, (W.STEP_BACK,))
    t = SETTLED + 3 * (REACT_S[1] + MOVE_S) + 0.1
    assert s.where(t).distance - d0 > 2 * STEP_M  # three steps back while the prompt stayed up


def test_moves_sideways_to_their_own_side() -> None:
    s = script("average", 2)
    x0 = s.at(SETTLED).eye_x
    s.cue("coach", "smile", SETTLED, (W.MOVE_LEFT,))  # the guest's left: the image right (un-mirrored)
    t = SETTLED + REACT_S[1] + MOVE_S + 0.01
    s.cue("coach", "smile", t, ())
    assert s.at(t).eye_x > x0 + 0.02


def test_a_tilted_head_is_straightened_when_asked() -> None:
    s = next(sc for sc in (script("average", seed) for seed in range(50)) if abs(sc.guest.roll) > 9)
    assert abs(s.at(SETTLED).roll) > ROLL_OK
    s.cue("coach", "smile", SETTLED, (W.STRAIGHTEN,))
    assert abs(s.at(SETTLED + 0.3).roll) > ROLL_OK  # not before reading it
    assert abs(s.at(SETTLED + REACT_S[1] + 0.5).roll) <= 2.0


def test_the_wrong_look_first_then_the_right_one_when_the_prompt_says() -> None:
    s = script("average", 1, wrong_look_first=1.0)
    s.cue("coach", "smile", SETTLED)
    assert s.at(SETTLED + 3.0).smile == 0.0  # a straight face for the smile look ...
    s.cue("coach", "smile", SETTLED + 3.0, (W.SMILE,))
    assert s.at(SETTLED + 3.0 + REACT_S[1] + 0.4).smile == 1.0  # ... until "Smile!"
    s = script("average", 1, wrong_look_first=1.0)
    s.cue("coach", "serious", SETTLED)
    assert s.at(SETTLED + 3.0).smile == 1.0  # a grin for the serious look ...
    s.cue("coach", "serious", SETTLED + 3.0, (W.RELAX_SMILE,))
    assert s.at(SETTLED + 3.0 + REACT_S[1] + 0.4).smile == 0.0  # ... until "Relax the smile"
    right = script("average", 1, wrong_look_first=0.0)
    right.cue("coach", "smile", SETTLED)
    assert right.at(SETTLED + 1.5).smile == 1.0


def test_asked_again_for_a_smile_they_smile_bigger_a_step_at_a_time_up_to_the_most() -> None:
    s = script("average", 1, wrong_look_first=0.0)
    fade = s.cfg.fade_s
    s.cue("coach", "smile", SETTLED)
    t = SETTLED + s.cfg.react_s + fade + 0.1
    assert s.at(t).smile == 1.0  # their smiling photo
    s.cue("coach", "smile", t, (W.BIGGER_SMILE,))
    assert s.at(t + REACT_S[0] - 0.05).smile == 1.0  # not before reading it
    one = t + REACT_S[1] + fade + 0.01
    assert s.at(one).smile == 1.0 + BIGGER_STEP  # a step bigger ...
    # ... and, the prompt still there, another once that one is done and the screen read again.
    assert s.at(one + max(fade, 0.1) + REACT_S[1] + fade + 0.01).smile == 1.0 + 2 * BIGGER_STEP == BIGGEST_SMILE
    assert s.at(one + 30.0).smile == BIGGEST_SMILE  # and no bigger, however long they are asked
    s.cue("coach", "smile", one + 30.0, ())
    s.cue("review", None, one + 31.0)
    assert s.at(one + 31.0 + fade + 0.01).smile == 0.0  # the next screen: a neutral face again
    s.cue("coach", "smile", one + 40.0, (W.SMILE,))
    assert s.at(one + 40.0 + REACT_S[1] + fade + 0.01).smile == 1.0  # a fresh smile starts from the photo's


def test_a_grin_asked_to_close_the_lips_lets_the_smile_go_a_straight_face_keeps_still() -> None:
    s = script("average", 1, wrong_look_first=1.0)
    s.cue("coach", "serious", SETTLED)
    t = SETTLED + 3.0
    assert s.at(t).smile == 1.0  # a grin for the serious look
    s.cue("coach", "serious", t, (W.CLOSE_LIPS,))
    assert s.at(t + REACT_S[1] + s.cfg.fade_s + 0.01).smile == 0.0
    calm = script("average", 1, wrong_look_first=0.0)
    calm.cue("coach", "serious", SETTLED)
    calm.cue("coach", "serious", t, (W.CLOSE_LIPS,))
    assert calm.at(t + 5.0).smile == 0.0


def test_asked_to_look_aside_the_eyes_turn_that_way_further_back_and_to_the_lens_when_asked() -> None:
    s = script("average", 1, wrong_look_first=0.0)
    s.cue("coach", "contemplative", SETTLED)
    t = SETTLED + 2.0
    assert s.at(t).gaze == 0.0  # the photo looks into the lens
    s.cue("coach", "contemplative", t, (W.LOOK_AWAY["left"],))
    first = s.at(t + REACT_S[1] + 0.31).gaze
    assert GLANCE_FIRST[0] <= first <= GLANCE_FIRST[1]  # their own left: + (the image right)
    later = s.at(t + 10.0).gaze  # the prompt stayed: further, never past the most
    assert first < later <= GLANCE_MAX
    s.cue("coach", "contemplative", t + 10.0, (W.NOT_SO_FAR,))
    assert s.at(t + 10.0 + REACT_S[1] + 0.31).gaze < later
    s.cue("coach", "contemplative", t + 12.0, (W.LOOK_AWAY["right"],))
    assert s.at(t + 12.0 + REACT_S[1] + 0.31).gaze < 0  # the other way
    s.cue("coach", "smile", t + 14.0, (W.LOOK_AT_LENS,))  # a new screen, and the lens asked for
    assert s.at(t + 14.0 + REACT_S[1] + 0.31).gaze == 0.0


def test_blinks_now_and_then() -> None:
    s = script("average", 4)
    ts = [i / 100 for i in range(0, 6000)]
    closed = [s.at(t).blink > 0.9 for t in ts]
    starts = sum(1 for a, b in zip(closed, closed[1:]) if b and not a)
    assert 8 <= starts <= 25  # one every 2.5-6 s over a minute
    assert sum(closed) / len(closed) < 2 * BLINK_S / 2.5  # and the eyes are open nearly all the time


def test_deterministic_by_seed_and_different_between_people() -> None:
    def run(seed: int) -> list[tuple[float, ...]]:
        s = script(seed=seed)
        out = []
        for i in range(300):
            t = i / 15
            if i == 50:
                s.cue("coach", "smile", t, (W.STEP_CLOSER,))
            p = s.at(t)
            out.append((p.eye_x, p.eye_y, p.eye_chin, p.roll, p.smile, p.blink))
        return out

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert person_seed(0, "london-004") != person_seed(0, "london-007")
    assert {script(seed=person_seed(0, p)).guest.name for p in (f"p{i}" for i in range(30))} >= {"short", "tall"}


def test_every_drawn_start_is_a_modelled_guest_near_the_mark() -> None:
    rig = Rig()
    names = {g.name for g in MODELLED}
    for seed in range(30):
        g = script(seed=seed).guest
        assert g.name in names and g.distance is not None
        assert rig.distance_m - 0.36 <= g.distance <= rig.distance_m + 0.21
    # Nobody stands where the face model cannot find them: it is shown the picture's middle
    # (at most ANALYSED_ASPECT wide), so on a 16:9 picture as on a 4:3 one a face of
    # DETECT_MIN of that width is the farthest (1.38-1.41 m on a Camera Module 3).
    for aspect in (4 / 3, 16 / 9):
        rig = Rig(aspect=aspect)
        _, tv = rig.half_tangents()
        farthest = EYE_TO_CHIN_M / (2 * tv * DETECT_MIN * ANALYSED_ASPECT)
        assert 1.3 < farthest < 1.45
        drawn = [script(seed=seed, rig=rig).guest.distance for seed in range(30)]
        assert all(d is not None and d < farthest for d in drawn)
        assert max(d for d in drawn if d is not None) > rig.distance_m  # some behind the mark, as people stand


def test_on_the_breathing_screen_a_guest_steps_in_when_asked_and_does_nothing_else() -> None:
    s = script("off-centre", 3)
    at = s.where(SETTLED)
    s.cue("breathe", None, SETTLED, (W.STEP_INTO_FRAME,))
    assert s.where(SETTLED + REACT_S[0] - 0.01) == at  # still reading
    done = SETTLED + REACT_S[1] + MOVE_S + 0.01
    s.cue("breathe", None, done, ())  # seen now: the screen asks nothing more
    moved = s.where(done)
    assert at.distance - moved.distance >= STEP_M * OVERSHOOT[0] - 1e-9  # a step towards the camera ...
    assert abs(moved.x) < abs(at.x)  # ... and its middle
    assert s.at(done).smile == 0.0  # breathing: a neutral face throughout
    assert s.where(done + 5.0) == moved  # and no more steps once nothing is asked
    # The breathing screen asks for nothing else; a coach prompt cued with it is not acted on.
    s.cue("breathe", None, done + 5.0, (W.STEP_BACK,))
    assert s.where(done + 5.0 + REACT_S[1] + MOVE_S + 0.01) == moved
