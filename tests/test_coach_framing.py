"""The framing rule against the modelled guests: each can reach "ready" by doing what a person can do.

Pure geometry (booth.coach.geometry): a guest's face projected into the
preview, the coach's framing checks on it, and the guest acting on the one
prompt shown (step closer/back 15 cm, move sideways 10 cm, each overshooting
a little, and smaller steps once told to go back), until nothing is asked. No prompt may ask for anything else.
"""

from __future__ import annotations

import dataclasses

import pytest

from booth.coach import words as W
from booth.coach.framing import USABLE_CROP, place
from booth.coach.geometry import FOV, MODELLED, STEP_RANGE_M, Guest, Rig, framable, heights_for, project
from booth.coach.looks import framing_checks
from booth.config import CAMERA_MODULES

STEP_M = 0.15
SIDE_M = 0.10
OVERSHOOT = 1.2


def coach_guest(guest: Guest, rig: Rig, limit: int = 30) -> tuple[Guest, list[str]]:
    """Follow the first unmet framing check's prompt until all are met; the prompts asked."""
    asked: list[str] = []
    step, side = STEP_M, SIDE_M
    d = guest.distance if guest.distance is not None else rig.distance_m
    g = dataclasses.replace(guest, distance=d)
    for _ in range(limit):
        unmet = [c for c in framing_checks(place(project(g, rig))) if not c.met]
        if not unmet:
            return g, asked
        prompt = unmet[0].prompt
        if asked and {asked[-1], prompt} in ({W.STEP_CLOSER, W.STEP_BACK}, {W.MOVE_LEFT, W.MOVE_RIGHT}):
            step, side = step / 2, side / 2  # told to go back the other way: a smaller step
        asked.append(prompt)
        assert g.distance is not None
        if prompt == W.STEP_CLOSER:
            g = dataclasses.replace(g, distance=g.distance - step * OVERSHOOT)
        elif prompt == W.STEP_BACK:
            g = dataclasses.replace(g, distance=g.distance + step * OVERSHOOT)
        elif prompt == W.MOVE_RIGHT:  # the guest's own right: the image left (un-mirrored)
            g = dataclasses.replace(g, x=g.x - side * OVERSHOOT)
        elif prompt == W.MOVE_LEFT:
            g = dataclasses.replace(g, x=g.x + side * OVERSHOOT)
        else:
            pytest.fail(f"the framing rule asked {prompt!r}, which is not a step or a move")
        lo, hi = STEP_RANGE_M
        assert lo <= g.distance <= hi, f"{guest.name} was sent to {g.distance:.2f} m"
    pytest.fail(f"{guest.name} never got framed: asked {asked}")


STARTS = [
    ("on the mark", {}),
    ("too close", {"distance": 0.6}),
    ("too far", {"distance": 2.0}),
    ("off to the right", {"x": -0.45}),
    ("off to the left and close", {"x": 0.3, "distance": 0.8}),
]


@pytest.mark.parametrize("guest", [g for g in MODELLED if g.name != "seated"], ids=lambda g: g.name)
@pytest.mark.parametrize("start", STARTS, ids=lambda s: s[0])
def test_every_standing_guest_is_framed_by_steps_and_moves_alone(guest: Guest, start) -> None:
    rig = Rig()  # the booth's defaults
    framed, asked = coach_guest(dataclasses.replace(guest, **start[1]), rig)
    assert set(asked) <= set(W.FRAMING)
    p = place(project(framed, rig))
    assert p.ok and p.room >= 0, p  # the crop has room above and below: no height was asked for
    assert p.crop >= USABLE_CROP


def test_the_default_mark_frames_every_standing_guest_without_a_word() -> None:
    rig = Rig()
    for guest in MODELLED:
        if guest.name in ("seated", "off-centre"):
            continue
        assert coach_guest(guest, rig)[1] == [], guest.name


def test_a_seated_guest_under_a_camera_set_for_standing_ones_is_not_asked_the_impossible() -> None:
    rig = Rig()
    seated = next(g for g in MODELLED if g.name == "seated")
    assert framable(seated.eye_height, rig) is None  # the camera cannot frame them ...
    for start in STARTS:
        framed, asked = coach_guest(dataclasses.replace(seated, **start[1]), rig)
        assert set(asked) <= set(W.FRAMING)  # ... and the coach asks only steps and moves, then stops asking
        assert place(project(framed, rig)).crop >= USABLE_CROP
    # With the camera lower, the seated guest gets room for the crop too.
    low = heights_for(seated.eye_height, rig)
    assert low is not None and low[1] < rig.height_m
    lowered = dataclasses.replace(rig, height_m=low[1])
    framed, _ = coach_guest(seated, lowered)
    assert place(project(framed, lowered)).room >= 0


@pytest.mark.parametrize("module", CAMERA_MODULES)
def test_each_camera_module_frames_the_standing_range_at_some_distance(module: str) -> None:
    rig = Rig(module=module)
    for guest in MODELLED:
        if guest.name != "seated":
            assert framable(guest.eye_height, rig) is not None, (module, guest.name)


def test_the_geometry_knows_every_configurable_module_and_the_datasheet_fields_of_view() -> None:
    assert set(FOV) == set(CAMERA_MODULES)
    assert FOV["module3"] == (66.0, 41.0) and FOV["module2"] == (62.2, 48.8)
    th, tv = Rig("module3", aspect=4 / 3).half_tangents()
    assert th / tv == pytest.approx(4 / 3)  # a 4:3 preview of the 16:9 sensor keeps its height
    with pytest.raises(ValueError, match="module3"):
        Rig("module9").half_tangents()


def test_heights_are_never_a_prompt() -> None:
    """The words themselves: nothing asks anyone to be taller or shorter."""
    texts = [v for k, v in vars(W).items() if k.isupper() and isinstance(v, str)]
    for text in texts:
        assert not any(bad in text.lower() for bad in ("tall", "knees", "crouch", "higher", "lower")), text
