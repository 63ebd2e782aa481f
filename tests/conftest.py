"""Shared fixtures: the real face photos, their labels, and the real face model."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

REPO = Path(__file__).resolve().parent.parent
FACES_DIR = Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces"))


@dataclass(frozen=True)
class FaceLabel:
    file: Path
    person: str
    expression: str  # "neutral" | "smiling"
    set: str
    width: int
    height: int
    pupils: tuple[tuple[float, float], tuple[float, float]] | None  # image-left first


def _read_labels() -> list[FaceLabel]:
    rows = []
    with (FACES_DIR / "labels.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            pupils = None
            if r["pupil_imgleft_x"]:
                pupils = (
                    (float(r["pupil_imgleft_x"]), float(r["pupil_imgleft_y"])),
                    (float(r["pupil_imgright_x"]), float(r["pupil_imgright_y"])),
                )
            rows.append(FaceLabel(FACES_DIR / r["file"], r["person"], r["expression"], r["set"],
                                  int(r["width"]), int(r["height"]), pupils))
    return rows


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    if not (FACES_DIR / "labels.csv").is_file():
        pytest.fail(f"face photos not found at {FACES_DIR}; set BOOTH_FACES_DIR")
    return FACES_DIR


@pytest.fixture(scope="session")
def face_labels(faces_dir: Path) -> list[FaceLabel]:
    return _read_labels()


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The verified face model (`make test` fetches it first)."""
    from booth.models import require_model

    models_dir = Path(os.environ.get("BOOTH_MODELS_DIR", REPO / ".models"))
    return require_model(models_dir)
