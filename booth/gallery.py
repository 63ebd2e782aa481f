"""Photos on disk plus a SQLite index: the one place a photo is published.

A developed photo is first *staged* (:meth:`Gallery.stage`): both JPEGs are
written to ``staging/``, flushed and fsynced, and nothing else knows of them:
no row, so the phone page, the staff page, the export and prune never see
them. Only when the guest keeps it (:meth:`Gallery.publish`) are the files
renamed into ``photos/``, the folder fsynced, and the row committed. A photo
is *published* when its row is committed, never before, so a crash at any
point, or a guest who walks away from the review, leaves either nothing
visible or a complete photo the guest chose to keep.

At start-up :meth:`Gallery.reconcile` settles whatever a crash left:
leftover temporary files are removed, staged photos nobody kept are
removed (only when no booth process holds ``staging.lock``, i.e. none is
reviewing a photo right now), files without a row are moved to
``quarantine/`` (never served; deleted on expiry like any photo, and kept
rather than removed so a lost index never means lost photos), rows whose
files are gone are dropped, and deletions that were under way are finished.

Each published photo also gets a small sidecar, ``photos/<token>.json``
(when it was taken, its expiry, look, crop, retouch and scores), written
atomically beside its files. So a damaged index is no loss: when start-up
finds ``gallery.sqlite3`` unreadable it moves it aside, rebuilds the index
from ``photos/`` and the sidecars (photos from before sidecars existed get
their file's time and ``unknown`` look and retouch), logs what was
recovered and writes it to ``gallery-rebuilt.json`` for ``booth doctor``.

A photo of a demo source (the scripted subject, a replay: booth/demo.py)
is published like any other but marked ``demo`` in its row and sidecar:
served by token and code, left out of the staff figures, the export and the
wipe count, and expiring after ``DEMO_EXPIRY_S``.

The booth process adds photos while the ``booth web`` process reads and
deletes them. SQLite in WAL mode handles the index; an ``flock`` on
``gallery.lock`` keeps one process's reconcile from touching files the
other is about to publish.

A photo kept in a guest's visit (the session of looks: issue 17) carries
that visit's token in its row and sidecar; :meth:`Gallery.visit_photos`
lists them for the visit's one page (/v/<visit>). Each photo still expires
and is deleted on its own; the visit is only the grouping.

Tokens are random (144 bits, URL-safe) and checked against a strict pattern
before they reach SQL or a path. Nothing here logs a token.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import math
import os
import re
import secrets
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booth.codes import short_code
from booth.demo import DEMO_EXPIRY_S

log = logging.getLogger(__name__)

TOKEN_BYTES = 18  # 144 bits; token_urlsafe gives exactly 24 characters
TOKEN_LENGTH = 24
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{24}")
KINDS = ("original", "retouched")
LOOKS = ("smile", "serious", "contemplative")
CROPS = ("4:5", "1:1", "2:3")
RETOUCHES = ("none", "natural", "polished")
LATEST = 12  # photos listed in stats()
_TMP_PREFIX = ".tmp-"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    token   TEXT PRIMARY KEY,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    look    TEXT NOT NULL,
    crop    TEXT NOT NULL,
    retouch TEXT NOT NULL,
    scores  TEXT NOT NULL,
    deleted REAL
);
CREATE INDEX IF NOT EXISTS photos_created ON photos(created);
CREATE INDEX IF NOT EXISTS photos_expires ON photos(expires);
-- The cloud outbox (booth sync): what still has to reach the bucket, one row per photo.
-- Written in the same transaction as the photo's own row, so a crash can neither
-- lose an upload nor queue one for a photo that was never published.
CREATE TABLE IF NOT EXISTS outbox (
    token    TEXT PRIMARY KEY,
    op       TEXT NOT NULL,
    queued   REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error    TEXT
);
"""
UPLOAD, DELETE = "upload", "delete"  # the outbox's two operations
# Added later (the short code, booth/codes.py): an index made before gets it by _migrate.
_CODE_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS photos_code ON photos(code) WHERE code IS NOT NULL"
# Added later (booth/demo.py): 1 for a photo of the scripted subject or a replay, kept apart from the event's.
_DEMO_COLUMN = "ALTER TABLE photos ADD COLUMN demo INTEGER NOT NULL DEFAULT 0"
# Added later (issue 17): the visit a photo was kept in (one guest's session of looks, one link for all of
# them: /v/<visit>); NULL for a photo kept alone.
_VISIT_COLUMN = "ALTER TABLE photos ADD COLUMN visit TEXT"
_VISIT_INDEX = "CREATE INDEX IF NOT EXISTS photos_visit ON photos(visit) WHERE visit IS NOT NULL"
# Added later: the short code of the photo's visit (booth/codes.py of the visit token), on each of its
# photos, so a typed code finds the visit in one indexed query. A photo kept in a visit has no code of
# its own: the share screen shows the visit's, and a code nobody was shown is only one more to guess.
_VISIT_CODE_COLUMN = "ALTER TABLE photos ADD COLUMN visit_code TEXT"
_VISIT_CODE_INDEX = "CREATE INDEX IF NOT EXISTS photos_visit_code ON photos(visit_code) WHERE visit_code IS NOT NULL"
_COLUMNS = "token, created, expires, look, crop, retouch, scores, code, demo, visit"
_INSERT = f"INSERT INTO photos ({_COLUMNS}, visit_code, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"


UNKNOWN = "unknown"  # look or retouch of a photo recovered without its sidecar
REBUILT_FILE = "gallery-rebuilt.json"  # what the last rebuild of a damaged index recovered


class GalleryError(Exception):
    """A gallery problem, phrased for the person who has to fix it."""


class _IndexDamaged(Exception):
    """The index file cannot be used as it is (not a database, or it fails SQLite's quick check)."""


@dataclass(frozen=True)
class RebuildReport:
    """What rebuilding a damaged index from the photo folder recovered."""

    at: float
    reason: str
    damaged_copy: str  # the damaged index, moved aside (file name in the data folder)
    recovered: int  # photos back in the index, with their links
    without_details: int  # of which had no sidecar: time from the file, look and retouch unknown

    def line(self) -> str:
        text = f"{self.recovered} photo(s) recovered"
        if self.without_details:
            text += f" ({self.without_details} without their details: time from the file, look unknown)"
        return text + f"; the damaged index is kept as {self.damaged_copy}"


def last_rebuild(data_dir: Path) -> RebuildReport | None:
    """The report of the last rebuild of a damaged index in this data folder, if there was one."""
    try:
        raw = json.loads((Path(data_dir) / REBUILT_FILE).read_text())
        return RebuildReport(float(raw["at"]), str(raw["reason"]), str(raw["damaged_copy"]),
                             int(raw["recovered"]), int(raw["without_details"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def new_token() -> str:
    """A fresh random photo token or visit token (144 bits, URL-safe; the same pattern for both)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: object) -> bool:
    """True only for strings that could be a token; checked before any lookup."""
    return isinstance(token, str) and _TOKEN_RE.fullmatch(token) is not None


@dataclass(frozen=True)
class PhotoRecord:
    """One published photo. ``expires`` is already the effective deadline."""

    token: str = field(repr=False)  # never in logs
    created: float
    expires: float
    look: str
    crop: str
    retouch: str
    scores: Mapping[str, Any] = field(default_factory=dict)
    # The short code (None: kept in a visit, whose code it is, or it clashed with another's).
    code: str | None = field(default=None, repr=False)
    demo: bool = False  # made from a demo source (booth/demo.py): served, but kept apart from the event's photos
    visit: str | None = field(default=None, repr=False)  # the visit token it was kept in (a key too: never logged)

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.expires


@dataclass(frozen=True)
class GalleryStats:
    """What the staff page shows. ``per_hour[h]`` counts today's photos taken in local hour h."""

    total: int
    today: int
    per_hour: tuple[int, ...]
    latest: tuple[PhotoRecord, ...]
    expired_waiting: int  # expired but not pruned yet (still never served)
    quarantined: int
    demo: int = 0  # live demo photos: in none of the figures above, shown apart
    visits: int = 0  # guests' visits among the live event photos (a photo kept alone is a visit of its own)


def photo_stats(everything: Iterable[PhotoRecord], now: float, *, quarantined: int = 0) -> GalleryStats:
    """The staff page's figures over any set of photos (this gallery's, or a bucket's: booth/cloud/staff.py).

    Event photos only; demo photos are counted apart. 'today' is the local day.
    """
    lt = time.localtime(now)
    midnight = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, 0, 0, 0, 0, 0, -1))
    everything = list(everything)
    rows = [r for r in everything if not r.demo]
    live = [r for r in rows if not r.expired(now)]
    per_hour = [0] * 24
    for r in live:
        if r.created >= midnight:
            per_hour[time.localtime(r.created).tm_hour] += 1
    latest = tuple(sorted(live, key=lambda r: r.created, reverse=True)[:LATEST])
    demo = sum(1 for r in everything if r.demo and not r.expired(now))
    return GalleryStats(len(live), sum(per_hour), tuple(per_hour), latest, len(rows) - len(live), quarantined, demo,
                        count_visits(live))


def count_visits(records: Iterable[PhotoRecord]) -> int:
    """How many visits these photos come from: one per visit token, one per photo kept without one."""
    records = list(records)
    return len({r.visit for r in records if r.visit is not None}) + sum(1 for r in records if r.visit is None)


@dataclass(frozen=True)
class ReconcileReport:
    """What start-up found and fixed; all zero after a clean shutdown."""

    temp_removed: int = 0
    orphans_quarantined: int = 0
    dead_rows_removed: int = 0
    deletions_finished: int = 0
    unkept_removed: int = 0  # staged photos nobody kept (a crash before the guest's "keep")

    @property
    def clean(self) -> bool:
        return not (self.temp_removed or self.orphans_quarantined or self.dead_rows_removed
                    or self.deletions_finished or self.unkept_removed)


@dataclass(frozen=True)
class OutboxItem:
    """One photo waiting for `booth sync`: upload it, or delete its copy in the bucket."""

    token: str = field(repr=False)  # never in logs
    op: str
    queued: float
    attempts: int


@dataclass(frozen=True)
class StagedPhoto:
    """A developed photo the guest has not kept yet: files in ``staging/``, no row, served by nothing."""

    token: str = field(repr=False)  # never in logs
    created: float
    look: str
    crop: str
    retouch: str
    scores_json: str = field(repr=False)
    demo: bool = False


def _jsonable(value: Any) -> Any:
    # numpy scalars and arrays arrive from the scoring code.
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON-serializable: {type(value).__name__}")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(folder: Path, data: bytes) -> Path:
    """Write data to a new temporary file in folder, flushed to disk."""
    tmp = folder / f"{_TMP_PREFIX}{secrets.token_hex(8)}.jpg"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def _check_jpeg(name: str, data: object) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise GalleryError(f"{name} must be JPEG bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) < 4 or not data.startswith(b"\xff\xd8\xff"):
        raise GalleryError(f"{name} is not a JPEG (no JPEG start marker)")
    return data


def _check_visit(visit: object) -> str | None:
    if visit is not None and not valid_token(visit):
        raise GalleryError("visit must be None or a token from booth.gallery.new_token() "
                           "(24 characters of A-Z, a-z, 0-9, _ and -)")
    return visit  # type: ignore[return-value]


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise GalleryError(f"{name} = {value!r}: allowed: {', '.join(allowed)}")
    return str(value)


class Gallery:
    """The photo store of one data directory; safe to share between two processes."""

    def __init__(self, data_dir: Path, *, expiry_days: float = 7.0, reconcile: bool = True,
                 outbox: bool = False) -> None:
        if not (isinstance(expiry_days, (int, float)) and math.isfinite(expiry_days) and expiry_days > 0):
            raise GalleryError(f"expiry_days = {expiry_days!r}: must be a positive number of days")
        self.data_dir = Path(data_dir)
        self.photos_dir = self.data_dir / "photos"
        self.quarantine_dir = self.data_dir / "quarantine"
        self.staging_dir = self.data_dir / "staging"
        self.expiry_s = float(expiry_days) * 86400.0
        self.outbox = outbox  # [cloud] is set: publishing and deleting also queue work for `booth sync`
        try:
            for d in (self.data_dir, self.photos_dir, self.quarantine_dir, self.staging_dir):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GalleryError(f"{self.data_dir}: cannot create the photo folders: {exc.strerror}") from None
        self._lock_path = self.data_dir / "gallery.lock"
        self._staging_lock_path = self.data_dir / "staging.lock"
        self._staging_fd: int | None = None  # held from the first stage() until close()
        self._staging_guard = threading.Lock()  # this process's own stage() and reconcile() take turns
        self._db_lock = threading.Lock()
        index = self.data_dir / "gallery.sqlite3"
        try:
            self._db = self._open_db(index, check=reconcile)
        except _IndexDamaged as exc:
            if not reconcile:  # only a process that reconciles (the booth, `booth web`'s parent) rebuilds
                raise GalleryError(f"{index}: the gallery index is unreadable ({exc}); restart `booth web` "
                                   "or the booth to rebuild it from the photos") from None
            self._db = self._rebuild(index, str(exc))
        if reconcile:
            report = self.reconcile()
            if not report.clean:
                log.warning("gallery: repaired after an unclean stop: %s", report)

    # -- storage plumbing -------------------------------------------------

    def _open_db(self, path: Path, *, check: bool = False) -> sqlite3.Connection:
        """The index, opened and up to date; _IndexDamaged if it is not a usable database."""
        db = None
        try:
            db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout = 10000")
            if check and (result := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                raise sqlite3.DatabaseError(f"quick check: {result}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise GalleryError(f"{path}: cannot switch the index to WAL mode (got {mode})")
            # FULL: a committed row is a published photo and must survive power loss.
            db.execute("PRAGMA synchronous = FULL")
            db.executescript(_SCHEMA)
            self._migrate(db)
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            if isinstance(exc, sqlite3.OperationalError):  # locked, no permission, disk full: not damage
                raise GalleryError(f"{path}: cannot use the gallery index ({exc})") from None
            raise _IndexDamaged(str(exc)) from None  # not a database, or malformed
        return db

    def _rebuild(self, path: Path, reason: str) -> sqlite3.Connection:
        """Move the damaged index aside and make a new one from photos/ and the sidecars."""
        with self._files_lock():
            try:  # another process may have rebuilt it while we waited for the lock
                return self._open_db(path, check=True)
            except _IndexDamaged:
                pass
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            db = self._open_db(path)
            recovered = guessed = 0
            taken: set[str] = set()
            names = {p.name for p in self.photos_dir.iterdir()}
            for token in sorted({n.split(".")[0] for n in names if valid_token(n.split(".")[0])}):
                if not all(f"{token}.{kind}.jpg" in names for kind in KINDS):
                    continue  # incomplete: reconcile quarantines what there is
                row = self._row_from_sidecar(token)
                if row is None:
                    row = self._row_from_files(token)
                    guessed += 1
                *details, demo, visit = row
                code = None if visit else short_code(token)
                db.execute(_INSERT, (token, *details, None if code in taken else code, int(demo), visit,
                                     short_code(visit) if visit else None))
                taken.add(code)
                recovered += 1
                if self.outbox:  # the queue went with the index; uploads are idempotent, so queue all again
                    db.execute("INSERT OR IGNORE INTO outbox (token, op, queued) VALUES (?, ?, ?)",
                               (token, UPLOAD, time.time()))
            report = RebuildReport(time.time(), reason, aside.name, recovered, guessed)
            tmp = _write_temp(self.data_dir, json.dumps(dataclasses.asdict(report)).encode())
            os.replace(tmp, self.data_dir / REBUILT_FILE)
            _fsync_dir(self.data_dir)
        log.warning("gallery: the index was unreadable (%s) and has been rebuilt from the photo folder: %s",
                    reason, report.line())
        return db

    def _row_from_sidecar(self, token: str) -> tuple[Any, ...] | None:
        """(created, expires, look, crop, retouch, scores, demo, visit) from the photo's sidecar; None if missing or bad."""
        try:
            meta = json.loads(self._sidecar(token).read_text())
            created, expires = float(meta["created"]), float(meta["expires"])
            look, crop, retouch = (str(meta[k]) for k in ("look", "crop", "retouch"))
            scores = json.dumps(meta.get("scores") or {}, allow_nan=False, sort_keys=True)
            demo = meta.get("demo", False)  # sidecars from before the mark: an event photo
            visit = meta.get("visit")  # sidecars from before visits, or a photo kept alone: None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (math.isfinite(created) and math.isfinite(expires)) or not isinstance(demo, bool):
            return None
        return created, expires, look, crop, retouch, scores, demo, (visit if valid_token(visit) else None)

    def _row_from_files(self, token: str) -> tuple[Any, ...]:
        """A photo from before sidecars: taken when its file was written, crop from its shape."""
        created = self._file(token, "original").stat().st_mtime
        crop = CROPS[0]
        with contextlib.suppress(Exception):
            from PIL import Image  # the header only

            with Image.open(self._file(token, "retouched")) as image:
                width, height = image.size
            ratios = {c: int(c.split(":")[0]) / int(c.split(":")[1]) for c in CROPS}
            crop = min(CROPS, key=lambda c: abs(ratios[c] - width / height))
        # Not known to be a demo: kept as an event photo (a real guest's photo must never expire in an hour).
        return created, created + self.expiry_s, UNKNOWN, crop, UNKNOWN, "{}", False, None

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Bring an index made by an older booth up to date: the short-code column, filled in, the
        demo mark (photos from before it were all kept as event photos: 0) and the visit (NULL: kept alone).

        In one write transaction, so the booth and the web server opening the
        same index at once cannot both add the column.
        """
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in db.execute("PRAGMA table_info(photos)")}
            if "code" not in columns:
                db.execute("ALTER TABLE photos ADD COLUMN code TEXT")
            if "demo" not in columns:
                db.execute(_DEMO_COLUMN)
            if "visit" not in columns:
                db.execute(_VISIT_COLUMN)
            if "visit_code" not in columns:
                db.execute(_VISIT_CODE_COLUMN)
                for (visit,) in db.execute("SELECT DISTINCT visit FROM photos WHERE visit IS NOT NULL").fetchall():
                    db.execute("UPDATE photos SET visit_code = ? WHERE visit = ?", (short_code(visit), visit))
            db.execute(_CODE_INDEX)
            db.execute(_VISIT_INDEX)
            db.execute(_VISIT_CODE_INDEX)
            taken = {c for (c,) in db.execute("SELECT code FROM photos WHERE code IS NOT NULL")}
            missing = db.execute("SELECT token FROM photos WHERE code IS NULL AND visit IS NULL "
                                 "ORDER BY created").fetchall()
            for (token,) in missing:
                code = short_code(token)
                if code not in taken:  # a clash (about 1 in 10^8 per pair) leaves the later photo without one
                    db.execute("UPDATE photos SET code = ? WHERE token = ?", (code, token))
                    taken.add(code)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if missing:
            log.info("gallery: short codes given to %d photo(s) from before codes existed", len(missing))

    @contextlib.contextmanager
    def _files_lock(self) -> Iterator[None]:
        """Exclusive across processes and threads (a fresh open file per use)."""
        with open(self._lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._db_lock:
            return self._db.execute(sql, params).fetchall()

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self._db_lock:
            return self._db.execute(sql, params).rowcount

    def _record(self, row: tuple[Any, ...]) -> PhotoRecord:
        token, created, expires, look, crop, retouch, scores, code, demo, visit = row
        try:
            parsed = json.loads(scores)
        except ValueError:
            parsed = {}
        return PhotoRecord(token, created, min(expires, created + self.expiry_s), look, crop, retouch,
                           parsed if isinstance(parsed, dict) else {}, code, bool(demo), visit)

    def _file(self, token: str, kind: str) -> Path:
        return self.photos_dir / f"{token}.{kind}.jpg"

    def _sidecar(self, token: str) -> Path:
        return self.photos_dir / f"{token}.json"

    def _staged_file(self, token: str, kind: str) -> Path:
        return self.staging_dir / f"{token}.{kind}.jpg"

    def _hold_staging(self) -> None:
        """Mark staging/ as in use by this process for its lifetime (the kernel drops it on any death)."""
        with self._staging_guard:
            if self._staging_fd is not None:
                return
            fd = os.open(self._staging_lock_path, os.O_RDWR | os.O_CREAT, 0o640)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise GalleryError(f"{self.data_dir}: another booth process is developing photos here") from None
            self._staging_fd = fd

    def _remove_unkept(self) -> int:
        """Staged photos left by a process that is gone: nobody kept them, so they go.

        Skipped while a live booth process holds ``staging.lock`` (this one
        included): its staged photo may be on the review screen right now.
        """
        with self._staging_guard:
            if self._staging_fd is not None:
                return 0
            fd = os.open(self._staging_lock_path, os.O_RDWR | os.O_CREAT, 0o640)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return 0
                tokens = {p.name.split(".")[0] for p in self.staging_dir.iterdir() if not p.name.startswith(_TMP_PREFIX)}
                for p in self.staging_dir.iterdir():
                    p.unlink(missing_ok=True)
                return len(tokens)
            finally:
                os.close(fd)  # also releases the lock

    # -- the API ----------------------------------------------------------

    def add(self, *, original_jpeg: bytes, retouched_jpeg: bytes, look: str, crop: str, retouch: str,
            scores: Mapping[str, Any], now: float | None = None, demo: bool = False,
            visit: str | None = None) -> PhotoRecord:
        """Stage and publish at once (tests, benchmarks; the booth stages, then the guest keeps)."""
        visit = _check_visit(visit)
        staged, files = self._prepare(original_jpeg, retouched_jpeg, look, crop, retouch, scores, now, demo)
        with self._files_lock():  # the staged files are never out of this lock: no reconcile takes them
            try:
                self._write_staged(staged, files)
                return self._publish_locked(staged, None, visit)
            finally:
                self.unstage(staged.token)  # nothing left staged if publishing failed

    def stage(self, *, original_jpeg: bytes, retouched_jpeg: bytes, look: str, crop: str, retouch: str,
              scores: Mapping[str, Any], now: float | None = None, demo: bool = False) -> StagedPhoto:
        """Put a developed photo on disk, durable, but published nowhere until :meth:`publish`.

        ``demo`` marks a photo of a demo source (booth/demo.py); :meth:`publish` records the mark.
        """
        staged, files = self._prepare(original_jpeg, retouched_jpeg, look, crop, retouch, scores, now, demo)
        self._hold_staging()
        self._write_staged(staged, files)
        return staged

    def publish(self, staged: StagedPhoto, *, retouched_jpeg: bytes | None = None,
                retouch: str | None = None, visit: str | None = None) -> PhotoRecord:
        """The guest kept it: the staged files move into photos/, then the row commits (the one publishing step).

        ``retouched_jpeg`` and ``retouch`` replace the staged retouched file
        first (the guest picked another level on the review screen).
        ``visit`` (a token from :func:`new_token`) puts the photo in that visit:
        its page /v/<visit> lists every photo published with it.
        """
        visit = _check_visit(visit)
        new = None
        if retouched_jpeg is not None:
            new = (_check_jpeg("retouched_jpeg", retouched_jpeg), _check_choice("retouch", retouch, RETOUCHES))
        with self._files_lock():
            return self._publish_locked(staged, new, visit)

    def _prepare(self, original_jpeg: object, retouched_jpeg: object, look: object, crop: object,
                 retouch: object, scores: Mapping[str, Any], now: float | None,
                 demo: object) -> tuple[StagedPhoto, tuple[bytes, bytes]]:
        original = _check_jpeg("original_jpeg", original_jpeg)
        retouched = _check_jpeg("retouched_jpeg", retouched_jpeg)
        look = _check_choice("look", look, LOOKS)
        crop = _check_choice("crop", crop, CROPS)
        retouch = _check_choice("retouch", retouch, RETOUCHES)
        if not isinstance(demo, bool):
            raise GalleryError(f"demo = {demo!r}: allowed: True, False")
        try:
            scores_json = json.dumps(dict(scores), default=_jsonable, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise GalleryError(f"scores cannot be stored: {exc}") from None
        created = time.time() if now is None else float(now)
        return StagedPhoto(self._fresh_token(), created, look, crop, retouch, scores_json, demo), (original, retouched)

    def _write_staged(self, staged: StagedPhoto, files: tuple[bytes, bytes]) -> None:
        """Both files whole and fsynced under their staged names (a temp file renamed, as everywhere)."""
        written: list[Path] = []
        try:
            for kind, data in zip(KINDS, files):
                written.append(_write_temp(self.staging_dir, data))
                os.rename(written[-1], self._staged_file(staged.token, kind))
                written[-1] = self._staged_file(staged.token, kind)
        except BaseException as exc:
            for p in written:
                with contextlib.suppress(OSError):
                    p.unlink()
            if isinstance(exc, OSError):
                raise GalleryError(f"{self.staging_dir}: cannot save the photo: {exc.strerror}") from None
            raise

    def _publish_locked(self, staged: StagedPhoto, new: tuple[bytes, str] | None, visit: str | None) -> PhotoRecord:
        expiry_s = min(self.expiry_s, DEMO_EXPIRY_S) if staged.demo else self.expiry_s
        record = PhotoRecord(staged.token, staged.created, staged.created + expiry_s, staged.look,
                             staged.crop, staged.retouch if new is None else new[1], json.loads(staged.scores_json),
                             None if visit else short_code(staged.token), staged.demo, visit)
        moved: list[Path] = []
        tmp: Path | None = None
        try:
            if new is not None:
                tmp = _write_temp(self.staging_dir, new[0])
                os.replace(tmp, self._staged_file(staged.token, "retouched"))
                tmp = None
            for kind in KINDS:
                final = self._file(staged.token, kind)
                os.rename(self._staged_file(staged.token, kind), final)
                moved.append(final)
            # What a rebuild of a damaged index needs to give the photo back its link and details.
            sidecar = json.dumps({"created": record.created, "expires": record.expires, "look": record.look,
                                  "crop": record.crop, "retouch": record.retouch, "scores": record.scores,
                                  "demo": record.demo, **({"visit": record.visit} if record.visit else {})},
                                 allow_nan=False, sort_keys=True).encode()
            tmp = _write_temp(self.photos_dir, sidecar)
            os.rename(tmp, self._sidecar(staged.token))
            tmp = None
            moved.append(self._sidecar(staged.token))
            _fsync_dir(self.photos_dir)
            self._publish_row(record, staged.scores_json)
        except BaseException as exc:
            for p in moved + ([tmp] if tmp is not None else []):
                with contextlib.suppress(OSError):
                    p.unlink()
            if isinstance(exc, FileNotFoundError) and not moved:
                raise GalleryError("the photo is no longer staged (discarded, or removed at a restart)") from None
            if isinstance(exc, OSError):
                raise GalleryError(f"{self.photos_dir}: cannot save the photo: {exc.strerror}") from None
            if isinstance(exc, sqlite3.Error):
                raise GalleryError(f"cannot record the photo in the index: {exc}") from None
            raise
        return record

    def unstage(self, token: str) -> bool:
        """Forget a photo the guest did not keep; False if nothing of it was staged."""
        if not valid_token(token):
            return False
        removed = False
        for kind in KINDS:
            with contextlib.suppress(FileNotFoundError):
                self._staged_file(token, kind).unlink()
                removed = True
        return removed

    def _fresh_token(self) -> str:
        """A new token whose short code no photo or visit has, published or staged.

        A clash would send one guest's typed code to another guest's photo.
        (At 24**8 codes it takes about 10**8 photos to expect one.)
        """
        while True:
            token = new_token()
            code = short_code(token)
            staged = {short_code(p.name.split(".")[0]) for p in self.staging_dir.iterdir()
                      if not p.name.startswith(_TMP_PREFIX)}
            if code not in staged and not self._query("SELECT 1 FROM photos WHERE code = ? OR visit_code = ?",
                                                      (code, code)):
                return token

    def new_visit(self) -> str:
        """A new visit token (booth.capture, at each guest's start) whose short code no photo or visit has:
        the share screen shows it, and the photo server leads it to the visit's page (:meth:`visit_by_code`)."""
        return self._fresh_token()

    def _publish_row(self, record: PhotoRecord, scores_json: str) -> None:
        """The commit that makes a photo exist (a separate step so tests can crash right before it).

        With [cloud] set, the photo's outbox row is in the same transaction: published
        and queued for upload are one fact, never one without the other.
        """
        with self._db_lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    _INSERT,
                    (record.token, record.created, record.expires, record.look, record.crop, record.retouch,
                     scores_json, record.code, int(record.demo), record.visit,
                     short_code(record.visit) if record.visit else None),
                )
                if self.outbox:
                    self._db.execute("INSERT INTO outbox (token, op, queued) VALUES (?, ?, ?)",
                                     (record.token, UPLOAD, time.time()))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _mark_deleted(self, where: str, params: tuple[Any, ...]) -> int:
        """Mark rows deleted; with [cloud] set, queue their bucket copies' deletion in the same transaction."""
        now = time.time()
        with self._db_lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                marked = self._db.execute(f"UPDATE photos SET deleted = ? WHERE deleted IS NULL AND {where}",
                                          (now, *params)).rowcount
                if self.outbox and marked:
                    # Replaces a pending upload too: a photo deleted before it left needs no upload.
                    self._db.execute("INSERT OR REPLACE INTO outbox (token, op, queued) "
                                     f"SELECT token, ?, ? FROM photos WHERE deleted = ? AND {where}",
                                     (DELETE, now, now, *params))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return marked

    # -- the cloud outbox (read and settled by `booth sync`) ----------------

    def outbox_items(self, limit: int = 100) -> list[OutboxItem]:
        """What is waiting, oldest first."""
        rows = self._query("SELECT token, op, queued, attempts FROM outbox ORDER BY queued, token LIMIT ?", (limit,))
        return [OutboxItem(*row) for row in rows]

    def outbox_done(self, item: OutboxItem) -> None:
        """Settled: drop the row, unless a newer operation replaced it meanwhile (a delete after an upload)."""
        self._execute("DELETE FROM outbox WHERE token = ? AND op = ? AND queued = ?", (item.token, item.op, item.queued))

    def outbox_failed(self, item: OutboxItem, error: str) -> None:
        self._execute("UPDATE outbox SET attempts = attempts + 1, error = ? WHERE token = ? AND op = ?",
                      (error, item.token, item.op))

    def outbox_summary(self) -> tuple[int, float | None]:
        """(items waiting, when the oldest was queued)."""
        count, oldest = self._query("SELECT COUNT(*), MIN(queued) FROM outbox")[0]
        return int(count), oldest

    def get(self, token: str) -> PhotoRecord | None:
        """The record, expired or not; None when unknown, deleted or malformed."""
        if not valid_token(token):
            return None
        rows = self._query(f"SELECT {_COLUMNS} FROM photos WHERE token = ? AND deleted IS NULL", (token,))
        return self._record(rows[0]) if rows else None

    def visit_photos(self, visit: str, *, include_expired: bool = False,
                     now: float | None = None) -> list[PhotoRecord]:
        """The visit's photos, oldest first: live ones (not expired, not deleted), or with
        ``include_expired`` the expired ones waiting for the clean-up too (to tell 410 from 404).
        A malformed token has none."""
        if not valid_token(visit):
            return []
        rows = self._query(f"SELECT {_COLUMNS} FROM photos WHERE visit = ? AND deleted IS NULL "
                           "ORDER BY created, token", (visit,))
        now = time.time() if now is None else float(now)
        records = [self._record(row) for row in rows]
        return records if include_expired else [r for r in records if not r.expired(now)]

    def by_code(self, code: str) -> PhotoRecord | None:
        """The record with this short code (already normalised), expired or not; None when unknown."""
        rows = self._query(f"SELECT {_COLUMNS} FROM photos WHERE code = ? AND deleted IS NULL", (code,))
        return self._record(rows[0]) if rows else None

    def visit_by_code(self, code: str) -> str | None:
        """The visit token whose short code this is (already normalised), while it has a live photo; else None."""
        rows = self._query("SELECT visit FROM photos WHERE visit_code = ? AND deleted IS NULL LIMIT 1", (code,))
        if not rows:
            return None
        return rows[0][0] if self.visit_photos(rows[0][0]) else None

    def delete(self, token: str) -> bool:
        """Really delete: mark the row, unlink both files, drop the row. False if there was nothing."""
        if not valid_token(token):
            return False
        with self._files_lock():
            try:
                marked = self._mark_deleted("token = ?", (token,))
            except sqlite3.OperationalError as exc:
                # A full disk refuses even this small write (SQLITE_FULL). Deleting frees space, so
                # the files go first; the row follows if it can, else start-up's reconcile drops it
                # (a row whose files are gone). Either way the photo is gone now.
                if self.get(token) is None:
                    return False
                log.warning("gallery: the index cannot be written (%s): deleting the photo's files first", exc)
                self._finish_delete(token)
                return True
            if marked == 0:
                return False
            self._finish_delete(token)
        return True

    def count(self) -> int:
        """Every event photo stored, expired ones waiting for the clean-up included (what staff type to wipe).

        Demo photos are not counted (a wipe deletes them too, unasked: they are no guest's).
        """
        return int(self._query("SELECT COUNT(*) FROM photos WHERE deleted IS NULL AND demo = 0")[0][0])

    def wipe(self) -> tuple[int, int]:
        """Delete every photo (the event is over): ``(photos, quarantined files)`` deleted.

        All rows are marked deleted in one statement first, so a crash part-way
        leaves nothing servable and start-up's reconcile finishes the job.
        """
        with self._files_lock():
            photos = self._mark_deleted("1", ())
            for (token,) in self._query("SELECT token FROM photos WHERE deleted IS NOT NULL"):
                for kind in KINDS:
                    self._file(token, kind).unlink(missing_ok=True)
                self._sidecar(token).unlink(missing_ok=True)
            _fsync_dir(self.photos_dir)
            self._execute("DELETE FROM photos WHERE deleted IS NOT NULL")
            quarantined = 0
            for p in self.quarantine_dir.iterdir():
                with contextlib.suppress(OSError):
                    p.unlink()
                    quarantined += 1
            _fsync_dir(self.quarantine_dir)
        return photos, quarantined

    def _finish_delete(self, token: str) -> None:
        for kind in KINDS:
            self._file(token, kind).unlink(missing_ok=True)
        self._sidecar(token).unlink(missing_ok=True)
        _fsync_dir(self.photos_dir)
        try:
            self._execute("DELETE FROM photos WHERE token = ?", (token,))
        except sqlite3.OperationalError as exc:  # still no room: the row is dropped at the next start
            log.warning("gallery: the index cannot be written (%s); the photo's files are deleted", exc)

    def prune(self, now: float | None = None) -> int:
        """Delete expired photos (and quarantined files as old); returns photos deleted."""
        now = time.time() if now is None else float(now)
        rows = self._query("SELECT token FROM photos WHERE deleted IS NULL AND (expires <= ? OR created <= ?)",
                           (now, now - self.expiry_s))
        count = sum(self.delete(token) for (token,) in rows)
        for p in self.quarantine_dir.iterdir():
            with contextlib.suppress(OSError):
                if p.stat().st_mtime <= now - self.expiry_s:
                    p.unlink()
        return count

    def reconcile(self) -> ReconcileReport:
        """Make disk and index agree after whatever stopped us last time."""
        temp = orphans = dead = finished = 0
        with self._files_lock():
            unkept = self._remove_unkept()
            for (token,) in self._query("SELECT token FROM photos WHERE deleted IS NOT NULL"):
                self._finish_delete(token)
                finished += 1
            live = {token for (token,) in self._query("SELECT token FROM photos")}
            on_disk: dict[str, set[str]] = {}
            for p in self.photos_dir.iterdir():
                name = p.name
                if name.startswith(_TMP_PREFIX):
                    p.unlink(missing_ok=True)
                    temp += 1
                    continue
                parts = name.split(".")
                if len(parts) == 3 and valid_token(parts[0]) and parts[1] in KINDS and parts[2] == "jpg":
                    on_disk.setdefault(parts[0], set()).add(parts[1])
                    if parts[0] in live:
                        continue
                elif len(parts) == 2 and valid_token(parts[0]) and parts[1] == "json" and parts[0] in live:
                    continue  # a live photo's sidecar (one whose photo is incomplete goes with it, below)
                # A file with no row (or a name we never write): keep it out of reach.
                os.replace(p, self.quarantine_dir / name)
                orphans += 1
            for token in live:
                if on_disk.get(token) != set(KINDS):
                    for kind in on_disk.get(token, ()):
                        os.replace(self._file(token, kind), self.quarantine_dir / f"{token}.{kind}.jpg")
                        orphans += 1
                    with contextlib.suppress(FileNotFoundError):
                        os.replace(self._sidecar(token), self.quarantine_dir / f"{token}.json")
                    self._execute("DELETE FROM photos WHERE token = ?", (token,))
                    dead += 1
            if temp or orphans or dead:
                _fsync_dir(self.photos_dir)
        return ReconcileReport(temp, orphans, dead, finished, unkept)

    def path(self, record: PhotoRecord, kind: str) -> Path:
        """Where a photo's file lives; kind is "original" or "retouched"."""
        if kind not in KINDS:
            raise ValueError(f"kind = {kind!r}: allowed: {', '.join(KINDS)}")
        if not valid_token(record.token):
            raise ValueError("malformed token")
        return self._file(record.token, kind)

    def records(self, *, include_expired: bool = False, now: float | None = None,
                demo: bool | None = None) -> list[PhotoRecord]:
        """Live photos, oldest first: all of them, or with ``demo`` False the event's only (staff export),
        True the demo photos only."""
        now = time.time() if now is None else float(now)
        rows = self._query(f"SELECT {_COLUMNS} FROM photos WHERE deleted IS NULL ORDER BY created, token")
        records = [r for r in map(self._record, rows) if demo is None or r.demo == demo]
        return records if include_expired else [r for r in records if not r.expired(now)]

    def stats(self, now: float | None = None) -> GalleryStats:
        """Counts for the staff page (event photos only; demo photos counted apart); 'today' is the local day."""
        now = time.time() if now is None else float(now)
        everything = self.records(include_expired=True, now=now)  # one snapshot for every count
        return photo_stats(everything, now, quarantined=sum(1 for _ in self.quarantine_dir.iterdir()))

    def free_bytes(self) -> int:
        """Free space where photos are written (for the disk-low check and the staff page)."""
        return shutil.disk_usage(self.photos_dir).free

    def close(self) -> None:
        with self._db_lock:
            self._db.close()
        if self._staging_fd is not None:
            os.close(self._staging_fd)
            self._staging_fd = None

    def __enter__(self) -> Gallery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cli_prune(args: Any, config: Any) -> int:
    """`booth prune`: delete expired photos (run by booth-prune.timer)."""
    try:
        with Gallery(config.data_dir, expiry_days=config.storage.expiry_days,
                     outbox=config.cloud.enabled) as gallery:
            count = gallery.prune()
    except GalleryError as exc:
        print(f"booth prune: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted {count} expired photo(s).")
    return 0
