"""Privacy by default: photos expire and are pruned, deletion is real, nothing
about a face is kept beyond the photo, and no log line carries a photo token.

All through the real commands: ``booth prune`` and ``booth web`` run as
subprocesses, and a headless ``booth run`` session (scripted camera, real
face model) produces the gallery whose index and folder are inspected.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from booth.gallery import Gallery
from booth_process import booth_env, fast_config, run_booth, start_booth, start_web
from machine import display_hardware

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{24}")
# Words that would mean face geometry or identity was stored.
FACE_DATA = ("landmark", "embedding", "blendshape", "pupil", "iris", "matrix", "identity", "face_box", "mesh")


def _jpeg(seed: int) -> bytes:
    img = np.random.default_rng(seed).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", img)[1].tobytes()


def test_booth_prune_deletes_expired_photos(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = tmp_path / "booth.toml"
    config.write_text("[storage]\nexpiry_days = 2\n")
    now = time.time()
    with Gallery(data, expiry_days=2) as g:
        old = g.add(original_jpeg=_jpeg(1), retouched_jpeg=_jpeg(2), look="smile", crop="4:5",
                    retouch="natural", scores={}, now=now - 3 * 86400)
        fresh = g.add(original_jpeg=_jpeg(3), retouched_jpeg=_jpeg(4), look="serious", crop="1:1",
                      retouch="none", scores={}, now=now - 86400)
        old_files = [g.path(old, k) for k in ("original", "retouched")]
        fresh_files = [g.path(fresh, k) for k in ("original", "retouched")]
    assert all(p.exists() for p in old_files + fresh_files)

    result = run_booth("prune", env=booth_env(data=data, config=config), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 expired photo" in result.stdout
    # gone from the disk, not merely hidden
    assert not any(p.exists() for p in old_files)
    assert all(p.exists() for p in fresh_files)
    db = sqlite3.connect(data / "gallery.sqlite3")
    tokens = {t for (t,) in db.execute("SELECT token FROM photos")}
    db.close()
    assert tokens == {fresh.token}
    # nothing of the old photo anywhere in the data folder (quarantine included)
    leftovers = [p for p in data.rglob("*") if old.token in p.name]
    assert leftovers == []


def test_delete_link_really_deletes_and_logs_carry_no_tokens(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = tmp_path / "booth.toml"
    config.write_text("[web]\nworkers = 1\n")
    with Gallery(data) as g:
        keep = g.add(original_jpeg=_jpeg(5), retouched_jpeg=_jpeg(6), look="smile", crop="4:5",
                     retouch="natural", scores={})
        gone = g.add(original_jpeg=_jpeg(7), retouched_jpeg=_jpeg(8), look="smile", crop="4:5",
                     retouch="natural", scores={})
        gone_files = [g.path(gone, k) for k in ("original", "retouched")]
    log = tmp_path / "web.log"
    server = start_web(booth_env(data=data, config=config), log, verbose=True)
    try:
        with httpx.Client(base_url=server.base, timeout=10) as c:
            for token in (keep.token, gone.token):
                assert c.get(f"/p/{token}").status_code == 200
                assert c.get(f"/p/{token}/photo.jpg").status_code == 200
                assert c.get(f"/p/{token}/download").status_code == 200
                assert c.get(f"/p/{token}/original").status_code == 200
            assert c.get(f"/p/{gone.token}/delete").status_code == 200
            assert c.post(f"/p/{gone.token}/delete").status_code == 200
            assert c.get(f"/p/{gone.token}").status_code == 404
            assert c.get(f"/p/{gone.token}/photo.jpg").status_code == 404
            assert c.get("/p/" + "A" * 24).status_code == 404  # a guessed token
            assert c.get(f"/p/{keep.token}").status_code == 200
    finally:
        server.stop(timeout=30)
    assert not any(p.exists() for p in gone_files)
    text = log.read_text()
    assert "photo server on" in text  # the log was captured at all
    assert "deleted by its owner" in text  # ... including the request-time lines
    for token in (keep.token, gone.token, "A" * 24):
        assert token not in text


# ------------------------------------------------ a real session, inspected

# web-state.sqlite3 is the photo server's login and short-code limit (booth/web/limiter.py). Under
# systemd it lives in RuntimeDirectory= (RAM, README "Staff page"); a run outside systemd, like this one,
# keeps it in the data folder so that a full disk refuses staff logins rather than not counting them
# (tests/test_faults_disk_web.py). It holds no photo data: the addresses of recent wrong logins and code
# lookups (dropped past the limit's window at the next attempt) and the SHA-256 of staff session cookies
# (test_web_state_holds_only_the_limits below; README "The staff page").
ALLOWED_FILES = re.compile(
    r"(gallery\.lock|staging\.lock|gallery\.sqlite3(-wal|-shm)?|status\.json|web-state\.sqlite3(-wal|-shm)?"
    r"|photos/[A-Za-z0-9_-]{24}\.((original|retouched)\.jpg|json))"
)
FAST = fast_config(web={"workers": 1})


def _jpeg_app_segments(raw: bytes) -> list[bytes]:
    """The APPn metadata segments of a JPEG (EXIF, XMP, ...), up to the image data."""
    segments, i = [], 2
    while i + 4 <= len(raw) and raw[i] == 0xFF:
        marker, length = raw[i + 1], int.from_bytes(raw[i + 2:i + 4], "big")
        if marker == 0xDA:  # start of scan: metadata is over
            break
        if 0xE0 <= marker <= 0xEF:
            segments.append(raw[i + 4:i + 2 + length])
        i += 2 + length
    return segments


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, model_path: Path):
    """One real headless session, then the phone's requests to a real `booth web`."""
    base = tmp_path_factory.mktemp("privacy")
    data, home, tmp = base / "data", base / "home", base / "tmp"
    home.mkdir()
    tmp.mkdir()
    config = base / "booth.toml"
    config.write_text(FAST)
    env = booth_env(data=data, config=config, models=model_path.parent, HOME=str(home), TMPDIR=str(tmp),
                    XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"))
    run = run_booth("-v", "run", "--camera", "scripted", "--headless", "--sessions", "2", env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    tokens = TOKEN_RE.findall(" ".join(line.rsplit("/", 1)[-1] for line in run.stdout.split()))
    assert len(tokens) == 2
    web_log = base / "web.log"
    server = start_web(booth_env(data=data, config=config), web_log, verbose=True)
    try:
        with httpx.Client(base_url=server.base, timeout=10) as c:
            for token in tokens:
                for path in ("", "/photo.jpg", "/download", "/original", "/delete"):
                    assert c.get(f"/p/{token}{path}").status_code == 200
            assert c.post(f"/p/{tokens[1]}/delete").status_code == 200
    finally:
        server.stop(timeout=30)
    return {"data": data, "home": home, "tmp": tmp, "tokens": tokens, "run": run, "web_log": web_log.read_text()}


def test_no_face_data_in_the_index(session) -> None:
    db = sqlite3.connect(session["data"] / "gallery.sqlite3")
    try:
        tables = {name: sql for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")}
        rows = db.execute("SELECT scores FROM photos").fetchall()
        queued = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        db.close()
    # the cloud outbox (booth/gallery.py) exists in every index, filled only with [cloud] set: a token,
    # an operation and times, checked below like the photos table
    assert set(tables) == {"photos", "outbox"}
    assert queued == 0  # no [cloud] here: nothing is queued to leave the booth
    for sql in tables.values():
        assert not any(word in sql.lower() for word in FACE_DATA), sql
        assert "blob" not in sql.lower()
    assert len(rows) == 1  # two taken, one deleted by its owner
    scores = json.loads(rows[0][0])
    # a handful of 0..1 judgements about the shot, not geometry: no lists, no long vectors
    assert len(scores) < 64
    for key, value in scores.items():
        assert not any(word in key.lower() for word in FACE_DATA), key
        assert isinstance(value, (int, float, str, bool)), key  # never a list or a nested object
        assert not isinstance(value, str) or len(value) <= 32, key


def test_nothing_else_kept_in_the_data_folder_or_elsewhere(session) -> None:
    data: Path = session["data"]
    files = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file())
    unexpected = [f for f in files if not ALLOWED_FILES.fullmatch(f)]
    assert unexpected == []
    # the deleted photo is gone from the disk
    assert not [f for f in files if session["tokens"][1] in f]
    # the process wrote no image or array anywhere else it could (home, caches, temp);
    # a library's font cache there is fine
    stray = [p for root in (session["home"], session["tmp"]) for p in root.rglob("*")
             if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png", ".bmp", ".npy", ".npz", ".pkl", ".pt")]
    assert stray == []


def test_web_state_holds_only_the_limits(session) -> None:
    state = session["data"] / "web-state.sqlite3"
    assert state.is_file()  # outside systemd the state is here: see ALLOWED_FILES
    db = sqlite3.connect(state)
    try:
        columns = {table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                   for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()
    assert columns == {"sessions": {"key", "expires", "password"}, "failures": {"client", "at"},
                       "code_lookups": {"client", "at"}}
    raw = b"".join(p.read_bytes() for p in session["data"].glob("web-state.sqlite3*"))
    for token in session["tokens"]:
        assert token.encode() not in raw


def test_saved_photos_carry_no_face_metadata(session) -> None:
    for path in (session["data"] / "photos").glob("*.jpg"):
        raw = path.read_bytes()
        for segment in _jpeg_app_segments(raw):
            lowered = segment.lower()
            assert b"regions" not in lowered and b"gps" not in lowered, path.name
            assert not any(word.encode() in lowered for word in FACE_DATA), path.name


def test_logs_carry_no_tokens(session) -> None:
    # stderr is what the journal keeps; --headless prints the URLs on stdout by design (the
    # command's output, for scripts), and under systemd the booth is not headless
    logs = session["run"].stderr + session["web_log"]
    assert "session 1 started" in logs and "photo server on" in logs  # the logs were captured
    for token in session["tokens"]:
        assert token not in logs
    status = (session["data"] / "status.json").read_text()
    for token in session["tokens"]:
        assert token not in status


def test_the_service_command_line_takes_no_photo_by_itself(tmp_path: Path, model_path: Path) -> None:
    """`booth run` exactly as booth.service starts it, on a Pi whose screen is missing.

    Under systemd stdout and stderr both go to the journal. With no display
    the booth may run on (downloads still work), but nobody pressed the
    button: it must not take photos by itself, and no photo URL (token)
    may reach the journal.
    """
    why = display_hardware()
    if why:  # there it would draw on the panel: the service line with a screen is the attended booth
        pytest.skip(f"{why}: this test is about a Pi whose screen is missing")
    data = tmp_path / "data"
    config = tmp_path / "booth.toml"
    config.write_text(FAST)
    env = booth_env(data=data, config=config, models=model_path.parent, no_desktop=True)
    proc = start_booth("run", "--camera", "scripted", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        time.sleep(25)  # a scripted hand would have taken and handed out a photo by now
    finally:
        proc.terminate()
        try:
            journal, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            journal, _ = proc.communicate(timeout=30)
    with Gallery(data) as g:
        assert g.records(include_expired=True) == []
    assert not re.search(r"/p/[A-Za-z0-9_-]{24}", journal), journal[-2000:]


def test_attract_screen_says_what_is_kept_and_for_how_long(tmp_path: Path, model_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config
    from booth.session import Phase

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    config = tmp_path / "booth.toml"
    config.write_text(fast_config(web={"workers": 1}, storage={"expiry_days": 3}))
    app = build(load_config(config), camera_spec="scripted", options=Options(headless=True, max_run_s=2.0))
    try:
        assert app.run() == 0
    finally:
        app.camera.stop()
    assert app.session.state.phase is Phase.ATTRACT
    screen = app.last_drawn.text()
    assert "deleted after 3 days" in screen
    assert "Delete yours" in screen
