"""A visit's page, /v/<visit>, and its "Download all" over real HTTP against a real `booth web` process,
and in real headless Chromium at a phone's viewport (issue 17, one link for the visit).

The visits are published straight through the Gallery, as the booth's session of
looks does on "keep": no session is needed to test what the phone is served.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

from booth.gallery import Gallery, PhotoRecord, new_token
from test_web_browser import browser, open_phone, relevant, shot  # noqa: F401 (browser: the fixture)
from test_web_phone import check_headers
from test_web_support import face_jpegs, one_char_off, running_web, stored

DAY = 86400.0
LOOKS = ("serious", "contemplative", "smile")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from running_web(tmp_path_factory.mktemp("visit") / "data")


def keep_visit(data_dir: Path, faces_dir: Path, visit: str, *, looks: tuple[str, ...] = LOOKS,
               now: float | None = None, first_face: int = 0) -> list[PhotoRecord]:
    """Stage and publish one photo per look with this visit token, as the booth's review screen does."""
    t0 = time.time() if now is None else now
    kept = []
    with Gallery(data_dir, reconcile=False) as g:
        for i, look in enumerate(looks):
            original, retouched = face_jpegs(faces_dir, first_face + i)
            staged = g.stage(original_jpeg=original, retouched_jpeg=retouched, look=look, crop="4:5",
                             retouch="natural", scores={"smile": 0.5}, now=t0 + i)
            kept.append(g.publish(staged, visit=visit))
    return kept


def listed(html: str) -> list[str]:
    """The photo tokens a visit page shows, in order."""
    return re.findall(r'<section class="visit-photo" data-token="([A-Za-z0-9_-]{24})">', html)


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def test_the_visit_page_lists_exactly_its_photos_and_every_link_serves_the_gallerys_bytes(server, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit)
    theirs = keep_visit(server.data_dir, faces_dir, new_token(), looks=("smile",), first_face=5)  # another guest
    with server.client() as c:
        r = c.get(f"/v/{visit}")
        assert r.status_code == 200
        check_headers(r)
        assert r.headers["cache-control"] == "no-store"
        assert listed(r.text) == [p.token for p in mine]  # exactly these three, oldest first
        assert theirs[0].token not in r.text  # never another visit's photo
        assert "Download all" in r.text and "7 days" in r.text
        page_url = f"{server.base}/v/{visit}"
        links = [urljoin(page_url, h) for h in hrefs(r.text)]
        for p in mine:
            for suffix, kind in (("/photo.jpg", "retouched"), ("/download", "retouched"), ("/original", "original")):
                url = f"{server.base}/p/{p.token}{suffix}"
                assert url in links, suffix
                got = c.get(url)
                assert got.status_code == 200 and got.content == stored(server.data_dir, p, kind), (p.look, suffix)
            assert f"{server.base}/p/{p.token}/delete" in links
            confirm = c.get(f"/p/{p.token}/delete")
            assert confirm.status_code == 200 and "Yes, delete it" in confirm.text
            download = c.get(f"/p/{p.token}/download")  # a visit's photos are told apart by their look
            assert download.headers["content-disposition"].endswith(f'-{p.look}.jpg"')
        zip_url = f"{server.base}/v/{visit}/all.zip"
        assert zip_url in links
        z = c.get(zip_url)
        assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
        check_headers(z)
        assert z.headers["cache-control"] == "no-store"
        assert z.headers["content-disposition"].startswith('attachment; filename="headshots-')
        archive = zipfile.ZipFile(io.BytesIO(z.content))
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == 3 and all(re.fullmatch(r"headshot-\d{4}-\d\d-\d\d-\d{4}-[a-z]+\.jpg", n) for n in names)
        assert [archive.read(n) for n in names] == [stored(server.data_dir, p, "retouched") for p in mine]
        # The other guest's page holds their photo alone.
        other = c.get(f"/v/{theirs[0].visit}")
        assert listed(other.text) == [theirs[0].token]
        assert not any(p.token in other.text for p in mine)
        other_zip = zipfile.ZipFile(io.BytesIO(c.get(f"/v/{theirs[0].visit}/all.zip").content))
        assert [other_zip.read(n) for n in other_zip.namelist()] == [stored(server.data_dir, theirs[0], "retouched")]


def test_deleting_one_from_the_visit_page_leaves_the_other_two(server, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit)
    with server.client() as c:
        page = c.get(f"/v/{visit}")
        delete_link = next(h for h in hrefs(page.text) if h.endswith(f"{mine[1].token}/delete"))
        confirm = c.get(urljoin(f"{server.base}/v/{visit}", delete_link))
        action = re.search(r'<form method="post" action="([^"]+)"', confirm.text).group(1)
        done = c.post(urljoin(str(confirm.url), action), data={"confirm": "yes"})
        assert done.status_code == 200 and "has been deleted" in done.text
        back = re.search(r'id="back-to-visit" href="([^"]+)"', done.text).group(1)
        again = c.get(urljoin(str(done.url), back))
        assert again.status_code == 200 and listed(again.text) == [mine[0].token, mine[2].token]
        archive = zipfile.ZipFile(io.BytesIO(c.get(f"/v/{visit}/all.zip").content))
        assert [archive.read(n) for n in archive.namelist()] == [stored(server.data_dir, p, "retouched")
                                                                  for p in (mine[0], mine[2])]
        assert c.get(f"/p/{mine[1].token}/download").status_code == 404
        assert not list((server.data_dir / "photos").glob(f"{mine[1].token}*"))
        # Every photo deleted: the visit answers as a deleted photo does, and the last delete offers no way back.
        assert c.post(f"/p/{mine[0].token}/delete").status_code == 200
        last = c.post(f"/p/{mine[2].token}/delete")
        assert last.status_code == 200 and "back-to-visit" not in last.text
        deleted_photo = c.get(f"/p/{mine[2].token}")
        for path in (f"/v/{visit}", f"/v/{visit}/all.zip"):
            r = c.get(path)
            assert r.status_code == 404 == deleted_photo.status_code, path
            check_headers(r)
            assert "No photo here" in r.text and visit not in r.text


def test_an_expired_visit_is_gone_410_and_an_expired_photo_leaves_its_visit(server, faces_dir) -> None:
    old = new_token()
    keep_visit(server.data_dir, faces_dir, old, now=time.time() - 8 * DAY)
    mixed = new_token()
    expired = keep_visit(server.data_dir, faces_dir, mixed, looks=("serious",), now=time.time() - 8 * DAY)
    live = keep_visit(server.data_dir, faces_dir, mixed, looks=("smile",))
    with server.client() as c:
        for path in (f"/v/{old}", f"/v/{old}/all.zip"):
            r = c.get(path)
            assert r.status_code == 410, path
            check_headers(r)
            assert "expired" in r.text and b"PK" not in r.content[:2]
        r = c.get(f"/v/{mixed}")
        assert r.status_code == 200 and listed(r.text) == [live[0].token] and expired[0].token not in r.text
        archive = zipfile.ZipFile(io.BytesIO(c.get(f"/v/{mixed}/all.zip").content))
        assert [archive.read(n) for n in archive.namelist()] == [stored(server.data_dir, live[0], "retouched")]


def test_unknown_and_malformed_visits_are_404_and_reveal_nothing(server, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit, looks=("smile",))
    with server.client() as c:
        for path in (f"/v/{new_token()}", f"/v/{one_char_off(visit)}", f"/v/{visit[:-1]}", f"/v/{visit}A",
                     f"/v/{visit[:-1]}%2F", "/v/..%2Fgallery.sqlite3", f"/v/{visit}/", "/v/", "/v",
                     f"/v/{mine[0].token}",  # a photo's token is no visit
                     f"/v/{visit}/all.zip/", f"/v/{visit}/photo.jpg", f"/v/{new_token()}/all.zip",
                     f"/v/{visit[:-1]}%00/all.zip"):
            r = c.get(path)
            assert r.status_code == 404, path
            check_headers(r)
            assert "No photo here" in r.text and mine[0].token not in r.text and visit not in r.text
            assert b"\xff\xd8\xff" not in r.content and not r.content.startswith(b"PK")
        for method in ("POST", "PUT", "DELETE"):
            for path in (f"/v/{visit}", f"/v/{visit}/all.zip"):
                assert c.request(method, path).status_code == 405, (method, path)
        assert listed(c.get(f"/v/{visit}").text) == [mine[0].token]  # none of that touched it


def test_two_photos_of_one_look_are_both_in_the_zip(server, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit, looks=("smile", "smile"), now=time.time() // 60 * 60)
    with server.client() as c:
        archive = zipfile.ZipFile(io.BytesIO(c.get(f"/v/{visit}/all.zip").content))
    names = archive.namelist()
    assert len(set(names)) == 2 and names[1].endswith("-smile-2.jpg")  # the same minute, told apart
    assert [archive.read(n) for n in names] == [stored(server.data_dir, p, "retouched") for p in mine]


def test_logs_carry_no_visit_tokens(server, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit, looks=("smile",))
    with server.client() as c:
        c.get(f"/v/{visit}")
        c.get(f"/v/{visit}/all.zip")
        c.get(f"/v/{one_char_off(visit)}")
        c.post(f"/p/{mine[0].token}/delete")
    time.sleep(0.3)
    log = server.log_text()
    assert "deleted by its owner" in log  # the log is really being written
    assert visit not in log and one_char_off(visit) not in log and "/v/" not in log


def test_the_visit_page_on_a_phone_download_all_and_delete_one(server, browser, faces_dir) -> None:
    visit = new_token()
    mine = keep_visit(server.data_dir, faces_dir, visit)
    with open_phone(browser) as (_, page, problems):
        assert page.goto(f"{server.base}/v/{visit}").status == 200
        page.wait_for_load_state("load")
        images = page.locator("img.photo")
        assert images.count() == 3
        for i in range(3):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth") == 800
            box = images.nth(i).bounding_box()
            assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the phone
        b = page.locator("#download-all").bounding_box()
        assert b["height"] >= 44 and b["y"] < 844  # a thumb-sized target on the first screen
        assert page.evaluate("document.scripts.length") == 0
        shot(page, "phone-visit-page.png")

        with page.expect_download() as download:
            page.click("#download-all")
        assert download.value.suggested_filename.startswith("headshots-")
        archive = zipfile.ZipFile(Path(download.value.path()))
        assert [archive.read(n) for n in archive.namelist()] == [stored(server.data_dir, p, "retouched") for p in mine]

        with page.expect_download() as one:
            page.locator(f'section[data-token="{mine[2].token}"] a.download').click()
        assert Path(one.value.path()).read_bytes() == stored(server.data_dir, mine[2], "retouched")

        page.locator(f'section[data-token="{mine[0].token}"] a.delete').click()
        page.wait_for_url(f"**/p/{mine[0].token}/delete")
        page.click("#confirm-delete")
        page.wait_for_load_state("load")
        assert "has been deleted" in page.locator("h1").inner_text()
        page.click("#back-to-visit")
        page.wait_for_url(f"**/v/{visit}")
        assert page.locator("img.photo").count() == 2
        assert page.locator(f'section[data-token="{mine[0].token}"]').count() == 0
        assert relevant(problems) == []


def test_the_staff_page_counts_visits_and_the_export_groups_by_visit(tmp_path, faces_dir) -> None:
    from test_web_staff import login

    for server in running_web(tmp_path / "data"):
        a, b = new_token(), new_token()
        t0 = time.time() - 300
        first = keep_visit(server.data_dir, faces_dir, a, now=t0)
        second = keep_visit(server.data_dir, faces_dir, b, looks=("serious", "smile"), now=t0 + 60)
        with server.client() as c:
            assert login(c).status_code == 303
            html = c.get("/staff").text
            assert re.search(r'id="total"><b>5</b>', html) and re.search(r'id="visits"><b>2</b>', html)
            assert c.post(f"/p/{second[0].token}/delete").status_code == 200
            assert c.post(f"/p/{second[1].token}/delete").status_code == 200  # the whole second visit
            html = c.get("/staff").text
            assert re.search(r'id="total"><b>3</b>', html) and re.search(r'id="visits"><b>1</b>', html)
            keep_visit(server.data_dir, faces_dir, b, looks=("smile",), now=t0 + 120)
            archive = zipfile.ZipFile(io.BytesIO(c.get("/staff/export.zip").content))
        manifest = archive.read("manifest.csv").decode()
        rows = manifest.splitlines()
        assert rows[0].split(",")[-1] == "visit"
        assert [row.rsplit(",", 1)[-1] for row in rows[1:]] == ["1", "1", "1", "2"]
        assert a not in manifest and b not in manifest and first[0].token not in manifest
