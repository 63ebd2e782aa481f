"""Soak: 200 scripted sessions back to back in one real `booth run` process.

Runs ``booth run --camera scripted --headless --sessions N`` (the real app:
face model, coach, capture, photo pipeline, gallery, headless render loop)
with a config whose screen timings are short, so the run is about the
process staying healthy rather than about waiting. Once a second it reads
the process's resident memory (/proc/PID/status VmRSS) and open file
descriptors (/proc/PID/fd), with the number of sessions finished so far
(each prints its photo URL).

Memory growth compares the median RSS while sessions 10-14 finish (after
warm-up: model loaded, caches and pools filled) with the median over the
last five (while they run, not while the process shuts down). File
descriptors are judged by their floor in a window (the fewest open: what
stays open between transient files and sockets). A leak grows with every
session, so the floor over the last five sessions must not exceed the floor
at mid-run; the floors at warm-up, mid-run and end are all reported, with
what the descriptors that stayed open since warm-up point to (by kind,
e.g. a font file: the display caches one pygame font per text size, each
holding its file open, up to a bounded number of sizes), so a leak names
itself. Errors are ERROR lines and tracebacks
in the log, a session that did not finish, or a non-zero exit. A booth
that finishes no session for --hang-after seconds is stopped and reported
as hung (``"hung": true``) rather than waited on for hours.

Prints one JSON object on its last line; the headline is ``growth`` (RSS
growth as a fraction; target < 0.10, descriptors flat, zero errors).

    .venv/bin/python benchmarks/soak.py [--sessions 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections import Counter
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the tests' quick-session config and `booth` child environment

from booth_process import MODELS_DIR, booth_env, fast_config, start_booth  # noqa: E402

URL_RE = re.compile(r"/p/[A-Za-z0-9_-]{24}")
CONFIG = fast_config(display={"fps": 30}, storage={"min_free_mb": 50})
WARM = (10, 15)  # sessions finished: the warm-up window


@dataclass
class Sample:
    t: float
    sessions: int
    rss_kb: int
    fds: int
    targets: tuple[str, ...] = ()


@dataclass
class Watch:
    pid: int
    samples: list[Sample] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    hung: bool = False


def read_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fd_targets(pid: int) -> tuple[str, ...]:
    """What each open descriptor points to (a path, socket:[inode], pipe:[inode], anon_inode:...)."""
    out = []
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{name}"))
        except FileNotFoundError:  # closed between the listing and the look
            continue
    return tuple(out)


def floor(samples: list[Sample]) -> Sample | None:
    """The sample with the fewest descriptors open (the last of equals)."""
    return min(reversed(samples), key=lambda s: s.fds, default=None)


def kind(target: str) -> str:
    """A descriptor's kind without its inode number, so the same kind of thing compares equal."""
    return re.sub(r"\[\d+\]$", "", target)


def sample_loop(proc: subprocess.Popen, watch: Watch, every_s: float, hang_after_s: float) -> None:
    last_done, last_progress = 0, time.monotonic()
    while proc.poll() is None:
        if len(watch.urls) != last_done:
            last_done, last_progress = len(watch.urls), time.monotonic()
        elif time.monotonic() - last_progress > hang_after_s:
            watch.hung = True
            proc.terminate()  # SIGTERM: the booth stops cleanly, so the log says where it was
            return
        try:
            targets = fd_targets(proc.pid)
            watch.samples.append(Sample(time.monotonic(), len(watch.urls), read_rss_kb(proc.pid), len(targets),
                                        targets))
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(every_s)


def window(samples: list[Sample], lo: int, hi: int) -> list[Sample]:
    return [s for s in samples if lo <= s.sessions < hi]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--keep", metavar="DIR", help="keep the data folder and log here")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--hang-after", type=float, default=300.0,
                        help="no session finished for this long counts as hung: stop and report")
    args = parser.parse_args()
    if args.sessions < WARM[1] + 5:
        parser.error(f"--sessions must be at least {WARM[1] + 5}")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="booth-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "booth.toml").write_text(CONFIG)
    log_path = work / "booth.log"
    env = booth_env(config=work / "booth.toml", data=work / "data", models=MODELS_DIR)
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = start_booth("run", "--camera", "scripted", "--headless", "--sessions", str(args.sessions), env=env,
                           stdout=subprocess.PIPE, stderr=log)
    watch = Watch(proc.pid)
    sampler = threading.Thread(target=sample_loop, args=(proc, watch, args.every, args.hang_after), daemon=True)
    sampler.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        if URL_RE.search(line):
            watch.urls.append(line.strip())
    code = proc.wait()
    elapsed = time.monotonic() - started
    sampler.join(5)

    log_text = log_path.read_text(errors="replace")
    error_lines = [ln for ln in log_text.splitlines() if " ERROR " in ln or ln.startswith("Traceback")]
    done = len(watch.urls)
    warm = window(watch.samples, *WARM)
    end = window(watch.samples, max(WARM[1], done - 5), done)  # not the shutdown after the last session
    mid = window(watch.samples, max(WARM[1], done // 2), max(WARM[1], done // 2) + 5)
    rss_warm = statistics.median(s.rss_kb for s in warm) if warm else float("nan")
    rss_end = statistics.median(s.rss_kb for s in end) if end else float("nan")
    floors = {name: floor(w) for name, w in (("warm", warm), ("mid", mid), ("end", end))}
    fds = {name: f.fds if f else -1 for name, f in floors.items()}
    grown: dict[str, int] = {}
    if floors["warm"] and floors["end"]:
        before = Counter(kind(t) for t in floors["warm"].targets)
        after = Counter(kind(t) for t in floors["end"].targets)
        grown = {k: after[k] - before[k] for k in sorted(set(before) | set(after)) if after[k] != before[k]}
    first_fds = watch.samples[0].fds if watch.samples else -1
    warm_t = warm[0].t if warm else started
    end_t = end[-1].t if end else time.monotonic()
    timed = (done - WARM[0]) if warm else done
    errors = len(error_lines) + (code != 0) + (done < args.sessions) + watch.hung
    result = {
        "growth": round((rss_end - rss_warm) / rss_warm, 4) if warm and end else None,
        "rss_warm_mb": round(rss_warm / 1024, 1),
        "rss_end_mb": round(rss_end / 1024, 1),
        "rss_peak_mb": round(max((s.rss_kb for s in watch.samples), default=0) / 1024, 1),
        "fds_start": first_fds,
        "fds_warm": fds["warm"],
        "fds_mid": fds["mid"],
        "fds_end": fds["end"],
        "fds_max": max((s.fds for s in watch.samples), default=-1),
        "fds_changed_since_warm": grown,
        "sessions": done,
        "sessions_wanted": args.sessions,
        "sessions_per_min": round(60 * timed / max(1e-9, end_t - warm_t), 2),
        "elapsed_s": round(elapsed, 1),
        "errors": errors,
        "error_lines": error_lines[:10],
        "exit_code": code,
        "hung": watch.hung,
        "samples": len(watch.samples),
        "targets": {"growth_below": 0.10, "fds": "end floor <= mid-run floor", "errors": 0},
    }
    result["met"] = bool(result["growth"] is not None and result["growth"] < 0.10
                         and 0 <= fds["end"] <= fds["mid"] and errors == 0)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        (work / "samples.json").write_text(json.dumps([{**s.__dict__, "targets": list(s.targets)} for s in watch.samples]))
    print(f"soak: {done}/{args.sessions} sessions in {elapsed / 60:.1f} min, RSS {result['rss_warm_mb']} -> "
          f"{result['rss_end_mb']} MB, fds {fds['warm']} -> {fds['mid']} -> {fds['end']}, {errors} error(s)", file=sys.stderr)
    print(json.dumps(result))
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
