"""The staff's ZIP of every photo of the event, streamed as it is written.

zipfile writes into a sink that hands back whatever bytes it has after
each chunk of a photo, so the archive never sits in memory or on disk and
the first bytes leave at once. JPEGs are stored, not deflated (they do not
compress and deflating would only burn the Pi's CPU). A manifest.csv lists
when each photo was taken, its look, crop and retouch, and its visit: a
number shared by the photos one guest kept in one visit (a photo kept alone
has a number of its own). File names and the manifest carry no tokens (a
visit token opens the guest's page, so it is a key like a photo's).

:func:`guest_zip` is the same streaming for a guest's "Download all" on
their visit page (booth/web/phone.py): the retouched photos only.

It does not care where photos come from: :class:`ExportItem` pairs a
photo's record with a way to open its files, made from the booth's gallery
here (:func:`gallery_items`) or from the bucket by `booth web --cloud`
(booth/cloud/staff.py), which also puts each booth's photos in a folder of
their own.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from booth.gallery import Gallery, PhotoRecord

CHUNK = 1024 * 1024


class _Sink:
    """A write-only, non-seekable file for ZipFile; drain() takes what was written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _copy(src: BinaryIO, dest: BinaryIO, sink: _Sink) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        dest.write(chunk)
        if out := sink.drain():
            yield out


@dataclass(frozen=True)
class ExportItem:
    """One photo for the archive: ``open(kind)`` gives its "retouched" or "original" bytes, None if gone."""

    record: PhotoRecord
    open: Callable[[str], BinaryIO | None]
    folder: str = ""  # a folder for it in the archive ("" locally; the booth's id in the cloud)


def gallery_opener(gallery: Gallery, record: PhotoRecord) -> Callable[[str], BinaryIO | None]:
    """``open(kind)`` for one of this booth's photos: its file, or None once it is deleted."""

    def open_kind(kind: str) -> BinaryIO | None:
        try:
            return open(gallery.path(record, kind), "rb")
        except FileNotFoundError:
            return None  # deleted by its owner while we were exporting

    return open_kind


def gallery_items(gallery: Gallery, now: float | None = None) -> Iterator[ExportItem]:
    """Every live event photo of this booth (demo photos are no guest's: left out), oldest first."""
    for record in gallery.records(now=now, demo=False):
        yield ExportItem(record, gallery_opener(gallery, record))


def _add(zf: zipfile.ZipFile, sink: _Sink, name: str, src: BinaryIO, taken: time.struct_time) -> Iterator[bytes]:
    """One stored (not deflated) file into the archive, yielding the bytes as they are written."""
    with src:
        info = zipfile.ZipInfo(name, date_time=taken[:6])
        info.compress_type = zipfile.ZIP_STORED
        with zf.open(info, "w") as dest:
            yield from _copy(src, dest, sink)
    if out := sink.drain():
        yield out


def export_zip(items: Iterable[ExportItem]) -> Iterator[bytes]:
    """Yield the ZIP archive of these photos, chunk by chunk."""
    sink = _Sink()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["file", "original", "taken", "look", "crop", "retouch", "scores", "visit"])
    visits: dict[tuple[str, str], int] = {}  # (folder, visit or photo token) -> its number in this archive
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as zf:  # type: ignore[arg-type]
        for number, item in enumerate(items, start=1):
            record = item.record
            taken = time.localtime(record.created)
            stem = (f"{item.folder}/" if item.folder else "") + time.strftime("%Y-%m-%d/%H%M%S", taken) \
                + f"-{number:04d}-{record.look}"
            names = {"retouched": f"{stem}.jpg", "original": f"{stem}-original.jpg"}
            written = []
            for kind, name in names.items():
                src = item.open(kind)
                if src is None:
                    continue  # deleted by its owner while we were exporting
                yield from _add(zf, sink, name, src, taken)
                written.append(name)
            if len(written) == 2:
                visit = visits.setdefault((item.folder, record.visit or record.token), len(visits) + 1)
                writer.writerow([names["retouched"], names["original"], time.strftime("%Y-%m-%d %H:%M:%S", taken),
                                 record.look, record.crop, record.retouch, json.dumps(dict(record.scores)), visit])
        zf.writestr("manifest.csv", manifest.getvalue())
    yield sink.drain()


def guest_zip(files: Iterable[tuple[str, float, Callable[[], BinaryIO | None]]]) -> Iterator[bytes]:
    """A guest's "Download all": ``(name, taken, open)`` per photo, stored under that name; no manifest.

    A photo whose ``open`` gives None (deleted meanwhile) is left out.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as zf:  # type: ignore[arg-type]
        for name, created, open_file in files:
            src = open_file()
            if src is not None:
                yield from _add(zf, sink, name, src, time.localtime(created))
    yield sink.drain()
