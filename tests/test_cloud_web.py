"""`booth web --cloud` against a real S3 server: the QR's URL served from the bucket with the booth's own web down."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.parse
from pathlib import Path

import cv2
import httpx
import pytest
from booth_process import free_port, run_booth
from qr_read import qr_texts
from s3_server import Booth, CloudWeb, S3Server, cloud_booth, jpegs, s3  # noqa: F401 - jpegs and s3 are fixtures

from booth.cloud.keys import Layout
from booth.gallery import Gallery

LOCAL = "http://10.42.0.1"  # the booth's own address ([web] public_url), as on its hotspot


def test_qr_to_cloud_page_with_the_booths_web_down(tmp_path: Path, s3: S3Server, model_path: Path) -> None:
    booth, port = cloud_booth(tmp_path, s3, "hall-r")
    # One photo's page (flow = "one"); the visit page of the session of looks in the cloud: test_cloud_visit.
    booth.config.write_text(booth.config.read_text() + f'\n[web]\npublic_url = "{LOCAL}"\n[session]\nflow = "one"\n')
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        shots = tmp_path / "shots"
        env = {**booth.env(), "BOOTH_MODELS_DIR": str(model_path.parent)}
        run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", "--screenshots", str(shots),
                        env=env, timeout=240)
        assert run.returncode == 0, run.stderr[-3000:]
        share = sorted(shots.glob("*-share.png"))
        assert len(share) == 1
        # Both ways on the share screen: the cloud page (mobile data) and the booth's own address (no signal).
        texts = qr_texts(cv2.imread(str(share[0])))
        cloud = [t for t in texts if t.startswith(web.base)]
        assert len(cloud) == 1 and re.fullmatch(re.escape(web.base) + r"/p/[A-Za-z0-9_-]{24}", cloud[0]), texts
        url = cloud[0]
        token = url.rsplit("/", 1)[1]
        assert texts == {url, f"{LOCAL}/p/{token}"}, texts
        assert httpx.get(url).status_code == 404, "nothing has left the booth yet"
        # booth sync announces the photo first ("pending"): the page says it is on its way, and refreshes itself
        s3.client().put_object(Bucket=s3.bucket, Key=Layout(booth.prefix).photo("hall-r", token, "pending"), Body=b"")
        waiting = httpx.get(url)
        assert waiting.status_code == 200 and "Your photo is on its way" in waiting.text
        assert re.search(r'<meta http-equiv="refresh" content="\d+">', waiting.text) and "<script" not in waiting.text
        assert booth.sync_once().returncode == 0
        page = httpx.get(url)
        assert page.status_code == 200 and "Your headshot" in page.text
        download = urllib.parse.urljoin(url, re.search(r'id="download" href="([^"]+)"', page.text).group(1))
        got = httpx.get(download)
        with Gallery(booth.data) as g:
            record = g.get(token)
            retouched = g.path(record, "retouched").read_bytes()
            original = g.path(record, "original").read_bytes()
        assert got.status_code == 200 and got.content == retouched and len(got.content) > 10_000
        assert got.headers["content-disposition"].startswith('attachment; filename="headshot-')
        again = httpx.get(download, headers={"if-none-match": got.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        orig = httpx.get(urllib.parse.urljoin(url, re.search(r'id="download-original" href="([^"]+)"',
                                                             page.text).group(1)))
        assert orig.status_code == 200 and orig.content == original
        assert "-original.jpg" in orig.headers["content-disposition"]
        # unknown and malformed tokens: the same 404 as locally
        for bad in ("A" * 24, token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc/passwd", "x"):
            assert httpx.get(f"{web.base}/p/{bad}").status_code == 404
    finally:
        web.stop()


def test_cloud_delete_reaches_the_booth_and_expired_is_410(tmp_path: Path, s3: S3Server,
                                                          jpegs: tuple[bytes, bytes]) -> None:
    booth, port = cloud_booth(tmp_path, s3, "hall-s")
    token, other = booth.publish(jpegs, 2)
    with booth.gallery() as g:  # taken eight days ago: expired
        old = g.publish(g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                                retouch="natural", scores={}, now=time.time() - 8 * 86400)).token
    assert booth.sync_once().returncode == 0
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        assert httpx.get(f"{web.base}/p/{old}").status_code == 410
        assert httpx.get(f"{web.base}/p/{old}/download").status_code == 410
        page = f"{web.base}/p/{token}"
        assert httpx.get(f"{page}/delete").status_code == 200  # asks first
        # another site's form is refused, as locally
        assert httpx.post(f"{page}/delete", headers={"sec-fetch-site": "cross-site"}).status_code == 403
        done = httpx.post(f"{page}/delete", headers={"sec-fetch-site": "same-origin"})
        assert done.status_code == 200
        assert httpx.get(page).status_code == 404 and httpx.get(f"{page}/download").status_code == 404
        assert not [k for k in booth.objects() if f"/{token}/" in k], "every object of it gone from the bucket"
        assert booth.objects().count(booth.key(other, "meta.json")) == 1
        with booth.gallery() as g:
            assert g.get(token) is not None, "the booth's copy goes at its next sync"
        assert booth.sync_once().returncode == 0
        with booth.gallery() as g:
            assert g.get(token) is None and g.get(other) is not None
        assert not list((booth.data / "photos").glob(f"{token}*"))
        assert not [k for k in booth.objects() if "/deleted/" in k], "the marker is settled"
    finally:
        web.stop()


def test_two_booths_one_bucket_one_server(tmp_path: Path, s3: S3Server, jpegs: tuple[bytes, bytes]) -> None:
    port = free_port()
    prefix = f"{tmp_path.name}-fleet/"
    one = Booth(tmp_path, s3, "hall-t", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
    two = Booth(tmp_path, s3, "hall-u", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
    a, b = one.publish(jpegs, 1)[0], two.publish((jpegs[1], jpegs[0]), 1)[0]  # different bytes per booth
    assert one.sync_once().returncode == 0 and two.sync_once().returncode == 0
    web = CloudWeb(one, port, tmp_path / "cloud-web.log")
    try:
        assert httpx.get(f"{web.base}/p/{a}/download").content == jpegs[1]
        assert httpx.get(f"{web.base}/p/{b}/download").content == jpegs[0]
        # a third booth joins later: found without restarting the server
        three = Booth(tmp_path, s3, "hall-v", prefix=prefix, public_url=f"http://127.0.0.1:{port}")
        c = three.publish(jpegs, 1)[0]
        assert three.sync_once().returncode == 0
        assert httpx.get(f"{web.base}/p/{c}").status_code == 200
    finally:
        web.stop()
    assert sorted(k.split("/")[1] for k in s3.keys(prefix)) == ["hall-t"] * 3 + ["hall-u"] * 3 + ["hall-v"] * 3
