"""booth.gallery: real SQLite files, real photo files, real crashes (SIGKILL) of real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from booth.config import config_from_dict
from booth.gallery import (
    TOKEN_LENGTH,
    Gallery,
    GalleryError,
    cli_prune,
    last_rebuild,
    new_token,
    valid_token,
)

REPO = Path(__file__).resolve().parent.parent
DAY = 86400.0


@pytest.fixture(scope="module")
def jpegs(faces_dir: Path) -> tuple[bytes, bytes]:
    image = cv2.imread(str(faces_dir / "london" / "smiling" / "004.jpg"))
    original = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    retouched = cv2.imencode(".jpg", cv2.GaussianBlur(image, (5, 5), 0), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    assert original != retouched
    return original, retouched


def add(g: Gallery, jpegs: tuple[bytes, bytes], **kw) -> object:
    args = dict(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5", retouch="natural",
                scores={"smile": 0.8, "sharpness": np.float32(12.5), "eyes": np.array([0.9, 0.8])})
    args.update(kw)
    return g.add(**args)


def rows(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "gallery.sqlite3") as db:
        return db.execute("SELECT token, deleted FROM photos").fetchall()


def photo_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "photos").iterdir())


def published_files(token: str) -> list[str]:
    """What photos/ holds for one published photo: its two JPEGs and its sidecar."""
    return sorted([f"{token}.original.jpg", f"{token}.retouched.jpg", f"{token}.json"])


def test_tokens_are_long_random_and_strictly_checked() -> None:
    tokens = {new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(len(t) == TOKEN_LENGTH and valid_token(t) for t in tokens)
    t = next(iter(tokens))
    for bad in ("", t[:-1], t + "A", t[:-1] + "/", t[:-1] + ".", "../" + t[3:], t[:-1] + "é", t + "\n",
                None, 123, t.encode()):
        assert not valid_token(bad), bad


def test_add_writes_both_files_then_the_row(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        r = add(g, jpegs, now=1000.0)
        assert g.path(r, "original").read_bytes() == jpegs[0]
        assert g.path(r, "retouched").read_bytes() == jpegs[1]
        got = g.get(r.token)
        assert got == r
        assert got.created == 1000.0 and got.expires == 1000.0 + 7 * DAY
        assert (got.look, got.crop, got.retouch) == ("smile", "4:5", "natural")
        assert got.scores == {"smile": 0.8, "sharpness": 12.5, "eyes": [pytest.approx(0.9), pytest.approx(0.8)]}
        assert r.token not in repr(r)  # records can be logged without leaking the key
        with pytest.raises(ValueError):
            g.path(r, "../../etc/passwd")
    assert rows(tmp_path) == [(r.token, None)]
    with sqlite3.connect(tmp_path / "gallery.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert photo_files(tmp_path) == published_files(r.token)
    assert json.loads((tmp_path / "photos" / f"{r.token}.json").read_text()) == {  # the sidecar a rebuild reads
        "created": 1000.0, "expires": 1000.0 + 7 * DAY, "look": "smile", "crop": "4:5", "retouch": "natural",
        "scores": {"smile": 0.8, "sharpness": 12.5, "eyes": [pytest.approx(0.9), pytest.approx(0.8)]},
        "demo": False}


@pytest.mark.parametrize("bad, message", [
    ({"original_jpeg": b"GIF89a not a jpeg"}, "not a JPEG"),
    ({"retouched_jpeg": b""}, "not a JPEG"),
    ({"retouched_jpeg": "text"}, "must be JPEG bytes"),
    ({"look": "goofy"}, "look = 'goofy'"),
    ({"crop": "16:9"}, "crop = '16:9'"),
    ({"retouch": "heavy"}, "retouch = 'heavy'"),
    ({"scores": {"x": object()}}, "scores cannot be stored"),
    ({"scores": {"x": float("nan")}}, "scores cannot be stored"),
])
def test_bad_input_is_refused_and_leaves_nothing(tmp_path: Path, jpegs, bad, message) -> None:
    with Gallery(tmp_path) as g:
        with pytest.raises(GalleryError, match=message):
            add(g, jpegs, **bad)
    assert photo_files(tmp_path) == [] and rows(tmp_path) == []


def test_unknown_malformed_and_deleted_tokens(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        r = add(g, jpegs)
        other = "A" if r.token[5] != "A" else "B"
        assert g.get(r.token[:5] + other + r.token[6:]) is None  # differs by one character
        assert g.get("x" * 24) is None and g.get("../photos") is None and g.get(r.token + "x") is None
        assert g.delete(r.token) is True
        assert g.get(r.token) is None
        assert g.delete(r.token) is False
        assert g.delete("../gallery.sqlite3") is False
    assert photo_files(tmp_path) == [] and rows(tmp_path) == []
    assert (tmp_path / "gallery.sqlite3").exists()


def test_expiry_prune_and_shortened_expiry(tmp_path: Path, jpegs) -> None:
    now = time.time()
    with Gallery(tmp_path, expiry_days=7) as g:
        old = add(g, jpegs, now=now - 8 * DAY)
        mid = add(g, jpegs, now=now - 3 * DAY)
        new = add(g, jpegs, now=now)
        # Expired photos are still returned (the server answers 410), but flagged.
        assert g.get(old.token).expired(now) and not g.get(mid.token).expired(now)
        assert g.prune(now) == 1
        assert g.get(old.token) is None and g.get(mid.token) is not None
    # Staff shorten the expiry: photos older than the new limit go too.
    with Gallery(tmp_path, expiry_days=2) as g:
        assert g.get(mid.token).expired(now)
        assert g.get(mid.token).expires == pytest.approx(mid.created + 2 * DAY)
        assert g.prune(now) == 1
        assert [r.token for r in g.records(include_expired=True)] == [new.token]
    assert photo_files(tmp_path) == published_files(new.token)


def test_expiry_must_be_positive(tmp_path: Path) -> None:
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(GalleryError, match="expiry_days"):
            Gallery(tmp_path, expiry_days=bad)


def stage(g: Gallery, jpegs: tuple[bytes, bytes], **kw) -> object:
    args = dict(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="serious", crop="1:1", retouch="natural",
                scores={"smile": 0.1})
    args.update(kw)
    return g.stage(**args)


def test_a_staged_photo_is_published_nowhere_until_kept(tmp_path: Path, jpegs) -> None:
    """Developed but not kept: not in the index, the export, the stats or prune; not in photos/ at all."""
    with Gallery(tmp_path) as g:
        staged = stage(g, jpegs, now=time.time() - 30 * DAY)  # even long expired, prune leaves it to its owner
        assert staged.token not in repr(staged)
        assert g.get(staged.token) is None and g.records(include_expired=True) == []
        assert g.stats().total == 0 and g.stats().expired_waiting == 0
        assert g.prune() == 0 and photo_files(tmp_path) == []
        assert sorted(p.name for p in (tmp_path / "staging").iterdir()) == sorted(
            [f"{staged.token}.original.jpg", f"{staged.token}.retouched.jpg"])
        # another process starting meanwhile (booth web, booth prune) leaves the photo under review alone
        config = tmp_path / "booth.toml"
        config.write_text("[storage]\nexpiry_days = 7\n")
        done = subprocess.run([sys.executable, "-m", "booth", "prune", "--config", str(config)], cwd=REPO,
                              env={**os.environ, "BOOTH_DATA_DIR": str(tmp_path)}, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert len(list((tmp_path / "staging").iterdir())) == 2
        assert g.reconcile().clean

        record = g.publish(staged)  # the guest keeps it
        assert g.get(staged.token) == record and record.retouch == "natural"
        assert g.path(record, "original").read_bytes() == jpegs[0]
        assert g.path(record, "retouched").read_bytes() == jpegs[1]
        assert list((tmp_path / "staging").iterdir()) == []
        assert rows(tmp_path) == [(staged.token, None)]


def test_keeping_another_level_publishes_that_level(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        staged = stage(g, jpegs)
        with pytest.raises(GalleryError, match="not a JPEG"):
            g.publish(staged, retouched_jpeg=b"nope", retouch="polished")
        assert g.get(staged.token) is None
        record = g.publish(staged, retouched_jpeg=jpegs[0], retouch="polished")
        assert g.get(staged.token).retouch == "polished" == record.retouch
        assert g.path(record, "retouched").read_bytes() == jpegs[0]
        assert g.path(record, "original").read_bytes() == jpegs[0]
    assert photo_files(tmp_path) == published_files(record.token) and list((tmp_path / "staging").iterdir()) == []
    assert json.loads((tmp_path / "photos" / f"{record.token}.json").read_text())["retouch"] == "polished"


def test_a_photo_not_kept_is_gone_and_cannot_be_published_after(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        staged = stage(g, jpegs)
        assert g.unstage(staged.token) is True
        assert g.unstage(staged.token) is False and g.unstage("../gallery.lock") is False
        with pytest.raises(GalleryError, match="no longer staged"):
            g.publish(staged)
        assert g.get(staged.token) is None
    assert photo_files(tmp_path) == [] and rows(tmp_path) == []
    assert list((tmp_path / "staging").iterdir()) == []


def test_photos_left_staged_by_a_dead_process_are_removed_at_start(tmp_path: Path, jpegs) -> None:
    """A booth SIGKILLed on the review screen: its staged photo was never kept, so the next start removes it."""
    jpeg = tmp_path / "p.jpg"
    jpeg.write_bytes(jpegs[0])
    script = textwrap.dedent("""
        import os, signal, sys
        from pathlib import Path
        from booth.gallery import Gallery
        g = Gallery(Path(sys.argv[1]))
        data = Path(sys.argv[2]).read_bytes()
        g.stage(original_jpeg=data, retouched_jpeg=data, look="smile", crop="4:5", retouch="none", scores={})
        print("staged", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    with Gallery(tmp_path / "data") as g:
        kept = add(g, jpegs)
    child = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data"), str(jpeg)],
                           capture_output=True, text=True, timeout=60, cwd=REPO)
    assert child.returncode == -signal.SIGKILL and child.stdout == "staged\n", child.stderr
    assert len(list((tmp_path / "data" / "staging").iterdir())) == 2
    with Gallery(tmp_path / "data", reconcile=False) as g:
        report = g.reconcile()
        assert report.unkept_removed == 1 and not report.clean
        assert g.reconcile().clean
        assert [r.token for r in g.records()] == [kept.token]
    assert list((tmp_path / "data" / "staging").iterdir()) == []
    assert list((tmp_path / "data" / "quarantine").iterdir()) == []  # not kept means gone, not kept aside


def test_one_booth_process_develops_into_a_folder_at_a_time(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as first, Gallery(tmp_path) as second:
        stage(first, jpegs)
        with pytest.raises(GalleryError, match="another booth process"):
            stage(second, jpegs)
        add(second, jpegs)  # stage-and-publish in one step needs no staging of its own
        assert len(second.records()) == 1


def test_reconcile_repairs_every_kind_of_leftover(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        keep, dead, half_deleted = add(g, jpegs), add(g, jpegs), add(g, jpegs)
    photos = tmp_path / "photos"
    (photos / ".tmp-0123456789abcdef.jpg").write_bytes(jpegs[0][:100])  # a write cut short
    orphan = new_token()
    (photos / f"{orphan}.original.jpg").write_bytes(jpegs[0])  # renamed, row never written
    (photos / "stray.txt").write_text("?")
    (photos / f"{dead.token}.retouched.jpg").unlink()  # a row whose file is gone
    with sqlite3.connect(tmp_path / "gallery.sqlite3") as db:  # a deletion interrupted half-way
        db.execute("UPDATE photos SET deleted = 1 WHERE token = ?", (half_deleted.token,))
    (photos / f"{half_deleted.token}.original.jpg").unlink()

    with Gallery(tmp_path) as g:
        assert g.get(keep.token) is not None
        assert g.get(dead.token) is None and g.get(half_deleted.token) is None and g.get(orphan) is None
        report = g.reconcile()
        assert report.clean  # a second pass finds nothing
        assert g.stats().quarantined == 4
    assert photo_files(tmp_path) == published_files(keep.token)
    assert sorted(p.name for p in (tmp_path / "quarantine").iterdir()) == sorted(
        [f"{orphan}.original.jpg", "stray.txt", f"{dead.token}.original.jpg", f"{dead.token}.json"])
    assert rows(tmp_path) == [(keep.token, None)]


def test_quarantine_is_emptied_on_expiry(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path, expiry_days=1) as g:
        q = tmp_path / "quarantine" / "old.jpg"
        q.write_bytes(jpegs[0])
        os.utime(q, (time.time() - 2 * DAY,) * 2)
        (tmp_path / "quarantine" / "recent.jpg").write_bytes(jpegs[0])
        g.prune()
        assert [p.name for p in (tmp_path / "quarantine").iterdir()] == ["recent.jpg"]


CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from booth.gallery import Gallery
    step = sys.argv[2]
    if step == "before-row":
        # Die right after both files are renamed into place, before the row is written.
        Gallery._publish_row = lambda self, record, scores: os.kill(os.getpid(), signal.SIGKILL)
    elif step == "mid-write":
        import booth.gallery as gm
        real = gm._write_temp
        def half(folder, data):
            path = real(folder, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        gm._write_temp = half
    g = Gallery(Path(sys.argv[1]))
    data = Path(sys.argv[3]).read_bytes()
    g.add(original_jpeg=data, retouched_jpeg=data, look="serious", crop="1:1", retouch="none", scores={})
    print("survived")
""")


@pytest.mark.parametrize("step", ["before-row", "mid-write"])
def test_crash_between_file_and_row_leaves_a_consistent_gallery(tmp_path: Path, jpegs, step) -> None:
    data_dir = tmp_path / "data"
    with Gallery(data_dir) as g:
        published = add(g, jpegs)
    photo_files_before = photo_files(data_dir)
    jpeg = tmp_path / "photo.jpg"
    jpeg.write_bytes(jpegs[1])
    child = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), step, str(jpeg)],
                           capture_output=True, text=True, timeout=60, cwd=REPO)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "survived" not in child.stdout
    left = photo_files(data_dir)
    if step == "before-row":
        assert len(left) == 6  # the crash really happened after the renames (two files and the sidecar each)
    else:  # a photo is written into staging/, never straight into photos/
        assert left == photo_files_before
        assert any(p.name.startswith(".tmp-") for p in (data_dir / "staging").iterdir())

    with Gallery(data_dir) as g:  # restart
        assert [r.token for r in g.records()] == [published.token]
        assert g.path(published, "retouched").read_bytes() == jpegs[1]  # nothing published is lost
    assert photo_files(data_dir) == published_files(published.token)
    assert rows(data_dir) == [(published.token, None)]
    assert list((data_dir / "staging").iterdir()) == []
    quarantined = list((data_dir / "quarantine").iterdir())
    assert len(quarantined) == (3 if step == "before-row" else 0)
    assert all(p.read_bytes() == jpegs[1] for p in quarantined if p.suffix == ".jpg")  # whole files only


def test_write_failure_cleans_up_and_says_why(tmp_path: Path, jpegs) -> None:
    # A real failing write: the child may not create files larger than 64 KiB.
    script = textwrap.dedent("""
        import resource, signal, sys
        from pathlib import Path
        from booth.gallery import Gallery, GalleryError
        g = Gallery(Path(sys.argv[1]))
        data = Path(sys.argv[2]).read_bytes()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        try:
            g.add(original_jpeg=data, retouched_jpeg=data, look="smile", crop="4:5", retouch="none", scores={})
        except GalleryError as exc:
            print("ERROR", exc)
    """)
    jpeg = tmp_path / "big.jpg"
    jpeg.write_bytes(jpegs[0] * 2)
    assert jpeg.stat().st_size > 65536
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "data"), str(jpeg)],
                         capture_output=True, text=True, timeout=60, cwd=REPO)
    assert out.stdout.startswith("ERROR "), out.stderr
    assert "cannot save the photo" in out.stdout and "File too large" in out.stdout
    assert photo_files(tmp_path / "data") == [] and rows(tmp_path / "data") == []


def test_two_processes_share_the_gallery(tmp_path: Path, jpegs) -> None:
    jpeg = tmp_path / "p.jpg"
    jpeg.write_bytes(jpegs[0])
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from booth.gallery import Gallery
        g = Gallery(Path(sys.argv[1]))
        data = Path(sys.argv[2]).read_bytes()
        for _ in range(20):
            print(g.add(original_jpeg=data, retouched_jpeg=data, look="smile", crop="4:5",
                        retouch="none", scores={}).token, flush=True)
    """)
    with Gallery(tmp_path / "data") as g:  # the web process, open all along
        child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "data"), str(jpeg)],
                                 stdout=subprocess.PIPE, text=True, cwd=REPO)
        seen = []
        for line in child.stdout:
            token = line.strip()
            record = g.get(token)  # visible to the other process as soon as add() returns
            assert record is not None and g.path(record, "retouched").read_bytes() == jpegs[0]
            seen.append(token)
            if len(seen) % 5 == 0:
                assert g.reconcile().clean  # never mistakes the other process's work for leftovers
        assert child.wait(60) == 0
        assert len(seen) == 20 and len(g.records()) == 20


def test_stats_count_today_per_hour_and_latest(tmp_path: Path, jpegs) -> None:
    now = time.time()
    lt = time.localtime(now)
    midnight = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, 0, 0, 0, 0, 0, -1))
    with Gallery(tmp_path) as g:
        assert g.stats(now).total == 0 and g.stats(now).latest == ()
        add(g, jpegs, now=midnight - 3600)  # yesterday
        times = [midnight + 9 * 3600 + 60, midnight + 9 * 3600 + 120, midnight + 11 * 3600]
        times = [t for t in times if t <= now] or [now]
        made = [add(g, jpegs, now=t) for t in times]
        add(g, jpegs, now=now - 30 * DAY)  # expired, not yet pruned
        s = g.stats(now)
        assert s.total == 1 + len(made) and s.today == len(made) and s.expired_waiting == 1
        assert sum(s.per_hour) == len(made) and len(s.per_hour) == 24
        for r in made:
            assert s.per_hour[time.localtime(r.created).tm_hour] >= 1
        assert s.latest[0].token == made[-1].token
        assert g.free_bytes() > 0


def test_cli_prune(tmp_path: Path, jpegs, capsys) -> None:
    with Gallery(tmp_path) as g:
        add(g, jpegs, now=time.time() - 10 * DAY)
        add(g, jpegs)
    config = config_from_dict({"storage": {"data_dir": str(tmp_path), "expiry_days": 7.0}})
    assert cli_prune(SimpleNamespace(), config) == 0
    assert "Deleted 1 expired photo(s)" in capsys.readouterr().out
    assert len(rows(tmp_path)) == 1


def test_unreadable_index_is_rebuilt_and_loses_nothing(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        r = add(g, jpegs)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"gallery.sqlite3{suffix}").unlink(missing_ok=True)
    (tmp_path / "gallery.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(GalleryError, match="unreadable .* restart `booth web` or the booth to rebuild it"):
        Gallery(tmp_path, reconcile=False)  # a web worker: the parent rebuilds, not it
    assert (tmp_path / "photos" / f"{r.token}.original.jpg").read_bytes() == jpegs[0]  # untouched, byte for byte
    assert (tmp_path / "photos" / f"{r.token}.retouched.jpg").read_bytes() == jpegs[1]
    with Gallery(tmp_path) as g:  # a start that reconciles rebuilds it from the photos and their sidecars
        assert g.get(r.token) == r
    assert photo_files(tmp_path) == published_files(r.token)
    assert (tmp_path / last_rebuild(tmp_path).damaged_copy).read_bytes() == b"this is not a database" * 100


# The index as booths before the short code made it (booth 3710081): no code column.
_OLD_SCHEMA = """
CREATE TABLE photos (token TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL, look TEXT NOT NULL,
                     crop TEXT NOT NULL, retouch TEXT NOT NULL, scores TEXT NOT NULL, deleted REAL);
CREATE INDEX photos_created ON photos(created);
CREATE INDEX photos_expires ON photos(expires);
"""


def test_every_photo_has_its_short_code_and_is_found_by_it(tmp_path: Path, jpegs) -> None:
    from booth.codes import short_code

    with Gallery(tmp_path) as g:
        records = [add(g, jpegs) for _ in range(3)]
        for r in records:
            assert r.code == short_code(r.token)
            assert g.by_code(r.code) == r and g.get(r.token).code == r.code
        g.delete(records[0].token)
        assert g.by_code(records[0].code) is None and g.by_code("CCCCCCCC") is None


def test_an_index_from_before_short_codes_is_migrated(tmp_path: Path, jpegs) -> None:
    from booth.codes import short_code

    with Gallery(tmp_path) as g:
        tokens = [add(g, jpegs).token for _ in range(3)]
    # Rebuild the index in the old shape, with the same photos in it.
    db_path = tmp_path / "gallery.sqlite3"
    with sqlite3.connect(db_path) as db:
        old = db.execute("SELECT token, created, expires, look, crop, retouch, scores FROM photos").fetchall()
    for p in tmp_path.glob("gallery.sqlite3*"):
        p.unlink()
    with sqlite3.connect(db_path) as db:
        db.executescript(_OLD_SCHEMA)
        db.executemany("INSERT INTO photos VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", old)
    # Both processes (booth and web) open it at once: the column is added once, every photo gets its code.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from booth.gallery import Gallery
        with Gallery(Path({str(tmp_path)!r}), reconcile=False) as g:
            print(sorted(r.code for r in g.records()))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(REPO)}) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    want = sorted(short_code(t) for t in tokens)
    for (out, err), p in zip(outs, procs):
        assert p.returncode == 0, err
        assert out.strip() == str(want)
    with Gallery(tmp_path) as g:
        for t in tokens:
            assert g.by_code(short_code(t)).token == t
    with sqlite3.connect(db_path) as db:
        assert ("photos_code",) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()


def test_wipe_deletes_every_photo_and_quarantined_file(tmp_path: Path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        tokens = [add(g, jpegs).token for _ in range(3)]
        add(g, jpegs, now=time.time() - 30 * DAY)  # expired, waiting for the clean-up: wiped too
        (tmp_path / "quarantine" / "left-over.jpg").write_bytes(jpegs[0])
        assert g.count() == 4
        assert g.wipe() == (4, 1)
        assert g.count() == 0 and all(g.get(t) is None for t in tokens)
        assert photo_files(tmp_path) == [] and list((tmp_path / "quarantine").iterdir()) == []
        assert rows(tmp_path) == []
        after = add(g, jpegs)  # the booth carries on
        assert g.count() == 1 and g.get(after.token) == after
