"""The breathing screen with a guest it cannot see: the real face model on the scripted subject.

A closed loop on a simulated clock, as the booth runs it: the session
(booth.session) steps on every analysed frame, its ``Cue`` effects go to the
scripted subject (booth.camera.subject), the subject is drawn
(booth.camera.scene) into the preview the headless booth has, and the real
face model in VIDEO mode finds (or misses) them; the subject's faces feed the
breathing screen's BaselineCollector, as booth.analysis does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from booth.camera.scene import Scene
from booth.camera.scripted import find_photos, find_pupils, load_rgb, measure_pupils
from booth.camera.subject import SubjectScript, person_seed
from booth.camera.view import same_aspect
from booth.coach import BaselineCollector
from booth.coach import words as W
from booth.coach.baseline import MIN_FRAMES
from booth.coach.geometry import Guest, Rig
from booth.coach.subject import SubjectTracker
from booth.config import Config
from booth.session import Action, Analysed, Cue, Input, Phase, Settings, State, initial, step
from booth.ui.display import DEFAULT_SIZE
from booth.vision import FaceAnalyzer

# A guest who stops well to one side, their face outside the part of the picture the face
# model is shown live (booth.vision.analysed_window: the middle 4:3 of the 16:9 preview), so
# it does not find them where they stop: the breathing screen got no baseline.
PERSON = "london-114"
ASIDE = Guest.standing("aside", 1.75, distance=1.0, x=0.6)
FPS = 15.0


@dataclass
class Run:
    state: State
    pressed_at: float  # the button: breathing begins
    t: float  # when breathing ended
    baseline: BaselineCollector
    cues: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)  # breathe cues: (time, prompts)
    found_at: float | None = None  # the first frame with the subject's face
    start_distance: float = 0.0
    distance: float = 0.0


class Booth:
    """The scripted guest in front of the real face model, on a simulated clock."""

    def __init__(self, faces_dir: Path, model_path: Path, analyzer: FaceAnalyzer) -> None:
        config = Config()
        self.config = config
        neutral, smiling = find_photos(faces_dir, PERSON)
        image = load_rgb(neutral)
        pupils = find_pupils(faces_dir, neutral) or measure_pupils(image, model_path.parent, neutral)
        self.scene = Scene(image, load_rgb(smiling), pupils)
        self.size = same_aspect((config.camera.preview_width, config.camera.preview_height), DEFAULT_SIZE)
        rig = replace(Rig.from_config(config.camera), aspect=self.size[0] / self.size[1])
        self.script = SubjectScript(config.scripted, 0.0, rig=rig, seed=person_seed(0, PERSON), stands=ASIDE)
        self.analyzer = analyzer
        self.tracker = SubjectTracker()
        self.t = self.script.settled_at  # the guest has walked in and stopped
        self.timestamp = 0.0

    def frame(self):  # the subject's Observation in the next analysed frame, or None
        self.t += 1 / FPS
        self.timestamp += 1 / FPS  # VIDEO mode: one model, ever-increasing timestamps
        faces = self.analyzer.detect_all(self.scene.render(self.script.at(self.t), self.size), self.timestamp)
        return self.tracker.update(faces, self.analyzer.onlookers).subject

    def session(self, limit_s: float = 20.0) -> Run:
        """Attract sees (or misses) the guest, the button starts breathing; until breathing ends."""
        settings = replace(Settings.from_config(self.config), look="smile", flow="one")
        state = initial(self.t, settings).state
        state = step(state, Analysed(self.frame() is not None), self.t, settings).state
        run = Run(state, self.t, self.t, BaselineCollector(), start_distance=self.script.where(self.t).distance or 0.0)
        event: object = Input(Action.MAIN)
        end = self.t + limit_s
        while self.t < end:
            tr = step(run.state, event, self.t, settings)  # type: ignore[arg-type]
            run.state = tr.state
            for e in tr.effects:
                if isinstance(e, Cue) and e.state == "breathe":
                    self.script.cue(e.state, e.look, self.t, e.prompts)
                    run.cues.append((self.t, e.prompts))
            if run.state.phase is not Phase.BREATHE:
                break
            obs = self.frame()
            if obs is not None and run.found_at is None:
                run.found_at = self.t
            run.baseline.add(obs)
            event = Analysed(obs is not None)
        run.t = self.t
        run.distance = self.script.where(self.t).distance or 0.0
        return run


@pytest.fixture
def analyzer(model_path: Path):  # one per test: VIDEO mode wants its own rising timestamps
    with FaceAnalyzer(model_path, mode="video") as a:
        yield a


def test_without_the_prompt_this_guest_is_never_seen_while_breathing(faces_dir: Path, model_path: Path,
                                                                     analyzer: FaceAnalyzer) -> None:
    """The control: a fixed breathing screen that asks nothing (the booth before) leaves no baseline."""
    booth = Booth(faces_dir, model_path, analyzer)
    booth.script.cue("breathe", None, booth.t)
    collector = BaselineCollector()
    end = booth.t + booth.config.session.breathe_s
    while booth.t < end:
        collector.add(booth.frame())
    assert collector.count == 0 and collector.result() is None


def test_a_guest_not_seen_is_asked_to_step_in_and_breathing_ends_with_their_baseline(
        faces_dir: Path, model_path: Path, analyzer: FaceAnalyzer) -> None:
    booth = Booth(faces_dir, model_path, analyzer)
    run = booth.session()
    breathe_s = booth.config.session.breathe_s
    # Nobody seen: the screen (and so the guest) is asked to step into the frame from the start.
    assert run.cues[0] == (run.pressed_at, (W.STEP_INTO_FRAME,)), run.cues
    # The guest stepped closer, was found, and the screen went back to breathing.
    assert run.found_at is not None and run.distance < run.start_distance
    assert any(p == () and t >= run.found_at for t, p in run.cues[1:]), run.cues
    # Breathing ended in the coach, after the guest was seen for the whole breath, with a baseline.
    assert run.state.phase is Phase.COACH, run.state.phase
    assert run.t - run.found_at >= breathe_s - 1e-6
    assert run.baseline.count >= MIN_FRAMES
    assert run.baseline.result() is not None
