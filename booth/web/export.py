"""The staff's ZIP of every photo of the event, streamed as it is written.

zipfile writes into a sink that hands back whatever bytes it has after
each chunk of a photo, so the archive never sits in memory or on disk and
the first bytes leave at once. JPEGs are stored, not deflated (they do not
compress and deflating would only burn the Pi's CPU). A manifest.csv lists
when each photo was taken and its look, crop and retouch. File names carry
no tokens.

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


def gallery_items(gallery: Gallery, now: float | None = None) -> Iterator[ExportItem]:
    """Every live event photo of this booth (demo photos are no guest's: left out), oldest first."""

    def opener(record: PhotoRecord) -> Callable[[str], BinaryIO | None]:
        def open_kind(kind: str) -> BinaryIO | None:
            try:
                return open(gallery.path(record, kind), "rb")
            except FileNotFoundError:
                return None  # deleted by its owner while we were exporting

        return open_kind

    for record in gallery.records(now=now, demo=False):
        yield ExportItem(record, opener(record))


def export_zip(items: Iterable[ExportItem]) -> Iterator[bytes]:
    """Yield the ZIP archive of these photos, chunk by chunk."""
    sink = _Sink()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["file", "original", "taken", "look", "crop", "retouch", "scores"])
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
                with src:
                    info = zipfile.ZipInfo(name, date_time=taken[:6])
                    info.compress_type = zipfile.ZIP_STORED
                    with zf.open(info, "w") as dest:
                        yield from _copy(src, dest, sink)
                written.append(name)
                if out := sink.drain():
                    yield out
            if len(written) == 2:
                writer.writerow([names["retouched"], names["original"], time.strftime("%Y-%m-%d %H:%M:%S", taken),
                                 record.look, record.crop, record.retouch, json.dumps(dict(record.scores))])
        zf.writestr("manifest.csv", manifest.getvalue())
    yield sink.drain()
