"""The drawing primitives every screen shares: fitted text, bands, buttons, QR codes, photos.

One :class:`Painter` per renderer holds the caches (rendered text, wrapped
lines, QR codes, scaled photos) so a screen module stays a plain description
of its layout. Every text goes through :meth:`Painter.text`, which records
where it went and whether it fitted (:class:`~booth.ui.screens.scene.TextFit`).

The words are the guest's: a screen asks ``p.tr`` (this frame's :class:`Voice`)
for each English msgid as it draws it, and the painter draws it in the font of
the guest's language (Noto Sans CJK for Japanese, Chinese, Korean).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from functools import lru_cache

import budoux

import numpy as np
import pygame
from pygame import Rect

from booth import qr
from booth.event import Event, Logo
from booth.i18n import ENGLISH, Plural, Translator, translator
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens.picture import LivePicture
from booth.ui.words import BACK
from booth.ui.screens.scene import Drawn, Scene, TextFit

log = logging.getLogger(__name__)

Colour = tuple[int, int, int]


class Voice:
    """The guest's language for one frame: each message translated, and noted in the frame's record
    (``Drawn.asked``), so a test can tell a message the catalogue lacks from one it has."""

    def __init__(self, tr: Translator, asked: list[str | Plural]) -> None:
        self.translator, self.asked = tr, asked

    @property
    def code(self) -> str:
        return self.translator.code

    def __call__(self, message: str, **fields: object) -> str:
        if message:
            self.asked.append(message)
        return self.translator(message, **fields)

    def n(self, message: str | Plural, n: int, **fields: object) -> str:
        self.asked.append(message)
        return self.translator.n(message, n, **fields)


# Languages written without spaces between words: a line may break inside a space-separated run.
UNSPACED = frozenset({"ja", "zh"})


class Painter:
    def __init__(self, layout: Layout, fonts: Fonts) -> None:
        self.layout = layout
        self.fonts = fonts
        self.picture = LivePicture(layout)
        self._text_cache: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._wrap_cache: dict[tuple[str, int, bool, int, str], list[str]] = {}
        self._qr_cache: dict[tuple[str, int], pygame.Surface] = {}  # (text, box width)
        self._photo_cache: dict[tuple[int, tuple[int, int]], pygame.Surface] = {}
        self._overlay: dict[tuple[int, int], pygame.Surface] = {}
        self._logo_cache: dict[tuple[int, tuple[int, int]], tuple[pygame.Surface, bool]] = {}
        self._event: Event | None = None
        self.tr = Voice(ENGLISH, [])  # this frame's words (begin)
        self._missing: set[str] = set()
        # The accent role's colours: amber, or the event's ([event] accent_colour) made readable.
        self.accent, self.accent_text = theme.ACCENT, theme.ACCENT_TEXT

    def begin(self, scene: Scene, d: Drawn) -> None:
        """A new frame: the guest's language (the session's) for its words and its fonts."""
        code = scene.state.language
        try:
            tr = translator(code, scene.locale_dir)
        except LookupError as exc:  # [display] languages is checked at start: only a broken install gets here
            if code not in self._missing:
                self._missing.add(code)
                log.error("no words for %s (%s): drawing English", code, exc)
            tr = ENGLISH
        self.tr = Voice(tr, d.asked)
        self.use_event(scene.event)

    @property
    def language(self) -> str:
        return self.tr.code

    def use_event(self, event: Event | None) -> None:
        """The event whose accent colour the screens use (theme.ACCENT names the role, this the colour)."""
        if event is not self._event:
            self._event = event
            self.accent, self.accent_text = theme.accent_colours(event.accent if event else None)

    # ------------------------------------------------------------ text
    def font(self, px: int, bold: bool, language: str | None = None) -> pygame.font.Font:
        """The font for text in ``language`` (the guest's when None)."""
        return self.fonts.get(px, bold, language or self.language)

    def _render(self, text: str, px: int, colour: Colour, bold: bool, language: str) -> pygame.Surface:
        key = (text, px, colour, bold, language)
        s = self._text_cache.get(key)
        if s is None:
            s = self.font(px, bold, language).render(text, True, colour)
            self._text_cache[key] = s
            if len(self._text_cache) > 400:
                self._text_cache.popitem(last=False)
        else:
            self._text_cache.move_to_end(key)
        return s

    def _wrap(self, text: str, px: int, bold: bool, width: int, language: str, dense: bool = False) -> list[str]:
        key = (text, px, bold, width, language, dense)
        lines = self._wrap_cache.get(key)
        if lines is None:
            lines = self._wrap_cache[key] = self._wrap_uncached(text, px, bold, width, language, dense)
            if len(self._wrap_cache) > 1000:
                self._wrap_cache.clear()
        return lines

    def _wrap_uncached(self, text: str, px: int, bold: bool, width: int, language: str,
                       dense: bool = False) -> list[str]:
        """``dense``: Japanese and Chinese cut between any characters kinsoku allows, not only
        between phrases (for a box too small for phrase breaks even at the minimum size)."""
        font = self.font(px, bold, language)
        lines: list[str] = []
        for para in text.split("\n"):
            if language in UNSPACED:
                tokens = ([(" " if i else "", run) for i, run in enumerate(_words(para))] if dense
                          else _phrases(para, language))
                lines += _fill(tokens, font, width)
                continue
            words, line = [], ""
            for w in _words(para):
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

    def lines(self, text: str, px: int, bold: bool, width: int,
              language: str | None = None, dense: bool = False) -> tuple[list[str], int]:
        """``text`` wrapped to ``width`` at ``px``, and the height of one line."""
        language = language or self.language
        return self._wrap(text, px, bold, width, language, dense), self.font(px, bold, language).get_linesize()

    def height(self, lines: list[str], px: int, bold: bool, language: str | None = None) -> int:
        """How tall ``lines`` stand: a line step each, and the last line as tall as its glyphs reach
        (an accent above a capital, a hook below, as in "Ŕ" or "ļ", reaches past the font's line step)."""
        font = self.font(px, bold, language)
        step = font.get_linesize()
        tallest = max((font.size(line)[1] for line in lines if line), default=step)
        return step * (len(lines) - 1) + max(step, tallest)

    def text(self, surf: pygame.Surface, d: Drawn, text: str, box: Rect, pct: float,
             colour: Colour = theme.FG, bold: bool = False,
             align: str = "center", valign: str = "center", one_line: bool = False,
             verbatim: bool = False, language: str | None = None) -> Rect:
        """Draw ``text`` wrapped to fit ``box`` at the largest size up to ``pct``; record it.

        ``one_line`` shrinks the text to keep it on one line (a URL) before wrapping it.
        ``verbatim``: words drawn as they are in every language (a Wi-Fi name, the event's
        name, a language's own name, a staff notice), not a message; ``language``: the
        script's font for them when it is not the guest's (each language's own name).
        """
        if not text:
            return Rect(box.left, box.top, 0, 0)
        if colour == theme.ACCENT:
            colour = self.accent
        language = language or self.language
        px = self.layout.px(pct)
        while one_line and px > theme.MIN_PX and self.font(px, bold, language).size(text)[0] > box.width:
            px = max(theme.MIN_PX, int(px * 0.92))
        # A word is shrunk before it is cut across lines (a narrow button's "Retake", a long look name);
        # only where words are space-separated, and not a name or an address drawn as it is.
        while (not verbatim and language not in UNSPACED and px > theme.MIN_PX
               and self._widest(text, px, bold, language) > box.width):
            px = max(theme.MIN_PX, int(px * 0.92))
        while True:
            lines, line_h = self.lines(text, px, bold, box.width, language)
            total = self.height(lines, px, bold, language)
            if total <= box.height or px <= theme.MIN_PX:
                break
            px = max(theme.MIN_PX, int(px * 0.9))
        if total > box.height and language in UNSPACED:  # fitting comes before breaking at phrases
            lines, line_h = self.lines(text, px, bold, box.width, language, dense=True)
            total = self.height(lines, px, bold, language)
        # Japanese and Chinese: one shrink step rather than a last line of one or two characters.
        smaller = max(theme.MIN_PX, int(px * 0.9))
        if language in UNSPACED and len(lines) > 1 and len(lines[-1].replace(" ", "")) <= 2 and smaller < px:
            fewer, _ = self.lines(text, smaller, bold, box.width, language)
            if ((len(fewer) == 1 or len(fewer[-1].replace(" ", "")) > 2)
                    and self.height(fewer, smaller, bold, language) <= box.height):
                px = smaller
                lines, line_h = self.lines(text, px, bold, box.width, language)
                total = self.height(lines, px, bold, language)
        y = {"top": box.top, "bottom": box.bottom - total}.get(valign, box.centery - total // 2)
        bounds: Rect | None = None
        for line in lines:
            s = self._render(line, px, colour, bold, language)
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
        broken = self._widest(text, px, bold, language) > box.width
        d.fits.append(TextFit(text, Rect(box), Rect(bounds), px, len(lines),
                              fits=box.contains(bounds) and px >= theme.MIN_PX, verbatim=verbatim,
                              language=language, broken=broken, rows=tuple(lines)))
        return bounds

    def _widest(self, text: str, px: int, bold: bool, language: str) -> int:
        """The width of the widest space-separated word of ``text``."""
        font = self.font(px, bold, language)
        return max((font.size(w)[0] for w in _words(text)), default=0)

    def stack_height(self, items: list[tuple[str, float, bool]], width: int, scale: float = 1.0) -> int:
        """Height of texts stacked one under another, each wrapped to ``width``."""
        total = 0
        for text, pct, bold in items:
            px = max(theme.MIN_PX, int(self.layout.px(pct) * scale))
            total += self.height(self.lines(text, px, bold, width)[0], px, bold)
        return total

    def stack(self, surf: pygame.Surface, d: Drawn, items: list[tuple[str, float, bool, Colour]], box: Rect,
              verbatim: frozenset[str] = frozenset()) -> None:
        """Texts one under another in ``box``, all shrunk alike until they fit, spread evenly
        (those in ``verbatim`` are not messages: see :meth:`text`)."""
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
            h = self.height(self.lines(text, px, bold, box.width)[0], px, bold)
            self.text(surf, d, text, Rect(box.left, y, box.width, h), px / self.layout.unit, colour, bold,
                      verbatim=text in verbatim)
            y += h + gap

    # ------------------------------------------------------------ panels and buttons
    def band(self, surf: pygame.Surface, rect: Rect, alpha: int = theme.PANEL_ALPHA) -> None:
        """A translucent black panel over ``rect`` (the live picture stays visible through it)."""
        key = (rect.width, rect.height, alpha)
        over = self._overlay.get(key[:2])
        if over is None or over.get_alpha() != alpha:
            over = pygame.Surface(rect.size)
            over.fill((0, 0, 0))
            over.set_alpha(alpha)
            self._overlay[key[:2]] = over
        surf.blit(over, rect.topleft)

    def button(self, surf: pygame.Surface, d: Drawn, rect: Rect, label: str, *, filled: bool,
               colour: Colour = theme.ACCENT, pct: float = theme.BODY) -> None:
        radius = min(rect.height, rect.width) // 3
        if colour == theme.ACCENT:
            colour = self.accent
        if filled:
            pygame.draw.rect(surf, colour, rect, border_radius=radius)
            fg = self.accent_text
        else:
            pygame.draw.rect(surf, colour, rect, width=max(2, rect.height // 14), border_radius=radius)
            fg = colour
        # Keep the label clear of the rounded ends, which are as round as the short side allows: a tall,
        # narrow button (portrait's Retake beside a card) must not lose half its height off its width.
        pad = min(rect.height // 2, rect.width // 5)
        self.text(surf, d, label, rect.inflate(-pad, -rect.height // 5), pct, fg, bold=True)

    def back(self, surf: pygame.Surface, scene: Scene, d: Drawn, label: str = BACK) -> None:
        """The way back, on a touch screen only (buttons and keys have their own); ``label`` a msgid."""
        if scene.touch:
            self.button(surf, d, self.layout.back_button(), self.tr(label), filled=False, colour=theme.DIM,
                        pct=theme.SMALL)

    # ------------------------------------------------------------ the event
    def logo(self, surf: pygame.Surface, d: Drawn, logo: Logo, box: Rect, align: str = "center") -> Rect:
        """The event's logo fitted in ``box``; a dark logo on a light plate, or it would vanish on BG."""
        pad = max(2, round(0.8 * self.layout.unit))
        inner = box.inflate(-2 * pad, -2 * pad)
        key = (id(logo), inner.size)
        cached = self._logo_cache.get(key)
        if cached is None:
            pixels = logo.rgba(inner.size)
            s = logo.surface(inner.size)
            if pygame.display.get_surface() is not None:
                s = s.convert_alpha()
            seen = pixels[..., 3] > 0
            colours = [tuple(int(c) for c in pixels[seen][:, :3].mean(axis=0))] if seen.any() else []
            dark = bool(colours) and theme.contrast(colours[0], theme.BG) < 3.0  # WCAG's minimum for graphics
            if len(self._logo_cache) > 8:
                self._logo_cache.clear()
            cached = self._logo_cache[key] = (s, dark)
        s, dark = cached
        r = s.get_rect(centery=box.centery)
        r.centerx = box.centerx
        if align == "left":
            r.left = box.left + pad
        if dark:
            pygame.draw.rect(surf, theme.FG, r.inflate(2 * pad, 2 * pad), border_radius=pad)
        surf.blit(s, r)
        d.logo = r.inflate(2 * pad, 2 * pad) if dark else r
        return d.logo

    def event_header(self, surf: pygame.Surface, d: Drawn, event: Event, box: Rect,
                     lines: list[tuple[str, float, bool, Colour]]) -> None:
        """The logo at the left of ``box`` and the lines (the event's name, its welcome) beside it.

        Without a logo the lines take the whole box; without lines the logo is centred. The
        event's name and welcome are the organiser's own words: drawn as written, in every language.
        """
        lines = [line for line in lines if line[0]]
        own = frozenset(t for t in (event.name, event.welcome) if t)
        if event.logo is None:
            self.stack(surf, d, lines, box, verbatim=own)
            return
        if not lines:
            self.logo(surf, d, event.logo, box)
            return
        gap = round(2 * self.layout.unit)
        width = min(round(box.height * event.logo.aspect), round(box.width * 0.35))
        drawn = self.logo(surf, d, event.logo, Rect(box.left, box.top, width, box.height), align="left")
        rest = Rect(drawn.right + gap, box.top, box.right - drawn.right - gap, box.height)
        self.stack(surf, d, lines, rest, verbatim=own)

    # ------------------------------------------------------------ QR codes and photos
    def qr(self, surf: pygame.Surface, d: Drawn, text: str, box: Rect) -> None:
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

    def small_qr(self, surf: pygame.Surface, d: Drawn, text: str, row: Rect) -> None:
        """A second QR code, centred in a row of the text column, as big as the row allows."""
        side = min(row.width, row.height)
        self.qr(surf, d, text, Rect(row.centerx - side // 2, row.centery - side // 2, side, side))

    def photo_surface(self, image: np.ndarray, box: Rect) -> pygame.Surface:
        """The photo scaled to fit ``box`` (cached: the same preview is shown every frame)."""
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


# Kinsoku shori (JIS X 4051): what never starts a line (closing punctuation, the prolonged sound
# mark, small kana, iteration marks) and what never ends one (opening brackets).
NO_START = frozenset("、。，．：；？！）」』】〕〉》〙〗｝］ー・ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ〜…‥"
                     ",.:;?!)]}%")
NO_END = frozenset("（「『【〔〈《〘〖｛［([{")


@lru_cache(maxsize=2)
def _parser(language: str) -> budoux.Parser:
    """BudouX's phrase model for Japanese or Simplified Chinese (loaded once: it reads a JSON model)."""
    if language == "zh":
        return budoux.load_default_simplified_chinese_parser()
    return budoux.load_default_japanese_parser()


# Where a line may break: any white space but the no-break ones, which a translation uses to keep
# a word with what follows (French "photo\u00a0!", Polish "w\u00a0domu"); str.split() breaks at
# those too.
_BREAKS = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def _words(text: str) -> list[str]:
    """``text``'s words, split only where a line may break."""
    return [w for w in _BREAKS.split(text) if w]


def _phrases(para: str, language: str) -> list[tuple[str, str]]:
    """A Japanese or Chinese paragraph as (separator, phrase): BudouX's phrases, run together inside a
    space-separated run and a space between runs (a Latin word, "クール · 残す")."""
    out: list[tuple[str, str]] = []
    for run in _words(para):
        for i, phrase in enumerate(_parser(language).parse(run) or [run]):
            out.append(("" if i or not out else " ", phrase))
    return out


def _fill(tokens: list[tuple[str, str]], font: pygame.font.Font, width: int) -> list[str]:
    """Phrases filled into lines no wider than ``width``; a phrase wider than a line is cut between
    characters where kinsoku allows; then no line starts with what must not start one."""
    lines: list[str] = []
    line = ""
    for sep, tok in tokens:
        trial = line + sep + tok if line else tok
        if font.size(trial)[0] <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        pieces = _break_word(tok, font, width)
        lines += pieces[:-1]
        line = pieces[-1]
    lines.append(line)
    # Fallback (a phrase beginning with, say, a prolonged sound mark): the previous line's last
    # character goes down with it (oidashi), as long as that leaves something on the previous line.
    for i in range(1, len(lines)):
        while lines[i][:1] in NO_START and len(lines[i - 1].rstrip()) > 1:
            lines[i - 1], lines[i] = lines[i - 1].rstrip()[:-1], lines[i - 1].rstrip()[-1] + lines[i]
    return lines


def _break_word(word: str, font: pygame.font.Font, width: int) -> list[str]:
    """A word too wide for the line (a URL on a small screen) in pieces that fit."""
    if font.size(word)[0] <= width:
        return [word]
    pieces, piece = [], ""
    for ch in word:
        if piece and font.size(piece + ch)[0] > width:
            # Cut at the last place kinsoku allows (not before 。 or ー, not after 「), if any.
            cut = next((k for k in range(len(piece), 0, -1)
                        if (piece + ch)[k] not in NO_START and piece[k - 1] not in NO_END), len(piece))
            pieces.append(piece[:cut])
            piece = piece[cut:]
        piece += ch
    return pieces + [piece]
