"""One subject: a second face in the picture gets its prompt and never steals the coach, trigger or crop.

Real frames with two real people (London photos side by side, the real model
asked for several faces): the guest in the middle, a friend beside them.
"""

from __future__ import annotations


import numpy as np
import pytest
from test_coach_frames import SIZE, analyzer, close_analyzer, photo, still  # noqa: F401

from booth.camera.base import Frame
from booth.coach import Coach
from booth.coach import words as W
from booth.coach.subject import AS_CLOSE, SubjectTracker
from booth.config import CoachConfig, PhotoConfig
from booth.observation import Box
from booth.photo.pipeline import PhotoPipeline
from booth.vision import ONLOOKERS_EVERY, FaceAnalyzer, place_face

GUEST = "london/smiling/004.jpg"
FRIEND = "london/neutral/007.jpg"
CENTRE = Box(0.40, 0.22, 0.20, 0.34)  # the guest's face box, fractions of the frame


def two_people(friend_scale: float, friend_x: float = 0.33, size: tuple[int, int] = SIZE) -> np.ndarray:
    """The guest on CENTRE and the friend ``friend_x`` to the image right, ``friend_scale`` times as large."""
    frame = place_face(photo(GUEST), still(GUEST).box, size, CENTRE)
    friend = place_face(photo(FRIEND), still(FRIEND).box, size, CENTRE, scale=friend_scale, shift=(friend_x, 0.02))
    cut = round(size[0] * (0.5 + friend_x / 2 + 0.02))  # the friend's half, clear of the guest's face
    frame[:, cut:] = friend[:, cut:]
    return frame


def faces(image: np.ndarray, t: float):
    return analyzer().detect_all(image, t)


def test_the_model_is_asked_for_more_than_one_face_and_the_main_one_is_the_guest() -> None:
    image = two_people(1.0)
    found = faces(image, 0.0)
    assert len(found) == 2
    main = analyzer().detect(image)
    assert main is not None and abs(main.box.centre[0] / SIZE[0] - 0.5) < 0.05
    right = analyzer().detect(image, near=Box(0.8, 0.3, 0.1, 0.1))
    assert right is not None and right.box.centre[0] / SIZE[0] > 0.7


def test_a_friend_as_close_as_the_guest_gets_one_person_at_a_time_and_no_shot() -> None:
    tracker, coach = SubjectTracker(), Coach(CoachConfig(hold_s=0.5), "smile")
    crowded = two_people(1.0)
    shown, fired = [], []
    for i in range(30):
        t = i / 10
        seen = tracker.update(faces(crowded, t))
        assert seen.subject is not None and abs(seen.subject.box.centre[0] / SIZE[0] - 0.5) < 0.05
        assert seen.crowded >= AS_CLOSE
        g = coach.update(seen.subject, t, seen.crowded)
        shown.append(g.prompts)
        fired.append(g.fire)
    assert shown[-1] == (W.ONE_PERSON,) and not any(fired)


def test_live_the_guest_is_tracked_and_the_friend_found_by_the_onlooker_pass(model_path) -> None:
    """Video mode: the guest's face from the one-face tracker, the friend from the onlooker pass."""
    tracker = SubjectTracker()
    crowded = two_people(1.0)
    with FaceAnalyzer(model_path, mode="video") as live:
        for i in range(ONLOOKERS_EVERY + 1):
            faces_now = live.detect_all(crowded, i / 15)
            seen = tracker.update(faces_now, live.onlookers)
            assert len(faces_now) == 1  # the tracked face only
            assert seen.subject is not None and abs(seen.subject.box.centre[0] / SIZE[0] - 0.5) < 0.05
            assert len(seen.others) == 1 and seen.others[0].box.centre[0] / SIZE[0] > 0.7
            assert seen.crowded >= AS_CLOSE
    with FaceAnalyzer(model_path, mode="video", num_faces=1) as alone:
        alone.detect_all(crowded, 0.0)
        assert alone.onlookers == []  # asked for one face: nobody else is looked for


def test_a_friend_further_back_is_no_bother() -> None:
    tracker, coach = SubjectTracker(), Coach(CoachConfig(hold_s=0.5), "smile")
    behind = two_people(0.55)
    assert len(faces(behind, 0.0)) == 2
    fired = []
    for i in range(20):
        t = i / 10
        seen = tracker.update(faces(behind, t))
        assert seen.crowded < AS_CLOSE
        g = coach.update(seen.subject, t, seen.crowded)
        assert W.ONE_PERSON not in g.prompts
        fired.append(g.fire)
    assert any(fired)


def test_the_subject_is_followed_even_when_a_larger_face_arrives() -> None:
    """The session started with the guest alone; a friend leaning in closer (larger) does not take over."""
    tracker = SubjectTracker()
    alone = place_face(photo(GUEST), still(GUEST).box, SIZE, CENTRE, shift=(-0.12, 0.0))
    start = tracker.update(faces(alone, 0.0)).subject
    assert start is not None
    leaning_in = place_face(photo(GUEST), still(GUEST).box, SIZE, CENTRE, shift=(-0.12, 0.0))
    friend = place_face(photo(FRIEND), still(FRIEND).box, SIZE, CENTRE, scale=1.25, shift=(0.25, 0.0))
    leaning_in[:, 400:] = friend[:, 400:]
    for i in range(1, 10):
        seen = tracker.update(faces(leaning_in, i / 10))
        assert seen.subject is not None and seen.subject.box.centre[0] < 300  # still the guest, on the left
        assert len(seen.others) == 1 and seen.crowded > 1.0


def test_best_shot_and_crop_stay_on_the_coached_face(model_path) -> None:
    size = (1280, 960)
    burst = [Frame(image=two_people(1.0, size=size), timestamp=i / 10, index=i) for i in range(2)]
    with PhotoPipeline(PhotoConfig(), CoachConfig(), model_path) as pipeline:
        guest = pipeline.process(burst, "smile", subject=CENTRE)
        friend_box = Box(0.73, 0.25, 0.17, 0.3)
        friend = pipeline.process(burst, "smile", subject=friend_box)
    gx, _, gw, _ = guest.crop_box
    fx, _, fw, _ = friend.crop_box
    assert abs((gx + gw / 2) / size[0] - 0.5) < 0.03  # the crop is centred on the guest ...
    assert (fx + fw / 2) / size[0] > 0.7  # ... and would be on the friend only if the friend were coached
