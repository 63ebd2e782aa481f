"""A damaged gallery index is rebuilt from the photo folder: every link works again, and it is said.

The index is really damaged (bytes overwritten in the SQLite file: its
header, or the page that holds the photo rows), then the real `booth web`
starts on it, and the real `booth doctor` reports it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from booth.gallery import UNKNOWN, Gallery, last_rebuild
from booth_process import booth_env, run_booth
from test_web_support import add_photo, running_web, stored

PAGE = 4096  # SQLite's default page size: page 1 holds the header and the schema, page 2 the photos table


def _damage(index: Path, where: str) -> None:
    with open(index, "r+b") as fh:
        if where == "header":
            fh.write(os.urandom(100))
        else:
            fh.seek(PAGE + 8)
            fh.write(os.urandom(PAGE - 8))


@pytest.mark.parametrize("where", ["header", "photos page"])
def test_a_damaged_index_is_rebuilt_from_the_photos(tmp_path: Path, faces_dir: Path, where: str) -> None:
    data = tmp_path / "data"
    looks = ("smile", "serious", "contemplative")
    photos = [add_photo(data, faces_dir, index=i, look=looks[i], now=time.time() - 3600 * (i + 1)) for i in range(3)]
    legacy = add_photo(data, faces_dir, index=3)  # as if from before sidecars: only its two files
    (data / "photos" / f"{legacy.token}.json").unlink()
    os.utime(data / "photos" / f"{legacy.token}.original.jpg", (legacy.created - 5, legacy.created - 5))
    index = data / "gallery.sqlite3"
    assert not Path(f"{index}-wal").exists()  # every row is in the main file: the damage hits them
    _damage(index, where)

    for server in running_web(data):
        with server.client() as c:
            for record in (*photos, legacy):
                page = c.get(f"/p/{record.token}")
                assert page.status_code == 200, (where, page.status_code)
                download = c.get(f"/p/{record.token}/download")
                assert download.status_code == 200 and download.content == stored(data, record, "retouched")
        log = server.log_text()
    assert ("has been rebuilt from the photo folder: 4 photo(s) recovered (1 without their details: "
            "time from the file, look unknown)") in log
    assert not any(r.token in log for r in (*photos, legacy))

    report = last_rebuild(data)
    assert report is not None and report.recovered == 4 and report.without_details == 1
    assert (data / report.damaged_copy).is_file()  # kept, for whoever wants to look
    with Gallery(data, reconcile=False) as g:
        for record in photos:  # every detail back from the sidecar, the short code too
            back = g.get(record.token)
            assert back is not None
            assert (back.created, back.expires, back.look, back.crop, back.retouch, back.code) == (
                record.created, record.expires, record.look, record.crop, record.retouch, record.code)
            assert dict(back.scores) == dict(record.scores)
        old = g.get(legacy.token)
        assert old is not None and old.look == UNKNOWN and old.retouch == UNKNOWN and old.crop == "4:5"
        assert abs(old.created - (legacy.created - 5)) < 1 and old.code == legacy.code
        assert g.reconcile().clean and not list(g.quarantine_dir.iterdir())

    doctor = run_booth("doctor", env=booth_env(data=data), timeout=120)
    line = next(x for x in doctor.stdout.splitlines() if x.split()[1:2] == ["storage"])
    assert line.startswith("WARN") and "the gallery index was damaged and rebuilt on" in line, doctor.stdout
    assert "4 photo(s) recovered" in line and report.damaged_copy in line


def test_a_healthy_index_is_not_rebuilt(tmp_path: Path, faces_dir: Path) -> None:
    data = tmp_path / "data"
    record = add_photo(data, faces_dir)
    with Gallery(data) as g:
        assert g.get(record.token) is not None
    assert last_rebuild(data) is None
    assert not list(data.glob("gallery.sqlite3.damaged-*"))
