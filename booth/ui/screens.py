"""Drawing each screen from the session state. Nothing here decides anything.

:class:`Renderer` draws one frame for a :class:`Scene` (the session state plus
the latest camera frame and a few fixed facts) and returns :class:`Drawn`, a
record of what went where (texts, preview, meter, QR), which the tests check
against the pixels. Costly things are cached: the scaled preview per camera
frame, rendered text, QR codes, review photos.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pygame
from pygame import Rect

from booth import qr
from booth.codes import display as display_code
from booth.codes import short_code
from booth.coach.words import LOOK_AT_LENS, STEP_INTO_FRAME
from booth.durations import days_text
from booth.net import photo_url
from booth.session import (CAMERA_RETRYING, DISK_FULL, FLOW_ORDER, LOOKS, RETOUCH_LEVELS, RETOUCH_NAMES, TELL_STAFF,
                           THANKS, Phase, State)
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.guide import Fractions, Guide
from booth.ui.layout import Layout
from booth.ui.placement import GAP_S, SteadyShift, needed_shift
from booth.ui.words import BUTTON, FINISH, HANDOVER_LINES, KEEP_ONE, KEPT, NOT_KEPT, PICK_TITLE, RETAKE, Words

TIPS = (
    "Wear solid colours: they keep the eye on your face",
    "Relax your shoulders and let them drop",
    "Chin forward and a touch down: it defines the jaw",
    "Look into the lens, not at the screen",
    "Think of someone you like: the smile follows",
    "Stand tall and lean in a little",
    "Smile with your eyes, not only your mouth",
)
TIP_S = 6.0
PROCESSING_LINES = ("Finding your best frame", "Framing your headshot", "A light retouch")
DEFAULT_LOOK_INFO = {
    "smile": ("Smile", "Warm and friendly"),
    "serious": ("Confident", "Calm, steady and sure"),
    "contemplative": ("Thoughtful", "A quiet look, just off the lens"),
}


# The screens drawn over the live preview: the subject's head is kept clear of their bands
# (breathe: while it asks a guest it cannot see to step in, it shows the picture).
PREVIEW_PHASES = frozenset({Phase.ATTRACT, Phase.BREATHE, Phase.COACH, Phase.COUNTDOWN})
BREATHE_FADE_S = 0.4  # the calm circle and the camera picture give way to each other this softly
SHADE_ALPHA = 150  # breathe: the picture's sides a face is not looked for in, dimmed (still recognisable)

HOLD_IT = "Hold it …"
STEP_IN = STEP_INTO_FRAME  # what the coach says when it sees nobody
STAY = "Good — stay like that"


def coach_lines(guidance: Any, auto_trigger: bool, words: Words) -> tuple[str, str]:
    """The coach screen's top line (the one thing to do now) and its quieter hint.

    Never two voices: when the look holds, the top line says what happens next
    (the booth takes it: "Hold it"; or, without the automatic trigger, the
    guest does); otherwise the coach's most important prompt.
    """
    face = guidance is not None and bool(getattr(guidance, "face", False))
    ready = guidance is not None and bool(getattr(guidance, "ready", False))
    prompts = tuple(getattr(guidance, "prompts", ()) or ()) if guidance is not None else ()
    if ready:
        return (HOLD_IT, words.take_it) if auto_trigger else (words.take_now, "")
    if prompts:
        line = prompts[0]
    else:
        line = STAY if face else STEP_IN
    return line, words.take_it


def short_url(url: str) -> str:
    return url.split("://", 1)[-1]


def typeable_url(url: str) -> str:
    """The photo's address with its short code in place of the token: "192.168.4.1:8080/XK4M-7PQR".

    The web server answers ``/<code>`` (booth/web/codes.py) with the photo's page.
    """
    base, sep, token = url.rpartition("/p/")
    if not sep or not token:
        return short_url(url)
    return f"{short_url(base)}/{display_code(short_code(token))}"


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
    look_info: Mapping[str, tuple[str, str]] = field(default_factory=lambda: DEFAULT_LOOK_INFO)
    guide: Guide | None = None  # the crop the photo will get, in fractions of the camera image
    face: Fractions | None = None  # the subject's head (booth.ui.guide.head_box), None when nobody is seen
    looked_in: Fractions | None = None  # the part of the picture a face is looked for in (booth.vision.analysed_window)
    flow: str = "one"  # [session] flow: "all" adds the skip on the coach screen


@dataclass
class Drawn:
    """What one frame put where, for tests and screenshots."""

    screen: str
    texts: list[tuple[str, Rect]] = field(default_factory=list)
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

    def text(self) -> str:
        return "\n".join(t for t, _ in self.texts)

    def find(self, needle: str) -> Rect | None:
        for t, r in self.texts:
            if needle in t:
                return r
        return None


class Renderer:
    def __init__(self, layout: Layout, fonts: Fonts) -> None:
        self.layout = layout
        self.fonts = fonts
        self._text_cache: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._preview_key: tuple | None = None
        self._preview: tuple[pygame.Surface, tuple[int, int, int, int, int, int]] | None = None
        self._qr_cache: dict[tuple[str, int], pygame.Surface] = {}  # (text, box width)
        self._photo_cache: dict[tuple[int, tuple[int, int]], pygame.Surface] = {}
        self._overlay: dict[tuple[int, int], pygame.Surface] = {}
        self._wrap_cache: dict[tuple[str, int, bool, int], list[str]] = {}
        self._preview_pixels: np.ndarray | None = None
        self._placed: Rect | None = None  # where this frame's preview went; None: no preview this frame
        self._steady = SteadyShift(dead_band=layout.face_steady)
        self._asking: tuple[bool, float, float] | None = None  # breathe: (asks for the face, since, last drawn)
        self._under: pygame.Surface | None = None  # breathe: the screen giving way, faded over the new one

    # ------------------------------------------------------------ entry point
    def draw(self, surf: pygame.Surface, scene: Scene) -> Drawn:
        p = scene.state.phase
        d = Drawn(p.value)
        {
            Phase.ATTRACT: self._attract,
            Phase.CHOOSE: self._choose,
            Phase.BREATHE: self._breathe,
            Phase.COACH: self._coach,
            Phase.COUNTDOWN: self._countdown,
            Phase.CAPTURE: self._capture,
            Phase.PROCESSING: self._processing,
            Phase.REVIEW: self._review,
            Phase.HANDOVER: self._handover,
            Phase.PICK: self._pick,
            Phase.SHARE_WIFI: self._share_wifi,
            Phase.SHARE: self._share,
            Phase.GOODBYE: self._goodbye,
        }[p](surf, scene, d)
        return d

    # ------------------------------------------------------------ primitives
    def _render(self, text: str, px: int, colour: tuple[int, int, int], bold: bool) -> pygame.Surface:
        key = (text, px, colour, bold)
        s = self._text_cache.get(key)
        if s is None:
            s = self.fonts.get(px, bold).render(text, True, colour)
            self._text_cache[key] = s
            if len(self._text_cache) > 400:
                self._text_cache.popitem(last=False)
        else:
            self._text_cache.move_to_end(key)
        return s

    def _wrap(self, text: str, px: int, bold: bool, width: int) -> list[str]:
        key = (text, px, bold, width)
        lines = self._wrap_cache.get(key)
        if lines is None:
            lines = self._wrap_cache[key] = self._wrap_uncached(text, px, bold, width)
            if len(self._wrap_cache) > 1000:
                self._wrap_cache.clear()
        return lines

    def _wrap_uncached(self, text: str, px: int, bold: bool, width: int) -> list[str]:
        font = self.fonts.get(px, bold)
        lines: list[str] = []
        for para in text.split("\n"):
            words, line = [], ""
            for w in para.split():
                words += _break_word(w, font, width)
            for w in words:
                trial = f"{line} {w}".strip()
                if line and font.size(trial)[0] > width:
                    lines.append(line)
                    line = w
                else:
                    line = trial
            lines.append(line)
        return lines

    def text(self, surf: pygame.Surface, d: Drawn, text: str, box: Rect, pct: float,
             colour: tuple[int, int, int] = theme.FG, bold: bool = False,
             align: str = "center", valign: str = "center", one_line: bool = False) -> Rect:
        """Draw ``text`` wrapped to fit ``box`` at the largest size up to ``pct``; record it.

        ``one_line`` shrinks the text to keep it on one line (a URL) before wrapping it.
        """
        if not text:
            return Rect(box.left, box.top, 0, 0)
        px = self.layout.px(pct)
        while one_line and px > theme.MIN_PX and self.fonts.get(px, bold).size(text)[0] > box.width:
            px = max(theme.MIN_PX, int(px * 0.92))
        while True:
            lines, line_h = self._lines(text, px, bold, box.width)
            if line_h * len(lines) <= box.height or px <= theme.MIN_PX:
                break
            px = max(theme.MIN_PX, int(px * 0.9))
        total = line_h * len(lines)
        y = {"top": box.top, "bottom": box.bottom - total}.get(valign, box.centery - total // 2)
        bounds: Rect | None = None
        for line in lines:
            s = self._render(line, px, colour, bold)
            r = s.get_rect()
            r.top = y
            if align == "left":
                r.left = box.left
            elif align == "right":
                r.right = box.right
            else:
                r.centerx = box.centerx
            surf.blit(s, r)
            bounds = r if bounds is None else bounds.union(r)
            y += line_h
        assert bounds is not None
        d.texts.append((text, bounds))
        return bounds

    def _lines(self, text: str, px: int, bold: bool, width: int) -> tuple[list[str], int]:
        return self._wrap(text, px, bold, width), self.fonts.get(px, bold).get_linesize()

    def stack_height(self, items: list[tuple[str, float, bool]], width: int, scale: float = 1.0) -> int:
        """Height of texts stacked one under another, each wrapped to ``width``."""
        total = 0
        for text, pct, bold in items:
            lines, line_h = self._lines(text, max(theme.MIN_PX, int(self.layout.px(pct) * scale)), bold, width)
            total += line_h * len(lines)
        return total

    def stack(self, surf: pygame.Surface, d: Drawn, items: list[tuple[str, float, bool, tuple[int, int, int]]],
              box: Rect) -> None:
        """Texts one under another in ``box``, all shrunk alike until they fit, spread evenly."""
        plain = [(t, pct, bold) for t, pct, bold, _ in items if t]
        scale = 1.0
        while self.stack_height(plain, box.width, scale) > box.height and scale > 0.3:
            scale *= 0.92
        used = self.stack_height(plain, box.width, scale)
        gap = max(0, (box.height - used) // (len(plain) + 1))
        y = box.top + gap
        for text, pct, bold, colour in items:
            if not text:
                continue
            px = max(theme.MIN_PX, int(self.layout.px(pct) * scale))
            lines, line_h = self._lines(text, px, bold, box.width)
            h = line_h * len(lines)
            self.text(surf, d, text, Rect(box.left, y, box.width, h), px / self.layout.unit, colour, bold)
            y += h + gap

    def _band(self, surf: pygame.Surface, rect: Rect, alpha: int = theme.PANEL_ALPHA) -> None:
        key = (rect.width, rect.height, alpha)
        over = self._overlay.get(key[:2])
        if over is None or over.get_alpha() != alpha:
            over = pygame.Surface(rect.size)
            over.fill((0, 0, 0))
            over.set_alpha(alpha)
            self._overlay[key[:2]] = over
        surf.blit(over, rect.topleft)

    def _button(self, surf: pygame.Surface, d: Drawn, rect: Rect, label: str, *, filled: bool,
                colour: tuple[int, int, int] = theme.ACCENT, pct: float = theme.BODY) -> None:
        radius = rect.height // 3
        if filled:
            pygame.draw.rect(surf, colour, rect, border_radius=radius)
            fg = theme.ACCENT_TEXT
        else:
            pygame.draw.rect(surf, colour, rect, width=max(2, rect.height // 14), border_radius=radius)
            fg = colour
        self.text(surf, d, label, rect.inflate(-rect.height // 2, -rect.height // 5), pct, fg, bold=True)

    def _back(self, surf: pygame.Surface, scene: Scene, d: Drawn, label: str = "‹ Back") -> None:
        if scene.touch:
            self._button(surf, d, self.layout.back_button(), label, filled=False, colour=theme.DIM,
                         pct=theme.SMALL)

    # ------------------------------------------------------------ live preview
    def preview(self, surf: pygame.Surface, scene: Scene, dest: Rect, d: Drawn,
                clear: tuple[int, int] | None = None) -> bool:
        """The mirrored camera image, cropped to fill ``dest`` (never letterboxed).

        With ``clear`` (the rows between the screen's bands) and a face in the
        scene, the picture slides up or down until the head lies between them
        (booth/ui/placement.py), over the backdrop colour in the strip it uncovers.
        The frame already has the screen's shape (booth/camera/view.py), so there
        are no hidden rows to show instead.
        """
        self._placed = None
        frame = scene.frame
        if frame is None:
            surf.fill(theme.BG, dest)
            return False
        img = frame.image
        h, w = img.shape[:2]
        want = dest.width / dest.height
        if w / h > want:
            cw, ch = max(1, round(h * want)), h
        else:
            cw, ch = w, max(1, round(w / want))
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        scale = dest.height / ch  # screen pixels per image row
        needed = None
        if clear is not None and scene.face is not None:
            _, fy, _, fh = scene.face
            top = dest.top + (fy * h - y0) * scale
            # Only the part of the head the camera sees: a crown above the picture is not brought into
            # view by moving more backdrop in, the face below it is what the guest needs to see.
            top, bottom = max(top, dest.top), min(top + fh * h * scale, dest.bottom)
            if bottom > top:
                needed = needed_shift((top, bottom), clear, self.layout.face_room)
        shift = self._steady.update(needed, scene.now)
        key = (frame.index, dest.size, scene.mirror)
        if key != self._preview_key or self._preview is None:
            # OpenCV scales and mirrors in a few ms without holding the GIL (the
            # analysis thread keeps running); pygame's smoothscale would not.
            scaled = cv2.resize(img[y0:y0 + ch, x0:x0 + cw], dest.size, interpolation=cv2.INTER_LINEAR)
            if scene.mirror:
                scaled = cv2.flip(scaled, 1)
            surface = pygame.image.frombuffer(scaled.data, dest.size, "RGB")
            self._preview = (surface, (x0, y0, cw, ch, w, h))
            self._preview_pixels = scaled  # the surface borrows this memory
            self._preview_key = key
        placed = dest.move(0, shift)
        shown = placed.clip(dest)
        surf.blit(self._preview[0], shown.topleft, Rect(0, shown.top - placed.top, shown.width, shown.height))
        if shift > 0:  # the strip the move uncovered: backdrop, never the last frame's pixels
            surf.fill(theme.BG, Rect(dest.left, dest.top, dest.width, min(shift, dest.height)))
        elif shift < 0:
            surf.fill(theme.BG, Rect(dest.left, max(dest.top, dest.bottom + shift), dest.width,
                                     min(-shift, dest.height)))
        self._placed = placed
        d.preview, d.shift = Rect(placed), shift
        if scene.face is not None:
            d.face = self._image_to_screen(scene, scene.face)
        return True

    def _image_to_screen(self, scene: Scene, box: tuple[float, float, float, float]) -> Rect | None:
        """A normalised box in the camera image as a rect on screen (after crop, mirror and the move)."""
        if self._preview is None or self._placed is None:
            return None
        dest = self._placed
        x0, y0, cw, ch, w, h = self._preview[1]
        bx, by, bw, bh = box
        sx = (bx * w - x0) / cw * dest.width
        sy = (by * h - y0) / ch * dest.height
        sw = bw * w / cw * dest.width
        sh = bh * h / ch * dest.height
        if scene.mirror:
            sx = dest.width - sx - sw
        return Rect(round(dest.left + sx), round(dest.top + sy), round(sw), round(sh))

    # ------------------------------------------------------------ screens
    def _attract(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        top = L.top_band()
        hint = scene.words.start if st.can_start else ""
        fault = ""
        if not st.camera_ok:
            fault = f"{st.camera_message or CAMERA_RETRYING}\n{TELL_STAFF}"
        elif not st.disk_ok:
            fault = DISK_FULL
        # Out of order, the guest needs staff (the panel says so), not a posing tip.
        tip = "" if fault else TIPS[int((scene.now - st.since) // TIP_S) % len(TIPS)]
        privacy = (f"Photos are deleted after {days_text(scene.expiry_days)}. "
                   "Delete yours any time from its page.")
        items = [(hint, theme.BIG, True, theme.ACCENT), (tip, theme.BODY, False, theme.FG),
                 (privacy, theme.SMALL, False, theme.DIM)]
        # The band grows (up to 40 % of the screen) rather than cut a line short on a small panel.
        width = L.width - 2 * L.margin
        need = self.stack_height([(t, p, b) for t, p, b, _ in items if t], width) + L.margin
        h = min(max(L.bottom_band().height, need), round(L.height * 0.4))
        bottom = Rect(0, L.height - h, L.width, h)
        strip = Rect(0, top.bottom, L.width, L.px(theme.SMALL) * 2) if st.notice else top
        has_preview = st.camera_ok and self.preview(surf, scene, L.screen, d, L.clear_area(strip, bottom))
        if not has_preview:
            surf.fill(theme.BG)
        self._band(surf, top)
        self.text(surf, d, "Get your headshot", top.inflate(-2 * L.margin, -L.margin // 2), theme.TITLE, bold=True)
        if fault:  # on a solid panel: red on a live picture would not read
            box = _centre_box(L)
            panel = box.inflate(2 * L.margin, L.margin)
            pygame.draw.rect(surf, theme.BG, panel, border_radius=round(2 * L.unit))
            pygame.draw.rect(surf, theme.FAULT, panel, width=max(2, round(0.6 * L.unit)),
                             border_radius=round(2 * L.unit))
            self.text(surf, d, fault, box, theme.BIG, theme.FG, bold=True)
        self._band(surf, bottom)
        self.stack(surf, d, items, bottom.inflate(-2 * L.margin, -L.margin // 2))
        if st.notice:
            surf.fill(theme.FAULT, strip)
            self.text(surf, d, st.notice, strip.inflate(-L.margin, -4), theme.SMALL, theme.FG, bold=True)

    def _choose(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        area = L.inner()
        self.text(surf, d, "Choose your look", L.title_box(), theme.TITLE, bold=True)
        for i, (look, card) in enumerate(zip(LOOKS, L.look_cards())):
            on = i == st.selected
            pygame.draw.rect(surf, theme.ACCENT if on else theme.CARD, card, border_radius=round(2 * L.unit))
            fg = theme.ACCENT_TEXT if on else theme.FG
            title, desc = scene.look_info.get(look, DEFAULT_LOOK_INFO[look])
            inner = card.inflate(-round(3 * L.unit), -round(3 * L.unit))
            if L.portrait:
                glyph = Rect(inner.left, inner.top, inner.height, inner.height)
                gap = round(3 * L.unit)
                words = Rect(glyph.right + gap, inner.top, inner.right - glyph.right - gap, inner.height)
                t, s = _split(words, (0.5, 0.5))
            else:
                side = min(inner.width, round(inner.height * 0.45))
                glyph = Rect(inner.centerx - side // 2, inner.top, side, side)
                t, s = _split(Rect(inner.left, glyph.bottom, inner.width, inner.bottom - glyph.bottom), (0.4, 0.6))
            _face_glyph(surf, glyph.inflate(-glyph.width // 6, -glyph.height // 6), look, fg)
            self.text(surf, d, title, t, theme.BIG, fg, bold=True)
            self.text(surf, d, desc, s, theme.BODY, fg)
        hint = scene.words.choose_scanning if st.scanning else scene.words.choose
        self.text(surf, d, hint, Rect(area.left, area.bottom - round(10 * L.unit), area.width, round(10 * L.unit)),
                  theme.BODY, theme.DIM)
        self._back(surf, scene, d)

    def _breathe(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """The calm breathing circle; while the session asks for the face, the camera picture instead.

        The session already bridges a face missed for a moment (FACE_SEEN_S), so the two
        screens change only when the guest really left or came back, and then softly:
        the one giving way fades out over BREATHE_FADE_S (the record is the new one's).
        """
        asking = bool(scene.state.breathe_prompts)
        shown = self._breathe_fade(asking, scene.now)
        (self._breathe_asking if asking else self._breathe_calm)(surf, scene, d)
        if shown < 1.0:
            if self._under is None or self._under.get_size() != surf.get_size():
                self._under = pygame.Surface(surf.get_size())
            (self._breathe_calm if asking else self._breathe_asking)(self._under, scene, Drawn(d.screen))
            self._under.set_alpha(round(255 * (1.0 - shown)))
            surf.blit(self._under, (0, 0))

    def _breathe_fade(self, asking: bool, now: float) -> float:
        """How far (0..1) the breathing screen has changed to the one ``asking`` calls for."""
        last = self._asking
        if last is None or now < last[2] or now - last[2] > GAP_S:
            since = -math.inf  # a fresh screen: shown as it is
        elif asking != last[0]:
            # Back the other way before the fade ended: from where it stands, no jump.
            done = min(1.0, (last[2] - last[1]) / BREATHE_FADE_S)
            since = now - (1.0 - done) * BREATHE_FADE_S
        else:
            since = last[1]
        self._asking = (asking, since, now)
        return min(1.0, (now - since) / BREATHE_FADE_S)

    def _breathe_calm(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        surf.fill(theme.CALM)
        phase = st.breath(scene.now) % 1.0  # one breath per screen; it waits while the face is missing
        inhale = phase < 0.5
        ease = 0.5 - 0.5 * math.cos(2 * math.pi * phase)  # 0 -> 1 -> 0, smooth
        r_max = round(min(L.width, L.height) * 0.30)
        r = round(r_max * (0.45 + 0.55 * ease))
        centre = (L.width // 2, round(L.height * 0.45))
        pygame.draw.circle(surf, theme.CALM_GLOW, centre, r)
        pygame.draw.circle(surf, theme.FG, centre, r_max, width=max(2, round(0.5 * L.unit)))
        area = L.inner()
        self.text(surf, d, "Breathe in …" if inhale else "… and out", L.title_box(), theme.TITLE, bold=True)
        self.text(surf, d, "Relax your shoulders and let your face rest",
                  Rect(area.left, area.bottom - round(12 * L.unit), area.width, round(12 * L.unit)),
                  theme.BODY, theme.FG)
        self._back(surf, scene, d)

    def _breathe_asking(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """Nobody seen: the picture full-screen, so the guest sees where the camera looks and which way to move.

        Full-screen rather than an inset: at two metres a guest finds themselves in a
        picture the size of the screen, not in a stamp. The coach's own words for it, at
        the title size the breathing words have, on a dark band at the top as on the
        coach screen (where the breathing words were); the face is kept between the
        coach's bands, so the coach starts with the picture where it already is. Nothing
        else speaks: one thing to do now. The sides a face is not looked for in (a wide
        picture's 4:3 middle is, booth.vision.analysed_window) are shaded: a guest
        standing there sees themselves in the shade and steps towards the light.
        """
        L, st = self.layout, scene.state
        top = L.top_band()
        if not self.preview(surf, scene, L.screen, d, L.clear_area(top, L.bottom_band())):
            surf.fill(theme.BG)
        elif scene.looked_in is not None:
            window = self._image_to_screen(scene, scene.looked_in)
            if window is not None:
                below = Rect(0, top.bottom, L.width, L.height - top.bottom)
                for strip in (Rect(0, below.top, window.left, below.height),
                              Rect(window.right, below.top, L.width - window.right, below.height)):
                    strip = strip.clip(below)
                    if strip.width > 0:
                        self._band(surf, strip, SHADE_ALPHA)
        self._band(surf, top)
        # The whole band (not the title line) is its box: two lines on a narrow screen keep the full size.
        side = L.title_box().left
        box = Rect(side, top.top + L.margin // 3, L.width - 2 * side, top.height - 2 * (L.margin // 3))
        # (Fading out after the face came back, the session asks nothing: the words it had.)
        self.text(surf, d, st.breathe_prompts[0] if st.breathe_prompts else STEP_IN, box, theme.TITLE, bold=True)
        self._back(surf, scene, d)

    def _coach(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        top, bottom = L.top_band(), L.bottom_band()
        if not self.preview(surf, scene, L.screen, d, L.clear_area(top, bottom)):
            surf.fill(theme.BG)
        g = st.guidance
        ready = bool(g is not None and getattr(g, "ready", False))
        if scene.guide is not None:  # in picture coordinates: it moves with the picture
            crop = self._image_to_screen(scene, scene.guide.crop)
            head = self._image_to_screen(scene, scene.guide.head)
            if crop is not None and head is not None:
                width = max(3, round(0.7 * L.unit))
                _corners(surf, crop, theme.FG, max(2, width // 2))  # the photo's edges
                # Green only when the head really fills it: never a green oval around half a face.
                green = ready and scene.guide.fits
                pygame.draw.ellipse(surf, theme.READY if green else theme.ACCENT, head, width=width)
                d.guide, d.crop = head, crop
        self._band(surf, top)
        self._band(surf, bottom)
        line, hint = coach_lines(g, scene.auto_trigger, scene.words)
        clear = L.title_box(top=top.top).left
        prompt_box = Rect(clear, top.top + L.margin // 3, L.width - 2 * clear, top.height - 2 * (L.margin // 3))
        self.text(surf, d, line, prompt_box, theme.BIG, theme.READY if ready else theme.FG, bold=True)
        title = scene.look_info.get(st.look or "", ("", ""))[0]
        flow = scene.flow == "all"
        if flow and st.look in FLOW_ORDER and not st.retaking:
            title = f"{title} · {FLOW_ORDER.index(st.look) + 1} of {len(FLOW_ORDER)}"
        if flow and not scene.touch:  # touch: the back button says "Skip look" itself
            hint = f"{hint}\n{scene.words.skip_look}"
        meter = L.meter()
        label = Rect(bottom.left + L.margin, bottom.top + L.margin // 2, bottom.width - 2 * L.margin,
                     meter.top - bottom.top - L.margin)
        left, right = _split_h(label, (0.4, 0.6))
        self.text(surf, d, title, left, theme.BIG, theme.ACCENT, bold=True, align="left")
        self.text(surf, d, hint, right, theme.SMALL, theme.FG, align="right")
        readiness = float(getattr(g, "readiness", 0.0) or 0.0) if g is not None else 0.0
        self._meter(surf, d, meter, readiness, ready)
        self._back(surf, scene, d, scene.words.skip_look if flow and not st.retaking else "‹ Back")

    def _meter(self, surf: pygame.Surface, d: Drawn, track: Rect, value: float, ready: bool) -> None:
        value = min(1.0, max(0.0, value))
        radius = track.height // 2
        pygame.draw.rect(surf, theme.CARD, track, border_radius=radius)
        fill = Rect(track.left, track.top, round(track.width * value), track.height)
        if fill.width > 0:
            pygame.draw.rect(surf, theme.READY if ready else theme.ACCENT, fill, border_radius=radius)
        pygame.draw.rect(surf, theme.FG, track, width=max(2, track.height // 8), border_radius=radius)
        d.meter = (Rect(track), fill)

    def _countdown(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        # The coach's clear area, though only the bottom band is drawn: the picture stays where the coach put it.
        if not self.preview(surf, scene, L.screen, d, L.clear_area()):
            surf.fill(theme.BG)
        self._band(surf, L.screen, 110)
        n = max(1, math.ceil(st.remaining(scene.now) - 1e-6))
        size = round(min(L.width, L.height) * 0.6)
        box = Rect(0, 0, size, size)
        box.center = (L.width // 2, L.height // 2)
        pygame.draw.circle(surf, theme.ACCENT, box.center, size // 2, width=max(4, round(1.2 * L.unit)))
        self.text(surf, d, str(n), box, theme.HUGE, theme.FG, bold=True)
        bottom = L.bottom_band().inflate(-2 * L.margin, -L.margin)
        self.text(surf, d, LOOK_AT_LENS, bottom, theme.BIG, theme.FG, bold=True)

    def _capture(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        surf.fill(theme.FLASH)  # the flash, and a soft fill light on the face

    def _processing(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        t = scene.now - st.since
        centre = (L.width // 2, round(L.height * 0.42))
        radius = round(min(L.width, L.height) * 0.14)
        dots = 12
        head = (t * 1.5) % 1.0  # a turn every 2/3 s: visibly alive
        for i in range(dots):
            a = 2 * math.pi * i / dots - math.pi / 2
            age = (head * dots - i) % dots / dots
            shade = round(255 * (1.0 - 0.8 * age))
            pos = (round(centre[0] + radius * math.cos(a)), round(centre[1] + radius * math.sin(a)))
            pygame.draw.circle(surf, (shade, round(shade * 0.76), 0), pos, max(3, round(1.6 * L.unit)))
        area = L.inner()
        y = centre[1] + radius + round(6 * L.unit)
        self.text(surf, d, "Developing your photo …", Rect(area.left, y, area.width, round(12 * L.unit)),
                  theme.TITLE, bold=True)
        line = PROCESSING_LINES[int(t // 1.5) % len(PROCESSING_LINES)]
        self.text(surf, d, line, Rect(area.left, y + round(13 * L.unit), area.width, round(9 * L.unit)),
                  theme.BODY, theme.DIM)

    def _photo_surface(self, image: np.ndarray, box: Rect) -> pygame.Surface:
        key = (id(image), box.size)
        s = self._photo_cache.get(key)
        if s is None:
            h, w = image.shape[:2]
            scale = min(box.width / w, box.height / h)
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            raw = pygame.image.frombuffer(np.ascontiguousarray(image).tobytes(), (w, h), "RGB")
            s = pygame.transform.smoothscale(raw, size)
            if len(self._photo_cache) > 12:
                self._photo_cache.clear()
            self._photo_cache[key] = s
        return s

    def _review(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        box = L.review_photo()
        previews = getattr(st.photo, "previews", None) or {}
        image = previews.get(st.retouch)
        if image is not None:
            s = self._photo_surface(image, box)
            r = s.get_rect(center=box.center)
            surf.blit(s, r)
            d.photo = r
        self.text(surf, d, "Keep this one?", L.review_title(), theme.TITLE, bold=True, align="left")
        for level, pill in zip(RETOUCH_LEVELS, L.retouch_pills()):
            self._button(surf, d, pill, RETOUCH_NAMES[level], filled=level == st.retouch,
                         colour=theme.ACCENT if level == st.retouch else theme.DIM, pct=theme.SMALL)
        keep = L.keep_button()
        if st.publishing:
            self._button(surf, d, keep, "Saving …", filled=False)
        else:
            self._button(surf, d, keep, scene.words.keep, filled=True)
        retake = L.retake_button()
        if scene.retakes_left > 0 and st.can_start:
            self._button(surf, d, retake, scene.words.retake.format(n=scene.retakes_left), filled=False,
                         colour=theme.FG, pct=theme.SMALL)
        else:
            self.text(surf, d, "No retakes left", retake, theme.SMALL, theme.DIM)
        if not st.publishing:
            secs = math.ceil(st.remaining(scene.now))
            panel = L.review_panel()
            self.text(surf, d, f"Deleted in {secs} s unless you keep it",
                      Rect(panel.left, retake.bottom + L.margin // 2, panel.width,
                           max(L.px(theme.SMALL) * 2, panel.bottom - retake.bottom - L.margin // 2)),
                      theme.SMALL, theme.DIM)

    def _handover(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """Between two looks: praise, the next look in one line, and the time running out on a thin bar."""
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        area = L.inner()
        look = st.look or FLOW_ORDER[0]
        side = round(min(area.width, area.height) * 0.3)
        glyph = Rect(L.width // 2 - side // 2, area.top + round(area.height * 0.04), side, side)
        _face_glyph(surf, glyph, look, theme.ACCENT)
        line = Rect(area.left, glyph.bottom + L.margin // 2, area.width, round(area.height * 0.36))
        self.text(surf, d, HANDOVER_LINES.get(look, HANDOVER_LINES[FLOW_ORDER[-1]]), line, theme.TITLE, bold=True)
        taken = f"{len(st.shots)} of {len(FLOW_ORDER)} photos taken" if st.shots else ""
        below = Rect(area.left, line.bottom, area.width, area.bottom - line.bottom)
        rows = _split(below, (0.3, 0.45, 0.25))
        self.text(surf, d, taken, rows[0], theme.BODY, theme.DIM)
        self.text(surf, d, scene.words.handover_next, rows[1], theme.BODY, theme.ACCENT, bold=True)
        total = st.deadline - st.since if st.deadline is not None else 0.0
        left = st.remaining(scene.now) / total if total > 0 else 0.0
        bar = Rect(area.left + area.width // 4, rows[2].centery, area.width // 2, max(4, round(L.unit)))
        pygame.draw.rect(surf, theme.CARD, bar)
        pygame.draw.rect(surf, theme.ACCENT, Rect(bar.left, bar.top, round(bar.width * left), bar.height))
        self._back(surf, scene, d, FINISH if st.shots else "‹ Back")

    def _pick(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """The shots side by side, each as big as a third of the screen allows (judged at arm's length),
        kept ones bright, the lit one (what a long press retakes) framed in the accent colour."""
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        self.text(surf, d, PICK_TITLE, L.pick_title(), theme.TITLE, bold=True)
        cards = L.pick_cards(len(st.shots))
        can_retake = scene.retakes_left > 0 and st.can_start and not st.publishing
        for i, (shot, card) in enumerate(zip(st.shots, cards)):
            kept = st.keeps[i] if i < len(st.keeps) else True
            box = shown = L.pick_photo(card)
            previews = getattr(shot.photo, "previews", None) or {}
            image = previews.get(st.retouch)
            if image is None and previews:
                image = next(iter(previews.values()))  # the chosen level is still being made
            if image is not None:
                ps = self._photo_surface(image, box)
                shown = ps.get_rect(center=box.center)
                surf.blit(ps, shown)
                if not kept:
                    self._band(surf, shown, 170)
                d.pick_photos.append(shown)
            lit = i == st.selected and not scene.touch
            if lit:
                pygame.draw.rect(surf, theme.ACCENT, shown.inflate(round(1.6 * L.unit), round(1.6 * L.unit)),
                                 width=max(3, round(0.8 * L.unit)), border_radius=round(L.unit))
            label = L.pick_label(card)
            title = scene.look_info.get(shot.look, DEFAULT_LOOK_INFO.get(shot.look, ("", "")))[0]
            if scene.touch and can_retake:
                name = Rect(label.left, label.top, label.width - L.pick_retake(card).width, label.height)
                self._button(surf, d, L.pick_retake(card), RETAKE, filled=False, colour=theme.FG, pct=theme.SMALL)
            else:
                name = label
            self.text(surf, d, f"{title}: {KEPT if kept else NOT_KEPT}", name, theme.BODY,
                      theme.READY if kept else theme.DIM, bold=kept)
        for level, pill in zip(RETOUCH_LEVELS, L.pick_pills()):
            self._button(surf, d, pill, RETOUCH_NAMES[level], filled=level == st.retouch,
                         colour=theme.ACCENT if level == st.retouch else theme.DIM, pct=theme.SMALL)
        n = sum(st.keeps)
        if st.publishing:
            self._button(surf, d, L.pick_keep(), "Saving …", filled=False)
        elif n == 0:
            self._button(surf, d, L.pick_keep(), KEEP_ONE, filled=False, colour=theme.FAULT if st.refused else theme.DIM,
                         pct=theme.SMALL)
        else:
            label = scene.words.keep_all if n == len(st.shots) else scene.words.keep_some.format(n=n)
            self._button(surf, d, L.pick_keep(), label, filled=True)
        if not st.publishing:
            how = scene.words.pick_how.format(n=scene.retakes_left) if can_retake or scene.touch else ""
            secs = math.ceil(st.remaining(scene.now))
            self.text(surf, d, " · ".join(t for t in (how, f"Deleted in {secs} s unless you keep them") if t),
                      L.pick_hint(), theme.SMALL, theme.DIM)

    def _qr(self, surf: pygame.Surface, d: Drawn, text: str, box: Rect) -> None:
        """The QR code at a whole number of pixels per module: scaled, never smoothed."""
        key = (text, box.width)
        s = self._qr_cache.get(key)
        if s is None:  # made once per code: building a QR is far too slow for every frame
            img = qr.qr_fitted(text, box.width)
            s = pygame.image.frombuffer(img.tobytes(), (img.shape[1], img.shape[0]), "RGB").copy()
            if len(self._qr_cache) >= 4:  # one session's codes at a time (with [cloud]: up to three)
                self._qr_cache.clear()
            self._qr_cache[key] = s
        pygame.draw.rect(surf, (255, 255, 255), box)  # the white square behind the quiet zone
        r = s.get_rect(center=box.center)
        surf.blit(s, r)
        d.qr = d.qr or (r, text)
        d.qrs.append((r, text))

    def _small_qr(self, surf: pygame.Surface, d: Drawn, text: str, row: Rect) -> None:
        """A second QR code, centred in a row of the text column, as big as the row allows."""
        side = min(row.width, row.height)
        self._qr(surf, d, text, Rect(row.centerx - side // 2, row.centery - side // 2, side, side))

    def _share_cloud(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """[cloud] set: the main QR (drawn already) is the cloud page, for mobile data; then the way with no signal."""
        L, st = self.layout, scene.state
        area, done = L.share_text(), L.done_button()
        box = Rect(area.left, area.top, area.width, done.top - area.top - L.margin)
        kept = f"Kept for {days_text(scene.expiry_days)}. Delete it any time from the page."
        if scene.wifi_payload:  # the booth's Wi-Fi and its own download QR are the next screen
            rows = _split(box, (0.38, 0.2, 0.24, 0.18))
            self.text(surf, d, "Scan to download", rows[0], theme.TITLE, bold=True)
            self.text(surf, d, "Works on mobile data", rows[1], theme.BODY, theme.FG)
            self.text(surf, d, scene.words.no_signal, rows[2], theme.BODY, theme.ACCENT, bold=True)
            self.text(surf, d, kept, rows[3], theme.SMALL, theme.DIM)
            self._button(surf, d, done, "No signal?", filled=False, colour=theme.DIM, pct=theme.BODY)
            return
        rows = _split(box, (0.2, 0.14, 0.42, 0.12, 0.12))
        self.text(surf, d, "Scan to download", rows[0], theme.TITLE, bold=True)
        self.text(surf, d, "No signal? On the booth's Wi-Fi, scan this:", rows[1], theme.BODY, theme.FG)
        if st.token:
            local = photo_url(scene.local_base, st.token)
            self._small_qr(surf, d, local, rows[2])
            self.text(surf, d, f"or type {typeable_url(local)}", rows[3], theme.BODY, theme.FG, one_line=True)
        self.text(surf, d, kept, rows[4], theme.SMALL, theme.DIM)
        self._button(surf, d, done, "Done", filled=False, colour=theme.DIM, pct=theme.BODY)

    def _share(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L, st = self.layout, scene.state
        surf.fill(theme.BG)
        if st.url:
            self._qr(surf, d, st.url, L.qr_box())
        if scene.local_base:
            return self._share_cloud(surf, scene, d)
        area = L.share_text()
        done = L.done_button()
        step = "2. Download" if scene.wifi_payload else ""
        rows = _split(Rect(area.left, area.top, area.width, done.top - area.top - L.margin),
                      (0.14, 0.28, 0.2, 0.38) if step else (0.0, 0.38, 0.22, 0.4))
        if step:
            self.text(surf, d, step, rows[0], theme.BODY, theme.ACCENT, bold=True)
        self.text(surf, d, "Scan to download", rows[1], theme.TITLE, bold=True)
        if st.url:
            self.text(surf, d, f"or type {typeable_url(st.url)}", rows[2], theme.BODY, theme.FG, one_line=True)
        self.text(surf, d, f"Kept for {days_text(scene.expiry_days)}. Delete it any time from the page.",
                  rows[3], theme.SMALL, theme.DIM)
        self._button(surf, d, done, "Done", filled=False, colour=theme.DIM, pct=theme.BODY)

    def _share_wifi(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        L = self.layout
        surf.fill(theme.BG)
        if scene.wifi_payload:
            self._qr(surf, d, scene.wifi_payload, L.qr_box())
        area = L.share_text()
        token = scene.state.token
        if scene.local_base and token:  # [cloud]: the cloud QR came first; here the way with no signal
            rows = _split(area, (0.2, 0.12, 0.4, 0.14, 0.14))
            self.text(surf, d, "1. Join the booth's Wi-Fi", rows[0], theme.TITLE, bold=True)
            self.text(surf, d, f"Network: {scene.wifi_ssid}", rows[1], theme.BODY, theme.FG)
            local = photo_url(scene.local_base, token)
            self._small_qr(surf, d, local, rows[2])
            self.text(surf, d, "2. Then scan this to download", rows[3], theme.BODY, theme.ACCENT, bold=True)
            self.text(surf, d, f"or type {typeable_url(local)}", rows[4], theme.SMALL, theme.FG, one_line=True)
            return
        rows = _split(area, (0.3, 0.2, 0.2, 0.3))
        self.text(surf, d, "1. Join the booth's Wi-Fi", rows[0], theme.TITLE, bold=True)
        self.text(surf, d, f"Network: {scene.wifi_ssid}", rows[1], theme.BODY, theme.FG)
        self.text(surf, d, "Scan with your phone's camera", rows[2], theme.SMALL, theme.DIM)
        self.text(surf, d, scene.words.wifi_next, rows[3], theme.BODY, theme.ACCENT, bold=True)

    def _goodbye(self, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        surf.fill(theme.BG)
        self.text(surf, d, scene.state.message or THANKS, _centre_box(self.layout),
                  theme.TITLE, theme.FG, bold=True)


# ---------------------------------------------------------------- helpers


def _break_word(word: str, font: pygame.font.Font, width: int) -> list[str]:
    """A word too wide for the line (a URL on a small screen) in pieces that fit."""
    if font.size(word)[0] <= width:
        return [word]
    pieces, piece = [], ""
    for ch in word:
        if piece and font.size(piece + ch)[0] > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return pieces + [piece]


def _corners(surf: pygame.Surface, rect: Rect, colour: tuple[int, int, int], width: int) -> None:
    """The four corners of a frame, like a camera's viewfinder: the photo's edges without boxing the face in."""
    arm = max(8, min(rect.width, rect.height) // 6)
    for (x, y), (dx, dy) in (((rect.left, rect.top), (1, 1)), ((rect.right - 1, rect.top), (-1, 1)),
                             ((rect.left, rect.bottom - 1), (1, -1)), ((rect.right - 1, rect.bottom - 1), (-1, -1))):
        if not surf.get_rect().collidepoint(x, y):
            continue  # a corner off the screen: no stray arm pointing in from the edge
        pygame.draw.line(surf, colour, (x, y), (x + dx * arm, y), width)
        pygame.draw.line(surf, colour, (x, y), (x, y + dy * arm), width)


def _centre_box(L: Layout) -> Rect:
    area = L.inner()
    return Rect(area.left + L.margin, area.top + area.height // 4, area.width - 2 * L.margin, area.height // 2)


def _split(box: Rect, fractions: tuple[float, ...]) -> list[Rect]:
    """Rows of ``box`` whose heights are the given fractions."""
    total = sum(fractions) or 1.0
    rows, y = [], box.top
    for f in fractions:
        h = round(box.height * f / total)
        rows.append(Rect(box.left, y, box.width, h))
        y += h
    return rows


def _split_h(box: Rect, fractions: tuple[float, ...]) -> list[Rect]:
    total = sum(fractions) or 1.0
    cols, x = [], box.left
    for f in fractions:
        w = round(box.width * f / total)
        cols.append(Rect(x, box.top, w, box.height))
        x += w
    return cols


def _face_glyph(surf: pygame.Surface, box: Rect, look: str, colour: tuple[int, int, int]) -> None:
    """A simple line face for each look: the smile, the steady gaze, the look aside."""
    side = min(box.width, box.height)
    r = side // 2
    c = box.center
    w = max(2, side // 22)
    pygame.draw.circle(surf, colour, c, r, width=w)
    eye_dx, eye_y, er = r // 3, c[1] - r // 5, max(2, side // 18)
    shift = -r // 6 if look == "contemplative" else 0
    for sx in (-eye_dx, eye_dx):
        pygame.draw.circle(surf, colour, (c[0] + sx + shift, eye_y), er)
    mouth = Rect(0, 0, r, r // 2)
    mouth.center = (c[0], c[1] + r // 3)
    if look == "smile":
        pygame.draw.arc(surf, colour, mouth.move(0, -r // 6), math.pi * 1.1, math.pi * 1.9, w)
    elif look == "serious":
        pygame.draw.line(surf, colour, (mouth.left + r // 8, mouth.centery), (mouth.right - r // 8, mouth.centery), w)
    else:
        pygame.draw.line(surf, colour, (mouth.left + r // 4, mouth.centery + r // 20),
                         (mouth.right - r // 6, mouth.centery - r // 20), w)
