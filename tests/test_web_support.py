"""Shared pieces for the test_web_* modules: a real `booth web` process and real photos.

(Named test_* so it sits beside the tests that use it; it holds no tests.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx

import booth_process
from booth.gallery import Gallery, PhotoRecord
from booth.web.auth import hash_password
from booth_process import BoothWeb, booth_env

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
STAFF_PASSWORD = "correct horse battery"
# Cheap scrypt parameters keep the tests quick; the server reads them from the hash.
STAFF_HASH = hash_password(STAFF_PASSWORD, n=2**10)


@dataclass
class WebServer(BoothWeb):
    """`booth web` running for real as a child process, serving ``data_dir``."""

    data_dir: Path

    def client(self, source: str | None = None) -> httpx.Client:
        """An HTTP client; `source` picks the client address (any 127.x.y.z works on Linux)."""
        transport = httpx.HTTPTransport(local_address=source) if source else None
        return httpx.Client(base_url=self.base, timeout=20, transport=transport)


def start_web(data_dir: Path, *, staff_hash: str = STAFF_HASH, expiry_days: float = 7.0, workers: int = 2,
              port: int | None = None, log_name: str = "web.log", extra_config: str = "",
              env_more: dict[str, str] | None = None) -> WebServer:
    """``extra_config``: more TOML tables for the server's config file (e.g. an [event], [display]);
    ``env_more``: more environment (BOOTH_LOCALE_DIR...)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir.parent / f"booth-{data_dir.name}.toml"
    config.write_text(f'[storage]\nexpiry_days = {expiry_days}\n\n[web]\nstaff_password_hash = "{staff_hash}"\n'
                      f"workers = {workers}\n\n{extra_config}")
    web = booth_process.start_web(booth_env(data=data_dir, config=config, **(env_more or {})),
                                  data_dir.parent / log_name, port=port)
    return WebServer(web.proc, web.port, web.log, data_dir)


def running_web(data_dir: Path, **kw) -> Iterator[WebServer]:
    server = start_web(data_dir, **kw)
    try:
        yield server
    finally:
        server.stop()


def face_jpegs(faces_dir: Path, index: int = 0) -> tuple[bytes, bytes]:
    """(original, retouched) JPEGs made from a real face photo, different bytes."""
    files = sorted(faces_dir.glob("*/*/*.jpg"))
    image = cv2.imread(str(files[index % len(files)]))
    image = cv2.resize(image, (800, 1000))  # a 4:5 headshot
    original = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    retouched = cv2.imencode(".jpg", cv2.bilateralFilter(image, 7, 30, 7), [cv2.IMWRITE_JPEG_QUALITY, 92])[1]
    return original, retouched.tobytes()


def add_photo(data_dir: Path, faces_dir: Path, *, index: int = 0, now: float | None = None,
              look: str = "smile") -> PhotoRecord:
    original, retouched = face_jpegs(faces_dir, index)
    with Gallery(data_dir, reconcile=False) as g:
        return g.add(original_jpeg=original, retouched_jpeg=retouched, look=look, crop="4:5",
                     retouch="natural", scores={"smile": 0.9}, now=now)


def stored(data_dir: Path, record: PhotoRecord, kind: str) -> bytes:
    return (data_dir / "photos" / f"{record.token}.{kind}.jpg").read_bytes()


def one_char_off(token: str) -> str:
    i = len(token) // 2
    return token[:i] + ("a" if token[i] != "a" else "b") + token[i + 1:]
