"""`booth sync`: empties the gallery's outbox into the bucket, and brings the cloud page's deletions home.

The outbox is a table in the gallery index, written in the same transaction
as the photo's own row (booth.gallery), so what is queued survives reboots
and power loss and is never a photo that was not published; the files it
points at were complete and fsynced before that row existed. Each upload is
idempotent: objects whose ETag already equals the local MD5 are not sent
again, so a sync killed mid-upload simply starts that photo over, and the
same key never holds two versions. ``meta.json`` goes last: the cloud server
serves a photo only once it exists, so a half-uploaded photo is never shown.

While the store is down, unreachable or refusing, the item stays queued and
sync waits 1, 2, 4 ... 60 s (with jitter) before trying again: it resumes by
itself, however long the booth was offline.
"""

from __future__ import annotations

import argparse
import logging
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from booth.cloud.keys import KIND_FILES, META, PENDING
from booth.cloud.meta import metadata
from booth.cloud.status import SyncStatus, write_sync_status
from booth.cloud.store import Store, StoreError
from booth.config import Config
from booth.gallery import DELETE, UPLOAD, Gallery, GalleryError, OutboxItem, valid_token

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often a running sync looks at the outbox (one indexed SQLite query: cheap)
DELETIONS_EVERY_S = 30.0  # how often it asks the bucket for deletions made on the cloud page
STATUS_EVERY_S = 30.0
BACKOFF_MIN_S, BACKOFF_MAX_S = 1.0, 60.0
# Photos uploaded at once: a small photo's few requests (HEAD, meta.json, pending) wait on round
# trips, not bandwidth; three at a time keep the line busy (benchmarks/sync.py) and the order nearly FIFO.
PARALLEL = 3


@dataclass
class Syncer:
    gallery: Gallery
    store: Store
    booth: str
    stop: threading.Event = field(default_factory=threading.Event)
    last_error: str = ""
    uploaded: int = 0
    _logged_error: str = ""
    _pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(3 * PARALLEL,
                                                                                  thread_name_prefix="upload"))
    _announced: set[str] = field(default_factory=set)
    _items: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(PARALLEL, thread_name_prefix="item"))

    # -- one item ------------------------------------------------------------

    def upload(self, item: OutboxItem) -> None:
        record = self.gallery.get(item.token)
        if record is None:  # deleted meanwhile: its delete replaces this item in the outbox
            self.gallery.outbox_done(item)
            return
        try:
            files = {kind: self.gallery.path(record, kind).read_bytes() for kind in KIND_FILES}
        except FileNotFoundError:  # being deleted right now; the delete is queued next
            return
        layout, bucket_booth = self.store.layout, self.booth
        meta_key, meta = layout.photo(bucket_booth, item.token, META), metadata(record, bucket_booth)
        # meta.json is written last, so the same meta.json already there means the whole photo
        # is (a re-queued photo, or a kill after the upload but before the outbox row went):
        # nothing is sent again, only a "pending" a kill may have left is removed.
        # Otherwise every object is PUT again; a key holds one version.
        if self.store.has(meta_key, meta):
            self.store.delete([layout.photo(bucket_booth, item.token, PENDING)])
        else:
            # "pending" (the cloud page says "on its way" rather than "unknown" from now on) and the
            # two photos side by side (boto3 clients are thread-safe); meta.json only once all three are in.
            uploads = [self._pool.submit(self.store.put, layout.photo(bucket_booth, item.token, PENDING), b"",
                                         "text/plain", check_first=False)]
            if record.visit:  # its visit's page (/v/<visit>) knows of it from now on, "on its way" until meta.json
                uploads.append(self._pool.submit(self.store.put, layout.visit(bucket_booth, record.visit, item.token),
                                                 b"", "text/plain", check_first=False))
            uploads += [self._pool.submit(self.store.put, layout.photo(bucket_booth, item.token, name), files[kind],
                                          "image/jpeg", check_first=False) for kind, name in KIND_FILES.items()]
            for upload in uploads:
                upload.result()
            self.store.put(meta_key, meta, "application/json", check_first=False)
            self.store.delete([layout.photo(bucket_booth, item.token, PENDING)])
            self.uploaded += 1
        self.gallery.outbox_done(item)

    def remove(self, item: OutboxItem) -> None:
        # The booth's row is gone, so the visit (for its marker) is read from the bucket's meta.json.
        meta = self.store.get_json(self.store.layout.photo(self.booth, item.token, META)) or {}
        visit = meta.get("visit") if valid_token(meta.get("visit")) else None
        self.store.delete(self.store.layout.photo_keys(self.booth, item.token, visit))
        self.gallery.outbox_done(item)

    def bring_deletions_home(self) -> int:
        """Photos a guest deleted on the cloud page: delete the booth's copy, then the marker."""
        keys, _ = self.store.list(self.store.layout.deletions(self.booth))
        done = 0
        for key in keys:
            token = key.rsplit("/", 1)[-1]
            if valid_token(token):
                if self.gallery.delete(token):
                    done += 1
                # The gallery queued a delete of whatever is left in the bucket; settle it now.
                for item in self.gallery.outbox_items(limit=1_000_000):
                    if item.token == token and item.op == DELETE:
                        self.remove(item)
            self.store.delete([key])
        return done

    # -- the loop --------------------------------------------------------------

    def drain(self) -> bool:
        """Settle everything waiting; False (with last_error set) at the first failure."""
        while not self.stop.is_set():
            items = self.gallery.outbox_items(limit=50)
            if not items:
                return True
            if not self.announce(items):
                return False
            # Two photos are never the same token, so items are independent; results are taken in order.
            work = [(item, self._items.submit(self.upload if item.op == UPLOAD else self.remove, item))
                    for item in items]
            try:
                for item, future in work:
                    try:
                        future.result()
                    except Exception as exc:  # noqa: BLE001 - every failure is reported, the item stays queued
                        self.failed(exc, item)
                        return False
                    self.ok()
                    if self.stop.is_set():
                        return True
            finally:
                for _, future in work:  # after a failure (or a stop) nothing more starts: back off first
                    future.cancel()
                for _, future in work:
                    if not future.cancelled():
                        try:
                            future.result()
                        except Exception:  # noqa: BLE001 - it stays queued; the first failure is reported
                            pass
                self.write_status()
        return True

    def announce(self, items: list[OutboxItem]) -> bool:
        """Put every waiting photo's "pending" marker first (tiny, side by side), so that after hours
        offline each guest's page says "on its way" as soon as the booth is back, not only at its turn."""
        fresh = [i for i in items if i.op == UPLOAD and i.token not in self._announced]
        layout = self.store.layout
        puts = [(i, self._pool.submit(self.store.put, layout.photo(self.booth, i.token, PENDING), b"", "text/plain",
                                      check_first=False)) for i in fresh]
        failed: tuple[BaseException, OutboxItem] | None = None
        for item, put in puts:
            try:
                put.result()
                self._announced.add(item.token)
            except Exception as exc:  # noqa: BLE001 - reported like an upload's failure
                failed = failed or (exc, item)
        if failed:
            self.failed(*failed)
            return False
        return True

    def deletions(self) -> bool:
        try:
            self.bring_deletions_home()
        except Exception as exc:  # noqa: BLE001
            self.failed(exc, None)
            return False
        return True

    def failed(self, exc: BaseException, item: OutboxItem | None) -> None:
        line = self.store.explain(exc)
        self.last_error = line
        if item is not None:
            try:
                self.gallery.outbox_failed(item, line)
            except Exception:  # noqa: BLE001 - the line is what matters; the status file has it
                pass
        if line != self._logged_error:  # one line per distinct problem, not one per retry
            log.error("%s", line)
            self._logged_error = line
        self.write_status()

    def ok(self) -> None:
        if self.last_error:
            log.info("cloud: uploads work again")
        self.last_error = self._logged_error = ""

    def write_status(self) -> None:
        queue, oldest = self.gallery.outbox_summary()
        try:
            write_sync_status(self.gallery.data_dir,
                              SyncStatus(queue, oldest, self.last_error, self.uploaded))
        except OSError as exc:
            log.warning("cloud: cannot write the sync status file: %s", exc)

    def run(self, *, once: bool) -> int:
        backoff = BACKOFF_MIN_S
        next_deletions = 0.0
        next_status = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            good = self.drain()
            if good and now >= next_deletions:
                good = self.deletions()
                next_deletions = now + DELETIONS_EVERY_S
            if good and (once or now >= next_status):
                self.write_status()
                next_status = now + STATUS_EVERY_S
            if once:
                return 0 if good else 1
            if good:
                backoff = BACKOFF_MIN_S
                self.stop.wait(POLL_S)
            else:
                self.stop.wait(backoff * random.uniform(0.8, 1.2))  # jitter: a fleet does not retry in step
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                next_deletions = 0.0
        self.write_status()
        return 0


def cli_sync(args: argparse.Namespace, config: Config) -> int:
    """`booth sync [--once]`."""
    cloud = config.cloud
    if not cloud.enabled:
        print("booth sync: [cloud] bucket is not set in the configuration: nothing to sync", file=sys.stderr)
        return 2
    try:
        gallery = Gallery(config.data_dir, expiry_days=config.storage.expiry_days, reconcile=False, outbox=True)
    except GalleryError as exc:
        print(f"booth sync: {exc}", file=sys.stderr)
        return 2
    try:
        store = Store.open(cloud)
    except StoreError as exc:
        print(f"booth sync: {exc}", file=sys.stderr)
        gallery.close()
        return 2
    logging.getLogger("botocore").setLevel(logging.WARNING)  # "Found credentials in ..." on every start
    syncer = Syncer(gallery, store, cloud.booth)
    if not args.once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: syncer.stop.set())
        log.info("booth sync: %s, booth %s, prefix %r", store.where, cloud.booth, cloud.prefix)
    try:
        code = syncer.run(once=args.once)
    finally:
        gallery.close()
    if args.once and code:
        print(f"booth sync: {syncer.last_error}", file=sys.stderr)
    return code


def prune_bucket(store: Store, now: float | None = None) -> int:
    """Delete every booth's expired photos from the bucket (meta.json first); returns photos deleted.

    Run where the server's key is (it may read and delete every booth's prefix);
    the bucket's lifecycle rule (README) is the backstop when nobody runs it.
    """
    now = time.time() if now is None else now
    deleted = 0
    _, booths = store.list(store.layout.prefix, delimiter="/")
    for root in booths:
        _, photos = store.list(root, delimiter="/")
        for folder in photos:
            token = folder.rstrip("/").rsplit("/", 1)[-1]
            if not valid_token(token):
                continue  # deleted/ and anything not ours
            meta = store.get_json(f"{folder}{META}")
            if meta is None:
                continue  # still on its way (pending): its booth's own expiry deletes it later
            try:
                expires = float(meta["expires"])
            except (KeyError, TypeError, ValueError):
                continue
            if expires <= now:
                booth = root[len(store.layout.prefix):].rstrip("/")
                visit = meta.get("visit") if valid_token(meta.get("visit")) else None
                store.delete(store.layout.photo_keys(booth, token, visit))
                deleted += 1
    return deleted


def cli_prune_cloud(args: argparse.Namespace, config: Config) -> int:
    """`booth prune --cloud`: this booth's expired photos, then every booth's in the bucket."""
    from booth.gallery import cli_prune

    code = cli_prune(args, config)
    if not config.cloud.enabled:
        print("booth prune: --cloud needs [cloud] bucket in the configuration", file=sys.stderr)
        return 2
    logging.getLogger("botocore").setLevel(logging.WARNING)
    store = Store.open(config.cloud)
    try:
        count = prune_bucket(store)
    except Exception as exc:  # noqa: BLE001 - one line, whatever S3 said
        print(f"booth prune: {store.explain(exc)}", file=sys.stderr)
        return 1
    print(f"Deleted {count} expired photo(s) from the {store.where}.")
    return code
