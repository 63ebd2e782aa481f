"""The event's name, welcome line and logo on the phone's photo and visit pages (both servers).

The logo is checked once by the config (booth.event) in the parent process;
each worker reads the file's bytes once and serves them at ``/event/logo``
with their own content type (image/png or image/svg+xml, so an SVG stays
sharp on any phone). The pages link it as ``event/logo?v=<hash>``: the hash
changes with the file, so the answer can be cached for a year. An SVG can
hold scripts, but never runs them here: in an ``<img>`` a browser runs none,
and opened on its own it gets the pages' ``default-src 'none'`` policy.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booth.colour import BLACK, WHITE, hex_colour, readable_on, text_on
from booth.event import Event, parse_colour

log = logging.getLogger(__name__)

LOGO_PATH = "/event/logo"
LOGO_CACHE = "public, max-age=31536000, immutable"  # the link carries the file's hash
LIGHT_PAGE, DARK_PAGE = (0xf6, 0xf5, 0xf2), (0x14, 0x14, 0x17)  # booth.css --bg, light and dark scheme


@dataclass(frozen=True)
class EventPage:
    """What the pages show of the event, passable to worker processes (plain values)."""

    name: str = ""
    welcome: str = ""
    logo: str = ""  # the checked file's path; "" = none
    logo_type: str = ""
    logo_width: int = 0
    logo_height: int = 0
    accent: str = ""  # "#rrggbb"; "" = the pages' own blue

    @classmethod
    def of(cls, event: Event) -> EventPage | None:
        if not event.shown and event.accent is None:
            return None
        logo = event.logo
        return cls(event.name, event.welcome, str(logo.path) if logo else "", logo.content_type if logo else "",
                   *(logo.size if logo else (0, 0)), accent=hex_colour(event.accent) if event.accent else "")

    @property
    def shown(self) -> bool:
        return bool(self.name or self.welcome or self.logo)

    @property
    def style(self) -> str:
        """The stylesheet that puts the event's colour in the pages' accent role ("" without one).

        Made readable on each of the page's two backgrounds (light and dark scheme, as booth.css
        sets them) and with the button's words dark or white, whichever reads on it. Its hash joins
        the pages' Content-Security-Policy (booth.web.headers), so it needs no 'unsafe-inline'.
        """
        if not self.accent:
            return ""
        colour = parse_colour(self.accent)
        rules = []
        for scheme, background in ((None, LIGHT_PAGE), ("dark", DARK_PAGE)):
            accent = readable_on(colour, background)
            words = text_on(accent, BLACK, WHITE)
            rule = f":root{{--accent:{hex_colour(accent)};--on-accent:{hex_colour(words)}}}"
            rules.append(rule if scheme is None else f"@media (prefers-color-scheme:{scheme}){{{rule}}}")
        return "".join(rules)


class EventBrand:
    """One worker's view of the event: the template context and the logo route."""

    def __init__(self, page: EventPage | None) -> None:
        self.page = page
        self.data = b""
        if page is not None and page.logo:
            try:
                self.data = Path(page.logo).read_bytes()
            except OSError as exc:  # checked at start-up; gone since: the pages go on without it
                log.error("event logo %s cannot be read (%s); the phone pages show no logo", page.logo, exc)
        self.etag = '"' + hashlib.sha256(self.data).hexdigest()[:20] + '"'

    def context(self) -> dict[str, Any] | None:
        """The templates' ``event`` (None: no [event], and the pages are as without one)."""
        if self.page is None:
            return None
        return {"name": self.page.name, "welcome": self.page.welcome, "shown": self.page.shown,
                "logo": f"{LOGO_PATH[1:]}?v={self.etag[1:9]}" if self.data else "",
                "logo_width": self.page.logo_width, "logo_height": self.page.logo_height,
                "style": self.page.style}

    def routes(self) -> list[Route]:
        page = self.page
        if page is None or not self.data:
            return []

        async def logo(request: Request) -> Response:
            headers = {"cache-control": LOGO_CACHE, "etag": self.etag}
            if request.headers.get("if-none-match") == self.etag:
                return Response(status_code=304, headers=headers)
            return Response(self.data, media_type=page.logo_type, headers=headers)

        return [Route(LOGO_PATH, logo, methods=["GET"])]


@lru_cache(maxsize=4)
def brand_of(page: EventPage | None) -> EventBrand:
    """The worker's one EventBrand for these settings (the logo file read once per process)."""
    return EventBrand(page)
