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
            try:
                r = await client.post("/staff/login", data={"password": f"guess {i}"})
            except httpx.TransportError:  # refused at connect: over the per-address connection cap
                return 0
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
    assert 1 <= checked <= PER_CLIENT.attempts
    assert set(codes) <= {0, 401, 429, 503}
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


async def _race_one(client: httpx.AsyncClient, token: str, whole: dict[str, bytes],
                    delay: float) -> list[tuple[str, int, str]]:
    """Downloads of one photo (plain, ranged, HEAD), each repeated until it is gone, while its owner deletes it."""
    results: list[tuple[str, int, str]] = []

    async def one(kind: str, path: str, headers: dict[str, str], method: str) -> int:
        try:
            r = await client.request(method, f"/p/{token}/{path}", headers=headers)
        except httpx.RemoteProtocolError as exc:  # the body ended before its Content-Length
            results.append((kind, -1, f"cut off: {exc}"))
            return -1
        body = whole["original" if path == "original" else "retouched"]
        why = ""
        if r.status_code == 200 and method == "GET" and r.content != body:
            why = f"200 with {len(r.content)} of {len(body)} bytes"
        elif r.status_code == 206 and r.content != body[1000:]:
            why = f"206 with {len(r.content)} of {len(body) - 1000} bytes"
        elif r.status_code == 200 and method == "HEAD" and int(r.headers["content-length"]) != len(body):
            why = "HEAD with a wrong length"
        results.append((kind, -1 if why else r.status_code, why))
        return r.status_code

    async def until_gone(kind: str, path: str, headers: dict[str, str], method: str = "GET") -> None:
        for _ in range(500):
            if await one(kind, path, headers, method) in (404, -1):
                return

    async def delete() -> None:
        await asyncio.sleep(delay)
        r = await client.post(f"/p/{token}/delete")
        results.append(("delete", r.status_code, ""))

    jobs = [until_gone("plain", "download", {}) for _ in range(4)]
    jobs += [until_gone("plain", "original", {}) for _ in range(4)]
    jobs += [until_gone("range", "original", {"range": "bytes=1000-"}) for _ in range(16)]
    jobs += [until_gone("head", "download", {}, "HEAD") for _ in range(3)]
    await asyncio.gather(delete(), *jobs)
    return results


def test_downloads_racing_deletes_are_whole_or_404(real_hash_server: WebServer, faces_dir: Path) -> None:
    from test_web_support import add_photo, stored

    server = real_hash_server
    photos = [add_photo(server.data_dir, faces_dir, index=i) for i in range(24)]
    wholes = {p.token: {k: stored(server.data_dir, p, k) for k in ("original", "retouched")} for p in photos}

    async def run() -> list[tuple[str, int, str]]:
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=128))
        async with httpx.AsyncClient(base_url=server.base, timeout=60, transport=transport) as client:
            results = []
            for i, p in enumerate(photos):  # a fresh photo each round: nothing cached yet, as for a first download
                results += await _race_one(client, p.token, wholes[p.token], delay=0.001 * (i % 20))
            return results

    results = asyncio.run(run())
    bad = [(kind, why) for kind, code, why in results if code == -1]
    served = sum(1 for kind, code, _ in results if kind != "delete" and code in (200, 206))
    gone = sum(1 for kind, code, _ in results if kind != "delete" and code == 404)
    print(f"{len(results) - len(photos)} downloads racing {len(photos)} deletes: {served} whole, {gone} 404, "
          f"{len(bad)} broken")
    assert not bad, bad[:5]
    assert [code for kind, code, _ in results if kind == "delete"] == [200] * len(photos)
    assert served and gone  # the race really happened both ways
    assert {code for kind, code, _ in results if kind != "delete"} <= {200, 206, 404}
    log = server.log_text()
    assert "Traceback" not in log and "photos/" not in log
    assert not any(p.token in log for p in photos)


def test_downloads_while_the_file_is_replaced_are_one_version_whole(real_hash_server: WebServer,
                                                                     faces_dir: Path) -> None:
    """A photo file renamed over (as a new retouch level is saved) mid-download: each answer is one version, whole."""
    from test_web_support import add_photo, face_jpegs

    server = real_hash_server
    photo = add_photo(server.data_dir, faces_dir, index=3)
    target = server.data_dir / "photos" / f"{photo.token}.retouched.jpg"
    versions = [face_jpegs(faces_dir, 3)[1], face_jpegs(faces_dir, 4)[1]]
    assert len(versions[0]) != len(versions[1])
    stop = False

    def swap() -> None:
        i = 0
        while not stop:
            tmp = target.with_name(f".tmp-swap{i % 2}.jpg")
            tmp.write_bytes(versions[i % 2])
            tmp.replace(target)  # atomic, like the gallery's own saves
            i += 1

    async def run() -> list[str]:
        problems: list[str] = []
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=32))
        async with httpx.AsyncClient(base_url=server.base, timeout=60, transport=transport) as client:
            async def loop(headers: dict[str, str]) -> None:
                for _ in range(30):
                    try:
                        r = await client.get(f"/p/{photo.token}/download", headers=headers)
                    except httpx.RemoteProtocolError as exc:
                        problems.append(f"cut off: {exc}")
                        continue
                    if r.status_code == 200 and r.content not in versions:
                        problems.append(f"200 with {len(r.content)} bytes matching no version")
                    elif r.status_code == 206 and r.content not in [v[1000:] for v in versions]:
                        problems.append(f"206 with {len(r.content)} bytes matching no version")
                    elif r.status_code not in (200, 206):
                        problems.append(f"answered {r.status_code}")

            await asyncio.gather(*(loop({"range": "bytes=1000-"} if i % 2 else {}) for i in range(16)))
        return problems

    import threading

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        problems = asyncio.run(run())
    finally:
        stop = True
        swapper.join()
    print(f"480 downloads while the file was replaced: {len(problems)} broken")
    assert not problems, problems[:5]
    log = server.log_text()
    assert "Traceback" not in log and photo.token not in log


def test_if_none_match_star_and_allow(real_hash_server: WebServer, faces_dir: Path) -> None:
    from test_web_support import add_photo

    photo = add_photo(real_hash_server.data_dir, faces_dir)
    with real_hash_server.client() as c:
        for path in ("download", "original", "photo.jpg"):
            r = c.get(f"/p/{photo.token}/{path}", headers={"if-none-match": "*"})
            assert r.status_code == 304 and r.content == b"" and r.headers["etag"], path
        assert c.get(f"/p/{photo.token}/download", headers={"if-none-match": '"other"'}).status_code == 200
        assert c.get("/p/AAAAAAAAAAAAAAAAAAAAAAAA/download", headers={"if-none-match": "*"}).status_code == 404
        for method in ("PUT", "DELETE", "PATCH"):
            r = c.request(method, f"/p/{photo.token}/delete")
            assert r.status_code == 405, method
            assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "HEAD", "POST"}, r.headers
        r = c.put(f"/p/{photo.token}/download")
        assert r.status_code == 405 and "POST" not in r.headers["allow"]


def test_delete_refuses_cross_site_posts(real_hash_server: WebServer, faces_dir: Path) -> None:
    from test_web_support import add_photo, stored

    server = real_hash_server
    photo = add_photo(server.data_dir, faces_dir)
    url = f"/p/{photo.token}/delete"
    with server.client() as c:
        for headers in ({"sec-fetch-site": "cross-site", "origin": "http://evil.example"},
                        {"sec-fetch-site": "same-site", "origin": f"http://localhost:{server.port}"},
                        {"origin": "http://evil.example"}):  # an older browser: no Sec-Fetch-Site
            r = c.post(url, headers=headers)
            assert r.status_code == 403 and "Not deleted" in r.text, headers
            assert stored(server.data_dir, photo, "retouched") and c.get(f"/p/{photo.token}").status_code == 200
        # What browsers send for the photo page's own form (no-referrer makes Origin "null").
        r = c.post(url, headers={"sec-fetch-site": "same-origin", "origin": "null"})
        assert r.status_code == 200 and "has been deleted" in r.text
    assert not list((server.data_dir / "photos").glob(f"{photo.token}*"))
    assert "cross-site request to delete a photo was refused" in server.log_text()


def _unit_nofile() -> int:
    """booth-web.service's LimitNOFILE (systemd's default soft limit, 1024, when it sets none)."""
    unit = Path(__file__).resolve().parent.parent / "systemd" / "booth-web.service"
    for line in unit.read_text().splitlines():
        if line.startswith("LimitNOFILE="):
            return int(line.split("=", 1)[1].split(":")[0])
    return 1024


@pytest.fixture(scope="module")
def unit_limits_server(tmp_path_factory):
    """`booth web` with the descriptor limit its systemd unit gives it (inherited from this process)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(_unit_nofile(), hard), hard))
    try:
        gen = running_web(tmp_path_factory.mktemp("limits") / "data")
        server = next(gen)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    yield server
    gen.close()


async def _guest_latencies(server: WebServer, url: str, seconds: float, source: str) -> list[float]:
    """A guest fetching a photo on a fresh connection every 0.5 s: how long each took (inf: failed)."""
    import time

    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        start = time.monotonic()
        try:
            async with httpx.AsyncClient(base_url=server.base, timeout=20, transport=transport) as c:
                ok = (await c.get(url)).status_code == 200
        except httpx.HTTPError:
            ok = False
        times.append(time.monotonic() - start if ok else float("inf"))
        await asyncio.sleep(0.5)
    return times


def test_slow_clients_cannot_take_the_server_offline(unit_limits_server: WebServer, faces_dir: Path) -> None:
    """2,400 clients trickling headers from 100 addresses (the issue's attack) while a guest downloads."""
    import time

    from booth.web.protocol import REQUEST_TIMEOUT_S
    from test_web_support import add_photo

    server = unit_limits_server
    photo = add_photo(server.data_dir, faces_dir)
    url = f"/p/{photo.token}/download"
    closed_at: list[float] = []

    async def slow(address: str, start: float) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=(address, 0))
        except OSError:
            closed_at.append(0.0)  # not even accepted
            return
        try:
            writer.write(b"GET /p/" + b"x" * 24 + b" HTTP/1.1\r\nHost: booth\r\n")
            while time.monotonic() - start < REQUEST_TIMEOUT_S + 10:  # room for a loaded machine
                writer.write(b"X-Slow: 1\r\n")  # a header line every 2 s: never finished
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(100), 2.0) == b"":
                        break
                except asyncio.TimeoutError:
                    continue
                break  # an answer (408) and then the close
            else:
                return
            closed_at.append(time.monotonic() - start)
        except OSError:
            closed_at.append(time.monotonic() - start)
        finally:
            writer.close()

    async def run() -> list[float]:
        start = time.monotonic()
        attackers = [slow(f"127.0.7.{1 + i % 100}", start) for i in range(2400)]
        guest = _guest_latencies(server, url, REQUEST_TIMEOUT_S + 4, "127.0.6.1")
        results = await asyncio.gather(guest, *attackers)
        return results[0]

    latencies = asyncio.run(run())
    worst = max(latencies)
    print(f"2,400 slow clients: guest fetches {len(latencies)}, worst {worst:.2f} s, median "
          f"{sorted(latencies)[len(latencies) // 2]:.3f} s; {len(closed_at)} slow connections closed by the server, "
          f"after {min(closed_at, default=0):.1f}-{max(closed_at, default=0):.1f} s")
    assert worst < 10.0, latencies  # every guest fetch answered (a timeout is inf), none stuck for long
    # The slow clients were cut off at the deadline, not held for ever.
    assert len(closed_at) >= 2400 * 0.95
    assert all(REQUEST_TIMEOUT_S - 1 <= t <= REQUEST_TIMEOUT_S + 10 for t in closed_at if t), closed_at[:10]


def test_huge_headers_are_cut_off(unit_limits_server: WebServer, faces_dir: Path) -> None:
    """4 clients sending 100 MB headers at once, while a guest downloads."""
    import socket
    import threading
    import time

    from test_web_support import add_photo

    server = unit_limits_server
    photo = add_photo(server.data_dir, faces_dir)
    sent: list[int] = []

    def flood() -> None:
        total = 0
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            chunk = b"a" * (1 << 20)
            try:
                s.sendall(b"GET / HTTP/1.1\r\nHost: booth\r\nX-Big: ")
                for _ in range(100):
                    s.sendall(chunk)
                    total += len(chunk)
            except OSError:
                pass
        sent.append(total)

    floods = [threading.Thread(target=flood) for _ in range(4)]
    start = time.monotonic()
    for t in floods:
        t.start()
    latencies = asyncio.run(_guest_latencies(server, f"/p/{photo.token}/download", 4.0, "127.0.6.2"))
    for t in floods:
        t.join(120)
    took = time.monotonic() - start
    print(f"4 x 100 MB headers: sent {[n >> 20 for n in sent]} MiB before being cut off; guest worst "
          f"{max(latencies):.2f} s over {len(latencies)} fetches; floods over after {took:.1f} s")
    assert max(latencies) < 2.0, latencies
    assert len(sent) == 4 and all(n < 16 << 20 for n in sent), sent


def test_a_cross_site_page_cannot_delete_a_photo_in_chromium(real_hash_server: WebServer, faces_dir: Path,
                                                             tmp_path: Path) -> None:
    """Another site's page auto-submits the delete form to the booth in real Chromium: refused."""
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from test_web_browser import ARGS, CHROMIUM
    from test_web_support import add_photo, stored

    server = real_hash_server
    photo = add_photo(server.data_dir, faces_dir)
    (tmp_path / "index.html").write_text(
        f'<form method="post" action="{server.base}/p/{photo.token}/delete">'
        '<input name="confirm" value="yes"></form><script>document.forms[0].submit()</script>')
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page()
            # "localhost" and "127.0.0.1" are different sites: the form is a cross-site POST.
            page.goto(f"http://localhost:{evil.server_address[1]}/index.html")
            page.wait_for_url(f"{server.base}/p/{photo.token}/delete")
            heading = page.locator("h1").inner_text()
            browser.close()
    finally:
        evil.shutdown()
    assert heading == "Not deleted"
    assert stored(server.data_dir, photo, "retouched")
    with server.client() as c:
        assert c.get(f"/p/{photo.token}").status_code == 200
    assert "cross-site request to delete a photo was refused" in server.log_text()
