"""Demo photos (the scripted subject, a replay) are marked and kept apart from an event's photos.

A real `booth run --camera scripted` publishes into the event's own data
folder; the real `booth web` must still serve that photo to the phone (a
demo's QR code works) but leave it out of the staff page's figures, latest
photos, ZIP export and wipe count; it expires after DEMO_EXPIRY_S; the mark
survives an old index's migration and a rebuild from the sidecars.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import time
import zipfile
from pathlib import Path

import cv2
import pytest

from booth.demo import DEMO_EXPIRY_S, DEMO_EXPIRY_TEXT, is_demo_camera
from booth.gallery import Gallery, GalleryError
from booth_process import booth_env, fast_config, run_booth
from test_web_support import STAFF_PASSWORD, add_photo, running_web, stored

URL_LINE = re.compile(r"^http://[^\s/]+/p/([A-Za-z0-9_-]{24})$")
DAY = 86400.0


@pytest.fixture
def jpegs(faces_dir: Path) -> tuple[bytes, bytes]:
    image = cv2.imread(str(faces_dir / "london" / "smiling" / "004.jpg"))
    original = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    retouched = cv2.imencode(".jpg", cv2.GaussianBlur(image, (5, 5), 0), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    return original, retouched


def add(g: Gallery, jpegs: tuple[bytes, bytes], **kw):
    return g.add(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5", retouch="natural",
                 scores={"smile": 0.8}, **kw)


def figure(html: str, name: str) -> int:
    m = re.search(rf'id="{name}"><b>(\d+)</b>', html)
    assert m, f"no {name} figure on the staff page"
    return int(m.group(1))


def test_which_cameras_make_demo_photos() -> None:
    assert is_demo_camera("scripted subject london-004") and is_demo_camera("replay /home/pi/demo.mp4")
    for real in ("picamera imx708", "webcam /dev/video0", "camera", ""):
        assert not is_demo_camera(real), real


def test_a_scripted_run_is_marked_and_kept_out_of_the_staff_page_and_export(tmp_path, model_path, faces_dir):
    data = tmp_path / "data"
    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config())
    env = booth_env(data=data, config=conf, models=model_path.parent)
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", env=env, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    demo_token = URL_LINE.match(run.stdout.splitlines()[0]).group(1)
    said = run.stderr.split("photo developed")[0]  # said at start, before the first photo
    assert "running the demo subject" in said and "marked as demo" in said, run.stderr[-3000:]
    with Gallery(data) as g:
        demo = g.get(demo_token)
        assert demo is not None and demo.demo
        assert demo.expires == pytest.approx(demo.created + DEMO_EXPIRY_S)
        assert json.loads((data / "photos" / f"{demo_token}.json").read_text())["demo"] is True
    event = add_photo(data, faces_dir, index=3)  # a guest's photo, from a real camera
    assert not event.demo

    with contextlib.contextmanager(running_web)(data) as server:
        with server.client("127.0.0.41") as c:
            # The phone still gets the demo photo (the QR code on the share screen must work).
            assert c.get(f"/p/{demo_token}").status_code == 200
            photo = c.get(f"/p/{demo_token}/photo.jpg")
            assert photo.status_code == 200 and photo.content == stored(data, demo, "retouched")
            assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            html = c.get("/staff").text
            assert figure(html, "today") == 1 and figure(html, "total") == 1  # the guest's photo only
            assert f"staff/thumb/{event.token}.jpg" in html and demo_token not in html
            assert re.search(r'id="demo">Demo photos: 1 ', html) and DEMO_EXPIRY_TEXT in html
            with c.stream("GET", "/staff/export.zip") as r:
                assert r.status_code == 200
                body = b"".join(r.iter_bytes())
            zf = zipfile.ZipFile(io.BytesIO(body))
            jpgs = {zf.read(n) for n in zf.namelist() if n.endswith(".jpg")}
            assert jpgs == {stored(data, event, "retouched"), stored(data, event, "original")}
            wipe = c.get("/staff/wipe").text
            assert re.search(r'id="count">1</b>', wipe), wipe  # staff type the event's count, not the demo's

    # The demo photo goes at the next prune after DEMO_EXPIRY_S; the guest's stays for expiry_days.
    with Gallery(data) as g:
        assert g.prune(demo.created + DEMO_EXPIRY_S - 60) == 0 and g.get(demo_token) is not None
        assert g.prune(demo.created + DEMO_EXPIRY_S + 1) == 1
        assert g.get(demo_token) is None and g.get(event.token) == event
        assert not list((data / "photos").glob(f"{demo_token}*"))


def test_demo_photos_expire_after_an_hour_even_with_long_expiry(tmp_path, jpegs) -> None:
    now = time.time()
    with Gallery(tmp_path, expiry_days=30) as g:
        old_demo = add(g, jpegs, now=now - DEMO_EXPIRY_S - 5, demo=True)
        new_demo = add(g, jpegs, now=now - 60, demo=True)
        event = add(g, jpegs, now=now - DEMO_EXPIRY_S - 5)
        assert g.records(demo=True) == [new_demo]  # the expired one is never served
        assert g.get(old_demo.token).expired(now) and not g.get(event.token).expired(now)
        stats = g.stats(now)
        assert (stats.total, stats.demo, stats.expired_waiting) == (1, 1, 0)  # the expired demo: not waiting
        assert [r.token for r in stats.latest] == [event.token] and g.count() == 1
        assert g.records(demo=False, now=now) == [event]
        assert g.prune(now) == 1 and g.get(old_demo.token) is None
        assert g.get(new_demo.token) == new_demo and g.get(event.token) == event
    with Gallery(tmp_path, expiry_days=0.01) as g:  # a shorter event expiry wins over the demo's
        short = add(g, jpegs, demo=True)
        assert short.expires == pytest.approx(short.created + 0.01 * DAY)
        with pytest.raises(GalleryError, match="demo = 'yes'"):
            add(g, jpegs, demo="yes")


# The index as booths made it before the demo mark (short codes, no demo column).
_BEFORE_DEMO = """
CREATE TABLE photos (token TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL, look TEXT NOT NULL,
                     crop TEXT NOT NULL, retouch TEXT NOT NULL, scores TEXT NOT NULL, deleted REAL, code TEXT);
CREATE INDEX photos_created ON photos(created);
CREATE INDEX photos_expires ON photos(expires);
CREATE UNIQUE INDEX photos_code ON photos(code) WHERE code IS NOT NULL;
"""


def test_an_index_from_before_the_demo_mark_is_migrated(tmp_path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        kept = [add(g, jpegs) for _ in range(2)]
    db_path = tmp_path / "gallery.sqlite3"
    with sqlite3.connect(db_path) as db:
        old = db.execute("SELECT token, created, expires, look, crop, retouch, scores, code FROM photos").fetchall()
    for p in tmp_path.glob("gallery.sqlite3*"):
        p.unlink()
    with sqlite3.connect(db_path) as db:
        db.executescript(_BEFORE_DEMO)
        db.executemany("INSERT INTO photos VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)", old)
    with Gallery(tmp_path) as g:  # every photo from before is an event photo
        assert sorted(g.records(demo=False), key=lambda r: r.created) == kept and g.count() == 2
        demo = add(g, jpegs, demo=True)
    with Gallery(tmp_path) as g:  # opened again: migrated once, the mark kept
        assert g.get(demo.token).demo and g.count() == 2 and g.stats().demo == 1
    with sqlite3.connect(db_path) as db:
        assert [r[1] for r in db.execute("PRAGMA table_info(photos)")].count("demo") == 1


def test_a_rebuilt_index_keeps_the_demo_mark(tmp_path, jpegs) -> None:
    with Gallery(tmp_path) as g:
        demo = add(g, jpegs, demo=True)
        event = add(g, jpegs)
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"gallery.sqlite3{suffix}").unlink(missing_ok=True)
    (tmp_path / "gallery.sqlite3").write_bytes(b"this is not a database" * 100)
    with Gallery(tmp_path) as g:  # rebuilt from photos/ and the sidecars
        assert g.get(demo.token) == demo and g.get(demo.token).demo
        assert g.get(event.token) == event and not g.get(event.token).demo
        assert g.count() == 1 and g.stats().demo == 1
    # A sidecar whose mark is not a yes/no is not trusted: the photo comes back as an event photo
    # (time from the file), never as a demo photo that would expire within the hour.
    sidecar = tmp_path / "photos" / f"{demo.token}.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "demo": "yes"}))
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"gallery.sqlite3{suffix}").unlink(missing_ok=True)
    (tmp_path / "gallery.sqlite3").write_bytes(b"still not a database" * 100)
    with Gallery(tmp_path) as g:
        assert not g.get(demo.token).demo and g.get(demo.token).look == "unknown"
