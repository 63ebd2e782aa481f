"""The scripted subject: real photos, judged by the real face model (mediapipe FaceLandmarker).

Scene time comes from an injected clock, so each check looks at a chosen
moment of the script. booth.vision is not used on purpose: these tests check
the camera against mediapipe directly.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from booth.camera.base import CameraError, Frame
from booth.camera.scripted import ScriptedCamera, faces_dir, find_photos
from booth.camera.subject import SubjectScript
from booth.config import CameraConfig, Config, ScriptedConfig

# Default timings: enter 1.5, centre 1.5, neutral 4, smile 6, fade 0.3, react 1.
SETTLED = 3.0
SMILING = SETTLED + 4.0 + 0.3 + 0.5  # well into the first smile


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def landmarker(model_path: Path):
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.IMAGE,
        output_face_blendshapes=True,
        num_faces=1,
    )
    detector = vision.FaceLandmarker.create_from_options(options)
    yield detector
    detector.close()


def _face(landmarker, frame: Frame) -> dict | None:
    """Face box (fractions of the frame) and smile score as mediapipe sees them, or None."""
    import mediapipe as mp

    result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=frame.image))
    if not result.face_landmarks:
        return None
    points = np.array([(p.x, p.y) for p in result.face_landmarks[0]])
    scores = {c.category_name: c.score for c in result.face_blendshapes[0]}
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return {"cx": (x0 + x1) / 2, "cy": (y0 + y1) / 2, "w": x1 - x0,
            "smile": (scores["mouthSmileLeft"] + scores["mouthSmileRight"]) / 2}


@pytest.fixture
def camera(faces_dir: Path):
    clock = Clock()
    config = Config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir), guest="average")
    # Guests asked to stand 0.9 m away: walking in, the face is still big enough for
    # mediapipe's full-frame detector (under about 9 % of the width it is not found).
    config.camera = replace(config.camera, distance_m=0.9)
    camera = ScriptedCamera(config, clock=clock)
    camera.start()
    assert camera.script is not None
    camera.script.wrong_look_first = 0.0  # these tests check the plain reactions; the wrong look first below
    yield camera, clock
    camera.stop()


def _at(camera: ScriptedCamera, clock: Clock, t: float) -> Frame:
    """A preview frame rendered at scene time t (after the clock was set)."""
    assert camera.wait_frame(-1, 2.0) is not None
    clock.t = camera.script.started_at + t
    latest = camera.latest()
    # Frame latest+1 may have been begun before the clock moved; any later
    # one began after latest+1 was delivered, so after the clock was set.
    frame = camera.wait_frame(latest.index + 1, 2.0)
    assert frame is not None
    return frame


def test_the_subject_walks_in_settles_and_smiles(camera, landmarker) -> None:
    cam, clock = camera
    early = _face(landmarker, _at(cam, clock, 0.75))
    settled = _face(landmarker, _at(cam, clock, SETTLED + 1.0))
    smiling = _face(landmarker, _at(cam, clock, SMILING))
    back = _face(landmarker, _at(cam, clock, SETTLED + 10.0 + 1.0))  # after smile_s: neutral again
    assert early is not None and settled is not None and smiling is not None and back is not None
    # Early: small and off-centre.
    assert early["w"] < 0.8 * settled["w"]  # further back
    assert early["cx"] < 0.35
    assert abs(settled["cx"] - 0.5) < 0.12  # near the middle: an average guest, drawn near the mark
    assert settled["w"] > 0.12  # a headshot-sized face (mesh width; the crop is at least 40 % of the height)
    assert smiling["smile"] > settled["smile"] + 0.3
    assert back["smile"] < smiling["smile"] - 0.3


def test_stills_are_larger_renders_of_the_same_moment(camera, landmarker) -> None:
    cam, clock = camera
    preview = _at(cam, clock, SMILING)
    stills = cam.capture_burst(2)
    assert [s.size for s in stills] == [(1280, 960)] * 2 == [cam.still_size] * 2
    assert cam.preview_size == preview.size == (640, 480)
    face = _face(landmarker, stills[0])
    seen = _face(landmarker, preview)
    assert face is not None and seen is not None and face["smile"] > 0.4
    assert abs(face["cx"] - seen["cx"]) < 0.01 and abs(face["w"] - seen["w"]) < 0.01  # the same picture, larger
    assert cam.describe() == "scripted subject london-004: preview 640x480, stills 1280x960"


def test_cues_make_the_subject_react(camera, landmarker) -> None:
    cam, clock = camera
    # Coaching for a smile: neutral at first, smiling after react_s.
    _at(cam, clock, SETTLED + 0.5)
    cam.cue("coach", "smile")
    asked = clock.t - cam.script.started_at
    not_yet = _face(landmarker, _at(cam, clock, asked + 0.5))
    smiling = _face(landmarker, _at(cam, clock, asked + 1.0 + 0.3 + 0.2))
    assert not_yet is not None and smiling is not None
    assert smiling["smile"] > not_yet["smile"] + 0.3
    # Still smiling long after the plain timeline would have relaxed: a cue holds.
    assert cam.pose().phase == "smile"
    clock.t += 30.0
    assert cam.pose().smile == 1.0
    # The review screen: back to neutral, holding.
    cam.cue("review")
    relaxed = _face(landmarker, _at(cam, clock, clock.t - cam.script.started_at + 0.5))
    assert relaxed is not None and relaxed["smile"] < smiling["smile"] - 0.3
    # A new subject on the attract screen walks in again: small and off-centre.
    cam.cue("attract")
    assert cam.pose().phase == "enter"
    frame = _at(cam, clock, 0.5)
    walking_in = _face(landmarker, frame)
    assert walking_in is not None and walking_in["cx"] < 0.35 and walking_in["w"] < 0.15


def test_camera_settings_and_errors(faces_dir: Path, tmp_path: Path) -> None:
    config = Config()
    config.camera = CameraConfig(preview_width=320, preview_height=240, still_width=960, still_height=720)
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    with ScriptedCamera(config, "london-007") as camera:
        frame = camera.wait_frame(-1, 2.0)
        still = camera.capture_burst(1)[0]
    assert frame is not None and frame.size == (320, 240) and still.size == (960, 720)
    assert camera.name == "scripted subject london-007"

    config.scripted = replace(config.scripted, faces_dir=str(tmp_path))
    with pytest.raises(CameraError, match=r"no face photos at .*\[scripted\] faces_dir or \$BOOTH_FACES_DIR"):
        ScriptedCamera(config).start()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    with pytest.raises(CameraError, match=r"'nobody'.*\[scripted\] person.*london-004"):
        ScriptedCamera(config, "nobody").start()
    (tmp_path / "labels.csv").write_text("file,person,expression\nmissing.jpg,x,neutral\nmissing2.jpg,x,smiling\n")
    config.scripted = replace(config.scripted, faces_dir=str(tmp_path))
    with pytest.raises(CameraError, match="cannot read the photo .*missing.jpg"):
        ScriptedCamera(config, "x").start()


def test_faces_dir_setting_then_environment(monkeypatch, tmp_path: Path) -> None:
    assert faces_dir(str(tmp_path)) == tmp_path
    monkeypatch.setenv("BOOTH_FACES_DIR", "/somewhere/faces")
    assert faces_dir("") == Path("/somewhere/faces")
    monkeypatch.delenv("BOOTH_FACES_DIR")
    assert faces_dir("").parts[-2:] == ("shared", "faces")


def test_find_photos_uses_the_labels(faces_dir: Path, face_labels) -> None:
    neutral, smiling = find_photos(faces_dir, "london-004")
    by_file = {l.file: l for l in face_labels}
    assert by_file[neutral].expression == "neutral" and by_file[smiling].expression == "smiling"
    assert by_file[neutral].person == by_file[smiling].person == "london-004"


# ---------------------------------------------------------------- the timeline alone


def test_timeline_phases_follow_the_config() -> None:
    cfg = ScriptedConfig(enter_s=1.0, centre_s=2.0, neutral_s=3.0, smile_s=2.0, fade_s=0.5, guest="average")
    script = SubjectScript(cfg, start=10.0)
    phases = [(t, script.at(10.0 + t).phase) for t in (0.5, 1.5, 3.5, 5.9, 6.6, 7.9, 8.6, 11.4)]
    assert phases == [(0.5, "enter"), (1.5, "centre"), (3.5, "neutral"), (5.9, "neutral"),
                      (6.6, "smile"), (7.9, "smile"), (8.6, "neutral"), (11.4, "smile")]
    assert script.at(10.5).eye_chin < 0.7 * script.at(13.5).eye_chin  # walking in from further back ...
    assert script.at(10.5).eye_x < 0.3 and abs(script.at(13.5).eye_x - 0.5) < 0.12  # ... and from the side
    assert script.at(16.25).smile == pytest.approx(0.5)  # halfway through the fade in
    assert script.at(18.25).smile == pytest.approx(0.5)  # and out
    assert not script.at(20.0).cued


def test_cues_on_the_timeline() -> None:
    cfg = ScriptedConfig(react_s=1.0, fade_s=0.2)
    script = SubjectScript(cfg, start=0.0, wrong_look_first=0.0)
    script.cue("breathe", None, 9.0)  # during the plain timeline's smile (7.0 .. 13.0)
    assert script.at(9.0).smile == 1.0 and script.at(9.3).smile == 0.0
    assert script.at(60.0).phase == "neutral" and script.at(60.0).cued
    script.cue("coach", "serious", 61.0)
    assert script.at(70.0).smile == 0.0
    script.cue("coach", "smile", 71.0)
    assert script.at(71.9).smile == 0.0 and script.at(72.1).smile == pytest.approx(0.5)
    assert script.at(100.0).smile == 1.0
    script.cue("countdown", None, 101.0)  # not a face-changing screen
    assert script.at(102.0).smile == 1.0
    script.cue("share", None, 103.0)
    assert script.at(103.5).smile == 0.0
    script.cue("attract", None, 110.0)
    pose = script.at(110.5)
    assert pose.phase == "enter" and not pose.cued and pose.eye_chin < 0.7 * script.at(115.0).eye_chin
    # A cue while walking in changes the face, not the walk.
    script.cue("coach", "smile", 110.6)
    assert script.at(112.0).phase == "centre" and script.at(112.0).smile == 1.0
