"""The display's type: DejaVu Sans from the system, big and cached by size.

The font comes from the Debian package fonts-dejavu-core (found through
fontconfig's ``fc-match``, then the known install paths), never from the
repository. Without it the booth still runs on pygame's bundled default font
and says so, once, in the log and on the attract screen.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pygame

log = logging.getLogger(__name__)

KNOWN_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
MISSING = "Display font missing: install fonts-dejavu-core (using a plain fallback)"


def _fc_match(pattern: str) -> Path | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(out.stdout.strip())
    # fc-match always answers with *something*; only take it if it is DejaVu.
    return path if out.returncode == 0 and path.is_file() and "DejaVu" in path.name else None


def find_font(configured: str = "", known_dirs: tuple[Path, ...] = KNOWN_DIRS,
              use_fontconfig: bool = True) -> tuple[Path | None, Path | None, str]:
    """(regular, bold, problem) — paths or None; problem is "" when all is well."""
    if configured:
        path = Path(configured).expanduser()
        if path.is_file():
            return path, path, ""
        problem = f"Display font {configured} not found ([display] font); using DejaVu Sans"
        log.error("%s", problem)
    else:
        problem = ""
    regular = _fc_match("DejaVu Sans:style=Book") if use_fontconfig else None
    bold = _fc_match("DejaVu Sans:style=Bold") if use_fontconfig else None
    for folder in known_dirs:
        if regular is None and (folder / REGULAR).is_file():
            regular = folder / REGULAR
        if bold is None and (folder / BOLD).is_file():
            bold = folder / BOLD
    if regular is None:
        log.warning("%s", MISSING)
        return None, None, MISSING
    return regular, bold or regular, problem


class Fonts:
    """pygame fonts by pixel size; one file for body text, its bold for headings."""

    def __init__(self, regular: Path | None, bold: Path | None, problem: str = "") -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.regular, self.bold, self.problem = regular, bold, problem

    @classmethod
    def from_config(cls, configured: str = "") -> Fonts:
        return cls(*find_font(configured))

    def get(self, px: int, bold: bool = False) -> pygame.font.Font:
        return _font(self.bold if bold else self.regular, max(8, int(px)), bold and self.bold is None)


@lru_cache(maxsize=128)
def _font(path: Path | None, px: int, fake_bold: bool) -> pygame.font.Font:
    font = pygame.font.Font(str(path) if path else None, px)
    if fake_bold:
        font.set_bold(True)
    return font
