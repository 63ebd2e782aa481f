"""The attract screen: the live picture, how to start, a posing tip, the privacy promise (or the fault)."""

from __future__ import annotations

import pygame
from pygame import Rect

from booth.durations import days_text
from booth.event import Event
from booth.session import CAMERA_RETRYING, DISK_FULL, TELL_STAFF
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import centre_box

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
TITLE = "Get your headshot"


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    event = scene.event if scene.event is not None and scene.event.shown else None
    top = L.top_band()
    if event is not None:  # the event's name and welcome above the title: a taller band, at most 30 %
        width = round((L.width - 2 * L.margin) * (0.65 if event.logo else 1.0))  # beside the logo (at most 35 %)
        need = p.stack_height([(t, pct, b) for t, pct, b, _ in _event_lines(event) if t], width)
        top = Rect(0, 0, L.width, min(max(top.height, need + L.margin), round(L.height * 0.3)))
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
    need = p.stack_height([(t, pct, b) for t, pct, b, _ in items if t], width) + L.margin
    h = min(max(L.bottom_band().height, need), round(L.height * 0.4))
    bottom = Rect(0, L.height - h, L.width, h)
    strip = Rect(0, top.bottom, L.width, L.px(theme.SMALL) * 2) if st.notice else top
    has_preview = st.camera_ok and p.picture.draw(surf, scene, L.screen, d, L.clear_area(strip, bottom))
    if not has_preview:
        surf.fill(theme.BG)
    p.band(surf, top)
    if event is not None:
        p.event_header(surf, d, event, top.inflate(-2 * L.margin, -L.margin // 2), _event_lines(event))
    else:
        p.text(surf, d, TITLE, top.inflate(-2 * L.margin, -L.margin // 2), theme.TITLE, bold=True)
    if fault:  # on a solid panel: red on a live picture would not read
        box = centre_box(L)
        panel = box.inflate(2 * L.margin, L.margin)
        pygame.draw.rect(surf, theme.BG, panel, border_radius=round(2 * L.unit))
        pygame.draw.rect(surf, theme.FAULT, panel, width=max(2, round(0.6 * L.unit)),
                         border_radius=round(2 * L.unit))
        p.text(surf, d, fault, box, theme.BIG, theme.FG, bold=True)
    p.band(surf, bottom)
    p.stack(surf, d, items, bottom.inflate(-2 * L.margin, -L.margin // 2))
    if st.notice:
        surf.fill(theme.FAULT, strip)
        p.text(surf, d, st.notice, strip.inflate(-L.margin, -4), theme.SMALL, theme.FG, bold=True)


def _event_lines(event: Event) -> list[tuple[str, float, bool, tuple[int, int, int]]]:
    """The event's name, then its welcome line (or the title, when it has none)."""
    if not event.name:
        return [(event.welcome or TITLE, theme.TITLE, True, theme.FG)]
    return [(event.name, theme.TITLE, True, theme.FG), (event.welcome or TITLE, theme.BODY, False, theme.DIM)]
