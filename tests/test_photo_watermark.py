"""[event] watermark: the logo (or the name) small in a corner of the retouched copy; the original never.

Real bursts of a real face through the real pipeline (the face model, the
retouch, libjpeg-turbo), built the way the booth builds it (booth.app).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.app import _pipeline
from booth.camera.base import Frame
from booth.config import Config, config_from_dict
from booth.event import Event
from booth.photo.encode import encode_jpeg
from booth.photo.pipeline import PhotoPipeline, ProcessedPhoto
from booth.photo.watermark import HEIGHT, MARGIN, Watermark
from test_photo_support import in_scene, load_rgb

SIZE = (1600, 900)
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
        '<rect width="300" height="100" fill="#e8127a"/></svg>')  # solid magenta: easy to find in a photo
MCU = 16  # libjpeg's 4:2:0 block: a change inside one reaches at most its own 16x16 block


def _decode(jpeg: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _config(tmp_path: Path, **event: object) -> Config:
    (tmp_path / "logo.svg").write_text(LOGO)
    return config_from_dict({"event": event}, "test", base_dir=tmp_path)


@pytest.fixture(scope="module")
def burst(faces_dir: Path) -> list[Frame]:
    smiling = load_rgb(faces_dir / "london/smiling/004.jpg")
    return [Frame(in_scene(smiling, SIZE, 0.7), 10.0 + i / 10, 100 + i) for i in range(2)]


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, model_path: Path,
           burst: list[Frame]) -> Iterator[tuple[PhotoPipeline, ProcessedPhoto]]:
    config = _config(tmp_path_factory.mktemp("event"), name="Gala", logo="logo.svg", watermark=True)
    with _pipeline(config, model_path) as pipeline:
        yield pipeline, pipeline.process(burst, "smile")


def test_off_by_default(model_path: Path, tmp_path: Path) -> None:
    with _pipeline(Config(), model_path) as pipeline:
        assert pipeline.watermark is None
    with _pipeline(_config(tmp_path, name="Gala", logo="logo.svg"), model_path) as pipeline:
        assert pipeline.watermark is None, "a logo alone does not mark photos"
    assert Watermark.of(Event(watermark=True)) is None, "nothing to mark with"


def test_the_original_is_never_marked(marked: tuple[PhotoPipeline, ProcessedPhoto], burst: list[Frame]) -> None:
    pipeline, photo = marked
    assert pipeline.watermark is not None
    frame = burst[photo.index].image
    clean = dataclasses.replace(photo, watermark=None)
    assert photo.jpeg(None, 92) == clean.jpeg(None, 92) == encode_jpeg(frame, 92), "the original's bytes unchanged"
    assert photo.original is frame


def test_the_retouched_copy_has_the_logo_in_its_corner_only(marked: tuple[PhotoPipeline, ProcessedPhoto]) -> None:
    pipeline, photo = marked
    clean = dataclasses.replace(photo, watermark=None)
    for level in ("none", "natural"):  # "none" renders a read-only view of the frame: never drawn on
        with_mark, without = _decode(photo.jpeg(level, 92)), _decode(clean.jpeg(level, 92))
        h, w = without.shape[:2]
        assert pipeline.watermark is not None
        x, y, bw, bh = pipeline.watermark.box((w, h))
        margin = round(MARGIN * min(w, h))
        assert (x + bw, y + bh) == (w - margin, h - margin), "bottom-right, inside a margin"
        assert bh == round(HEIGHT * min(w, h)) and bw == 3 * bh, "small, the logo's shape kept"
        changed = (photo.finished(level) != clean.render(level)).any(axis=2)
        assert changed[y:y + bh, x:x + bw].mean() > 0.9
        changed[y:y + bh, x:x + bw] = False
        assert not changed.any(), "nothing changed outside the corner"
        changed = np.abs(with_mark.astype(int) - without.astype(int)).max(axis=2) > 0
        blocks = np.zeros_like(changed)  # the JPEG blocks the mark touches, and their neighbours (the
        # decoder's smooth chroma upsampling reads one block further)
        blocks[(y // MCU - 1) * MCU:((y + bh) // MCU + 2) * MCU, (x // MCU - 1) * MCU:((x + bw) // MCU + 2) * MCU] = True
        assert not changed[~blocks].any(), "the JPEG: nothing changed outside the corner"
        inside = with_mark[y + 2:y + bh - 2, x + 2:x + bw - 2].reshape(-1, 3).mean(axis=0)
        under = without[y + 2:y + bh - 2, x + 2:x + bw - 2].reshape(-1, 3).mean(axis=0)
        magenta = np.array([0xE8, 0x12, 0x7A])
        assert np.abs(inside - magenta).max() < np.abs(under - magenta).max() / 3, "the logo is there, visibly"
    preview = photo.finished("natural")
    assert np.array_equal(preview, photo.finished("natural")) and not np.array_equal(preview, clean.render("natural"))


def test_the_name_when_there_is_no_logo(tmp_path: Path) -> None:
    mark = Watermark.of(Event.from_settings(_config(tmp_path, name="Gala 2026", watermark=True).event))
    assert mark is not None
    photo = np.full((1000, 800, 3), 128, np.uint8)
    photo.flags.writeable = False
    out = mark.apply(photo)
    assert (photo == 128).all(), "the input is left as it was"
    x, y, w, h = mark.box((800, 1000))
    assert x > 400 and y > 900 and h <= round(HEIGHT * 800) and w <= 0.4 * 800
    changed = (out != 128).any(axis=2)
    assert changed[y:y + h, x:x + w].mean() > 0.1, "the name is drawn"
    changed[y:y + h, x:x + w] = False
    assert not changed.any(), "only in its box"
    assert (out[y:y + h, x:x + w] > 200).all(axis=2).any() and (out[y:y + h, x:x + w] < 60).all(axis=2).any(), \
        "white letters with a dark outline: legible on light and dark photos"


def test_a_long_name_is_shrunk_to_fit(tmp_path: Path) -> None:
    mark = Watermark.of(Event(name="The Very Long Annual Summer Party of Everyone", watermark=True))
    assert mark is not None
    x, y, w, h = mark.box((800, 1000))
    assert w <= 0.4 * 800 and x >= 0 and h > 8
