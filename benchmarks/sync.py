"""Cloud delivery on loopback: `booth sync` and `booth web --cloud` against a real S3 server (SeaweedFS).

Two figures, both against ``weed mini`` on 127.0.0.1 (tests/s3_server.py):

* latency: seconds from "photo published" (the gallery commit that also
  queues it) to "the cloud page serves its photo" (GET /p/<token>/photo.jpg
  answers 200 from `booth web --cloud`), with a running `booth sync`
  process polling the outbox; median and p95 over ``--photos`` photos
  published one at a time.
* throughput: ``--batch`` photos queued at once and uploaded by booth sync's
  own code (Syncer.drain, in this process: HEAD-before-PUT, Content-MD5,
  pending and meta.json objects included), against a plain boto3
  ``upload_file`` of the same files (retouched and original) in the same
  run. ``ratio`` = booth sync's bytes per second / boto3's; target >= 0.8.
* download: the served photos fetched through `booth web --cloud` (streamed)
  and by a presigned URL straight from the store (what a redirect would
  lead to; the redirect's own round trip not counted), medians.

Photos are real faces from ../shared/faces at the booth's output size
(2074x2592) with sensor-like grain, JPEG quality 92 (~1 MB each).

    .venv/bin/python benchmarks/sync.py [--photos 20] [--batch 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import cv2  # noqa: E402
import httpx  # noqa: E402
import numpy as np  # noqa: E402
from s3_server import S3Server, cloud_toml, credentials_env  # noqa: E402

from booth.cloud.store import Store  # noqa: E402
from booth.cloud.sync import Syncer  # noqa: E402
from booth.config import load_config  # noqa: E402
from booth.gallery import Gallery  # noqa: E402


def photos(n: int) -> list[tuple[bytes, bytes]]:
    faces = sorted(Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces")).glob("*/*/*.jpg"))
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        image = cv2.resize(cv2.imread(str(faces[i % len(faces)])), (2074, 2592))
        grain = rng.normal(0, 4, image.shape).astype(np.int16)
        noisy = np.clip(image.astype(np.int16) + grain, 0, 255).astype(np.uint8)
        original = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
        retouched = cv2.imencode(".jpg", cv2.bilateralFilter(noisy, 7, 30, 7), [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
        out.append((original, retouched))
    return out


def publish(gallery: Gallery, jpegs: tuple[bytes, bytes]) -> str:
    staged = gallery.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                           retouch="natural", scores={})
    return gallery.publish(staged).token


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="booth-sync-bench-"))
    server = S3Server(tmp / "s3", "booth-bench")
    server.start()
    os.environ.update(credentials_env())
    port = free_port()
    config_path = tmp / "booth.toml"
    config_path.write_text(cloud_toml(server, prefix="bench/", booth_id="bench", public_url=f"http://127.0.0.1:{port}"))
    data = tmp / "data"
    env = {**os.environ, "BOOTH_CONFIG": str(config_path), "BOOTH_DATA_DIR": str(data),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    images = photos(max(args.photos, args.batch))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # -- latency: publish -> served by the cloud page, booth sync running
        gallery = Gallery(data, outbox=True)
        log = (tmp / "procs.log").open("ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "booth", "sync"], env=env, stderr=log, stdout=log))
        procs.append(subprocess.Popen([sys.executable, "-m", "booth", "web", "--cloud", "--host", "127.0.0.1",
                                       "--port", str(port)], env=env, stderr=log, stdout=log))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/p/{'x' * 24}", timeout=2).status_code == 404:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("booth web --cloud did not start: " + (tmp / "procs.log").read_text()[-2000:])
            time.sleep(0.2)
        latencies = []
        served: list[str] = []
        with httpx.Client(timeout=10) as client:
            for i in range(args.photos):
                t0 = time.perf_counter()
                token = publish(gallery, images[i])
                while client.get(f"{base}/p/{token}/photo.jpg").status_code != 200:
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - t0)
                served.append(token)
            # The download, streamed through booth web --cloud (what it does) against the alternative:
            # a presigned URL fetched straight from the store (its redirect's extra round trip not counted).
            s3c = server.client()
            streamed, presigned = [], []
            for _ in range(3):
                for token in served:
                    t0 = time.perf_counter()
                    body = client.get(f"{base}/p/{token}/download").content
                    streamed.append(time.perf_counter() - t0)
                    url = s3c.generate_presigned_url("get_object", ExpiresIn=60, Params={
                        "Bucket": server.bucket, "Key": f"bench/bench/{token}/retouched.jpg"})
                    t0 = time.perf_counter()
                    direct = client.get(url).content
                    presigned.append(time.perf_counter() - t0)
                    assert body == direct
        for p in procs:
            p.terminate()
            p.wait(30)
        procs.clear()
        gallery.close()

        # -- throughput: booth sync's code vs plain boto3 upload_file, the same files, the same store
        batch_dir = tmp / "batch"
        g = Gallery(batch_dir, outbox=True)
        tokens = [publish(g, images[i]) for i in range(args.batch)]
        files = [g.path(g.get(t), kind) for t in tokens for kind in ("retouched", "original")]
        total = sum(f.stat().st_size for f in files)
        config = load_config(config_path)
        client = server.client()
        sync_s, boto_s = [], []
        for round_ in range(3):  # alternate, so neither always goes first
            t0 = time.perf_counter()
            for f in files:
                client.upload_file(str(f), server.bucket, f"plain{round_}/{f.name}")
            boto_s.append(time.perf_counter() - t0)
            config.cloud.prefix = f"sync{round_}/"
            store = Store.open(config.cloud)
            with g._db_lock:  # queue the same photos again for this round
                g._db.executemany("INSERT OR REPLACE INTO outbox (token, op, queued) VALUES (?, 'upload', ?)",
                                  [(t, time.time()) for t in tokens])
            t0 = time.perf_counter()
            assert Syncer(g, store, "bench").drain() and not g.outbox_items()
            sync_s.append(time.perf_counter() - t0)
        g.close()
    finally:
        for p in procs:
            p.kill()
        server.stop()
    sync_rate, boto_rate = total / min(sync_s), total / min(boto_s)
    latencies.sort()
    result = {
        "benchmark": "sync",
        "photos": args.photos,
        "publish_to_served_median_s": round(statistics.median(latencies), 3),
        "publish_to_served_p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3),
        "batch_photos": args.batch,
        "batch_mb": round(total / 1e6, 1),
        "sync_mb_per_s": round(sync_rate / 1e6, 1),
        "boto3_upload_file_mb_per_s": round(boto_rate / 1e6, 1),
        "download_streamed_median_s": round(statistics.median(streamed), 4),
        "download_presigned_direct_median_s": round(statistics.median(presigned), 4),
        "ratio": round(sync_rate / boto_rate, 3),
        "target": 0.8,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
