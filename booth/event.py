"""The event's identity: its name, welcome line, accent colour and logo, checked once at start-up.

The organiser names the event in ``[event]`` (booth.config); this module
reads the logo file once, checks that it is a PNG or an SVG the booth can
draw, and hands it to its three users in the form each needs: the phone page
serves the file's own bytes with its content type, the photo's watermark
takes an RGBA array, the booth's screens a pygame surface.

PNG is decoded by Pillow (the photo code's image library; no pygame for
``booth web`` or ``booth config``). SVG is rasterised by pygame-ce, whose
SDL_image carries nanosvg (``pygame.image.load_sized_svg``): the one SVG
renderer already among the booth's dependencies. nanosvg draws shapes and
paths but not ``<text>`` or embedded images, so an SVG that draws nothing
the booth can see is refused here rather than shown as an empty box.

This module never imports booth.config (the config imports it to check the
logo at start-up); :meth:`Event.from_settings` takes the ``[event]`` section
by its fields.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # both imported where used: `booth config` and the config check of a PNG need neither
    import numpy as np
    import pygame

LOGO_ALLOWED = "a PNG or SVG image file"
MAX_LOGO_BYTES = 5 * 1024 * 1024  # a logo, not a photo: bigger is a wrong file
MAX_LOGO_SIDE = 4096  # pixels (PNG): more than any screen or photo corner needs
SVG_CHECK_SIDE = 512  # the SVG is drawn this big (longest side) to check it draws something
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # PNG spec (W3C PNG 3rd ed.), section 5.2
CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


class LogoError(ValueError):
    """Why a logo file cannot be used, phrased to follow the file's name."""


class EventSettings(Protocol):
    """The ``[event]`` section's fields (booth.config.EventConfig)."""

    name: str
    logo: str
    accent_colour: str
    welcome: str
    watermark: bool


def parse_colour(text: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an RGB tuple."""
    if not re.fullmatch(COLOUR_PATTERN, text):
        raise ValueError(f"{text!r} is not a #rrggbb colour")
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


@dataclass(frozen=True)
class Logo:
    """A checked logo file: its bytes as read, its kind and its natural size."""

    path: Path
    kind: str  # "png" | "svg"
    data: bytes = field(repr=False)
    size: tuple[int, int]  # width, height: the PNG's pixels, the SVG's own size (or its drawing's bounds)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.size[0] / self.size[1]

    def fit(self, box: tuple[int, int]) -> tuple[int, int]:
        """The logo's size scaled to fit in box, keeping its shape (at least 1x1)."""
        scale = min(box[0] / self.size[0], box[1] / self.size[1])
        return max(1, round(self.size[0] * scale)), max(1, round(self.size[1] * scale))

    def rgba(self, box: tuple[int, int]) -> np.ndarray:
        """The logo drawn to fit in box (width, height): HxWx4 uint8, straight alpha. Cached per box."""
        return _raster(self, self.fit(box))

    def surface(self, box: tuple[int, int]) -> pygame.Surface:
        """The logo as a pygame surface with alpha, fitted to box (for the booth's screens)."""
        import pygame

        pixels = self.rgba(box)
        h, w = pixels.shape[:2]
        return pygame.image.frombytes(pixels.tobytes(), (w, h), "RGBA")


@lru_cache(maxsize=16)
def _raster(logo: Logo, size: tuple[int, int]) -> np.ndarray:
    import numpy as np

    if logo.kind == "svg":
        pixels = _svg_pixels(logo.data, size)
    else:
        from PIL import Image

        with Image.open(io.BytesIO(logo.data)) as image:
            pixels = np.asarray(image.convert("RGBA").resize(size, Image.Resampling.LANCZOS))
    pixels = np.ascontiguousarray(pixels)
    pixels.flags.writeable = False  # shared by every caller of this size
    return pixels


def _svg_pixels(data: bytes, box: tuple[int, int]) -> np.ndarray:
    """nanosvg (through pygame-ce) draws the SVG to fit in box, keeping its shape."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import numpy as np
    import pygame

    surf = pygame.image.load_sized_svg(io.BytesIO(data), box)
    if surf.get_width() > box[0] or surf.get_height() > box[1]:
        # SDL_image rounds the canvas up (200 px at 0.6 comes out 121) and draws at the scale asked:
        # the odd row or column is empty, and cut off.
        surf = surf.subsurface((0, 0, min(surf.get_width(), box[0]), min(surf.get_height(), box[1]))).copy()
    w, h = surf.get_size()
    return np.frombuffer(pygame.image.tobytes(surf, "RGBA"), np.uint8).reshape(h, w, 4)


def _kind(data: bytes) -> str:
    """"png" or "svg" from the file's content (never its name), else LogoError saying what it is."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg")) and b"<svg" in data[:65536]:
        return "svg"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            found = f"a {image.format} image"
    except (UnidentifiedImageError, OSError, ValueError):
        found = "not an image"
    raise LogoError(f"is {found}")


def _check_png(data: bytes) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            if max(size) > MAX_LOGO_SIDE:  # from the header, before decoding (image bombs)
                raise LogoError(f"is {size[0]}x{size[1]} pixels, more than {MAX_LOGO_SIDE} on a side")
            image.load()  # a truncated or corrupt file fails here
            alpha = image.convert("RGBA").getextrema()[3]
    except LogoError:
        raise
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError... for broken files
        raise LogoError(f"is a broken PNG ({exc})") from None
    if alpha[1] == 0:
        raise LogoError("is a PNG that is fully transparent")
    return size


def _check_svg(data: bytes) -> tuple[int, int]:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    try:
        data.decode("utf-8")
        pixels = _svg_pixels(data, (SVG_CHECK_SIDE, SVG_CHECK_SIDE))
    except (UnicodeDecodeError, pygame.error, ValueError) as exc:
        raise LogoError(f"is an SVG that cannot be read ({exc})") from None
    if not pixels[..., 3].any():
        raise LogoError("is an SVG that draws nothing the booth can show "
                        "(text and embedded images are not drawn: convert text to paths)")
    h, w = pixels.shape[:2]
    return w, h  # its shape; an SVG has no pixel size of its own


def _signature(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def load_logo(path: str | os.PathLike[str]) -> Logo:
    """Read and check a logo file (cached while the file is unchanged); LogoError says why not."""
    where = Path(path)
    try:
        if not where.is_file():
            raise LogoError(f"{where} is a folder" if where.is_dir() else f"{where} not found")
        return _load(where.resolve(), _signature(where))
    except OSError as exc:
        raise LogoError(f"{where} cannot be read ({exc.strerror or exc})") from None


@lru_cache(maxsize=8)
def _load(path: Path, _signature: tuple[int, int, int]) -> Logo:
    with path.open("rb") as f:
        data = f.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"{path} is larger than {MAX_LOGO_BYTES // (1024 * 1024)} MB")
    try:
        kind = _kind(data)
        size = _check_png(data) if kind == "png" else _check_svg(data)
    except LogoError as exc:
        raise LogoError(f"{path} {exc}") from None
    return Logo(path, kind, data, size)


@dataclass(frozen=True)
class Event:
    """Who the booth is for tonight; every field empty (the default) means no event identity."""

    name: str = ""
    welcome: str = ""
    accent: tuple[int, int, int] | None = None
    watermark: bool = False
    logo: Logo | None = None

    @property
    def shown(self) -> bool:
        """Whether there is anything to show (name, welcome or logo)."""
        return bool(self.name or self.welcome or self.logo)

    @classmethod
    def from_settings(cls, section: EventSettings | Any) -> Event:
        """The identity of a checked ``[event]`` section (its logo already resolved by the config)."""
        return cls(
            name=section.name.strip(),
            welcome=section.welcome.strip(),
            accent=parse_colour(section.accent_colour) if section.accent_colour else None,
            watermark=section.watermark,
            logo=load_logo(section.logo) if section.logo else None,
        )
