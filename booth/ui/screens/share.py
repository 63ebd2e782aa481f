"""Getting the photo to the phone: the QR code and the typeable address; the booth's Wi-Fi first when it has one.

Three layouts: the photo's page on the booth's own network (``draw``), the
cloud page with the booth's own way for guests with no signal ([cloud] set),
and the step before, joining the booth's Wi-Fi (``draw_wifi``).
"""

from __future__ import annotations

import pygame
from pygame import Rect

from booth.codes import display as display_code
from booth.codes import short_code
from booth.durations import span
from booth.net import page_at, split_page_url, with_language
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import split
from booth.ui.words import (DONE, JOIN_WIFI, KEPT_FOR, NETWORK, NO_SIGNAL, NO_SIGNAL_SCAN, OR_TYPE, SCAN_THEN,
                            SCAN_WITH_CAMERA, STEP_DOWNLOAD, WORKS_ON_DATA)
from booth.ui.words import SCAN_TO_DOWNLOAD as SCAN


def short_url(url: str) -> str:
    return url.split("://", 1)[-1]


def typeable_url(url: str) -> str:
    """The page's address with its short code in place of the token: "192.168.4.1:8080/XK4M-7PQR".

    A photo's page or, in the session of looks, the visit's: the web server answers ``/<code>``
    (booth/web/codes.py) with either.
    """
    page = split_page_url(url)
    if page is None:
        return short_url(url)
    base, _, token = page
    return f"{short_url(base)}/{display_code(short_code(token))}"


def _local_page(scene: Scene) -> str | None:
    """[cloud] set: the shared page (a photo's, or the visit's) at the booth's own address, for no signal."""
    url = scene.state.url
    return page_at(url, scene.local_base) if url and scene.local_base else None


def _kept(p: Painter, scene: Scene) -> str:
    unit, n = span(scene.expiry_days)
    return p.tr.n(KEPT_FOR[unit], n)


def _in_their_language(scene: Scene, url: str) -> str:
    """The address a QR code opens, asking the page for the guest's language (``?lang=``) when they chose
    one other than the booth's first: a guest who kept the default gets what their phone asks for."""
    chosen = scene.state.language
    return with_language(url, chosen if scene.languages and chosen != scene.languages[0] else None)


def _event_header(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> Rect:
    """The event's logo and name at the top of the text column; the column's rest, for the texts."""
    area, event = p.layout.share_text(), scene.event
    if event is None or not (event.name or event.logo):
        return area
    gap = round(2 * p.layout.unit)
    h = max(p.layout.px(theme.BODY) * 2, round(area.height * 0.16))
    p.event_header(surf, d, event, Rect(area.left, area.top, area.width, h),
                   [(event.name, theme.BODY, True, theme.FG)])
    return Rect(area.left, area.top + h + gap, area.width, area.height - h - gap)


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    if st.url:
        p.qr(surf, d, _in_their_language(scene, st.url), L.qr_box())
    if scene.local_base:
        return _cloud(p, surf, scene, d)
    tr = p.tr
    area = _event_header(p, surf, scene, d)
    done = L.done_button()
    step = tr(STEP_DOWNLOAD) if scene.wifi_payload else ""
    rows = split(Rect(area.left, area.top, area.width, done.top - area.top - L.margin),
                 (0.14, 0.28, 0.2, 0.38) if step else (0.0, 0.38, 0.22, 0.4))
    if step:
        p.text(surf, d, step, rows[0], theme.BODY, theme.ACCENT, bold=True)
    p.text(surf, d, tr(SCAN), rows[1], theme.TITLE, bold=True)
    if st.url:
        p.text(surf, d, tr(OR_TYPE, url=typeable_url(st.url)), rows[2], theme.BODY, theme.FG, one_line=True)
    p.text(surf, d, _kept(p, scene), rows[3], theme.SMALL, theme.DIM)
    p.button(surf, d, done, tr(DONE), filled=False, colour=theme.DIM, pct=theme.BODY)


def _cloud(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    """[cloud] set: the main QR (drawn already) is the cloud page, for mobile data; then the way with no signal."""
    L, st = p.layout, scene.state
    area, done = _event_header(p, surf, scene, d), L.done_button()
    box = Rect(area.left, area.top, area.width, done.top - area.top - L.margin)
    tr = p.tr
    kept = _kept(p, scene)
    if scene.wifi_payload:  # the booth's Wi-Fi and its own download QR are the next screen
        rows = split(box, (0.38, 0.2, 0.24, 0.18))
        p.text(surf, d, tr(SCAN), rows[0], theme.TITLE, bold=True)
        p.text(surf, d, tr(WORKS_ON_DATA), rows[1], theme.BODY, theme.FG)
        p.text(surf, d, tr(scene.words.no_signal), rows[2], theme.BODY, theme.ACCENT, bold=True)
        p.text(surf, d, kept, rows[3], theme.SMALL, theme.DIM)
        p.button(surf, d, done, tr(NO_SIGNAL), filled=False, colour=theme.DIM, pct=theme.BODY)
        return
    rows = split(box, (0.2, 0.14, 0.42, 0.12, 0.12))
    p.text(surf, d, tr(SCAN), rows[0], theme.TITLE, bold=True)
    p.text(surf, d, tr(NO_SIGNAL_SCAN), rows[1], theme.BODY, theme.FG)
    local = _local_page(scene)
    if local:
        p.small_qr(surf, d, _in_their_language(scene, local), rows[2])
        p.text(surf, d, tr(OR_TYPE, url=typeable_url(local)), rows[3], theme.BODY, theme.FG, one_line=True)
    p.text(surf, d, kept, rows[4], theme.SMALL, theme.DIM)
    p.button(surf, d, done, tr(DONE), filled=False, colour=theme.DIM, pct=theme.BODY)


def draw_wifi(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L = p.layout
    surf.fill(theme.BG)
    if scene.wifi_payload:
        p.qr(surf, d, scene.wifi_payload, L.qr_box())
    area = L.share_text()
    tr = p.tr
    local = _local_page(scene)
    if local:  # [cloud]: the cloud QR came first; here the way with no signal
        rows = split(area, (0.2, 0.12, 0.4, 0.14, 0.14))
        p.text(surf, d, tr(JOIN_WIFI), rows[0], theme.TITLE, bold=True)
        p.text(surf, d, tr(NETWORK, ssid=scene.wifi_ssid), rows[1], theme.BODY, theme.FG)
        p.small_qr(surf, d, _in_their_language(scene, local), rows[2])
        p.text(surf, d, tr(SCAN_THEN), rows[3], theme.BODY, theme.ACCENT, bold=True)
        p.text(surf, d, tr(OR_TYPE, url=typeable_url(local)), rows[4], theme.SMALL, theme.FG, one_line=True)
        return
    rows = split(area, (0.3, 0.2, 0.2, 0.3))
    p.text(surf, d, tr(JOIN_WIFI), rows[0], theme.TITLE, bold=True)
    p.text(surf, d, tr(NETWORK, ssid=scene.wifi_ssid), rows[1], theme.BODY, theme.FG)
    p.text(surf, d, tr(SCAN_WITH_CAMERA), rows[2], theme.SMALL, theme.DIM)
    p.text(surf, d, tr(scene.words.wifi_next), rows[3], theme.BODY, theme.ACCENT, bold=True)
