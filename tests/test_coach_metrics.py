"""Metrics on real photos (and single-change constructions of them), and the baseline."""

from __future__ import annotations

import dataclasses

import pytest
from test_coach_frames import close_analyzer, eyes_shut, framed, gaze_shifted, still, with_blendshapes  # noqa: F401

from booth.coach import Baseline, BaselineCollector, compute_metrics
from booth.coach.face import measure
from booth.coach.framing import USABLE_CROP

CLEAR = ["004", "010", "022", "030", "064", "097", "130"]  # broad smiles, plainly visible
SUBTLE = ["033", "067", "123", "140"]  # closed-mouth smiles that are only just there
ALL_LONDON = ["004", "007", "009", "010", "014", "016", "018", "019", "022", "024", "030", "032", "033", "034",
              "041", "064", "067", "070", "082", "083", "097", "105", "114", "122", "123", "126", "130", "131",
              "134", "138", "139", "140", "144", "172"]


def neutral(p: str):
    return still(f"london/neutral/{p}.jpg")


def smiling(p: str):
    return still(f"london/smiling/{p}.jpg")


def base(p: str) -> Baseline:
    return Baseline.from_observation(neutral(p))


@pytest.mark.parametrize("person", CLEAR)
def test_a_clear_smile_is_a_smile_and_the_neutral_face_is_not(person):
    assert compute_metrics(smiling(person)).smile >= 0.6
    assert compute_metrics(neutral(person)).smile < 0.4
    assert compute_metrics(smiling(person), base(person)).smile >= 0.6


@pytest.mark.parametrize("person", SUBTLE)
def test_the_baseline_reveals_a_subtle_closed_mouth_smile(person):
    alone = compute_metrics(smiling(person)).smile
    against_neutral = compute_metrics(smiling(person), base(person)).smile
    assert alone < 0.5 <= against_neutral


def test_a_neutral_face_judged_against_itself_is_not_smiling():
    for person in ALL_LONDON:
        m = compute_metrics(neutral(person), base(person))
        assert m.smile < 0.2, person
        assert m.relative


def test_geometry_alone_never_makes_a_smile():
    # A wider mouth with the corners up but no rise in mouthSmile (talking, a grimace)
    # stays below the line however much the shape changed.
    obs = smiling("004")
    flat = with_blendshapes(obs, mouthSmileLeft=neutral("004").blendshapes["mouthSmileLeft"],
                            mouthSmileRight=neutral("004").blendshapes["mouthSmileRight"])
    assert compute_metrics(flat, base("004")).smile < 0.5


def test_a_small_rise_of_the_models_smile_counts_when_the_mouth_shape_agrees():
    # Under a crop or dim light the model's mouthSmile rise for a subtle smile shrinks to a few
    # hundredths while the corners still rise and the mouth still widens: that is still a smile.
    # 114's corners rise and its mouth widens as in its smiling photo; only mouthSmile is set.
    b, obs, rest = base("114"), smiling("114"), neutral("114").blendshapes

    def rise(by: float):
        return with_blendshapes(obs, mouthSmileLeft=rest["mouthSmileLeft"] + by,
                                mouthSmileRight=rest["mouthSmileRight"] + by)

    assert compute_metrics(rise(0.03), b).smile >= 0.5
    # A rise within the model's own noise (about 0.01 for a face resting at 0) is no smile.
    assert compute_metrics(rise(0.005), b).smile < 0.5
    assert compute_metrics(rise(-0.02), b).smile < 0.5


def test_genuine_means_the_eyes_join_the_smile():
    # 030 and 064 smile with the whole face: squint up, eyes narrower than at rest.
    for person in ("030", "064"):
        assert compute_metrics(smiling(person), base(person)).genuine >= 0.5, person
    # 067's smile stays in the mouth: the eyes are as at rest.
    m = compute_metrics(smiling("067"), base("067"))
    assert m.smile >= 0.5 and m.genuine < 0.5
    # No smile, no genuine smile, whatever the eyes do.
    squinting = with_blendshapes(neutral("030"), eyeSquintLeft=0.9, eyeSquintRight=0.9)
    assert compute_metrics(squinting, base("030")).genuine < 0.5


def test_cheek_squint_is_ignored():
    # mediapipe's cheekSquint stays near zero on real smiles: the metric must not lean on it.
    obs = smiling("067")
    pumped = with_blendshapes(obs, cheekSquintLeft=1.0, cheekSquintRight=1.0)
    assert compute_metrics(pumped, base("067")).genuine == compute_metrics(obs, base("067")).genuine


def test_eyes_open_on_every_photo_and_shut_when_closed():
    for person in ALL_LONDON:
        for obs in (neutral(person), smiling(person)):
            assert compute_metrics(obs).eyes_open >= 0.5, person
            assert compute_metrics(eyes_shut(obs)).eyes_open < 0.5, person
    assert compute_metrics(eyes_shut(smiling("030")), base("030")).eyes_open < 0.5


def test_a_blink_by_the_model_alone_counts_as_shut():
    obs = with_blendshapes(neutral("004"), eyeBlinkLeft=0.8)
    assert compute_metrics(obs).eyes_open < 0.5


def test_eye_contact_on_front_facing_photos_and_lost_when_the_eyes_turn():
    for person in ALL_LONDON:
        for obs in (neutral(person), smiling(person)):
            assert compute_metrics(obs).eye_contact >= 0.5, person
    obs = neutral("004")
    right = compute_metrics(gaze_shifted(obs, 0.15))
    left = compute_metrics(gaze_shifted(obs, -0.15))
    assert right.eye_contact < 0.5 and left.eye_contact < 0.5
    assert right.gaze_h > 10 and left.gaze_h < -10  # + = image right = the subject's left


def test_framing_is_the_rule_size_room_and_centre_not_a_height():
    on = compute_metrics(framed("london/neutral/004.jpg"))
    assert on.where.ok and on.framing >= 0.5 and 0.9 < on.where.crop < 1.15
    far = compute_metrics(framed("london/neutral/004.jpg", scale=0.33))
    assert far.where.crop < USABLE_CROP and not far.where.ok and far.framing < 0.5
    aside = compute_metrics(framed("london/neutral/004.jpg", shift=(-0.15, 0.0)))
    assert aside.where.offset_x < -0.13 and aside.placement < 0.5
    # Lower or higher in the frame is fine while the crop has room: the crop puts the eyes on the third.
    low = compute_metrics(framed("london/neutral/004.jpg", scale=0.6, shift=(0.0, 0.2)))
    high = compute_metrics(framed("london/neutral/004.jpg", scale=0.6, shift=(0.0, -0.15)))
    assert low.where.ok and high.where.ok and low.where.room_bottom < high.where.room_bottom
    cut = compute_metrics(framed("london/neutral/004.jpg", shift=(0.0, 0.12)))
    assert cut.where.room_bottom < 0 and cut.where.room_reachable and not cut.where.ok
    tilted = compute_metrics(framed("london/neutral/004.jpg", tilt=14))
    assert tilted.roll > 10 and tilted.level < 0.5 and tilted.placement >= 0.5 and tilted.framing < 0.5


def test_lips_closed_and_squinch():
    assert compute_metrics(neutral("004")).lips_closed >= 0.5
    assert compute_metrics(smiling("030")).lips_closed < 0.5  # a broad smile with teeth
    squinch = with_blendshapes(neutral("004"), eyeSquintLeft=0.6, eyeSquintRight=0.6)
    assert compute_metrics(squinch, base("004")).squinch >= 0.5
    assert compute_metrics(neutral("004"), base("004")).squinch < 0.5


def test_every_metric_stays_within_0_and_1():
    names = ["smile", "genuine", "eyes_open", "eye_contact", "framing", "placement", "level", "lips_closed", "squinch"]
    for person in ALL_LONDON:
        for obs in (neutral(person), smiling(person), eyes_shut(smiling(person))):
            for b in (None, base(person)):
                m = compute_metrics(obs, b)
                for name in names:
                    assert 0.0 <= getattr(m, name) <= 1.0, (person, name)


def test_baseline_collector_needs_enough_frames_and_skips_smiles_and_blinks():
    collector = BaselineCollector(min_frames=4)
    collector.add(None)
    for _ in range(3):
        collector.add(neutral("009"))
    assert collector.count == 3 and collector.result() is None
    collector.add(neutral("009"))
    for _ in range(3):
        collector.add(smiling("009"))  # the subject grinned for a moment
        collector.add(eyes_shut(neutral("009")))
    result = collector.result()
    assert result is not None and result.frames == 4
    assert result.smile_raw == pytest.approx(measure(neutral("009")).smile_raw)
    # With too few calm frames, it uses them all rather than nothing.
    only_smiles = BaselineCollector(min_frames=2)
    for _ in range(3):
        only_smiles.add(smiling("009"))
    assert only_smiles.result().frames == 3
    collector.reset()
    assert collector.count == 0


def test_baseline_is_the_median_of_its_frames():
    shapes = [measure(neutral(p)) for p in ("004", "007", "010")]
    b = Baseline.from_shapes(shapes)
    assert b.mouth_width == sorted(s.mouth_width for s in shapes)[1]
    with pytest.raises(ValueError):
        Baseline.from_shapes([])
    assert dataclasses.asdict(b)["frames"] == 3


def test_live_the_head_is_read_against_the_line_to_the_lens_not_the_axis():
    # A face looking into the lens high in the picture reads chin-down and eyes-down, low in the
    # picture chin-up: the line to the lens tilts with its place. Live, that tilt is taken out,
    # so a tall guest near the top keeps eye contact and a short one near the bottom is not told
    # "chin down"; a still (its axis unknown) is read as before.
    for person in ("009", "140", "144", "105"):
        rel = f"london/neutral/{person}.jpg"
        high, low = framed(rel, scale=0.45, shift=(0.0, -0.3)), framed(rel, scale=0.45, shift=(0.0, 0.42))
        raw = compute_metrics(low).pitch - compute_metrics(high).pitch
        live = compute_metrics(low, live=True).pitch - compute_metrics(high, live=True).pitch
        assert raw > 6 and abs(live) < raw / 2, (person, raw, live)
        assert compute_metrics(low).gaze_v - compute_metrics(high).gaze_v > \
            compute_metrics(low, live=True).gaze_v - compute_metrics(high, live=True).gaze_v + 5
        for obs in (high, low):
            assert compute_metrics(obs, live=True).eye_contact >= 0.5, person
        assert compute_metrics(high).pitch == measure(high).pitch  # a still: against the axis
