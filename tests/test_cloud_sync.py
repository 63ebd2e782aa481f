"""`booth sync` against a real S3 server (SeaweedFS on 127.0.0.1): outbox, checks, outages, SIGKILL, deletions."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import booth_process
from booth_process import kill, run_booth, start_booth, wait_until
from s3_server import Booth, S3Server, jpegs, s3  # noqa: F401 - jpegs and s3 are fixtures

from booth.cloud.status import read_sync_status
from booth.config import load_config
from booth.doctor import FAIL, check_cloud
from booth.gallery import Gallery

def body(s3: S3Server, key: str) -> bytes:
    return s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()


def expect_uploaded(booth: Booth, tokens: list[str], jpegs: tuple[bytes, bytes]) -> None:
    want = sorted(booth.key(t, n) for t in tokens for n in ("meta.json", "original.jpg", "retouched.jpg"))
    assert booth.objects() == want, "every photo whole, nothing twice, no 'pending' left"
    with booth.gallery() as g:
        for token in tokens:
            record = g.get(token)
            assert body(booth.s3, booth.key(token, "retouched.jpg")) == g.path(record, "retouched").read_bytes()
            assert body(booth.s3, booth.key(token, "original.jpg")) == jpegs[0]
            meta = json.loads(body(booth.s3, booth.key(token, "meta.json")))
            assert meta == {"created": record.created, "expires": record.expires, "look": "smile",
                            "crop": "4:5", "retouch": "natural", "scores": dict(record.scores), "demo": False,
                            "booth": booth.name}
    assert booth.outbox() == []


def test_publishing_queues_in_the_same_transaction(tmp_path: Path, jpegs: tuple[bytes, bytes]) -> None:
    with Gallery(tmp_path / "off") as g:  # [cloud] not set: nothing queued, as before
        g.publish(g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                          retouch="natural", scores={}))
        assert g.outbox_items() == []
    with Gallery(tmp_path / "on", outbox=True) as g:
        staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                         retouch="natural", scores={})
        assert g.outbox_items() == [], "a staged photo is not queued: the guest may not keep it"
        # The outbox insert fails inside the publishing transaction: the photo's row must not stay either.
        g._db.execute("INSERT INTO outbox (token, op, queued) VALUES (?, 'upload', 0)", (staged.token,))
        with pytest.raises(Exception, match="cannot record the photo"):
            g.publish(staged)
        assert g.get(staged.token) is None
        g._db.execute("DELETE FROM outbox")
        staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                         retouch="natural", scores={})
        record = g.publish(staged)
        assert [(i.token, i.op) for i in g.outbox_items()] == [(record.token, "upload")]
        g.delete(record.token)
        assert [(i.token, i.op) for i in g.outbox_items()] == [(record.token, "delete")], \
            "a photo deleted before it left is not uploaded; its bucket copy (if any) is deleted"


def test_sync_uploads_checked_and_never_twice(tmp_path: Path, s3: S3Server, jpegs: tuple[bytes, bytes]) -> None:
    booth = Booth(tmp_path, s3, "hall-a")
    tokens = booth.publish(jpegs, 2)
    done = booth.sync_once()
    assert done.returncode == 0, done.stderr
    expect_uploaded(booth, tokens, jpegs)
    status = read_sync_status(booth.data)
    assert status is not None and status.queue == 0 and status.last_error == "" and status.uploaded == 2
    modified = {k: s3.client().head_object(Bucket=s3.bucket, Key=k)["LastModified"] for k in booth.objects()}
    # The same photos queued again (a rebuilt index does this): same keys, same bytes, nothing re-sent.
    with booth.gallery() as g:
        for t in tokens:
            g._db.execute("INSERT INTO outbox (token, op, queued) VALUES (?, 'upload', ?)", (t, time.time()))
    time.sleep(1.1)  # LastModified has one-second resolution
    assert booth.sync_once().returncode == 0
    expect_uploaded(booth, tokens, jpegs)
    assert {k: s3.client().head_object(Bucket=s3.bucket, Key=k)["LastModified"] for k in booth.objects()} == modified


def test_store_down_then_back(tmp_path: Path, s3: S3Server, jpegs: tuple[bytes, bytes]) -> None:
    booth = Booth(tmp_path, s3, "hall-b")
    first = booth.publish(jpegs, 1)
    assert booth.sync_once().returncode == 0
    s3.stop()
    try:
        later = booth.publish(jpegs, 2)
        done = booth.sync_once()
        assert done.returncode == 1
        lines = [l for l in done.stderr.splitlines() if "cannot reach" in l]
        assert lines and f"cannot reach {s3.endpoint}" in lines[-1], done.stderr
        status = read_sync_status(booth.data)
        assert status is not None and status.queue == 2 and "cannot reach" in status.last_error
        assert status.oldest is not None and status.oldest <= time.time()
        # A running sync keeps trying by itself and resumes when the store is back.
        log = tmp_path / "sync.log"
        proc = start_booth("sync", env=booth.env(), log=log)
        # it meets the store down before the store comes back (else there is nothing to resume from)
        wait_until(lambda: "cannot reach" in log.read_text(), 60, "the running sync meeting the store down", proc=proc)
    finally:
        s3.start()
    try:
        wait_until(lambda: booth.outbox() == [], 90, lambda: f"queue not drained: {log.read_text()[-2000:]}", proc=proc)
        expect_uploaded(booth, first + later, jpegs)
        wait_until(lambda: (st := read_sync_status(booth.data)) and st.last_error == "", 10, "error cleared")
    finally:
        kill(proc)
    assert log.read_text().count("cannot reach") == 1, "one line per problem, not one per retry"


def test_sigkill_mid_upload(tmp_path: Path, s3: S3Server, faces_dir: Path) -> None:
    # Big photos, so that a kill lands in the middle of an upload.
    image = cv2.imread(str(faces_dir / "london" / "smiling" / "004.jpg"))
    big = cv2.resize(image, (3000, 3750))
    noise = np.random.default_rng(1).integers(0, 40, big.shape, dtype=np.uint8)
    original = cv2.imencode(".jpg", cv2.add(big, noise), [cv2.IMWRITE_JPEG_QUALITY, 98])[1].tobytes()
    jpegs = (original, cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())
    booth = Booth(tmp_path, s3, "hall-c")
    tokens = booth.publish(jpegs, 8)
    log = tmp_path / "sync.log"
    proc = start_booth("sync", env=booth.env(), log=log)
    try:
        wait_until(lambda: any(k.endswith("/original.jpg") for k in booth.objects()), 60, "an upload under way",
                   proc=proc, every=0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # Every waiting photo was announced before the first upload: each guest's page says "on its way".
        keys = booth.objects()
        assert all(booth.key(t, "pending") in keys or booth.key(t, "meta.json") in keys for t in tokens), keys
        proc.wait(10)
    finally:
        kill(proc)
    assert booth.outbox(), "killed before the end: work left"
    done = booth.sync_once()
    assert done.returncode == 0, done.stderr
    expect_uploaded(booth, tokens, jpegs)


def test_deletions_both_ways(tmp_path: Path, s3: S3Server, jpegs: tuple[bytes, bytes]) -> None:
    booth = Booth(tmp_path, s3, "hall-d")
    kept, deleted_here, deleted_there = booth.publish(jpegs, 3)
    assert booth.sync_once().returncode == 0
    with booth.gallery() as g:  # "Delete my photo" on the booth's own page
        assert g.delete(deleted_here)
    # "Delete my photo" on the cloud page: its objects go, a marker tells the booth.
    s3.client().put_object(Bucket=s3.bucket, Key=f"{booth.prefix}hall-d/deleted/{deleted_there}", Body=b"")
    assert booth.sync_once().returncode == 0
    expect_uploaded(booth, [kept], jpegs)
    with booth.gallery() as g:
        assert g.get(deleted_there) is None and g.get(kept) is not None
    assert sorted(p.name.split(".")[0] for p in (booth.data / "photos").iterdir()) == [kept] * 3


@pytest.mark.parametrize(("case", "expect"), [
    ("credentials", "refused the credentials"),
    ("bucket", "does not exist: create it, or fix [cloud] bucket"),
])
def test_wrong_credentials_or_bucket_one_clear_line(tmp_path: Path, s3: S3Server, jpegs: tuple[bytes, bytes],
                                                   case: str, expect: str) -> None:
    if case == "bucket":
        booth = Booth(tmp_path, s3, "hall-e", bucket="no-such-bucket")
        creds: dict[str, str] = {}
    else:
        booth = Booth(tmp_path, s3, "hall-e")
        creds = {"access": "boothtestkey", "secret": "wrong-secret-wrong-secret"}
    booth.publish(jpegs, 1)
    done = booth.sync_once(**creds)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [l for l in done.stderr.splitlines() if expect in l]
    assert len(lines) == 2, done.stderr  # the log's one line and the command's closing line
    status = read_sync_status(booth.data)
    assert status is not None and expect in status.last_error and status.queue == 1
    # booth doctor and the staff page say the same line
    config = load_config(booth.config)
    config.storage.data_dir = str(booth.data)
    check = check_cloud(config)
    assert check.status == FAIL and expect in check.line()
    from test_web_support import STAFF_HASH, STAFF_PASSWORD

    booth.config.write_text(booth.config.read_text() + f'[web]\nstaff_password_hash = "{STAFF_HASH}"\nworkers = 1\n')
    web = booth_process.start_web(booth.env(), tmp_path / "web.log")
    try:
        import httpx

        with httpx.Client(base_url=web.base, timeout=20) as c:
            assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            html = c.get("/staff").text
        assert "Cloud: needs attention" in html and expect in html.replace("&#34;", '"').replace("&quot;", '"')
    finally:
        web.stop()


def test_prune_cloud_deletes_expired_photos_of_every_booth(tmp_path: Path, s3: S3Server,
                                                          jpegs: tuple[bytes, bytes]) -> None:
    prefix = f"{tmp_path.name}-fleet/"
    one, two = Booth(tmp_path, s3, "hall-f", prefix=prefix), Booth(tmp_path, s3, "hall-g", prefix=prefix)
    fresh = one.publish(jpegs, 1) + two.publish(jpegs, 1)
    with two.gallery() as g:  # taken ten days ago: expired a few days back
        old = g.publish(g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                                retouch="natural", scores={}, now=time.time() - 10 * 86400)).token
    assert one.sync_once().returncode == 0 and two.sync_once().returncode == 0
    assert len(s3.keys(prefix)) == 9
    done = run_booth("prune", "--cloud", env=one.env(), timeout=60)  # from either booth (or the server)
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 expired photo(s) from the bucket" in done.stdout
    assert s3.keys(prefix) == sorted([one.key(fresh[0], n) for n in ("meta.json", "original.jpg", "retouched.jpg")]
                                     + [two.key(fresh[1], n) for n in ("meta.json", "original.jpg", "retouched.jpg")])
    assert old not in "".join(s3.keys(prefix))


def test_a_rebuilt_index_queues_every_photo_again(tmp_path: Path, jpegs: tuple[bytes, bytes]) -> None:
    """The outbox lives in the index; when a damaged index is rebuilt, every photo is queued again
    (uploads are idempotent: what is already in the bucket is not sent twice, see above)."""
    with Gallery(tmp_path, outbox=True) as g:
        tokens = [g.publish(g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                                    retouch="natural", scores={})).token for _ in range(2)]
        for item in g.outbox_items():
            g.outbox_done(item)
        assert g.outbox_items() == []
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"gallery.sqlite3{suffix}").unlink(missing_ok=True)
    (tmp_path / "gallery.sqlite3").write_bytes(b"this is not a database" * 100)
    with Gallery(tmp_path, outbox=True) as g:
        assert sorted((i.token, i.op) for i in g.outbox_items()) == sorted((t, "upload") for t in tokens)


def test_the_booths_own_delete_page_queues_the_bucket_copy(tmp_path: Path, s3: S3Server,
                                                          jpegs: tuple[bytes, bytes]) -> None:
    """`booth web` (the booth's own photo server, a separate process) queues the bucket's copy for deletion."""
    import httpx

    booth = Booth(tmp_path, s3, "hall-w")
    token, kept = booth.publish(jpegs, 2)
    assert booth.sync_once().returncode == 0
    web = booth_process.start_web(booth.env(), tmp_path / "web.log")
    try:
        done = httpx.post(f"{web.base}/p/{token}/delete", headers={"sec-fetch-site": "same-origin"}, timeout=20)
        assert done.status_code == 200
    finally:
        web.stop()
    assert booth.outbox() == [(token, "delete")]
    assert booth.sync_once().returncode == 0
    expect_uploaded(booth, [kept], jpegs)
