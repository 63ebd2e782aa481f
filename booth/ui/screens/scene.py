"""What a frame is drawn from (:class:`Scene`) and the record of what it put where (:class:`Drawn`).

The record is what the tests check against the pixels; :class:`TextFit` says
whether each text really fitted the box it was given (the layout test for
every language reads it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pygame import Rect

from booth.coach.words import LOOK_INFO
from booth.event import Event
from booth.i18n import LOCALE_DIR, Plural
from booth.session import State
from booth.ui.guide import Fractions, Guide
from booth.ui.words import BUTTON, Words

# The looks' names and lines (English msgids, translated when drawn): the coach's, defined once.
DEFAULT_LOOK_INFO = LOOK_INFO


@dataclass
class Scene:
    """Everything one frame shows: the state, the latest camera image, fixed facts."""

    state: State
    now: float
    frame: Any = None  # camera Frame (image RGB HxWx3, index) or None
    mirror: bool = True
    expiry_days: float = 7.0
    words: Words = BUTTON  # how to act, in the words of the booth's controls
    touch: bool = True
    auto_trigger: bool = True
    retakes_left: int = 0
    wifi_ssid: str = ""
    wifi_payload: str = ""
    local_base: str = ""  # [cloud] set: the booth's own address, the way for guests with no signal
    look_info: Mapping[str, tuple[str, str]] = field(default_factory=lambda: DEFAULT_LOOK_INFO)  # msgids
    guide: Guide | None = None  # the crop the photo will get, in fractions of the camera image
    face: Fractions | None = None  # the subject's head (booth.ui.guide.head_box), None when nobody is seen
    looked_in: Fractions | None = None  # the part of the picture a face is looked for in (booth.vision.analysed_window)
    flow: str = "one"  # [session] flow: "all" adds the skip on the coach screen
    event: Event | None = None  # [event]: the name, logo and welcome on attract and share; the accent colour
    languages: tuple[str, ...] = ("en",)  # [display] languages: the attract screen offers them by name (2 or more)
    locale_dir: Path = LOCALE_DIR  # where the catalogues of the guest's language (state.language) are


@dataclass
class TextFit:
    """How one text sat in its box: a clipped, overflowing or too-small text shows here."""

    text: str
    box: Rect  # the box the text was given
    bounds: Rect  # what its lines really covered
    px: int  # the font size it was drawn at, after shrinking
    lines: int
    fits: bool  # inside its box, at the two-metre minimum size or larger
    verbatim: bool = False  # not a message: drawn as it is in every language (a name, an address, a notice)
    language: str = "en"  # whose font drew it
    broken: bool = False  # a word was cut mid-word to fit the width (meaningful where words are space-separated)
    rows: tuple[str, ...] = ()  # the lines as drawn


@dataclass
class Drawn:
    """What one frame put where, for tests and screenshots."""

    screen: str
    texts: list[tuple[str, Rect]] = field(default_factory=list)
    fits: list[TextFit] = field(default_factory=list)  # one per entry of ``texts``, in the same order
    asked: list[str | Plural] = field(default_factory=list)  # every message this frame translated (msgids)
    languages: list[tuple[str, Rect]] = field(default_factory=list)  # attract: each offered language's name cell
    preview: Rect | None = None  # where the camera picture went (moved to keep the face clear of the bands)
    shift: int = 0  # how far the picture was moved down (negative: up), in screen pixels
    face: Rect | None = None  # the subject's head on screen
    guide: Rect | None = None  # the head's place in the photo's crop (the oval)
    crop: Rect | None = None  # the photo's crop
    meter: tuple[Rect, Rect] | None = None  # (track, fill)
    qr: tuple[Rect, str] | None = None  # (where, encoded text) of the screen's main QR code
    qrs: list[tuple[Rect, str]] = field(default_factory=list)  # every QR code drawn, the main one first
    photo: Rect | None = None
    pick_photos: list[Rect] = field(default_factory=list)  # pick: each shot's photo on screen, in order
    logo: Rect | None = None  # where the event's logo went

    def text(self) -> str:
        return "\n".join(t for t, _ in self.texts)

    def find(self, needle: str) -> Rect | None:
        for t, r in self.texts:
            if needle in t:
                return r
        return None
