"""The booth can't start: the reason on the screen, until someone fixes it.

A broken config, a missing or corrupt face model or an unusable photo
folder stops ``booth run`` before the booth can work. Exiting at once would
leave the booth's screen black while systemd restarts it every few seconds,
so when there is a display the booth shows what is wrong and what to do,
tells systemd it is up (``READY=1``, ``STATUS=`` the message) and keeps the
watchdog fed, and watches the files whose change may be the fix. When one
changes it exits with :data:`RESTART_EXIT` and systemd's
``Restart=on-failure`` starts a fresh booth that reads them again.

Exit rather than re-exec: restarting is systemd's job after every other
fault too, the journal then shows a plain restart, and a fresh process
carries nothing over from the failed start (SDL, half-opened parts).

Without a display (or with ``--headless``) none of this runs: the one line
on stderr and exit code 2 are the whole answer, as before.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame
from pygame import Rect

from booth import notify
from booth.config import SYSTEM_CONFIG, Config, ConfigError, DisplayConfig, config_from_dict
from booth.controls import is_quit
from booth.gallery import GalleryError
from booth.models import ModelError, model_path
from booth.ui import theme
from booth.ui.display import Display, DisplayError, choose_display
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import Drawn, Renderer

log = logging.getLogger(__name__)

TITLE = "The booth can't start"
JOURNAL = "Details: journalctl -u booth"
FAILED_EXIT = 2  # as without a display: the booth could not start
RESTART_EXIT = 75  # EX_TEMPFAIL, "try again": a watched file changed, so a fresh start may work
POLL_S = 2.0
SCREENSHOT = "fatal.png"


@dataclass(frozen=True)
class StartError:
    """What the screen says, and which files to watch for the fix."""

    message: str  # the one line, as on stderr after "booth: "
    advice: str  # what staff should do
    watch: tuple[Path, ...]
    details: str = ""  # where to read more


def config_file(explicit: str | None) -> Path:
    """The config file ``booth run`` reads (or would read): --config, $BOOTH_CONFIG, the system one."""
    return Path(explicit or os.environ.get("BOOTH_CONFIG") or SYSTEM_CONFIG)


def under_systemd() -> bool:
    return bool(os.environ.get("INVOCATION_ID") or os.environ.get("NOTIFY_SOCKET"))


def describe(exc: Exception, config_path: Path, config: Config | None, *, restarts: bool) -> StartError:
    """The screen's wording for a start error, and the files whose change may fix it.

    The config file is always watched: editing it may point the booth at
    another model or photo folder.
    """
    then = " — the booth restarts by itself" if restarts else " — then start the booth again"
    watch: list[Path] = [config_path, *getattr(exc, "files", ())]  # and a logo the config names
    if isinstance(exc, ModelError) and config is not None:
        model = model_path(config.models_dir)
        watch.append(model)
        advice = "Fetch the face model: booth models fetch, as the booth user"
    elif isinstance(exc, GalleryError) and config is not None:
        watch += [config.data_dir, config.data_dir.parent]
        advice = f"Make {config.data_dir} a folder the booth user can write to"
    elif getattr(exc, "advice", ""):  # a fault no config can fix (a Pi camera not found: restart the Pi)
        advice, then = exc.advice, ""  # type: ignore[attr-defined]
    elif getattr(exc, "files", ()):  # a file the config names (the event's logo) is the fault
        advice = f"Put a PNG or SVG file at {exc.files[0]}, or fix {config_path}"  # type: ignore[attr-defined]
    else:
        advice = f"Fix {config_path}"
    return StartError(" ".join(str(exc).split()), advice + then, tuple(watch), JOURNAL if restarts else "")


def safe_display_config(path: Path) -> DisplayConfig:
    """The [display] table of a config that is broken elsewhere, if it is itself valid; else the defaults."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        table = raw.get("display", {})
        if isinstance(table, dict):
            return config_from_dict({"display": table}, str(path)).display
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ConfigError):
        pass
    return DisplayConfig()


# ---------------------------------------------------------------- watching for the fix


def _signature(path: Path) -> tuple[Any, ...]:
    """Whether the file is there and, if so, its content's and permissions' fingerprint."""
    try:
        st = path.stat()
    except OSError:
        return (None,)
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode, st.st_uid)


class FileWatch:
    """Notices any change (created, deleted, written, replaced, chmod/chown) to a few files."""

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths = paths
        self._start = [_signature(p) for p in paths]

    def changed(self) -> list[Path]:
        return [p for p, before in zip(self.paths, self._start) if _signature(p) != before]


# ---------------------------------------------------------------- the screen


def draw(renderer: Renderer, surf: pygame.Surface, error: StartError) -> Drawn:
    """The whole screen: a red rule, the title, the message, what to do, where the details are."""
    L = renderer.layout
    d = Drawn("fatal")
    surf.fill(theme.BG)
    surf.fill(theme.FAULT, Rect(0, 0, L.width, max(4, round(1.5 * L.unit))))
    renderer.painter.stack(surf, d, [
        (TITLE, theme.TITLE, True, theme.FAULT),
        (error.message, theme.BODY, False, theme.FG),
        (error.advice, theme.BODY, True, theme.ACCENT),
        (error.details, theme.SMALL, False, theme.DIM),
    ], L.inner())
    return d


class ErrorScreen:
    """Shows one start error and waits: for a fix (RESTART_EXIT) or to be stopped (FAILED_EXIT)."""

    def __init__(self, display: Any, error: StartError, fonts: Fonts, *, poll_s: float = POLL_S,
                 screenshots: Path | None = None) -> None:
        self.display = display
        self.error = error
        self.renderer = Renderer(Layout(*display.size), fonts)
        self.poll_s = poll_s
        self.screenshots = screenshots
        self.drawn: Drawn | None = None

    def run(self, stop: threading.Event) -> int:
        watch = FileWatch(self.error.watch)
        self._show()
        if self.screenshots is not None:
            self.screenshots.mkdir(parents=True, exist_ok=True)
            pygame.image.save(self.display.surface, str(self.screenshots / SCREENSHOT))
        notify.notify("READY=1", "STATUS=" + self.error.message)  # up, and says what is wrong
        log.info("the error is on the screen; waiting for a change to %s",
                 ", ".join(str(p) for p in self.error.watch))
        now = time.monotonic()
        poll_at, ping_at, ping_s = now + self.poll_s, now, notify.ping_period()
        while not stop.is_set():
            if self._closed():
                return FAILED_EXIT
            now = time.monotonic()
            if now >= ping_at:  # a frozen screen gets restarted, as in the booth's own loop
                self._show()
                if ping_s is not None:
                    notify.notify_watchdog()
                ping_at = now + (ping_s or notify.PING_S)
            if now >= poll_at:
                changed = watch.changed()
                if changed:
                    log.info("%s changed: exiting so that the booth starts afresh",
                             ", ".join(str(p) for p in changed))
                    return RESTART_EXIT
                poll_at = now + self.poll_s
            stop.wait(0.1)
        return FAILED_EXIT

    def _show(self) -> None:
        self.drawn = draw(self.renderer, self.display.surface, self.error)
        self.display.flip()

    def _closed(self) -> bool:
        """The window was closed, or Ctrl+Q (as in the booth itself)."""
        return any(is_quit(ev) for ev in pygame.event.get())


def cli_start_error(args: Any, exc: Exception, config: Config | None) -> int:
    """After the one line on stderr: the same on the display, if there is one, until it is fixed.

    ``config`` is None when the config itself is the problem; the display
    then uses the broken file's [display] table if that part is valid.
    """
    if getattr(args, "headless", False):
        return FAILED_EXIT
    path = config_file(getattr(args, "config", None))
    display_cfg = config.display if config is not None else safe_display_config(path)
    choice = choose_display(display_cfg, windowed=bool(getattr(args, "windowed", False)))
    if choice.driver is None:
        return FAILED_EXIT
    error = describe(exc, path, config, restarts=under_systemd())
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    display = None
    try:
        display = Display(choice, display_cfg)
        shots = getattr(args, "screenshots", None)
        screen = ErrorScreen(display, error, Fonts.from_config(display_cfg.font),
                             screenshots=Path(shots) if shots else None)
        return screen.run(stop)
    except KeyboardInterrupt:
        return 130
    except (DisplayError, pygame.error, OSError) as problem:  # no screen after all: the line above stands
        log.error("the error cannot be shown on the screen: %s", problem)
        return FAILED_EXIT
    finally:
        signal.signal(signal.SIGTERM, previous)
        notify.notify_stopping()
        if display is not None:
            display.close()
