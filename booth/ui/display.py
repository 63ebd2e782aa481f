"""Opening the screen: which SDL video driver, fullscreen or a window, or none at all.

On a Pi without a desktop the booth draws straight to the panel through
KMS/DRM; under a desktop it asks the window system (Wayland or X11); on a
laptop it opens a window; headless it draws into SDL's dummy driver, which
renders exactly the same pixels without a screen (for screenshots, tests and
benchmarks). The choice is made here from the environment and the config, so
``booth doctor`` and the app agree on it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from booth.config import DisplayConfig
from booth.pi import on_a_pi

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)  # a window or a headless run without [display] width/height
DRI = Path("/dev/dri")


class DisplayError(Exception):
    """The display could not be opened; the message says which driver and why."""


@dataclass(frozen=True)
class DisplayChoice:
    driver: str | None  # SDL_VIDEODRIVER value; None = no display at all
    fullscreen: bool
    reason: str

    @property
    def headless(self) -> bool:
        return self.driver == "dummy"


def dri_usable(root: Path = DRI) -> bool:
    """A DRM card this user may open (KMS/DRM needs read-write access to it)."""
    try:
        cards = sorted(root.glob("card*"))
    except OSError:
        return False
    return any(os.access(card, os.R_OK | os.W_OK) for card in cards)


def choose_display(cfg: DisplayConfig, *, headless: bool = False, windowed: bool = False,
                   env: Mapping[str, str] | None = None, dri: Path = DRI,
                   pi: bool | None = None) -> DisplayChoice:
    """The driver to use and why. Fullscreen on a Pi (or on the bare panel), a window elsewhere."""
    env = os.environ if env is None else env
    pi = on_a_pi() if pi is None else pi
    if headless:
        return DisplayChoice("dummy", False, "--headless")
    if cfg.driver == "dummy":
        return DisplayChoice("dummy", False, "[display] driver = \"dummy\"")
    if cfg.driver != "auto":
        driver, reason = cfg.driver, f"[display] driver = \"{cfg.driver}\""
    elif env.get("WAYLAND_DISPLAY"):
        driver, reason = "wayland", f"desktop (WAYLAND_DISPLAY={env['WAYLAND_DISPLAY']})"
    elif env.get("DISPLAY"):
        driver, reason = "x11", f"desktop (DISPLAY={env['DISPLAY']})"
    elif dri_usable(dri):
        driver, reason = "kmsdrm", f"no desktop; drawing to the panel through {dri}"
    else:
        return DisplayChoice(None, False, f"no display: no $DISPLAY or $WAYLAND_DISPLAY and no usable {dri}")
    fullscreen = not windowed and cfg.fullscreen and (driver == "kmsdrm" or pi)
    return DisplayChoice(driver, fullscreen, reason)


class Display:
    """The pygame display surface for one choice; the render loop draws into ``surface``."""

    def __init__(self, choice: DisplayChoice, cfg: DisplayConfig) -> None:
        if choice.driver is None:
            raise DisplayError(choice.reason)
        self.choice = choice
        self.cfg = cfg
        self.surface = self._open()
        self.size: tuple[int, int] = self.surface.get_size()

    def _open(self):  # -> pygame.Surface
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        drivers = [self.choice.driver]
        if self.choice.driver == "wayland" and self.cfg.driver == "auto":
            drivers.append("x11")  # XWayland, when SDL was built without Wayland
        errors = []
        before = os.environ.get("SDL_VIDEODRIVER")
        for driver in drivers:
            os.environ["SDL_VIDEODRIVER"] = driver
            try:
                pygame.display.quit()
                pygame.display.init()
                surface = self._set_mode(pygame)
            except pygame.error as exc:
                errors.append(f"{driver}: {exc}")
                continue
            pygame.display.set_caption("booth")
            pygame.mouse.set_visible(not self.choice.fullscreen)
            log.info("display: %s %dx%d%s (%s)", driver, *surface.get_size(),
                     " fullscreen" if self.choice.fullscreen else "", self.choice.reason)
            return surface
        if before is None:  # leave the environment as it was found
            os.environ.pop("SDL_VIDEODRIVER", None)
        else:
            os.environ["SDL_VIDEODRIVER"] = before
        raise DisplayError("cannot open the display: " + "; ".join(errors) +
                           " — check [display] driver, or run with --headless")

    def _set_mode(self, pygame):  # -> pygame.Surface
        w, h = self.cfg.width, self.cfg.height
        if self.choice.fullscreen:
            return pygame.display.set_mode((w, h) if w and h else (0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode((w or DEFAULT_SIZE[0], h or DEFAULT_SIZE[1]))

    def flip(self) -> None:
        import pygame

        pygame.display.flip()

    def close(self) -> None:
        import pygame

        pygame.display.quit()
