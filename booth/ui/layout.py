"""Where things go on a screen of any size and orientation, and what a tap hits.

Pure geometry on :class:`pygame.Rect` (no display needed), so tests can check
the layout model directly. Everything scales with ``unit`` (1 % of the short
side); portrait stacks what landscape puts side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from pygame import Rect

from booth.session import LIVE_PHASES, LOOKS, RETOUCH_LEVELS, Action, Input, Phase, State
from booth.ui import theme


@dataclass(frozen=True)
class Layout:
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    @property
    def unit(self) -> float:
        return min(self.width, self.height) / 100.0

    def px(self, pct: float) -> int:
        """A type size or gap in pixels from a % of the short side."""
        return max(theme.MIN_PX, round(pct * self.unit))

    @property
    def margin(self) -> int:
        return round(4 * self.unit)

    @property
    def screen(self) -> Rect:
        return Rect(0, 0, self.width, self.height)

    def inner(self) -> Rect:
        return self.screen.inflate(-2 * self.margin, -2 * self.margin)

    # ---- bands over the live preview
    def top_band(self) -> Rect:
        h = round(self.height * (0.14 if self.portrait else 0.18))
        return Rect(0, 0, self.width, h)

    def bottom_band(self) -> Rect:
        h = round(self.height * (0.18 if self.portrait else 0.23))
        return Rect(0, self.height - h, self.width, h)

    def clear_area(self, top: Rect | None = None, bottom: Rect | None = None) -> tuple[int, int]:
        """The rows between the bands (the coach's unless given): where the guest's face is kept."""
        return ((top or self.top_band()).bottom, (bottom or self.bottom_band()).top)

    @property
    def face_room(self) -> int:
        """How far inside the clear area the face is kept (booth/ui/placement.py)."""
        return round(4 * self.unit)

    @property
    def face_steady(self) -> int:
        """How far the face may move before the picture follows it: less than the room, so it stays clear."""
        return round(2 * self.unit)

    def meter(self) -> Rect:
        band = self.bottom_band()
        h = max(12, round(5 * self.unit))
        w = round(band.width * 0.7)
        return Rect(band.centerx - w // 2, band.bottom - self.margin - h, w, h)

    def back_button(self) -> Rect:
        # On a small panel, wide and tall enough for "Skip look" or "Finish" in a long language in two
        # lines at the minimum size (a CJK font's line is ~1.45 times its size: two need 3.8 times MIN_PX
        # with the padding); larger screens keep their proportions.
        s = max(round(10 * self.unit), round(theme.MIN_PX * 3.8))
        return Rect(self.margin // 2, self.margin // 2, max(round(s * 1.9), theme.MIN_PX * 8), s)

    def title_box(self, height_pct: float = 14.0, top: int | None = None) -> Rect:
        """A centred title line that keeps clear of the back button."""
        side = self.back_button().right + self.margin // 2
        y = self.margin if top is None else top
        return Rect(side, y, self.width - 2 * side, round(height_pct * self.unit))

    # ---- choose look
    def look_cards(self, n: int = len(LOOKS)) -> list[Rect]:
        area = self.inner()
        top = area.top + round(16 * self.unit)
        bottom = area.bottom - round(12 * self.unit)
        gap = round(3 * self.unit)
        if self.portrait:
            h = (bottom - top - gap * (n - 1)) // n
            return [Rect(area.left, top + i * (h + gap), area.width, h) for i in range(n)]
        w = (area.width - gap * (n - 1)) // n
        return [Rect(area.left + i * (w + gap), top, w, bottom - top) for i in range(n)]

    # ---- review
    def review_photo(self) -> Rect:
        area = self.inner()
        if self.portrait:
            return Rect(area.left, area.top, area.width, round(area.height * 0.62))
        return Rect(area.left, area.top, round(area.width * 0.52), area.height)

    def review_panel(self) -> Rect:
        area, photo = self.inner(), self.review_photo()
        gap = round(3 * self.unit)
        if self.portrait:
            return Rect(area.left, photo.bottom + gap, area.width, area.bottom - photo.bottom - gap)
        return Rect(photo.right + gap, area.top, area.right - photo.right - gap, area.height)

    def _panel_rows(self) -> tuple[Rect, list[Rect], Rect, Rect]:
        """Title line, the retouch pills, keep and retake buttons inside the review panel."""
        p = self.review_panel()
        row = max(self.px(theme.BODY) * 2, round(p.height / 6.2))
        gap = round(row * 0.22)
        title = Rect(p.left, p.top, p.width, row)
        pills_y = title.bottom + gap
        pw = (p.width - 2 * gap) // 3
        pills = [Rect(p.left + i * (pw + gap), pills_y, pw, row) for i in range(len(RETOUCH_LEVELS))]
        keep = Rect(p.left, pills_y + row + 2 * gap, p.width, round(row * 1.25))
        retake = Rect(p.left, keep.bottom + gap, p.width, row)
        return title, pills, keep, retake

    def review_title(self) -> Rect:
        return self._panel_rows()[0]

    def retouch_pills(self) -> list[Rect]:
        return self._panel_rows()[1]

    def keep_button(self) -> Rect:
        return self._panel_rows()[2]

    def retake_button(self) -> Rect:
        return self._panel_rows()[3]

    # ---- pick (the session of looks)
    def _pick_rows(self) -> tuple[Rect, Rect, Rect, Rect]:
        """Title, the shots' row, the controls' row (retouch pills, keep) and the hint line."""
        area = self.inner()
        # Landscape: one title line and no more, the height goes to the shots (40 % of a 7" panel's height).
        title_h = round(area.height * 0.12) if self.portrait else round(self.px(theme.TITLE) * 1.2)
        title = Rect(area.left, area.top, area.width, title_h)
        # Two lines of hint (how to choose, and the time left: long in German or Finnish) even on a 7" panel.
        hint_h = max(round(self.px(theme.SMALL) * 2.6), round(area.height * 0.07))
        ctrl_h = max(self.px(theme.BODY) * 2, round(area.height * (0.1 if self.portrait else 0.13)))
        gap = round(2 * self.unit)
        hint = Rect(area.left, area.bottom - hint_h, area.width, hint_h)
        ctrl = Rect(area.left, hint.top - gap - ctrl_h, area.width, ctrl_h)
        shots = Rect(area.left, title.bottom + gap, area.width, ctrl.top - 2 * gap - title.bottom)
        return title, shots, ctrl, hint

    def pick_title(self) -> Rect:
        return self._pick_rows()[0]

    def pick_cards(self, n: int) -> list[Rect]:
        """The shots side by side, as big as the row allows: each card a photo and its label row."""
        row = self._pick_rows()[1]
        gap = round(3 * self.unit)
        w = (row.width - gap * (n - 1)) // max(1, n)
        total = n * w + gap * (n - 1)
        left = row.left + (row.width - total) // 2
        return [Rect(left + i * (w + gap), row.top, w, row.height) for i in range(n)]

    def pick_label(self, card: Rect) -> Rect:
        """Under the photo: the look's name and whether it is kept (and, on touch, its retake)."""
        # Room for three lines at the minimum size (a long look name and "not kept" beside a Retake button).
        h = max(self.px(theme.BODY) * 2, theme.MIN_PX * 4, round(card.height * 0.16))
        return Rect(card.left, card.bottom - h, card.width, h)

    def pick_photo(self, card: Rect) -> Rect:
        label = self.pick_label(card)
        return Rect(card.left, card.top, card.width, label.top - card.top - round(self.unit))

    def pick_retake(self, card: Rect) -> Rect:
        label = self.pick_label(card)
        w = round(label.width * 0.4)  # the look's name and "kept" beside it take the rest
        # No taller than a button needs: a tall, narrow one (portrait's label row) leaves its label no width.
        h = min(label.height, max(self.px(theme.BODY) * 2, theme.MIN_PX * 4))
        return Rect(label.right - w, label.centery - h // 2, w, h)

    def pick_pills(self) -> list[Rect]:
        ctrl = self._pick_rows()[2]
        gap = round(2 * self.unit)
        pills = Rect(ctrl.left, ctrl.top, round(ctrl.width * 0.55), ctrl.height)
        pw = (pills.width - 2 * gap) // len(RETOUCH_LEVELS)
        return [Rect(pills.left + i * (pw + gap), pills.top, pw, pills.height) for i in range(len(RETOUCH_LEVELS))]

    def pick_keep(self) -> Rect:
        ctrl, pills = self._pick_rows()[2], self.pick_pills()
        left = pills[-1].right + round(3 * self.unit)
        return Rect(left, ctrl.top, ctrl.right - left, ctrl.height)

    def pick_hint(self) -> Rect:
        return self._pick_rows()[3]

    # ---- share
    def qr_box(self) -> Rect:
        """The largest square for the QR: about 85 % of the short side."""
        area = self.inner()
        if self.portrait:
            side = min(area.width, round(area.height * 0.62))
            return Rect(self.width // 2 - side // 2, area.top, side, side)
        side = min(area.height, round(area.width * 0.55))
        return Rect(area.left, self.height // 2 - side // 2, side, side)

    def share_text(self) -> Rect:
        area, qr = self.inner(), self.qr_box()
        gap = round(3 * self.unit)
        if self.portrait:
            return Rect(area.left, qr.bottom + gap, area.width, area.bottom - qr.bottom - gap)
        return Rect(qr.right + 2 * gap, area.top, area.right - qr.right - 2 * gap, area.height)

    def done_button(self) -> Rect:
        t = self.share_text()
        h = max(self.px(theme.BODY) * 2, round(11 * self.unit))
        return Rect(t.left, t.bottom - h, t.width, h)

    # ---- attract: the languages offered, by their own names
    def language_cells(self, n: int) -> list[Rect]:
        """One cell per offered language along the bottom of the attract screen, equal widths,
        in as many rows as it takes for each to hold a name at two-metre size; none for one language.

        Equal cells rather than cells as wide as each name: a tap is then told apart from the
        geometry alone (hit_test), whatever the font draws.
        """
        if n < 2:
            return []
        per_row = max(1, min(n, int((self.width - 2 * self.margin) // (24 * self.unit))))
        rows = -(-n // per_row)
        per_row = -(-n // rows)  # as even as the rows allow: 5 names in 2 rows are 3 + 2, not 4 + 1
        h = max(round(self.px(theme.SMALL) * 2.2), round(9 * self.unit))  # a touch target, ~9 mm on a 7" panel
        w = (self.width - 2 * self.margin) // per_row
        top = self.height - rows * h - self.margin // 2
        cells = []
        for i in range(n):
            row, col = divmod(i, per_row)
            in_row = min(per_row, n - row * per_row)
            left = self.width // 2 - in_row * w // 2 + col * w  # a short last row is centred
            cells.append(Rect(left, top + row * h, w, h))
        return cells

    def language_strip(self, n: int) -> Rect:
        """The band the language names take at the bottom (empty for one language)."""
        cells = self.language_cells(n)
        if not cells:
            return Rect(0, self.height, self.width, 0)
        top = min(c.top for c in cells) - self.margin // 2
        return Rect(0, top, self.width, self.height - top)


def hit_test(layout: Layout, state: State, pos: tuple[int, int], *, retakes_left: int = 1,
             languages: int = 1) -> Input | None:
    """What a tap at ``pos`` means on the screen ``state`` shows (the layout decides
    where things are; the session decides what they do). ``languages``: how many the
    attract screen offers (a tap on one's name picks it)."""
    p = state.phase
    if p in LIVE_PHASES and layout.back_button().collidepoint(pos):
        return Input(Action.BACK)
    if p is Phase.ATTRACT:
        for i, cell in enumerate(layout.language_cells(languages)):
            if cell.collidepoint(pos):
                return Input(Action.LANGUAGE, i)
        return Input(Action.MAIN)
    if p is Phase.SHARE_WIFI:
        return Input(Action.MAIN)
    if p is Phase.CHOOSE:
        for i, card in enumerate(layout.look_cards()):
            if card.collidepoint(pos):
                return Input(Action.PICK, i)
        return None
    if p in (Phase.COACH, Phase.BREATHE, Phase.HANDOVER):
        return Input(Action.MAIN)
    if p is Phase.PICK:
        for i, pill in enumerate(layout.pick_pills()):
            if pill.collidepoint(pos):
                return Input(Action.LEVEL, i)
        if layout.pick_keep().collidepoint(pos):
            return Input(Action.MAIN)
        for i, card in enumerate(layout.pick_cards(len(state.shots))):
            if retakes_left > 0 and layout.pick_retake(card).collidepoint(pos):
                return Input(Action.RETAKE, i)
            if card.collidepoint(pos):
                return Input(Action.TOGGLE, i)
        return None
    if p is Phase.REVIEW:
        for i, pill in enumerate(layout.retouch_pills()):
            if pill.collidepoint(pos):
                return Input(Action.PICK, i)
        if layout.keep_button().collidepoint(pos):
            return Input(Action.MAIN)
        if retakes_left > 0 and layout.retake_button().collidepoint(pos):
            return Input(Action.BACK)
        return None
    if p is Phase.SHARE and layout.done_button().collidepoint(pos):
        return Input(Action.MAIN)
    return None
