"""From a scripted subject to the photo on a phone, with every part real.

A real `booth web` process serves the data directory; a real `booth run`
process takes one headless session of the scripted subject; the QR code on
its share screen (the screenshot is the screen's own pixels) is read with
OpenCV, and the URL it holds is fetched over HTTP on 127.0.0.1: the page
loads, and its Download link returns the very bytes stored as the retouched
photo.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import cv2
import pytest

from booth.gallery import Gallery

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback only)
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture
def env(tmp_path, model_path):
    e = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BOOTH_CONFIG")}
    e.update(BOOTH_DATA_DIR=str(tmp_path / "data"), BOOTH_MODELS_DIR=str(model_path.parent), PYTHONUNBUFFERED="1")
    return e


@pytest.fixture
def web(env, tmp_path):
    port = _free_port()
    log = (tmp_path / "web.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "booth", "web", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base + "/p/" + "A" * 24)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            assert proc.poll() is None, (tmp_path / "web.log").read_text()
            assert time.monotonic() < deadline, "booth web did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(30)
    log.close()


def test_scripted_session_to_qr_to_page_to_download(env, web, tmp_path):
    shots = tmp_path / "shots"
    run = subprocess.run(
        [sys.executable, "-m", "booth", "run", "--camera", "scripted", "--headless", "--sessions", "1",
         "--screenshots", str(shots), "--public-url", web],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    printed = run.stdout.strip()

    # The QR on the share screen, read from the screen's pixels.
    share = sorted(shots.glob("*-share.png"))
    assert len(share) == 1
    url, points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(share[0])))
    assert url == printed and re.fullmatch(re.escape(web) + r"/p/[A-Za-z0-9_-]{24}", url)

    status, page, headers = _get(url)
    assert status == 200 and "text/html" in headers.get("content-type", "")
    html = page.decode()
    m = re.search(r'id="download" href="([^"]+)"', html)
    assert m, html[:2000]
    download = urllib.parse.urljoin(url, m.group(1))  # as the phone's browser resolves it
    assert download.startswith(web + "/")
    status, body, headers = _get(download)
    assert status == 200

    token = url.rsplit("/", 1)[1]
    with Gallery(tmp_path / "data") as gallery:
        record = gallery.get(token)
        stored = gallery.path(record, "retouched").read_bytes()
    assert body == stored and body[:2] == b"\xff\xd8"
    assert len(body) > 10_000
