"""From a scripted subject to the photo on a phone, with every part real.

A real `booth web` process serves the data directory; a real `booth run`
process takes one headless visit of the scripted subject on the booth's
defaults (the session of looks); the QR code on its share screen (the
screenshot is the screen's own pixels) is read with OpenCV, and the visit URL
it holds is fetched over HTTP on 127.0.0.1: the page loads, and each photo's
Download link returns the very bytes stored as that retouched photo.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from booth.codes import short_code
from booth.gallery import Gallery
from booth.session import FLOW_ORDER
from booth_process import booth_env, run_booth, start_web
from qr_read import qr_texts


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (loopback only)
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


@pytest.fixture
def env(tmp_path: Path, model_path: Path) -> dict[str, str]:
    return booth_env(data=tmp_path / "data", models=model_path.parent, no_desktop=True)


@pytest.fixture
def web(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    server = start_web(env, tmp_path / "web.log")
    yield server.base
    server.stop(timeout=30)


def test_scripted_session_to_qr_to_page_to_download(env, web, tmp_path):
    """The booth on its defaults: the session of looks, its one visit page, every kept photo's download."""
    shots = tmp_path / "shots"
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", "--screenshots", str(shots),
                    "--public-url", web, env=env, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    printed = run.stdout.strip()

    # The QR on the share screen, read from the screen's pixels.
    share = sorted(shots.glob("*-share.png"))
    assert len(share) == 1
    texts = qr_texts(cv2.imread(str(share[0])))  # OpenCV's classic detector alone misses ~4 % (qr_read.py)
    assert len(texts) == 1, texts
    url = texts.pop()
    assert url == printed and re.fullmatch(re.escape(web) + r"/v/[A-Za-z0-9_-]{24}", url)

    status, page, headers = _get(url)
    assert status == 200 and "text/html" in headers.get("content-type", "")
    links = re.findall(r'class="button download" href="([^"]+)"', page.decode())
    visit = url.rsplit("/", 1)[1]
    with Gallery(tmp_path / "data") as gallery:
        records = gallery.visit_photos(visit)
        stored = {r.token: gallery.path(r, "retouched").read_bytes() for r in records}
    assert sorted(r.look for r in records) == sorted(FLOW_ORDER)  # all three looks, all kept by the hand
    assert len(links) == len(stored) == 3, page.decode()[:2000]
    fetched = {}
    for link in links:
        download = urllib.parse.urljoin(url, link)  # as the phone's browser resolves it
        assert download.startswith(web + "/p/")
        status, body, _ = _get(download)
        assert status == 200 and body[:2] == b"\xff\xd8" and len(body) > 10_000
        fetched[download.rsplit("/", 2)[-2]] = body
    assert fetched == stored  # each link is its own photo's very bytes

    # A phone that cannot scan types the code under the QR: it leads to the same visit page.
    status, typed, _ = _get(f"{web}/{short_code(visit)}")  # urllib follows the redirect, as a browser does
    assert status == 200 and re.findall(r'class="button download" href="([^"]+)"', typed.decode()) == links
