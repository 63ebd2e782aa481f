"""Fault: the photo server dies while phones are downloading; they retry and succeed.

Real processes and sockets: ``booth web`` runs as a subprocess (two
workers, as on a Pi), two clients start downloading a 10 MB photo with a
small receive window (a slow phone), the whole server is SIGKILLed
mid-transfer and started again on the same port (what systemd's
Restart=always does). One client resumes with ``Range`` + ``If-Range`` as
browsers do; the other simply GETs again. Both end with the exact bytes.
"""

from __future__ import annotations

import hashlib
import signal
import socket
import threading
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from booth.gallery import Gallery
from booth_process import BoothWeb, booth_env, free_port, start_web


def _start(data_dir: Path, config: Path, port: int, log: Path) -> BoothWeb:
    return start_web(booth_env(data=data_dir, config=config), log, port=port)


def _kill(server: BoothWeb) -> None:
    """SIGKILL the server and its workers (its process group), as a crash would."""
    server.stop(signal.SIGKILL, timeout=30)


@pytest.fixture
def photo(tmp_path: Path):
    data_dir = tmp_path / "data"
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (3000, 3000, 3), dtype=np.uint8)  # incompressible: ~10 MB
    ok, jpeg = cv2.imencode(".jpg", noise, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    with Gallery(data_dir) as g:
        record = g.add(original_jpeg=jpeg.tobytes(), retouched_jpeg=jpeg.tobytes(), look="smile",
                       crop="4:5", retouch="natural", scores={})
    config = tmp_path / "booth.toml"
    config.write_text("[web]\nworkers = 2\n")
    return data_dir, config, record.token, jpeg.tobytes()


def _slow_client() -> httpx.Client:
    # A small receive window: the server cannot push the whole photo into
    # socket buffers before it is killed, like a phone on weak Wi-Fi.
    transport = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)])
    return httpx.Client(transport=transport, timeout=httpx.Timeout(10.0))


class Download:
    """One phone: reads part of the photo, then waits until told to carry on."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = _slow_client()
        self.received = bytearray()
        self.etag: str | None = None
        self.total = 0
        self.started = threading.Event()
        self.go_on = threading.Event()
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with self.client.stream("GET", self.url) as response:
                assert response.status_code == 200
                self.etag = response.headers["etag"]
                self.total = int(response.headers["content-length"])
                for chunk in response.iter_raw(16 * 1024):
                    self.received += chunk
                    if len(self.received) >= 256 * 1024 and not self.started.is_set():
                        self.started.set()
                        self.go_on.wait(60)
        except httpx.TransportError as exc:  # the server went away mid-body
            self.error = exc
        finally:
            self.started.set()


def _retry(fn, deadline_s: float = 60.0):
    """What a phone's browser does: try again until the server answers."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return fn()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_downloads_survive_a_server_restart(photo, tmp_path: Path) -> None:
    data_dir, config, token, jpeg = photo
    port = free_port()
    log = tmp_path / "web.log"
    server = _start(data_dir, config, port, log)
    url = f"http://127.0.0.1:{port}/p/{token}/download"
    phones: list[Download] = []
    try:
        phones += [Download(url), Download(url)]
        for p in phones:
            assert p.started.wait(60)
            assert p.error is None, p.error
        _kill(server)
        for p in phones:
            p.go_on.set()
            p.thread.join(60)
        for p in phones:
            # the kill really cut them off part-way
            assert isinstance(p.error, httpx.TransportError), "download finished before the kill"
            assert 0 < len(p.received) < p.total == len(jpeg)
            assert bytes(p.received) == jpeg[: len(p.received)]

        server = _start(data_dir, config, port, log)

        # phone 1 resumes where it stopped, guarded by If-Range
        resume_from = len(phones[0].received)

        def resume() -> httpx.Response:
            return phones[0].client.get(url, headers={"Range": f"bytes={resume_from}-", "If-Range": phones[0].etag})

        r = _retry(resume)
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes {resume_from}-{len(jpeg) - 1}/{len(jpeg)}"
        assert r.headers["etag"] == phones[0].etag  # same file, same validator across the restart
        whole = bytes(phones[0].received) + r.content
        assert hashlib.sha256(whole).digest() == hashlib.sha256(jpeg).digest()

        # phone 2 just asks again
        r2 = _retry(lambda: phones[1].client.get(url))
        assert r2.status_code == 200 and r2.content == jpeg
    finally:
        _kill(server)
        for p in phones:
            p.client.close()
    # the photo is still published and intact after the crash
    with Gallery(data_dir) as g:
        record = g.get(token)
        assert record is not None
        assert g.path(record, "retouched").read_bytes() == jpeg
        assert g.reconcile().clean
