"""A visit's page on `booth web --cloud` against a real S3 server (issue 17, one link for the visit).

`booth sync` marks each photo of a visit under ``<booth>/visits/<visit>/`` with its
"pending"; the cloud server lists the visit from those marks, says "on its way"
until every photo is there, then serves the same page and ZIP as the booth; the
marks go with their photos (deleted on the cloud page, on the booth, or pruned).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import httpx
from booth_process import run_booth
from s3_server import CloudWeb, S3Server, cloud_booth, s3  # noqa: F401 - s3 is a fixture
from test_web_support import face_jpegs
from test_web_visit import LOOKS, hrefs, listed

from booth.cloud.keys import Layout
from booth.gallery import new_token

DAY = 86400.0


def keep(booth, faces_dir: Path, visit: str, looks=LOOKS, now: float | None = None, first_face: int = 0) -> list:
    t0 = time.time() if now is None else now
    with booth.gallery() as g:
        kept = []
        for i, look in enumerate(looks):
            original, retouched = face_jpegs(faces_dir, first_face + i)
            staged = g.stage(original_jpeg=original, retouched_jpeg=retouched, look=look, crop="4:5",
                             retouch="natural", scores={}, now=t0 + i)
            kept.append(g.publish(staged, visit=visit))
        return kept


def files_of(booth, record, kind: str) -> bytes:
    return (booth.data / "photos" / f"{record.token}.{kind}.jpg").read_bytes()


def test_the_cloud_serves_the_visit_page_and_its_zip_and_the_marks_go_with_the_photos(
        tmp_path: Path, s3: S3Server, faces_dir: Path) -> None:
    booth, port = cloud_booth(tmp_path, s3, "hall-x")
    layout = Layout(booth.prefix)
    visit, other = new_token(), new_token()
    mine = keep(booth, faces_dir, visit)
    theirs = keep(booth, faces_dir, other, looks=("smile",), first_face=5)
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        with httpx.Client(base_url=web.base, timeout=20) as c:
            assert c.get(f"/v/{visit}").status_code == 404, "nothing has left the booth yet"
            # The start of an upload: the photo's "pending" and its visit's mark. The visit is on its way.
            client = s3.client()
            client.put_object(Bucket=s3.bucket, Key=layout.photo("hall-x", mine[0].token, "pending"), Body=b"")
            client.put_object(Bucket=s3.bucket, Key=layout.visit("hall-x", visit, mine[0].token), Body=b"")
            waiting = c.get(f"/v/{visit}")
            assert waiting.status_code == 200 and "on its way" in waiting.text
            assert waiting.headers["cache-control"] == "no-store" and re.search(r'http-equiv="refresh"', waiting.text)
            assert booth.sync_once().returncode == 0
            assert sorted(k for k in booth.objects() if "/visits/" in k) == sorted(
                [layout.visit("hall-x", visit, p.token) for p in mine] + [layout.visit("hall-x", other, theirs[0].token)])

            page = c.get(f"/v/{visit}")
            assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
            assert listed(page.text) == [p.token for p in mine] and theirs[0].token not in page.text
            base = f"{web.base}/v/{visit}"
            links = [urljoin(base, h) for h in hrefs(page.text)]
            for p in mine:
                for suffix, kind in (("/photo.jpg", "retouched"), ("/download", "retouched"),
                                     ("/original", "original")):
                    url = f"{web.base}/p/{p.token}{suffix}"
                    assert url in links
                    assert c.get(url).content == files_of(booth, p, kind), (p.look, suffix)
            archive = zipfile.ZipFile(io.BytesIO(c.get(f"/v/{visit}/all.zip").content))
            assert [archive.read(n) for n in archive.namelist()] == [files_of(booth, p, "retouched") for p in mine]
            assert listed(c.get(f"/v/{other}").text) == [theirs[0].token]

            # Deleted on the cloud page: its objects and its mark go; the visit keeps the other two.
            done = c.post(f"/p/{mine[0].token}/delete", headers={"sec-fetch-site": "same-origin"})
            assert done.status_code == 200
            assert layout.visit("hall-x", visit, mine[0].token) not in booth.objects()
            assert listed(c.get(f"/v/{visit}").text) == [mine[1].token, mine[2].token]
            # Deleted on the booth: `booth sync` deletes its objects and its mark.
            with booth.gallery() as g:
                assert g.delete(mine[1].token)
            assert booth.sync_once().returncode == 0
            assert not [k for k in booth.objects() if mine[1].token in k or mine[0].token in k]
            assert listed(c.get(f"/v/{visit}").text) == [mine[2].token]
            with booth.gallery() as g:  # the cloud page's delete reached the booth too
                assert g.get(mine[0].token) is None and [r.token for r in g.visit_photos(visit)] == [mine[2].token]

            for bad in (new_token(), visit[:-1], "x", f"{visit}A", mine[2].token):
                for suffix in ("", "/all.zip"):
                    r = c.get(f"/v/{bad}{suffix}")
                    assert r.status_code == 404 and "No photo here" in r.text, (bad, suffix)
    finally:
        web.stop()


def test_an_expired_visit_is_410_on_the_cloud_and_pruning_takes_its_marks(
        tmp_path: Path, s3: S3Server, faces_dir: Path) -> None:
    booth, port = cloud_booth(tmp_path, s3, "hall-y")
    visit = new_token()
    keep(booth, faces_dir, visit, looks=("serious", "smile"), now=time.time() - 8 * DAY)
    assert booth.sync_once().returncode == 0
    assert len([k for k in booth.objects() if "/visits/" in k]) == 2
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        for suffix in ("", "/all.zip"):
            r = httpx.get(f"{web.base}/v/{visit}{suffix}")
            assert r.status_code == 410 and "expired" in r.text
        done = run_booth("prune", "--cloud", env=booth.env(), timeout=60)
        assert done.returncode == 0, done.stderr
        assert booth.objects() == [], "every object and every mark of the visit pruned"
        assert httpx.get(f"{web.base}/v/{visit}").status_code == 404
    finally:
        web.stop()
