#!/usr/bin/env python3
"""Serving never slows the booth: the booth's screen and coaching while 50 phones download photos.

A real ``booth run`` (scripted camera, the face model analysing every new
preview frame, the display loop at [display] fps on SDL's dummy driver, no
screen, so it waits on attract with nobody pressing) and a real ``booth
web`` run side by side on one data folder of real-sized photos, as on the
Pi. The booth's own counters in ``status.json`` (``frames_drawn``,
``frames_analysed``, written every few seconds) give its display and
analysis rates. Rounds alternate: idle (``booth web`` up, no clients), then
load (50 clients downloading photos with wrk), so that other work on this
shared machine falls on both alike.

What systemd gives the Pi (systemd/booth-web.service: ``Nice=``,
``CPUWeight=``, ``IOWeight=``; booth.service keeps the defaults) is
reproduced here as far as this machine allows, and the JSON says what was:

- ``Nice=``: ``os.nice`` in the web's process (its workers inherit it);
- ``CPUWeight=``: cgroup v2 ``cpu.weight`` if a writable v2 hierarchy has the
  cpu controller, else cgroup v1 ``cpu.shares`` (the same weight on the old
  scale: default 100 is 1024 shares), else not at all;
- ``IOWeight=``: cgroup v2 ``io.weight`` where writable, else not at all.

Every process starts in its own session, as systemd starts services: with
the kernel's autogroup on, nice alone would then count only inside the web's
own session, which is why the unit sets CPUWeight= too.

The 50 phones are other devices on the Pi; here wrk stands in for them on
the same two cores, so it runs at the lowest priority (nice 19, weight 1)
so that what is measured is the server's cost, not the load generator's.

Prints one JSON object on its last line: ``ratio`` = display fps under load
/ idle (target >= 0.95), ``analysis_ratio`` likewise for analysed frames per
second (target >= 0.9).

    .venv/bin/python benchmarks/interference.py [--rounds 3] [--seconds 20] [--connections 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the tests' helpers for a `booth` child
sys.path.insert(0, str(REPO / "benchmarks"))

from booth_process import MODELS_DIR, booth_command, booth_env, fast_config, free_port  # noqa: E402
from web import find_tool, make_photos, wait_port  # noqa: E402



def unit_setting(unit: str, key: str, default: int) -> int:
    """``key=`` from the unit file in systemd/, the one place the value is set."""
    for line in (REPO / "systemd" / unit).read_text().splitlines():
        if line.startswith(f"{key}="):
            return int(line.split("=", 1)[1])
    return default


# booth.service sets none of these: systemd's defaults (Nice 0, weights 100).
WEB_NICE = unit_setting("booth-web.service", "Nice", 0)
WEB_CPU_WEIGHT = unit_setting("booth-web.service", "CPUWeight", 100)
WEB_IO_WEIGHT = unit_setting("booth-web.service", "IOWeight", 100)
BOOTH_CPU_WEIGHT = unit_setting("booth.service", "CPUWeight", 100)
PHONES_NICE, PHONES_CPU_WEIGHT = 19, 1  # the stand-in for devices that are not on the Pi
# cgroup v1 cpu.shares for a v2 weight: the defaults are 1024 and 100
# (Documentation/admin-guide/cgroup-v2.rst "Weights"; v1 sched-design-CFS.rst "cpu.shares").
SHARES_PER_WEIGHT = 1024 / 100

LUA = r"""
local tokens = {%TOKENS%}
local n = #tokens
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/p/" .. tokens[math.random(n)] .. "/download")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


class Groups:
    """One cgroup per "service" under a scratch parent, if this machine lets us make them."""

    def __init__(self) -> None:
        self.kind = "none"
        self.root: Path | None = None
        self.io = False
        tag = f"booth-interference-{os.getpid()}"
        v2 = Path("/sys/fs/cgroup")
        if not (v2 / "cgroup.controllers").exists():
            v2 = Path("/sys/fs/cgroup/unified")
        try:
            if "cpu" in (v2 / "cgroup.controllers").read_text().split():
                root = v2 / tag
                root.mkdir()
                self.root = root
                wanted = ["+cpu"] + (["+io"] if "io" in (v2 / "cgroup.controllers").read_text().split() else [])
                (root / "cgroup.subtree_control").write_text(" ".join(wanted))
                self.kind, self.io = "cgroup2 cpu.weight", "+io" in wanted
                return
        except OSError:
            self._remove()
        v1 = Path("/sys/fs/cgroup/cpu")
        try:
            if (v1 / "cpu.shares").exists():
                root = v1 / tag
                root.mkdir()
                self.root = root
                self.kind = "cgroup1 cpu.shares"
        except OSError:
            self._remove()

    def make(self, name: str, cpu_weight: int, io_weight: int | None = None) -> Path | None:
        if self.root is None:
            return None
        group = self.root / name
        group.mkdir()
        if self.kind.startswith("cgroup2"):
            (group / "cpu.weight").write_text(str(cpu_weight))
            if io_weight is not None and self.io:
                (group / "io.weight").write_text(f"default {io_weight}")
        else:
            (group / "cpu.shares").write_text(str(max(2, round(cpu_weight * SHARES_PER_WEIGHT))))
        return group

    def _remove(self) -> None:
        if self.root is not None:
            for child in sorted(self.root.iterdir()) if self.root.exists() else []:
                if child.is_dir():
                    try:
                        child.rmdir()
                    except OSError:
                        pass
            try:
                self.root.rmdir()
            except OSError:
                pass
        self.root = None

    def close(self) -> None:
        self._remove()


def service(nice: int, group: Path | None) -> Callable[[], None]:
    """What systemd does for a service before exec: a session of its own, its Nice=, its cgroup."""
    def setup() -> None:
        os.setsid()
        if nice:
            os.nice(nice)
        if group is not None:
            (group / "cgroup.procs").write_text(str(os.getpid()))
    return setup


def end_session(proc: subprocess.Popen) -> None:
    """SIGTERM the session we started (a server and its workers), SIGKILL what is left after 20 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(20)
    except ProcessLookupError:
        proc.wait(20)


def read_counters(status: Path) -> tuple[float, int, int] | None:
    try:
        raw = json.loads(status.read_text())
        return float(raw["updated"]), int(raw["frames_drawn"]), int(raw["frames_analysed"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def rates_during(status: Path, seconds: float) -> tuple[float, float, int]:
    """Display and analysis rates between the first and last status snapshots written in the next ``seconds``."""
    begun = time.time()
    end = time.monotonic() + seconds
    seen: list[tuple[float, int, int]] = []
    while time.monotonic() < end:
        now = read_counters(status)
        if now is not None and now[0] > begun and (not seen or now[0] != seen[-1][0]):
            seen.append(now)
        time.sleep(0.25)
    return _rates(seen[0] if seen else None, seen[-1] if seen else None)


def _rates(first: tuple[float, int, int] | None, last: tuple[float, int, int] | None) -> tuple[float, float, int]:
    if first is None or last is None or last[0] <= first[0]:
        raise RuntimeError("the booth wrote no status during the round")
    span = last[0] - first[0]
    return (last[1] - first[1]) / span, (last[2] - first[2]) / span, round(span)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="idle/load pairs")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each round")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--fps", type=int, default=30, help="[display] fps and [camera] fps of the booth")
    parser.add_argument("--plain", action="store_true",
                        help="booth web without its Nice=/CPUWeight= (for comparison; the phones stay lowest)")
    args = parser.parse_args()
    if not find_tool("wrk"):
        subprocess.run([str(REPO / "scripts" / "system-deps.sh"), "bench"], check=False)
    if not find_tool("wrk"):
        raise SystemExit("wrk not found: run scripts/system-deps.sh bench")

    tmp = Path(tempfile.mkdtemp(prefix="booth-bench-interference-"))
    groups = Groups()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        data = tmp / "data"
        tokens = make_photos(data)
        script = tmp / "download.lua"
        script.write_text(LUA.replace("%TOKENS%", ", ".join(f'"{t}"' for t in tokens)))
        config = tmp / "booth.toml"
        config.write_text(fast_config(display={"fps": args.fps}, camera={"fps": args.fps}, web={"workers": 0}))
        env = booth_env(data=data, config=config, models=MODELS_DIR, no_desktop=True)

        web_nice, web_weight = (0, BOOTH_CPU_WEIGHT) if args.plain else (WEB_NICE, WEB_CPU_WEIGHT)
        web_group = groups.make("booth-web", web_weight, None if args.plain else WEB_IO_WEIGHT)
        booth_group = groups.make("booth", BOOTH_CPU_WEIGHT)
        phones_group = groups.make("phones", PHONES_CPU_WEIGHT)
        port = free_port()
        web_log = open(tmp / "web.log", "wb")
        web = subprocess.Popen(booth_command("web", "--host", "127.0.0.1", "--port", str(port)), env=env, cwd=REPO,
                               stdout=web_log, stderr=subprocess.STDOUT, preexec_fn=service(web_nice, web_group))
        procs.append(web)
        wait_port(port, web)
        booth_log = open(tmp / "booth.log", "wb")
        booth = subprocess.Popen(booth_command("run", "--camera", "scripted"), env=env, cwd=REPO,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=booth_log,
                                 preexec_fn=service(0, booth_group))
        procs.append(booth)
        status = data / "status.json"
        deadline = time.monotonic() + 180
        while (read_counters(status) or (0, 0, 0))[2] == 0:  # up and analysing
            if booth.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the booth did not start:\n{(tmp / 'booth.log').read_text()[-3000:]}")
            time.sleep(0.5)
        time.sleep(10)  # past start-up: model loaded, caches warm

        idle: list[tuple[float, float, int]] = []
        load: list[tuple[float, float, int]] = []
        served: list[dict[str, float]] = []
        for _ in range(args.rounds):
            idle.append(rates_during(status, args.seconds))
            wrk = subprocess.Popen(
                ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds + 6:g}s", "--timeout", "10s",
                 "-s", str(script), f"http://127.0.0.1:{port}"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                preexec_fn=service(PHONES_NICE, phones_group))
            procs.append(wrk)  # type: ignore[arg-type]
            time.sleep(3)  # the clients connected and the server busy before the round starts
            load.append(rates_during(status, args.seconds))
            out, _ = wrk.communicate(timeout=60)
            line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                raise RuntimeError(f"wrk said:\n{out}")
            result = json.loads(line.removeprefix("RESULT "))
            secs = result["duration_us"] / 1e6
            served.append({"rps": result["requests"] / secs, "mb_per_s": result["bytes"] / secs / 1e6,
                           "errors": result["errors"]})
        if booth.poll() is not None:
            raise RuntimeError("the booth stopped during the benchmark")

        def mean(rows: list[tuple[float, float, int]], i: int) -> float:
            return statistics.fmean(r[i] for r in rows)

        idle_fps, load_fps = mean(idle, 0), mean(load, 0)
        idle_an, load_an = mean(idle, 1), mean(load, 1)
        result = {
            "benchmark": "interference",
            "cores": os.cpu_count(),
            "connections": args.connections,
            "rounds": args.rounds,
            "seconds_per_round": args.seconds,
            "applied": {
                "nice": web_nice,
                "cpu_weight": f"{groups.kind} (booth {BOOTH_CPU_WEIGHT}, web {web_weight})"
                if groups.root is not None else "not applied (no writable cgroup cpu controller)",
                "io_weight": f"io.weight {WEB_IO_WEIGHT}" if groups.io and not args.plain
                else "not applied" + ("" if args.plain else " (no writable io controller)"),
                "autogroup": Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
                if Path("/proc/sys/kernel/sched_autogroup_enabled").exists() else False,
                "phones": f"wrk at nice {PHONES_NICE}" + (f", weight {PHONES_CPU_WEIGHT}" if phones_group else ""),
            },
            "display_fps": {"target": args.fps, "idle": round(idle_fps, 2), "load": round(load_fps, 2),
                            "idle_rounds": [round(r[0], 2) for r in idle],
                            "load_rounds": [round(r[0], 2) for r in load]},
            "analysis_fps": {"idle": round(idle_an, 2), "load": round(load_an, 2),
                             "idle_rounds": [round(r[1], 2) for r in idle],
                             "load_rounds": [round(r[1], 2) for r in load]},
            "served": {"downloads_per_s": round(statistics.fmean(s["rps"] for s in served), 1),
                       "mb_per_s": round(statistics.fmean(s["mb_per_s"] for s in served), 1),
                       "errors": int(sum(s["errors"] for s in served))},
            "ratio": round(load_fps / idle_fps, 3),
            "analysis_ratio": round(load_an / idle_an, 3),
        }
        result["met"] = result["ratio"] >= 0.95 and result["analysis_ratio"] >= 0.9
        print(json.dumps(result))
        return 0 if result["met"] else 1
    finally:
        for proc in reversed(procs):
            end_session(proc)
        groups.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
