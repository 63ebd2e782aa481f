"""scripts/robustness.py: its perturbations keep the truth in step with the image, and the study runs end to end."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from booth.coach.metrics import SMILE_REL_LINE

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "robustness.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("robustness_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def analyzer(study, model_path):
    from booth.vision import FaceAnalyzer

    with FaceAnalyzer(model_path, mode="image", max_side=study.MAX_SIDE) as a:
        yield a


@pytest.mark.parametrize("name", ["rot+10", "rot-5", "crop_left", "crop_tight", "flip", "face80", "pad4x",
                                  "phone_tilt", "wide_shot"])
def test_perturbations_carry_the_marked_pupils_with_the_pixels(study, analyzer, faces_dir, name):
    # The pupil figures under perturbation are only as good as the mapping of the hand-marked
    # pupils into the perturbed image: rotate, crop, mirror, scale and pad must move them alike.
    photo = next(p for p in study.load_photos(faces_dir) if p.file == "london/neutral/004.jpg")
    image = study.read_rgb(faces_dir / photo.file)
    before = analyzer.detect(image)
    pert = next(q for q in study.perturbations() if q.name == name)
    changed, affine = pert.apply(image, study.Context(before.box.w, np.random.default_rng(0)))
    after = analyzer.detect(changed)
    assert after is not None
    assert study.pupil_error(after, photo.pupils, affine) < 0.05
    # The head's roll turns with the image (+ = counter-clockwise), and changes sign in a mirror.
    if np.linalg.det(affine[:, :2]) < 0:
        assert after.pose.roll == pytest.approx(-before.pose.roll, abs=2.0)
    else:
        turned = np.degrees(np.arctan2(-affine[1, 0], affine[0, 0]))
        assert after.pose.roll - before.pose.roll == pytest.approx(turned, abs=2.0)


def test_face_width_step_gives_the_face_the_asked_size(study, analyzer, faces_dir):
    image = study.read_rgb(faces_dir / "london/smiling/010.jpg")
    width = analyzer.detect(image).box.w
    small, affine = study.face_width(80)(image, study.Context(width, np.random.default_rng(0)))
    assert analyzer.detect(small).box.w == pytest.approx(80, rel=0.1)
    assert small.shape[1] == pytest.approx(image.shape[1] * affine[0, 0], abs=1)


def test_study_runs_end_to_end_on_a_small_folder(faces_subset: Callable[..., Path]):
    faces = faces_subset({"london-004", "london-009", "london-123", "london-140", "lisa-person"})
    only = ["flip", "jpeg50", "rot+10"]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--faces", str(faces), "--only", ",".join(only),
                           "--splits", "20"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Face Research Lab London Set" in proc.stdout
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["photos"] == {"neutral": 8, "clear": 2, "subtle": 2}  # 4 London + 4 lisa neutral
    assert set(report["perturbations"]) == {"original", *only}
    for s in report["perturbations"].values():
        assert s["faces_found"] == 1.0
        for value in s["targets"].values():
            assert 0.0 <= value <= 1.0
    # The mirror keeps smile and serious, and flips the sideways gaze and the roll.
    mirror = report["mirror"]
    assert mirror["smile_serious_agree"] == 1.0
    assert mirror["gaze_h_error_max"] < 8.0 and mirror["roll_error_max"] < 2.0
    targets = report["targets"]
    assert {"smile_clear", "smile_neutral", "smile_subtle_baseline", "smile_clear_baseline", "serious_neutral",
            "serious_clear", "eye_contact", "pupils_within_5pct"} <= set(targets)
    for t in targets.values():
        assert set(t["missed_under"]) <= {"original", *only}
    # A neutral face judged against itself has no smile evidence at all: the noise margin is the full line.
    original = report["perturbations"]["original"]
    assert original["margins"]["evidence_neutral_vs_clean"]["min"] == pytest.approx(SMILE_REL_LINE, abs=1e-3)
    lpo = report["leave_people_out"]
    assert lpo, "no leave-people-out figures"
    for line in lpo.values():
        assert line["derived"]["p5"] <= line["derived"]["mean"] <= line["derived"]["p95"]
        for spread in line["held_out_at_current"].values():
            assert 0.0 <= spread["p5"] <= spread["mean"] <= spread["p95"] <= 1.0
