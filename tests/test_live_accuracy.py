"""scripts/live_accuracy.py on a few people: the whole live loop, deterministic by seed.

The scripted subject (a modelled guest who follows the prompts) through the
real face model in VIDEO mode, the breathing screen's baseline and the coach,
on a simulated clock: the automatic trigger takes the shot, and the prompts
shown are only ones a person can act on. The full figures over every person
are the script's (README, Accuracy).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from booth.coach import words as W
from booth.config import Config

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import live_accuracy  # noqa: E402

# (person, look, the guest their seed draws): a tall guest, an off-centre one, a short one.
CASES = [("london-004", "smile", "tall"), ("london-010", "serious", "off-centre"), ("london-018", "smile", "short")]
REACHABLE = {*W.FRAMING, W.STEP_INTO_FRAME, W.STRAIGHTEN, W.SMILE, W.BIGGER_SMILE, W.SMILE_EYES,
             W.RELAX_SMILE, W.NARROW_EYES, W.CLOSE_LIPS, W.CHIN_DOWN, W.LOOK_AT_LENS, W.FACE_CAMERA,
             W.HOLD_STILL, W.OPEN_EYES}


@pytest.mark.parametrize(("person", "look", "guest"), CASES)
def test_a_scripted_session_is_taken_by_the_trigger(person: str, look: str, guest: str, faces_dir: Path,
                                                    model_path: Path) -> None:
    config = Config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    scene = live_accuracy.make_scene(faces_dir, person)
    out = live_accuracy.session(scene, person, look, config, model_path)
    assert out.guest == guest
    assert out.auto, out
    assert 0 < out.coach_s < live_accuracy.PRESS_AFTER_S
    assert set(out.prompts) <= REACHABLE, out.prompts


def test_a_faint_smiler_asked_again_smiles_bigger_and_the_trigger_takes_it(faces_dir: Path,
                                                                          model_path: Path) -> None:
    # london-024's smiling photo reads as no smile (booth analyze: 0.28 against its neutral photo);
    # "Smile!" still on screen, the subject smiles bigger than the photo (booth.camera.smile).
    config = Config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    out = live_accuracy.session(live_accuracy.make_scene(faces_dir, "london-024"), "london-024", "smile",
                                config, model_path)
    assert out.auto, out
    assert out.smile > 1.0
    assert W.SMILE in out.prompts or W.BIGGER_SMILE in out.prompts


def test_the_summary_counts_what_happened() -> None:
    outs = [live_accuracy.Outcome("a", "smile", True, 2.0, [W.SMILE], "tall", 1.5),
            live_accuracy.Outcome("b", "smile", False, 15.0, [W.STEP_CLOSER, W.SMILE], "short", 1.0)]
    row = live_accuracy.summary(outs)["smile"]
    assert row["smiled_bigger"] == 1
    assert row["auto"] == 1 and row["sessions"] == 2 and row["auto_share"] == 0.5
    assert row["missed"] == ["b"] and row["prompts"] == {W.SMILE: 2, W.STEP_CLOSER: 1}
    assert row["coach_to_trigger_s"]["median"] == 2.0
