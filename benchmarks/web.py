"""Photo server under load: `booth web` against Debian's nginx serving the same files.

50 concurrent clients (wrk, 2 threads) for 20 s on each server (in four
alternating 5 s rounds, both servers up throughout), every request a
random photo: half load the phone page, half download the retouched photo.
nginx is started by this script on 127.0.0.1 with its own temporary config,
serving the very same photo files plus each page rendered once by `booth
web` and saved as a static file, so both servers answer the same URLs with
the same bytes. The same load generator runs against both, so its own CPU
use (it shares the two cores) weighs on both alike.

Photos are real faces from ../shared/faces scaled to the booth's output
size (a 4:5 crop of a 4608x2592 sensor: 2074x2592) with a little
sensor-like grain (so they weigh what real ones do, ~700 KB) and saved as
JPEG at the booth's default quality 92.

Prints one JSON object on its last line; `ratio` is booth web's requests
per second divided by nginx's: a figure for the README, not a target (what
must hold is that serving never slows the booth: benchmarks/interference.py).
It fails only on errors.

    .venv/bin/python benchmarks/web.py [--seconds 20] [--connections 50]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the tests' helpers for a `booth` child

from booth_process import booth_command, free_port, stop  # noqa: E402

FACES = Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces"))
PHOTOS = 24
SIZE = (2074, 2592)  # width, height of a 4:5 headshot from the Pi HQ/3 camera's full frame
GRAIN = 2.5  # sensor-like noise (grey levels), so the JPEGs are as large as real ones (~700 KB)

LUA = r"""
local tokens = {%TOKENS%}
local n = #tokens
local counter = 0
math.randomseed(os.time())

request = function()
  counter = counter + 1
  local t = tokens[math.random(n)]
  if counter %% 2 == 0 then
    return wrk.format("GET", "/p/" .. t .. "/download")
  end
  return wrk.format("GET", "/p/" .. t)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""

NGINX_CONF = """
{user}worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location ~ "^/p/([A-Za-z0-9_-]{{24}})$" {{
      default_type "text/html; charset=utf-8";
      alias {pages}/$1.html;
    }}
    location ~ "^/p/([A-Za-z0-9_-]{{24}})/download$" {{
      default_type image/jpeg;
      add_header Content-Disposition "attachment; filename=headshot.jpg";
      alias {photos}/$1.retouched.jpg;
    }}
  }}
}}
"""


def find_tool(name: str) -> str | None:
    """Where the command ``name`` is: on PATH, else in /usr/sbin (nginx is there, off a user's PATH)."""
    sbin = Path("/usr/sbin", name)
    return shutil.which(name) or (str(sbin) if sbin.exists() else None)


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


def make_photos(data_dir: Path, grain: float = GRAIN) -> list[str]:
    import cv2
    import numpy as np

    from booth.gallery import Gallery

    faces = sorted(FACES.glob("*/*/*.jpg"))
    if not faces:
        raise SystemExit(f"no face photos in {FACES} (set BOOTH_FACES_DIR)")
    tokens = []
    with Gallery(data_dir, expiry_days=7.0) as gallery:
        for i in range(PHOTOS):
            image = cv2.imread(str(faces[i % len(faces)]))
            h, w = image.shape[:2]
            side = min(h, w * 5 // 4)
            crop = image[(h - side) // 2:(h - side) // 2 + side, :]
            big = cv2.resize(crop, SIZE, interpolation=cv2.INTER_CUBIC)
            if grain:  # an upscaled face is unnaturally smooth; a real sensor adds fine grain
                noise = np.random.default_rng(i).normal(0.0, grain, big.shape)
                big = np.clip(big + noise, 0, 255).astype(np.uint8)
            retouched = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
            original = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
            record = gallery.add(original_jpeg=original, retouched_jpeg=retouched, look="smile", crop="4:5",
                                 retouch="natural", scores={"smile": 0.9})
            tokens.append(record.token)
    return tokens


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run_wrk(port: int, script: Path, seconds: float, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["errors"] = sum(result.pop(k) for k in ("connect", "read", "write", "status", "timeout"))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["mb_per_s"] = result["bytes"] / (result["duration_us"] / 1e6) / 1e6
    return result


def combine(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Totals over rounds; latency percentiles are the worst round's (conservative)."""
    seconds = sum(r["duration_us"] for r in rounds) / 1e6
    requests = sum(r["requests"] for r in rounds)
    return {
        "requests": requests,
        "seconds": seconds,
        "rps": requests / seconds,
        "mb_per_s": sum(r["bytes"] for r in rounds) / seconds / 1e6,
        "p50_ms": max(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "max_ms": max(r["max_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "rps_per_round": [round(r["rps"], 1) for r in rounds],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds the seconds are split into")
    parser.add_argument("--grain", type=float, default=GRAIN, help="noise added to the photos; 0 = smooth")
    parser.add_argument("--workers", type=int, default=0, help="booth web workers (0 = the server's default)")
    args = parser.parse_args()
    if not all(find_tool(tool) for tool in ("wrk", "nginx")):
        subprocess.run([str(REPO / "scripts" / "system-deps.sh"), "bench"], check=False)
    for tool in ("wrk", "nginx"):
        if not find_tool(tool):
            raise SystemExit(f"{tool} not found: run scripts/system-deps.sh bench")

    tmp = Path(tempfile.mkdtemp(prefix="booth-bench-web-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        data = tmp / "data"
        tokens = make_photos(data, args.grain)
        script = tmp / "mix.lua"
        script.write_text(LUA.replace("%TOKENS%", ", ".join(f'"{t}"' for t in tokens)).replace("%%", "%"))

        booth_port = free_port()
        config = tmp / "booth.toml"
        config.write_text(f"[web]\nworkers = {args.workers}\n")
        env = {**os.environ, "BOOTH_DATA_DIR": str(data), "BOOTH_CONFIG": str(config)}
        booth_log = open(tmp / "booth-web.log", "wb")
        booth = subprocess.Popen(booth_command("web", "--host", "127.0.0.1", "--port", str(booth_port)),
                                 env=env, stdout=booth_log, stderr=subprocess.STDOUT, cwd=REPO)
        procs.append(booth)
        wait_port(booth_port, booth)

        # The same bytes for nginx: each page as booth web renders it, and the photo files themselves.
        pages = tmp / "pages"
        pages.mkdir()
        for t in tokens:
            status, body = fetch(booth_port, f"/p/{t}")
            if status != 200:
                raise RuntimeError(f"booth web answered {status} for a photo page")
            (pages / f"{t}.html").write_bytes(body)
        status, body = fetch(booth_port, f"/p/{tokens[0]}/download")
        if status != 200 or body != (data / "photos" / f"{tokens[0]}.retouched.jpg").read_bytes():
            raise RuntimeError("booth web's download differs from the stored photo")

        nginx_port = free_port()
        conf = tmp / "nginx.conf"
        # Workers run as us (as root, nginx would drop to nobody, who cannot read the 0640 photos).
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, port=nginx_port, pages=pages, photos=data / "photos"))
        nginx = subprocess.Popen([str(find_tool("nginx")), "-c", str(conf), "-p", str(tmp)], stdout=subprocess.DEVNULL,
                                 stderr=open(tmp / "nginx.out", "wb"))
        procs.append(nginx)
        wait_port(nginx_port, nginx)
        status, body = fetch(nginx_port, f"/p/{tokens[0]}/download")
        if status != 200 or body != (data / "photos" / f"{tokens[0]}.retouched.jpg").read_bytes():
            raise RuntimeError("nginx's download differs from the stored photo")

        # Alternate short rounds so that load from other work on this shared
        # machine falls on both servers alike; the idle server uses no CPU.
        rounds: dict[str, list[dict[str, float]]] = {"booth_web": [], "nginx": []}
        for _ in range(args.rounds):
            rounds["booth_web"].append(run_wrk(booth_port, script, args.seconds / args.rounds, args.connections))
            rounds["nginx"].append(run_wrk(nginx_port, script, args.seconds / args.rounds, args.connections))
        booth_result, nginx_result = combine(rounds["booth_web"]), combine(rounds["nginx"])

        photo_bytes = sum((data / "photos" / f"{t}.retouched.jpg").stat().st_size for t in tokens) / len(tokens)
        result = {
            "benchmark": "web",
            "seconds": args.seconds,
            "connections": args.connections,
            "mix": "50% phone page, 50% photo download",
            "photo_kb": round(photo_bytes / 1024, 1),
            "rounds": args.rounds,
            "booth_web": {k: round(v, 3) if isinstance(v, float) else v for k, v in booth_result.items()},
            "nginx": {k: round(v, 3) if isinstance(v, float) else v for k, v in nginx_result.items()},
            "errors": booth_result["errors"] + nginx_result["errors"],
            "ratio": round(booth_result["rps"] / nginx_result["rps"], 3),
        }
        print(json.dumps(result))
        return 0 if result["errors"] == 0 else 1
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
