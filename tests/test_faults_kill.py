"""Fault: the process is SIGKILLed at any point of saving a photo.

A real child process saves (or publishes a staged photo the guest kept, at
another retouch level, or deletes) a photo through
:class:`booth.gallery.Gallery`. A first "probe" run records every file
system call the save makes (open, write, fsync, rename, replace, unlink,
close); then, for every position in that sequence (and before the first
and after the last), a fresh copy of the
gallery is handed to a child that stops just before that call and is
SIGKILLed there by this test. After each kill a real ``booth prune``
process starts on the gallery (start-up reconciles it, as ``booth run`` and
``booth web`` do), and the gallery is checked:

- no half-written photo is visible: every indexed photo has both files, each
  byte-identical to what was saved, and no temporary file is left;
- nothing already published is lost or changed;
- the interrupted photo is either fully there or not there at all;
- nothing is left staged: a photo not published by the kill is not kept;
- the SQLite index passes ``PRAGMA integrity_check``.

The app-level variant (killing ``booth run`` during real sessions) is in
tests/test_faults_kill_app.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.gallery import Gallery
from booth_process import booth_env, run_booth

REPO = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    r'''
    import json, os, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from booth.gallery import Gallery

    data_dir, mode, stop_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    job = json.loads(Path(sys.argv[5]).read_text())
    calls = []

    def hook(name, real):
        def wrapper(*args, **kwargs):
            if len(calls) == stop_at:
                sys.stdout.write("AT " + name + "\n"); sys.stdout.flush()
                time.sleep(600)  # the test SIGKILLs us here
            calls.append(name)
            return real(*args, **kwargs)
        return wrapper

    gallery = Gallery(data_dir)  # start-up reconcile happens before hooking
    data = {k: bytes.fromhex(v) for k, v in job.get("bytes", {}).items()}
    if job["op"] == "publish":  # developed and on the review screen: staged before the hooks
        staged = gallery.stage(original_jpeg=data["original"], retouched_jpeg=data["retouched"],
                               look="smile", crop="4:5", retouch="natural", scores={"smile": 0.9})
    for name in ("open", "write", "fsync", "rename", "replace", "unlink", "close"):
        setattr(os, name, hook(name, getattr(os, name)))
    hook("begin", lambda: None)()  # position 0: before the operation starts
    if job["op"] == "add":
        record = gallery.add(original_jpeg=data["original"], retouched_jpeg=data["retouched"],
                             look="smile", crop="4:5", retouch="natural", scores={"smile": 0.9})
        token = record.token
    elif job["op"] == "publish":  # the guest keeps it, at another level
        token = gallery.publish(staged, retouched_jpeg=data["kept"], retouch="polished").token
    else:
        token = job["token"]
        gallery.delete(token)
    if mode == "kill":
        sys.stdout.write("AT end\n"); sys.stdout.flush()
        time.sleep(600)
    print(json.dumps({"calls": calls, "token": token}))
    '''
)


def _jpeg(seed: int, size: int = 96) -> bytes:
    img = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("child") / "save_child.py"
    path.write_text(CHILD)
    return path


@pytest.fixture
def base(tmp_path: Path):
    """A gallery with two published photos; returns (dir, {token: (original, retouched)})."""
    data = tmp_path / "base"
    published = {}
    with Gallery(data) as g:
        for seed in (10, 20):
            orig, ret = _jpeg(seed), _jpeg(seed + 1)
            r = g.add(original_jpeg=orig, retouched_jpeg=ret, look="serious", crop="1:1", retouch="none", scores={})
            published[r.token] = (orig, ret)
    return data, published


def _run_child(child: Path, data: Path, mode: str, stop_at: int, job: dict) -> tuple[str, str]:
    """Probe: run to the end, return its JSON. Kill: wait for the stop, SIGKILL, return the call name."""
    job_file = data.parent / f"{data.name}.job.json"
    job_file.write_text(json.dumps(job))
    proc = subprocess.Popen([sys.executable, str(child), str(data), mode, str(stop_at), str(REPO), str(job_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    if mode == "probe":
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        return out, ""
    line = proc.stdout.readline()
    try:
        assert line.startswith("AT "), (line, proc.stderr.read() if proc.poll() is not None else "")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return line[3:].strip(), ""


def _restart(data: Path) -> None:
    """A real process starting on the gallery: `booth prune` (start-up reconcile, then prune)."""
    config = data.parent / "booth.toml"
    config.write_text("[storage]\nexpiry_days = 30\n")
    result = run_booth("prune", env=booth_env(data=data, config=config), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def _check(data: Path) -> dict[str, tuple[bytes, bytes]]:
    """The invariants; returns what is published now."""
    photos = data / "photos"
    assert not [p.name for p in photos.iterdir() if p.name.startswith(".tmp-")]
    db = sqlite3.connect(data / "gallery.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT token, deleted FROM photos").fetchall()
    finally:
        db.close()
    assert all(deleted is None for _, deleted in rows)  # deletions under way were finished
    tokens = {t for t, _ in rows}
    on_disk = {p.name for p in photos.iterdir()}
    expected = {f"{t}.{k}.jpg" for t in tokens for k in ("original", "retouched")} | {f"{t}.json" for t in tokens}
    assert on_disk == expected  # every row has both files and its sidecar, every file has a row
    assert list((data / "staging").iterdir()) == []  # what was not published by the kill is not kept
    now = {t: ((photos / f"{t}.original.jpg").read_bytes(), (photos / f"{t}.retouched.jpg").read_bytes())
           for t in tokens}
    with Gallery(data) as g:  # a second start-up finds nothing to repair
        assert g.reconcile().clean
    return now


def _sweep(child: Path, base: Path, tmp: Path, job: dict) -> list[tuple[str, dict]]:
    out, _ = _run_child(child, _copy(base, tmp / "probe"), "probe", -1, job)
    calls = json.loads(out.strip().splitlines()[-1])["calls"]
    assert len(calls) >= 4, calls  # the operation really went through the file system
    results = []
    for k in range(len(calls) + 1):
        data = _copy(base, tmp / f"kill-{k}")
        at, _ = _run_child(child, data, "kill", k, job)
        assert at == (calls[k] if k < len(calls) else "end")
        _restart(data)
        results.append((f"{k}:{at}", _check(data)))
    return results


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def test_kill_at_every_step_of_saving_a_photo(child: Path, base, tmp_path: Path) -> None:
    data, published = base
    orig, ret = _jpeg(30), _jpeg(31)
    job = {"op": "add", "bytes": {"original": orig.hex(), "retouched": ret.hex()}}
    outcomes = set()
    for where, now in _sweep(child, data, tmp_path, job):
        for token, files in published.items():
            assert now.get(token) == files, f"published photo lost or changed after a kill at {where}"
        new = {t: f for t, f in now.items() if t not in published}
        assert new in ({}, {next(iter(new), ""): (orig, ret)}), f"half a photo after a kill at {where}"
        outcomes.add(bool(new))
    assert outcomes == {False, True}  # early kills lose the unsaved photo, late ones keep it whole


def test_kill_at_every_step_of_keeping_a_staged_photo(child: Path, base, tmp_path: Path) -> None:
    """The guest pressed keep (another level than the staged one): published whole at that level, or not at all."""
    data, published = base
    orig, ret, kept = _jpeg(40), _jpeg(41), _jpeg(42)
    job = {"op": "publish", "bytes": {"original": orig.hex(), "retouched": ret.hex(), "kept": kept.hex()}}
    seen = set()
    for where, now in _sweep(child, data, tmp_path, job):
        for token, files in published.items():
            assert now.get(token) == files, f"published photo lost or changed after a kill at {where}"
        new = {t: f for t, f in now.items() if t not in published}
        assert new in ({}, {next(iter(new), ""): (orig, kept)}), f"half a photo, or the wrong level, at {where}"
        seen.add(bool(new))
    assert seen == {False, True}


def test_kill_at_every_step_of_deleting(child: Path, base, tmp_path: Path) -> None:
    data, published = base
    token, other = list(published)
    job = {"op": "delete", "token": token}
    seen = set()
    for where, now in _sweep(child, data, tmp_path, job):
        assert now.get(other) == published[other], where
        assert token not in now or now[token] == published[token], where
        seen.add(token in now)
    assert seen == {False, True}
