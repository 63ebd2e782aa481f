"""Hostile clients against a real `booth web`: bursts of guesses, downloads racing deletes, tricks.

Every test here runs real concurrent HTTP clients (httpx, asyncio) against a
real `booth web` child process, and reads what the server did from its log.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from booth.web.auth import PER_CLIENT, hash_password
from test_web_support import STAFF_PASSWORD, WebServer, running_web

# The real scrypt cost (16 MiB, ~0.1 s on a Pi 4): a race needs checks that take time.
REAL_HASH = hash_password(STAFF_PASSWORD)


def _worker_pids(server: WebServer) -> list[int]:
    """uvicorn's worker processes (multiprocessing children; the resource tracker is not one)."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


async def _burst(server: WebServer, source: str, n: int) -> list[int]:
    """``n`` wrong passwords sent at once from ``source``, each on its own connection."""
    transport = httpx.AsyncHTTPTransport(local_address=source,
                                         limits=httpx.Limits(max_connections=n, max_keepalive_connections=0))
    async with httpx.AsyncClient(base_url=server.base, timeout=120, transport=transport) as client:
        async def one(i: int) -> int:
            r = await client.post("/staff/login", data={"password": f"guess {i}"})
            return r.status_code

        return list(await asyncio.gather(*(one(i) for i in range(n))))


@pytest.fixture(scope="module")
def real_hash_server(tmp_path_factory):
    yield from running_web(tmp_path_factory.mktemp("attacks") / "data", staff_hash=REAL_HASH)


@pytest.mark.parametrize("n,source,staff", [(40, "127.0.3.1", "127.0.3.2"), (300, "127.0.3.3", "127.0.3.4")])
def test_a_burst_of_guesses_checks_at_most_the_limit(real_hash_server: WebServer, n: int, source: str,
                                                      staff: str) -> None:
    server = real_hash_server
    workers = _worker_pids(server)
    assert len(workers) == 2
    rss_before = {pid: _status_kb(pid, "VmRSS") for pid in workers}
    codes = asyncio.run(_burst(server, source, n))
    log = server.log_text()
    checked = log.count(f"staff login failed (client {source})")
    peak = {pid: _status_kb(pid, "VmHWM") - rss_before[pid] for pid in workers}
    print(f"{n} at once from one address: {checked} checked; answers "
          f"{ {c: codes.count(c) for c in sorted(set(codes))} }; worker peak growth (KiB) {peak}")
    # Only wrong-password checks answer 401, each logged once: the log line counts the scrypt runs.
    assert codes.count(401) == checked
    assert 1 <= checked <= PER_CLIENT.failures
    assert set(codes) <= {401, 429, 503}
    # One check at a time per worker: far below the 16 MiB per parallel check a burst used to cost.
    assert all(kb < 48 * 1024 for kb in peak.values()), peak
    # The burst does not lock out staff on another device.
    with server.client(staff) as c:
        r = c.post("/staff/login", data={"password": STAFF_PASSWORD})
        assert r.status_code == 303, (r.status_code, r.text[:300])
        assert c.get("/staff").status_code == 200
    # ...and the device itself stays refused, even with the right password.
    with server.client(source) as c:
        assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 429


def test_logout_ends_the_session_on_the_server(real_hash_server: WebServer) -> None:
    server = real_hash_server
    with server.client("127.0.3.9") as c:
        assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
        cookie = c.cookies.get("booth_staff")
        assert cookie and c.get("/staff").status_code == 200
        assert c.post("/staff/logout").status_code == 303
    with server.client("127.0.3.9") as replay:  # the old cookie value, kept by whoever copied it
        replay.cookies.set("booth_staff", cookie, path="/staff")
        r = replay.get("/staff")
        assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    assert re.search(r"staff logged in \(client 127\.0\.3\.9\)", server.log_text())
