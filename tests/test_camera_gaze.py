"""Eyes turned aside (booth.camera.gaze), judged by the real face model on a real face.

The contemplative look asks for the eyes off the lens; the scripted subject's
photos look into it. Turned by the gaze field, the face model must read the
gaze moving the way asked, and only the eyes may move.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from booth.camera.scene import Scene
from booth.camera.scripted import mesh_finder, find_photos, find_pupils, load_rgb
from booth.camera.subject import SubjectPose
from booth.coach.face import measure
from booth.vision import FaceAnalyzer

SIZE = (640, 480)


def pose(gaze: float) -> SubjectPose:
    return SubjectPose("neutral", 0.5, 0.45, 0.3, 0.0, 0.0, gaze=gaze)


@pytest.fixture(scope="module")
def scene(faces_dir: Path, model_path: Path) -> Scene:
    neutral, smiling = find_photos(faces_dir, "london-004")
    pupils = find_pupils(faces_dir, neutral)
    assert pupils is not None
    with mesh_finder(model_path.parent) as find_face:
        return Scene(load_rgb(neutral), load_rgb(smiling), pupils, find_face=find_face)


def test_the_face_model_reads_the_eyes_turned_the_way_asked(scene: Scene, model_path: Path) -> None:
    with FaceAnalyzer(model_path, mode="image") as a:
        read = {g: measure(a.detect(scene.render(pose(g), SIZE))).gaze_h for g in (-20.0, 0.0, 20.0)}
    # + = the subject's own left (the image right), as booth.coach.face measures it.
    assert read[20.0] - read[0.0] > 5.0
    assert read[0.0] - read[-20.0] > 5.0
    assert abs(read[0.0]) < 8.0  # the photo itself looks into the lens


def test_only_the_eyes_move(scene: Scene, model_path: Path) -> None:
    a = scene.render(pose(0.0), SIZE).astype(np.int16)
    b = scene.render(pose(25.0), SIZE).astype(np.int16)
    with FaceAnalyzer(model_path, mode="image") as an:
        obs = an.detect(scene.render(pose(0.0), SIZE))
    (lx, ly), (rx, ry) = obs.pupils
    ipd = rx - lx
    diff = np.abs(a - b).max(axis=2)
    eye_y = int((ly + ry) / 2)
    assert diff[eye_y - 4:eye_y + 4, int(lx) - 6:int(rx) + 6].mean() > 3  # the eyes: moved
    assert diff[: int(eye_y - 0.35 * ipd)].max() <= 2  # brow, hair, backdrop: still
    assert diff[int(eye_y + 0.45 * ipd):].max() <= 2  # nose, mouth, chin, body: still
