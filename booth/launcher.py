"""`booth up`: the whole product on one machine, the booth and its photo server together.

This is what `make run` starts, so the QR code on the screen leads to a
photo a phone on the same network can open. Two children, `booth web` and
`booth run`, stay in this process's process group: Ctrl+C at the terminal
reaches all three at once, and each child stops in its own way (uvicorn
finishes its requests, the booth closes its camera and gallery). Their
output is read line by line and printed with a prefix (``web   |``,
``booth |``) so both logs stay readable in one terminal.

The launcher decides the three things both children must agree on:

- the port: ``[web] port`` (or ``--port``), or the next free one when it is
  taken, and the booth's links name that same port;
- the address phones use: ``[web] public_url``, else this machine's address
  on its network (:func:`booth.net.base_url`), never 127.0.0.1 when there is
  a network;
- the gallery: with no real camera the scripted subject poses, and its
  photos go to a demo gallery beside the real one (``<data_dir>-demo``), so
  a demo never adds photos to an event's gallery or its staff page counts.

Stopped by the user (Ctrl+C, SIGTERM) it exits 0 once both children have
ended: `make` then prints no error line. A child that ends by itself ends
the other too, and its exit status is the launcher's.

Subprocesses rather than threads because the two are separate programs
in production too (two systemd services); the standard library's
subprocess is enough here, so no supervisor package is pulled in.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from booth.config import Config
from booth.quiet import is_chatter

PORT_TRIES = 20  # look this many ports past a taken [web] port
GRACE_S = 3.0  # after Ctrl+C, the children's own shutdown gets this long before a SIGTERM
KILL_S = 15.0  # ... and this long after the SIGTERM before a SIGKILL
WEB, BOOTH = "web", "booth"


@dataclass(frozen=True)
class Plan:
    """What both children are started with."""

    port: int
    base_url: str
    camera: str
    demo: bool
    data_dir: Path
    notes: tuple[str, ...] = ()


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def choose_port(host: str, wanted: int, tries: int = PORT_TRIES) -> int:
    """``wanted`` if it is free on ``host``, else the next free port; OSError when none is."""
    for port in range(wanted, min(wanted + tries, 65536)):
        if _port_free(host, port):
            return port
    raise OSError(f"ports {wanted}–{wanted + tries - 1} are all in use on {host}; set [web] port or use --port")


def resolve_camera(spec: str, config: Config) -> str:
    """The source `booth run` will use: ``auto`` is tried here, once, so the launcher knows the
    answer (scripted or not) before choosing the gallery. A source that does not work is passed
    on unchanged, for `booth run` to report on its screen."""
    from booth.camera.base import CameraError
    from booth.camera.select import open_camera, parse_source

    try:
        kind, _ = parse_source(spec)
    except CameraError:
        return spec
    if kind != "auto":
        return spec
    try:
        camera = open_camera(spec, config, log=logging.getLogger("booth.up.probe"))  # `booth run` logs the same
    except CameraError:
        return spec
    try:
        return str(getattr(camera, "source", spec))
    finally:
        camera.stop()


def demo_dir(data_dir: Path) -> Path:
    """The demo gallery: beside the real one, never inside it."""
    return data_dir.with_name(data_dir.name + "-demo")


def make_plan(config: Config, *, port: int | None, camera: str | None, public_url: str | None) -> Plan:
    from booth.camera.base import CameraError
    from booth.camera.select import parse_source
    from booth.net import base_url

    notes: list[str] = []
    wanted = port or config.web.port
    chosen = choose_port(config.web.host, wanted)
    if chosen != wanted:
        notes.append(f"port {wanted} is in use (another booth web?), so the photo server uses {chosen}")
    url = base_url(dataclasses.replace(config.web, port=chosen), public_url)
    source = resolve_camera(camera or config.camera.source, config)
    try:
        demo = parse_source(source)[0] == "scripted"
    except CameraError:
        demo = False
    data = demo_dir(config.data_dir) if demo else config.data_dir
    return Plan(chosen, url, source, demo, data, tuple(notes))


class Output:
    """Children's lines, prefixed, one whole line at a time, mediapipe's chatter left out."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.lock = threading.Lock()

    def say(self, text: str) -> None:
        with self.lock:
            self.out.write(text + "\n")
            self.out.flush()

    def follow(self, name: str, stream: IO[str]) -> threading.Thread:
        prefix = f"{name:<5} | "

        def pump() -> None:
            for line in stream:
                if not is_chatter(line):
                    try:
                        self.say(prefix + line.rstrip("\n"))
                    except (BrokenPipeError, ValueError):  # our own reader went away: keep draining
                        pass
            stream.close()

        thread = threading.Thread(target=pump, name=f"output-{name}", daemon=True)
        thread.start()
        return thread


def _command(args: argparse.Namespace, *rest: str) -> list[str]:
    common = (["-v"] if getattr(args, "verbose", False) else [])
    if getattr(args, "config", None):
        common += ["--config", args.config]
    return [sys.executable, "-m", "booth", *common, *rest]


def child_commands(args: argparse.Namespace, plan: Plan, attended: bool) -> dict[str, list[str]]:
    run = ["run", "--camera", plan.camera, "--public-url", plan.base_url]
    if attended:
        run.append("--attended")
    for flag in ("headless", "windowed"):
        if getattr(args, flag, False):
            run.append(f"--{flag}")
    return {WEB: _command(args, "web", "--port", str(plan.port)), BOOTH: _command(args, *run)}


class Launcher:
    """Starts both children, relays their output, and stops them together."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str], output: Output) -> None:
        self.commands = commands
        self.env = env
        self.output = output
        self.procs: dict[str, subprocess.Popen[str]] = {}
        self.pumps: list[threading.Thread] = []
        self.stop_asked: float | None = None  # when the user asked (monotonic)
        self.terminated = False

    def start(self) -> None:
        for name, cmd in self.commands.items():
            proc = subprocess.Popen(cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
            self.procs[name] = proc
            assert proc.stdout is not None
            self.pumps.append(self.output.follow(name, proc.stdout))

    def ask_stop(self, signum: int, _frame: Any = None) -> None:
        """Ctrl+C reached every process of the group: give the children their own shutdown first.
        SIGTERM (sent to the launcher alone) is passed on at once."""
        if self.stop_asked is None:
            self.stop_asked = time.monotonic()
        if signum == signal.SIGTERM:
            self._signal_all(signal.SIGTERM)

    def _signal_all(self, sig: int) -> None:
        self.terminated = self.terminated or sig == signal.SIGTERM
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    proc.send_signal(sig)
                except ProcessLookupError:
                    pass

    def wait(self) -> int:
        """Until both children have ended; the exit status (see the module docstring)."""
        first: tuple[str, int] | None = None
        killed = False
        while any(p.poll() is None for p in self.procs.values()):
            now = time.monotonic()
            if first is None and self.stop_asked is None:
                ended = [(n, p.returncode) for n, p in self.procs.items() if p.poll() is not None]
                if ended:
                    first = ended[0]
                    self.output.say(f"booth up: {first[0]} ended (exit {first[1]}); stopping the other")
                    self.stop_asked = now
                    self._signal_all(signal.SIGTERM)
            if self.stop_asked is not None:
                if not self.terminated and now - self.stop_asked > GRACE_S:
                    self._signal_all(signal.SIGTERM)
                if not killed and now - self.stop_asked > GRACE_S + KILL_S:
                    self._signal_all(signal.SIGKILL)
                    killed = True
            time.sleep(0.05)
        for pump in self.pumps:
            pump.join(timeout=5)
        if first is not None:
            return first[1] if first[1] >= 0 else 128 - first[1]
        return 0


def cli_up(args: argparse.Namespace, config: Config) -> int:
    """`booth up` (what `make run` runs)."""
    output = Output(sys.stdout)
    launcher_ref: list[Launcher] = []
    interrupted: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        if launcher_ref:
            launcher_ref[0].ask_stop(signum, frame)
        else:
            interrupted.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    logging.getLogger("booth.up.probe").setLevel(logging.WARNING)
    try:
        output.say("booth up: the booth and its photo server together. Press Ctrl+C to stop both.")
        try:
            plan = make_plan(config, port=args.port, camera=args.camera, public_url=args.public_url)
        except OSError as exc:
            print(f"booth up: {exc}", file=sys.stderr)
            return 2
        if interrupted:
            return 0
        output.say(f"booth up: phones open the photos at {plan.base_url} (photo server on port {plan.port})")
        if plan.demo:
            output.say(f"booth up: no camera, so the scripted demo subject poses; its photos go to the demo "
                       f"gallery {plan.data_dir}, never the real one ({config.data_dir})")
        for note in plan.notes:
            output.say(f"booth up: {note}")
        env = dict(os.environ, PYTHONUNBUFFERED="1", BOOTH_DATA_DIR=str(plan.data_dir))
        env.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        launcher = Launcher(child_commands(args, plan, attended=sys.stdout.isatty()), env, output)
        launcher.start()
        launcher_ref.append(launcher)
        if interrupted:
            launcher.ask_stop(interrupted[0])
        code = launcher.wait()
        if launcher.stop_asked is not None and code == 0:
            output.say("booth up: stopped")
        return code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
