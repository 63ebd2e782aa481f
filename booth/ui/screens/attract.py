"""The attract screen: the live picture, how to start, a posing tip, the privacy promise (or the fault);
with more than one language offered, their names along the bottom, the guest's highlighted."""

from __future__ import annotations

import pygame
from pygame import Rect

from booth.durations import span
from booth.event import Event
from booth.i18n import LANGUAGES
from booth.session import CAMERA_RETRYING, DISK_FULL, TELL_STAFF
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import centre_box
from booth.ui.words import ATTRACT_TITLE as TITLE
from booth.ui.words import PRIVACY, TIP_S, TIPS


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    event = scene.event if scene.event is not None and scene.event.shown else None
    top = L.top_band()
    if event is not None:  # the event's name and welcome above the title: a taller band, at most 30 %
        width = round((L.width - 2 * L.margin) * (0.65 if event.logo else 1.0))  # beside the logo (at most 35 %)
        need = p.stack_height([(t, pct, b) for t, pct, b, _ in _event_lines(p, event) if t], width)
        top = Rect(0, 0, L.width, min(max(top.height, need + L.margin), round(L.height * 0.3)))
    tr = p.tr
    hint = tr(scene.words.start) if st.can_start else ""
    fault = ""
    if not st.camera_ok:  # two sentences, each whole: what is wrong, and who can help
        fault = f"{tr(st.camera_message or CAMERA_RETRYING)}\n{tr(TELL_STAFF)}"
    elif not st.disk_ok:
        fault = tr(DISK_FULL)
    # Out of order, the guest needs staff (the panel says so), not a posing tip.
    tip = "" if fault else tr(TIPS[int((scene.now - st.since) // TIP_S) % len(TIPS)])
    unit, n = span(scene.expiry_days)
    privacy = tr.n(PRIVACY[unit], n)
    items = [(hint, theme.BIG, True, theme.ACCENT), (tip, theme.BODY, False, theme.FG),
             (privacy, theme.SMALL, False, theme.DIM)]
    # The languages offered (two or more): their names in a strip at the very bottom.
    offered = [code for code in scene.languages if code in LANGUAGES]
    names = L.language_strip(len(offered))
    # The band grows (up to 40 % of the screen above the names) rather than cut a line short on a small panel.
    width = L.width - 2 * L.margin
    need = p.stack_height([(t, pct, b) for t, pct, b, _ in items if t], width) + L.margin
    h = min(max(L.bottom_band().height, need), round(L.height * 0.4))
    bottom = Rect(0, names.top - h, L.width, h)
    strip = Rect(0, top.bottom, L.width, L.px(theme.SMALL) * 2) if st.notice else top
    has_preview = st.camera_ok and p.picture.draw(surf, scene, L.screen, d, L.clear_area(strip, bottom))
    if not has_preview:
        surf.fill(theme.BG)
    p.band(surf, top)
    if event is not None:
        p.event_header(surf, d, event, top.inflate(-2 * L.margin, -L.margin // 2), _event_lines(p, event))
    else:
        p.text(surf, d, p.tr(TITLE), top.inflate(-2 * L.margin, -L.margin // 2), theme.TITLE, bold=True)
    if fault:  # on a solid panel: red on a live picture would not read
        box = centre_box(L)
        panel = box.inflate(2 * L.margin, L.margin)
        pygame.draw.rect(surf, theme.BG, panel, border_radius=round(2 * L.unit))
        pygame.draw.rect(surf, theme.FAULT, panel, width=max(2, round(0.6 * L.unit)),
                         border_radius=round(2 * L.unit))
        p.text(surf, d, fault, box, theme.BIG, theme.FG, bold=True)
    p.band(surf, bottom)
    p.stack(surf, d, items, bottom.inflate(-2 * L.margin, -L.margin // 2))
    if names.height:
        _languages(p, surf, scene, d, offered, names)
    if st.notice:
        surf.fill(theme.FAULT, strip)
        # For staff (a missing button, font or logo): in the language the booth's log and doctor speak.
        p.text(surf, d, st.notice, strip.inflate(-L.margin, -4), theme.SMALL, theme.FG, bold=True, verbatim=True)


def _languages(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn, offered: list[str], strip: Rect) -> None:
    """Each offered language by its own name, in its own script's font, never a flag; the guest's one
    lit like a chosen option. A tap on a name picks it (booth.ui.layout.hit_test: the same cells)."""
    L = p.layout
    p.band(surf, strip, 215)
    radius = round(1.5 * L.unit)
    for code, cell in zip(offered, L.language_cells(len(offered))):
        on = code == scene.state.language
        pill = cell.inflate(-round(1.2 * L.unit), -round(1.2 * L.unit))
        if on:
            pygame.draw.rect(surf, p.accent, pill, border_radius=radius)
        p.text(surf, d, LANGUAGES[code].name, pill.inflate(-round(1.2 * L.unit), -2), theme.SMALL,
               p.accent_text if on else theme.FG, bold=on, verbatim=True, language=code)
        d.languages.append((code, Rect(cell)))


def _event_lines(p: Painter, event: Event) -> list[tuple[str, float, bool, tuple[int, int, int]]]:
    """The event's name, then its welcome line (or the title, when it has none)."""
    title = p.tr(TITLE)
    if not event.name:
        return [(event.welcome or title, theme.TITLE, True, theme.FG)]
    return [(event.name, theme.TITLE, True, theme.FG), (event.welcome or title, theme.BODY, False, theme.DIM)]
