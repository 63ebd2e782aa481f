"""The real `booth` commands as child processes: what every test that runs them needs, once.

A config whose sessions take seconds, the environment that points a child
at its own folders, starting, waiting for and stopping it, a free port,
`booth web` up and answering, and systemd's end of NOTIFY_SOCKET.
benchmarks/soak.py imports this module too, so it needs only the standard
library at import time (httpx, a test extra, is imported where it is used).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(os.environ.get("BOOTH_MODELS_DIR", REPO / ".models"))  # where `make model` puts the face model

# Short screens: a run is about the process and what it does, not about waiting for people.
# One look per visit (the default is the session of all three): a test about the session of
# looks says fast_config(session={"flow": "all"}).
FAST_SESSION: dict[str, object] = {
    "flow": "one",
    "look": "smile",
    "breathe_s": 1.0,
    "countdown_s": 0,
    "review_timeout_s": 3.0,
    "share_timeout_s": 3.0,
    "goodbye_s": 0.5,
}
FAST_DISPLAY: dict[str, object] = {"fps": 15, "sound": False}


def fast_config(**tables: Mapping[str, object]) -> str:
    """The text of a booth.toml with quick sessions; each keyword is a table added or overridden key by key.

    ``fast_config(display={"fps": 30}, storage={"min_free_mb": 50})``
    """
    merged: dict[str, dict[str, object]] = {"session": dict(FAST_SESSION), "display": dict(FAST_DISPLAY)}
    for name, values in tables.items():
        merged.setdefault(name, {}).update(values)
    return "".join(f"[{name}]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())
                   for name, values in merged.items())


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: the same escapes as JSON's
    raise TypeError(f"no TOML for {value!r}")


def booth_env(*, data: Path | None = None, config: Path | None = None, models: Path | None = None,
              notify: Path | None = None, watchdog_s: float | None = None, no_desktop: bool = False,
              **extra: str) -> dict[str, str]:
    """The environment of a `booth` child: this process's, with the child's own folders and config.

    Without ``config`` BOOTH_CONFIG is removed, so no config from outside the
    test is read. SDL gets its dummy sound driver and, unless ``no_desktop``,
    its dummy display; ``no_desktop`` removes DISPLAY, WAYLAND_DISPLAY and
    SDL_VIDEODRIVER instead, so the booth chooses its display as on a Pi with
    no desktop. ``notify`` (and ``watchdog_s``) are systemd's NOTIFY_SOCKET
    (and WATCHDOG_USEC); ``extra`` is set as given.
    """
    env = dict(os.environ)
    env.pop("BOOTH_CONFIG", None)
    named = {"BOOTH_DATA_DIR": data, "BOOTH_CONFIG": config, "BOOTH_MODELS_DIR": models, "NOTIFY_SOCKET": notify}
    env.update({key: str(value) for key, value in named.items() if value is not None})
    if watchdog_s is not None:
        env["WATCHDOG_USEC"] = str(round(watchdog_s * 1_000_000))
    env["SDL_AUDIODRIVER"] = "dummy"
    if no_desktop:
        for key in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
            env.pop(key, None)
    else:
        env["SDL_VIDEODRIVER"] = "dummy"
    env["PYTHONUNBUFFERED"] = "1"  # a log read while the child runs is up to date
    env.update(extra)
    return env


def booth_command(*args: str) -> list[str]:
    """`booth ARGS` run by this interpreter (this checkout's booth, not whatever is on PATH)."""
    return [sys.executable, "-m", "booth", *args]


def run_booth(*args: str, env: Mapping[str, str] | None, timeout: float) -> subprocess.CompletedProcess[str]:
    """`booth ARGS` to its end, stdout and stderr captured as text (``env=None``: this process's)."""
    return subprocess.run(booth_command(*args), env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def start_booth(*args: str, env: Mapping[str, str], log: Path | None = None, **popen: Any) -> subprocess.Popen[str]:
    """`booth ARGS` started as a child in text mode; with ``log``, its stderr (the journal's side) goes there."""
    if log is None:
        return subprocess.Popen(booth_command(*args), env=env, cwd=REPO, text=True, **popen)
    with log.open("ab") as err:
        return subprocess.Popen(booth_command(*args), env=env, cwd=REPO, text=True, stderr=err, **popen)


def stop(proc: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    """SIGTERM, as systemd stops the booth, then SIGKILL if it has not stopped within ``timeout`` s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def kill(proc: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    """SIGKILL a child that is still running: none outlives its test, whatever failed first."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout)


def wait_until(cond: Callable[[], object], timeout: float, what: str | Callable[[], str], *,
               proc: subprocess.Popen[Any] | None = None, every: float = 0.05) -> None:
    """Poll until ``cond()`` holds: wait for what should happen, not for a fixed time.

    Fails after ``timeout`` s, or at once when ``proc`` (the child that should
    make it happen) has exited. ``what`` says what was awaited; a callable is
    asked only on failure (for the log or screen as it is then).
    """
    deadline = time.monotonic() + timeout
    while not cond():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode} while waiting for {_say(what)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {_say(what)}")
        time.sleep(every)


def _say(what: str | Callable[[], str]) -> str:
    return what() if callable(what) else what


def wait_for_log(log: Path, text: str, timeout: float, proc: subprocess.Popen[Any]) -> None:
    """Wait for ``text`` in a running child's log file."""
    wait_until(lambda: text in log.read_text(errors="replace"), timeout,
               lambda: f"{text!r} in the log:\n{log.read_text(errors='replace')}", proc=proc, every=0.1)


def wait_for_status(data: Path, timeout: float, **expected: object) -> dict[str, Any]:
    """The booth's status file (what the staff page shows) once it has ``expected``; it is rewritten every few s."""
    path = data / "status.json"
    status: dict[str, Any] = {}

    def says() -> bool:
        nonlocal status
        status = json.loads(path.read_text()) if path.exists() else {}
        return all(status.get(key) == value and type(status.get(key)) is type(value)
                   for key, value in expected.items())

    wait_until(says, timeout, lambda: f"{expected} in status.json; it says {status}", every=0.2)
    return status


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class BoothWeb:
    """`booth web` running as a child, in a process group of its own with its workers."""

    proc: subprocess.Popen[str]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Signal the whole group (the workers too); SIGKILL what has not stopped within ``timeout`` s."""
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout)


def start_web(env: Mapping[str, str], log: Path, *, port: int | None = None, verbose: bool = False,
              timeout: float = 60.0) -> BoothWeb:
    """Start `booth web` on 127.0.0.1 and return once it answers (404 for a token that cannot exist).

    Ready only once *its* log says it listens on the port, never on a 404 that another
    server on that port gave. A port picked here (free_port) can be taken by someone else
    before the server binds it: then it is started again on a fresh one. A port the caller
    chose (written into a config, say) is the caller's to keep free.
    """
    chosen = port is not None
    for _ in range(5):
        web = _start_web(env, log, port or free_port(), verbose, timeout)
        if web is not None:
            return web
        if chosen:
            raise AssertionError(f"booth web: port {port} is taken:\n{log.read_text(errors='replace')}")
    raise AssertionError("booth web found its port taken five times:\n" + log.read_text(errors="replace"))


def _start_web(env: Mapping[str, str], log: Path, port: int, verbose: bool, timeout: float) -> BoothWeb | None:
    """The server up on ``port``, or None if the port was taken before it could bind it."""
    start = log.stat().st_size if log.exists() else 0
    args = ["-v"] if verbose else []
    with log.open("ab") as out:
        proc = start_booth(*args, "web", "--host", "127.0.0.1", "--port", str(port), env=env,
                           stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    web = BoothWeb(proc, port, log)
    try:
        up = wait_listening(proc, log, start, web.base, timeout)
    except AssertionError:
        web.stop()
        raise
    return web if up else None


def wait_listening(proc: subprocess.Popen, log: Path, start: int, base: str, timeout: float) -> bool:
    """Wait for a `booth web` child to serve ``base``: True once *its* log (from byte ``start``) says it
    listens there and it answers (404 for a token that cannot exist; never another server's 404);
    False if it exited because the port was taken; AssertionError otherwise."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_bytes()[start:].decode(errors="replace")
        if proc.poll() is not None:
            if "address already in use" in text.lower():
                return False
            raise AssertionError(f"booth web exited with {proc.returncode}:\n{text}")
        if f"Uvicorn running on {base}" in text:
            try:
                if httpx.get(f"{base}/p/{'x' * 24}", timeout=2).status_code == 404:
                    return True
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise AssertionError("booth web did not come up:\n" + log.read_bytes()[start:].decode(errors="replace"))


class NotifyListener:
    """What systemd's end of NOTIFY_SOCKET would see, each field with its arrival time."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.path = path
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            for field in data.decode().split("\n"):
                self.messages.append((time.monotonic(), field))

    def wait(self, field: str, timeout: float, after: float = 0.0) -> float:
        """When ``field`` arrived (the first time at or after ``after``); fails after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, f in list(self.messages):
                if f == field and t >= after:
                    return t
            time.sleep(0.05)
        raise AssertionError(f"no {field!r} from the booth within {timeout} s; got {self.fields()}")

    def fields(self) -> list[str]:
        return sorted({f for _, f in self.messages})

    def pings(self, after: float) -> list[float]:
        """When the watchdog was fed after ``after``."""
        return [t for t, f in list(self.messages) if f == "WATCHDOG=1" and t > after]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def screens_by_session(folder: Path) -> dict[int, list[str]]:
    """`booth run --screenshots` names (NNN-sessionSS-screen.png) grouped: session number -> screens in order."""
    by_session: dict[int, list[str]] = {}
    for png in sorted(folder.glob("*.png")):
        m = re.fullmatch(r"\d{3}-session(\d{2})-(\w+)\.png", png.name)
        assert m, png.name
        by_session.setdefault(int(m.group(1)), []).append(m.group(2))
    return by_session
