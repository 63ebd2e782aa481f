"""A guest's visit in the gallery (issue 17, one link for the visit): real SQLite, real files.

Photos kept in one visit carry its token in their row and sidecar; the visit lists
exactly its live photos, never another's; an index from before visits migrates;
a rebuilt index keeps the grouping; the staff figures and the export group by it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from test_gallery import jpegs  # noqa: F401 (the fixture: a London face, original and retouched)

from booth.gallery import Gallery, GalleryError, new_token, photo_stats
from booth.net import page_at, photo_url, split_page_url, visit_url, with_language
from booth.web.export import export_zip, gallery_items, guest_zip

DAY = 86400.0


def keep(g: Gallery, jpegs: tuple[bytes, bytes], look: str = "smile", visit: str | None = None,
         now: float | None = None):
    """As the booth does it: stage, then publish when the guest keeps it."""
    staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look=look, crop="4:5", retouch="natural",
                     scores={"smile": 0.5}, now=now)
    return g.publish(staged, visit=visit)


def test_photos_kept_in_a_visit_are_listed_together_and_no_other(tmp_path: Path, jpegs) -> None:
    visit, other = new_token(), new_token()
    t0 = time.time()
    with Gallery(tmp_path) as g:
        mine = [keep(g, jpegs, look, visit, now=t0 + i) for i, look in enumerate(("serious", "contemplative", "smile"))]
        theirs = keep(g, jpegs, "smile", other, now=t0 + 1.5)  # taken between two of mine
        alone = keep(g, jpegs, "smile", None, now=t0 + 2.5)
        assert [r.visit for r in mine] == [visit] * 3 and theirs.visit == other and alone.visit is None
        assert g.visit_photos(visit) == mine  # oldest first, exactly these
        assert g.visit_photos(other) == [theirs]
        assert g.get(mine[0].token).visit == visit and g.get(alone.token).visit is None
        assert g.visit_photos(new_token()) == []
        for bad in ("", visit[:-1], visit + "A", "../" + visit[3:], None, 7):
            assert g.visit_photos(bad) == []  # type: ignore[arg-type]
        assert visit not in repr(mine[0])  # a visit token is a key too: never in a log line
        # Deleted photos leave the visit; the rest stay.
        assert g.delete(mine[1].token)
        assert g.visit_photos(visit) == [mine[0], mine[2]]
    sidecar = json.loads((tmp_path / "photos" / f"{mine[0].token}.json").read_text())
    assert sidecar["visit"] == visit
    assert "visit" not in json.loads((tmp_path / "photos" / f"{alone.token}.json").read_text())


def test_expired_photos_leave_the_visit_but_are_told_apart(tmp_path: Path, jpegs) -> None:
    visit = new_token()
    now = time.time()
    with Gallery(tmp_path, expiry_days=7) as g:
        old = keep(g, jpegs, "serious", visit, now=now - 8 * DAY)
        new = keep(g, jpegs, "smile", visit, now=now - 1 * DAY)
        assert g.visit_photos(visit) == [new]
        assert g.visit_photos(visit, include_expired=True) == [old, new]
        assert g.visit_photos(visit, now=now + 7 * DAY) == []
        assert g.prune() == 1
        assert g.visit_photos(visit, include_expired=True) == [new]


@pytest.mark.parametrize("bad", ["", "short", "x" * 23 + "/", 12, b"A" * 24])
def test_a_malformed_visit_is_refused_and_nothing_is_published(tmp_path: Path, jpegs, bad) -> None:
    with Gallery(tmp_path) as g:
        staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                         retouch="natural", scores={})
        with pytest.raises(GalleryError, match="visit must be None or a token"):
            g.publish(staged, visit=bad)
        assert g.records() == []
        assert g.publish(staged, visit=None).visit is None  # still staged: the guest's photo is not lost


def test_an_index_from_before_visits_opens_and_migrates(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        tokens = [keep(g, jpegs).token for _ in range(2)]
    db_path = tmp_path / "gallery.sqlite3"
    with sqlite3.connect(db_path) as db:  # make it the shape an older booth left: no visit column
        db.execute("DROP INDEX photos_visit")
        db.execute("ALTER TABLE photos DROP COLUMN visit")
        assert "visit" not in {row[1] for row in db.execute("PRAGMA table_info(photos)")}
    visit = new_token()
    with Gallery(tmp_path) as g:
        assert sorted(r.token for r in g.records()) == sorted(tokens)
        assert all(r.visit is None for r in g.records())
        later = keep(g, jpegs, visit=visit)
        assert g.visit_photos(visit) == [later]
    with sqlite3.connect(db_path) as db:
        assert "visit" in {row[1] for row in db.execute("PRAGMA table_info(photos)")}
        assert ("photos_visit",) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()


def test_a_rebuilt_index_keeps_each_photo_in_its_visit(tmp_path: Path, jpegs) -> None:
    visit = new_token()
    with Gallery(tmp_path) as g:
        mine = [keep(g, jpegs, look, visit) for look in ("serious", "smile")]
        alone = keep(g, jpegs)
    for p in tmp_path.glob("gallery.sqlite3*"):
        p.unlink()
    (tmp_path / "gallery.sqlite3").write_bytes(b"not a database" * 100)
    with Gallery(tmp_path) as g:  # rebuilt from photos/ and the sidecars
        assert [r.token for r in g.visit_photos(visit)] == [r.token for r in mine]
        assert g.get(alone.token).visit is None


def test_a_visit_is_found_by_its_short_code_while_it_has_a_live_photo(tmp_path: Path, jpegs) -> None:
    from booth.codes import short_code

    now = time.time()
    with Gallery(tmp_path, expiry_days=7) as g:
        visit, old = g.new_visit(), g.new_visit()
        mine = [keep(g, jpegs, look, visit) for look in ("serious", "smile")]
        keep(g, jpegs, "smile", old, now=now - 8 * DAY)
        alone = keep(g, jpegs)
        assert g.visit_by_code(short_code(visit)) == visit
        # Photos kept in a visit have no code of their own: the visit's is the one shown.
        assert [r.code for r in mine] == [None, None] and alone.code == short_code(alone.token)
        assert g.by_code(short_code(mine[0].token)) is None and g.visit_by_code(short_code(mine[0].token)) is None
        assert g.visit_by_code(alone.code) is None and g.by_code(short_code(visit)) is None  # never crossed
        assert g.visit_by_code(short_code(old)) is None  # only expired photos left
        g.delete(mine[0].token)
        assert g.visit_by_code(short_code(visit)) == visit
        g.delete(mine[1].token)
        assert g.visit_by_code(short_code(visit)) is None


def test_a_new_visits_code_is_one_no_photo_or_visit_has(tmp_path: Path, jpegs, monkeypatch) -> None:
    import booth.gallery
    from booth.codes import short_code

    with Gallery(tmp_path) as g:
        alone, visit = keep(g, jpegs), g.new_visit()
        keep(g, jpegs, visit=visit)
        fresh = new_token()
        offered = iter([alone.token, visit, fresh])  # the first two would clash with a code in use
        monkeypatch.setattr(booth.gallery, "new_token", lambda: next(offered))
        assert g.new_visit() == fresh
        other = new_token()
        offered = iter([visit, other])  # a photo's token, too, avoids the code of a visit
        staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                         retouch="natural", scores={})
        assert staged.token == other and short_code(other) != short_code(visit)


def test_an_index_from_before_visit_codes_gets_them(tmp_path: Path, jpegs) -> None:
    from booth.codes import short_code

    visit = new_token()
    with Gallery(tmp_path) as g:
        mine = keep(g, jpegs, visit=visit)
    db_path = tmp_path / "gallery.sqlite3"
    with sqlite3.connect(db_path) as db:  # the shape the first booths with visits left
        db.execute("DROP INDEX photos_visit_code")
        db.execute("ALTER TABLE photos DROP COLUMN visit_code")
    with Gallery(tmp_path) as g:
        assert g.visit_by_code(short_code(visit)) == visit and g.visit_photos(visit) == [mine]
    with sqlite3.connect(db_path) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "photos_visit_code" in names


def test_a_rebuilt_index_finds_each_visit_by_its_code(tmp_path: Path, jpegs) -> None:
    from booth.codes import short_code

    with Gallery(tmp_path) as g:
        visit = g.new_visit()
        keep(g, jpegs, visit=visit)
        alone = keep(g, jpegs)
    (tmp_path / "gallery.sqlite3").write_bytes(b"not a database" * 100)
    with Gallery(tmp_path) as g:
        assert g.visit_by_code(short_code(visit)) == visit
        assert g.by_code(alone.code).token == alone.token


def test_visit_url_is_built_like_the_photo_url() -> None:
    visit = new_token()
    for base in ("http://10.42.0.1:8080", "http://10.42.0.1:8080/", "https://photos.example.org/booth"):
        assert visit_url(base, visit) == photo_url(base, visit).replace("/p/", "/v/")
        assert visit_url(base, visit).endswith(f"/v/{visit}") and "//v/" not in visit_url(base, visit)
        # Read back, and moved to the booth's own address (the share screen's way with no signal).
        assert split_page_url(visit_url(base, visit)) == (base.rstrip("/"), "v", visit)
        assert split_page_url(photo_url(base, visit)) == (base.rstrip("/"), "p", visit)
        assert page_at(visit_url(base, visit), "http://10.42.0.1") == f"http://10.42.0.1/v/{visit}"
        assert page_at(photo_url(base, visit), "http://10.42.0.1/") == f"http://10.42.0.1/p/{visit}"
    assert split_page_url(f"http://x/q/{visit}") is None and page_at("http://x/", "http://y") is None
    # The guest's language on the QR's URL (booth.net.with_language) goes with the page, never into the token.
    asked = with_language(visit_url("https://photos.example.org", visit), "de")
    assert split_page_url(asked) == ("https://photos.example.org", "v", visit)
    assert page_at(asked, "http://10.42.0.1") == f"http://10.42.0.1/v/{visit}?lang=de"


def test_staff_figures_count_visits(tmp_path: Path, jpegs) -> None:
    a, b = new_token(), new_token()
    now = time.time()
    with Gallery(tmp_path) as g:
        for look in ("serious", "contemplative", "smile"):
            keep(g, jpegs, look, a)
        keep(g, jpegs, "smile", b)
        keep(g, jpegs)  # kept alone (flow = "one"): a visit of its own
        keep(g, jpegs, "smile", new_token(), now=now - 8 * DAY)  # expired: in no figure
        stats = g.stats()
        assert (stats.total, stats.visits) == (5, 3)
        g.delete(g.visit_photos(b)[0].token)
        assert (g.stats().total, g.stats().visits) == (4, 2)
    assert photo_stats([], now).visits == 0


def test_export_manifest_groups_photos_by_visit_without_tokens(tmp_path: Path, jpegs) -> None:
    a, b = new_token(), new_token()
    t0 = time.time() - 600
    with Gallery(tmp_path) as g:
        ra = [keep(g, jpegs, look, a, now=t0 + i) for i, look in enumerate(("serious", "smile"))]
        alone = keep(g, jpegs, now=t0 + 5)
        rb = keep(g, jpegs, "smile", b, now=t0 + 10)
        ra.append(keep(g, jpegs, "contemplative", a, now=t0 + 20))  # a late keep of visit a: same number
        archive = zipfile.ZipFile(io.BytesIO(b"".join(export_zip(gallery_items(g)))))
    manifest = archive.read("manifest.csv").decode()
    rows = list(csv.DictReader(io.StringIO(manifest)))
    assert [r["visit"] for r in rows] == ["1", "1", "2", "3", "1"]
    assert [r["look"] for r in rows] == ["serious", "smile", "smile", "smile", "contemplative"]
    for token in (a, b, alone.token, rb.token, *(r.token for r in ra)):
        assert token not in manifest and token not in " ".join(archive.namelist())


def test_guest_zip_holds_each_file_whole_and_leaves_out_a_deleted_one(tmp_path: Path) -> None:
    files = {f"headshot-{i}.jpg": bytes([0xFF, 0xD8, 0xFF, i]) * 50_000 for i in range(3)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    def opener(name: str):
        return lambda: open(tmp_path / name, "rb") if (tmp_path / name).exists() else None

    (tmp_path / "headshot-1.jpg").unlink()  # deleted by its owner before its turn
    archive = zipfile.ZipFile(io.BytesIO(b"".join(guest_zip((n, time.time(), opener(n)) for n in files))))
    assert archive.testzip() is None
    assert archive.namelist() == ["headshot-0.jpg", "headshot-2.jpg"]
    for name in archive.namelist():
        assert archive.read(name) == files[name]
        assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED


def test_the_bucket_copy_carries_the_visit_for_the_cloud_staff_pages(tmp_path: Path, jpegs) -> None:
    from booth.cloud.meta import metadata, record_from_meta

    visit = new_token()
    with Gallery(tmp_path) as g:
        grouped, alone = keep(g, jpegs, visit=visit), keep(g, jpegs)
    meta = json.loads(metadata(grouped, "booth-1"))
    assert meta["visit"] == visit
    assert record_from_meta(meta, grouped.token, 7 * DAY).visit == visit
    assert "visit" not in json.loads(metadata(alone, "booth-1"))  # a photo kept alone: the same bytes as before
    assert record_from_meta(json.loads(metadata(alone, "booth-1")), alone.token, 7 * DAY).visit is None
    for bad in ("../x", 5, "", visit[:-1]):
        assert record_from_meta({**meta, "visit": bad}, grouped.token, 7 * DAY).visit is None
    records = [record_from_meta(json.loads(metadata(r, "b")), r.token, 7 * DAY) for r in (grouped, alone)]
    assert photo_stats(records, time.time()).visits == 2
