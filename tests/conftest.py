"""Shared fixtures: the real face photos, their labels, the real face model, and systemd's notify socket."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from booth_process import MODELS_DIR, NotifyListener

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


@pytest.fixture
def faces_subset(faces_dir: Path, tmp_path: Path) -> Callable[..., Path]:
    """A labelled faces folder in tmp_path with only some people: the study scripts run on it in seconds.

    ``faces_subset(people, skip=files)`` links those people's photos (less the
    files in ``skip``) and writes their rows of labels.csv; it returns the folder.
    """
    def make(people: Collection[str], skip: Collection[str] = ()) -> Path:
        with (faces_dir / "labels.csv").open(newline="") as fh:
            reader = csv.DictReader(fh)
            rows = [r for r in reader if r["person"] in people and r["file"] not in skip]
            fields = reader.fieldnames
        for r in rows:
            link = tmp_path / r["file"]
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(faces_dir / r["file"])
        with (tmp_path / "labels.csv").open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        return tmp_path

    return make


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The verified face model (`make test` fetches it first)."""
    from booth.models import require_model

    return require_model(MODELS_DIR)


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[NotifyListener]:
    """systemd's end of NOTIFY_SOCKET for a `booth run` child (``booth_env(notify=listener.path)``)."""
    lst = NotifyListener(tmp_path / "notify.sock")
    yield lst
    lst.close()
