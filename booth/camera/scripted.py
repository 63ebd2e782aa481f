"""The scripted subject: a camera showing a real person who walks in, follows the coach and smiles.

Built from two real photos of one person (neutral and smiling) found through
the face set's labels.csv, placed in the picture as a modelled guest of the
booth (:mod:`booth.camera.subject`). It is the default when no camera is
found, so a fresh clone shows a working booth, and it drives the end-to-end
tests. It reacts to the screen (:meth:`ScriptedCamera.cue`: the state, the
look and the prompt shown) the way a person does.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from booth.camera.base import CameraError
from booth.camera.scene import FindFace, Pupils, Scene
from booth.camera.subject import SubjectPose, SubjectScript, person_seed
from booth.camera.threaded import ThreadedCamera
from booth.camera.view import same_aspect
from booth.coach.geometry import Rig
from booth.config import Config
from booth.observation import Box

log = logging.getLogger(__name__)
REPO_FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"


def faces_dir(setting: str) -> Path:
    """[scripted] faces_dir, else $BOOTH_FACES_DIR, else <repo>/../shared/faces."""
    if setting:
        return Path(setting).expanduser()
    env = os.environ.get("BOOTH_FACES_DIR")
    return Path(env) if env else REPO_FACES


def find_photos(folder: Path, person: str) -> tuple[Path, Path]:
    """The neutral and smiling photo of ``person``, from ``folder``/labels.csv."""
    labels = folder / "labels.csv"
    if not labels.is_file():
        raise CameraError(
            f"scripted subject: no face photos at {folder} (no labels.csv); "
            "set [scripted] faces_dir or $BOOTH_FACES_DIR"
        )
    photos: dict[str, dict[str, Path]] = {}
    try:
        with labels.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                photos.setdefault(row["person"], {}).setdefault(row["expression"], folder / row["file"])
    except (OSError, KeyError, csv.Error, UnicodeDecodeError) as exc:
        raise CameraError(f"scripted subject: cannot read {labels}: {exc}") from exc
    found = photos.get(person, {})
    if "neutral" not in found or "smiling" not in found:
        usable = sorted(p for p, e in photos.items() if {"neutral", "smiling"} <= e.keys())
        hint = ", ".join(usable[:5]) + (", …" if len(usable) > 5 else "") if usable else "none"
        raise CameraError(
            f"scripted subject: no neutral and smiling photo of {person!r} in {labels}; "
            f"set [scripted] person or --camera scripted:PERSON (people with both: {hint})"
        )
    return found["neutral"], found["smiling"]


def find_pupils(folder: Path, photo: Path) -> Pupils | None:
    """The photo's pupil centres (image-left first) from labels.csv, when the labels give them."""
    try:
        with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if folder / row["file"] == photo:
                    a = (float(row["pupil_imgleft_x"]), float(row["pupil_imgleft_y"]))
                    b = (float(row["pupil_imgright_x"]), float(row["pupil_imgright_y"]))
                    return (a, b)
    except (OSError, KeyError, ValueError, TypeError, csv.Error, UnicodeDecodeError):
        return None
    return None


def measure_pupils(image: np.ndarray, models_dir: Path, name: Path) -> Pupils:
    """The pupils as the face model finds them: for face folders whose labels do not give them."""
    from booth.models import ModelError, require_model
    from booth.vision import FaceAnalyzer

    try:
        model = require_model(models_dir)
    except ModelError as exc:
        raise CameraError(f"scripted subject: {name} has no pupils in labels.csv and {exc}") from exc
    with FaceAnalyzer(model, mode="image") as analyzer:
        obs = analyzer.detect(image)
    if obs is None:
        raise CameraError(f"scripted subject: no face found in {name}")
    return obs.pupils


@contextmanager
def mesh_finder(models_dir: Path) -> Iterator[FindFace | None]:
    """The face model's mesh of a photo, in pixels: lets the scene draw a smile bigger than the photo's.

    One image-mode face model serves every photo asked about inside the ``with`` (the scene asks
    twice: the smiling photo's mouth, the neutral photo's eyes); building a mediapipe graph per
    photo cost about 0.3 s of start-up each. None (with a log line) when the model is not there:
    the subject then smiles no more than its photo.
    """
    from booth.models import ModelError, require_model
    from booth.vision import FaceAnalyzer

    try:
        model = require_model(models_dir)
    except ModelError as exc:
        log.warning("scripted subject: %s; it will smile no bigger than its photo", exc)
        yield None
        return

    with FaceAnalyzer(model, mode="image") as analyzer:
        def find(image: np.ndarray) -> np.ndarray | None:
            obs = analyzer.detect(image)
            return None if obs is None else obs.points()

        yield find


def load_rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise CameraError(f"scripted subject: cannot read the photo {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class ScriptedCamera(ThreadedCamera):
    """A synthetic camera: scene time comes from ``clock``, so tests can drive it."""

    def __init__(self, config: Config, person: str | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(config.camera, paced=True)
        self.scripted = config.scripted
        self.rig = Rig.from_config(config.camera)
        self.models_dir = config.models_dir
        self.person = person or config.scripted.person
        self.name = f"scripted subject {self.person}"
        self.clock = clock
        self.scene: Scene | None = None
        self.script: SubjectScript | None = None
        cam = config.camera
        pw, ph = cam.preview_width, cam.preview_height
        self._raw_preview = (pw, ph)
        # Stills of the preview's aspect ratio: the scene is laid out by frame size, so
        # another shape would show another area (booth.camera.view).
        sw = cam.still_width if cam.still_width and cam.still_height else 2 * pw
        self._raw_still = (sw, max(1, round(sw * ph / pw)))

    def frame_to(self, width: int, height: int) -> None:
        """A drawn scene has no sensor of its own shape: it is drawn at the screen's, so the screen's
        crop (booth.camera.view) takes nothing and the subject stands where the script puts them."""
        super().frame_to(width, height)
        cam = self.config
        aspect = (height, width) if cam.rotate % 180 == 90 else (width, height)
        pw, ph = same_aspect((cam.preview_width, cam.preview_height), aspect)
        sw = cam.still_width if cam.still_width and cam.still_height else 2 * pw
        self._raw_preview, self._raw_still = (pw, ph), (sw, max(1, round(sw * ph / pw)))
        # The picture's shape changed, so did its field of view (the subject is projected through it).
        self.rig = replace(self.rig, aspect=pw / ph)
        if self.script is not None:
            self.script.set_rig(self.rig)

    def _open(self) -> None:
        if self.scene is None:  # the photos do not change between restarts
            folder = faces_dir(self.scripted.faces_dir)
            neutral, smiling = find_photos(folder, self.person)
            image = load_rgb(neutral)
            pupils = find_pupils(folder, neutral) or measure_pupils(image, self.models_dir, neutral)
            with mesh_finder(self.models_dir) as find_face:
                self.scene = Scene(image, load_rgb(smiling), pupils, find_face=find_face)
        self.script = SubjectScript(self.scripted, self.clock(), rig=self.rig,
                                    seed=person_seed(self.scripted.seed, self.person))

    def pose(self) -> SubjectPose:
        """Where the subject is and how they look right now (by ``clock``)."""
        if self.script is None:
            raise CameraError(f"{self.name}: not started")
        return self.script.at(self.clock())

    def _grab(self) -> np.ndarray:
        assert self.scene is not None
        return self.scene.render(self.pose(), self._raw_preview)

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        assert self.scene is not None
        pose = self.pose()
        return [self.scene.render(pose, self._raw_still) for _ in range(count)]

    def cue(self, state: str, look: str | None = None, prompts: tuple[str, ...] = ()) -> None:
        if self.script is not None:
            self.script.cue(state, look, self.clock(), prompts)
