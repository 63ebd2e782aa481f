"""Which language a phone or staff page speaks, chosen once per request.

In order: ``?lang=<code>`` in the URL (the booth's QR carries the guest's
language this way, and the page's switcher links are the same), a cookie the
switcher's choice leaves, the phone's ``Accept-Language``
(:func:`booth.i18n.negotiate`), and else the booth's first language. Only a
language the booth offers (``[display] languages``) is ever chosen: anything
else in the URL or the cookie is ignored, never echoed into the page.

A plain ASGI middleware (like booth.web.headers) chooses it and leaves it in
the request's state; it also marks every HTML answer ``Vary:
Accept-Language, Cookie``, so no cache, however it is set up, hands a page in
one language to a phone that asked for another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs

from babel import Locale
from babel.dates import format_datetime, format_time, match_skeleton
from babel.numbers import format_decimal
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booth.i18n import DEFAULT, LANGUAGES, Language, Translator, negotiate, translator
from booth.net import LANG_PARAM  # ?lang=de: the booth's QR (booth.net.with_language) and the switcher's links

COOKIE = "booth_lang"  # the switcher's choice, for the pages that follow (the confirm-delete page...)
COOKIE_S = 30 * 86400  # as long as a photo can be kept, and then some
VARY = "Accept-Language, Cookie"


@dataclass(frozen=True)
class PageLanguage:
    """The language a page speaks, and the others the booth offers (for the switcher)."""

    tr: Translator
    offered: tuple[Language, ...]

    @property
    def code(self) -> str:
        return self.tr.code

    @property
    def others(self) -> tuple[Language, ...]:
        return tuple(lang for lang in self.offered if lang.code != self.code)

    # Named as gettext's functions so `make messages` (Babel's default keywords) extracts the calls.
    def gettext(self, message: str, **fields: object) -> str:
        """``message`` in this language, its ``{fields}`` filled in after the lookup."""
        return self.tr(message, **fields)

    def ngettext(self, singular: str, plural: str, n: int, **fields: object) -> str:
        """The form for ``n`` (``{n}`` in the message) of a message with a count."""
        return self.tr.plural(singular, plural, n, **fields)


def page_language(code: str, offered: tuple[str, ...] = (DEFAULT,)) -> PageLanguage:
    return PageLanguage(translator(code), tuple(LANGUAGES[c] for c in offered))


ENGLISH_PAGE = PageLanguage(translator(DEFAULT), (LANGUAGES[DEFAULT],))


def choose(offered: tuple[str, ...], asked: str | None, cookie: str | None, accept: str) -> str:
    """The page's language code: ``asked`` (?lang=) > ``cookie`` > ``accept`` > the first offered."""
    for code in (asked, cookie):
        if code in offered:
            return code
    return negotiate(accept, offered, offered[0])


def language_of(request: Request) -> PageLanguage:
    """The language :class:`Languages` chose for this request."""
    return request.scope["state"]["language"]


class Languages:
    """ASGI middleware: chooses each request's language (see the module's docstring)."""

    def __init__(self, app: ASGIApp, offered: tuple[str, ...]) -> None:
        self.app = app
        self.offered = tuple(offered) or (DEFAULT,)
        self.pages = {code: page_language(code, self.offered) for code in self.offered}
        self.several = len(self.offered) > 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = cookie = None
        accept = ""
        if self.several:  # one language: nothing to choose, nothing varies
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(LANG_PARAM, [None])[0]
            for name, value in scope.get("headers", ()):
                if name == b"cookie":
                    cookie = cookie_parser(value.decode("latin-1")).get(COOKIE, cookie)
                elif name == b"accept-language":
                    accept = value.decode("latin-1")
        code = choose(self.offered, asked, cookie, accept)
        scope.setdefault("state", {})["language"] = self.pages[code]
        remember = self.several and asked == code and cookie != code

        async def send_with_language(message: Message) -> None:
            if self.several and message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if any(n == b"content-type" and v.startswith(b"text/html") for n, v in headers):
                    vary = [v.decode("latin-1") for n, v in headers if n == b"vary"]
                    headers = [(n, v) for n, v in headers if n != b"vary"]
                    headers.append((b"vary", ", ".join([*vary, VARY]).encode("latin-1")))
                    if remember:  # a validated code only: nothing the URL said is echoed
                        headers.append((b"set-cookie", f"{COOKIE}={code}; Max-Age={COOKIE_S}; Path=/; "
                                                       "SameSite=Lax".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_language)


# Dates in the page's language: Babel's CLDR data, never strftime (which follows the process's locale).

@lru_cache(maxsize=32)
def babel_locale(code: str) -> Locale:
    """The CLDR locale for a booth language. The booth's English is British (its words say "colour"):
    a day before its month, a 24-hour clock."""
    return Locale.parse("en_GB" if code == DEFAULT else code)


@lru_cache(maxsize=32)
def _weekday_day_month(code: str) -> str:
    """The locale's own pattern for "Monday 7 December" (a weekday, a day, a month's name, no year).

    CLDR has skeletons only for short weekdays ("MMMMEd"); like ICU's pattern generator
    (DateTimePatternGenerator::adjustFieldTypes), widen the weekday field of the best match to its
    full name. Quoted literals are left alone.
    """
    locale = babel_locale(code)
    skeleton = match_skeleton("MMMMEEEEd", locale.datetime_skeletons) or "MMMMEd"
    pattern = str(locale.datetime_skeletons[skeleton])
    parts = pattern.split("'")
    parts[::2] = [re.sub(r"(?<![Ec])([Ec]{1,3})(?![Ec])", "EEEE", part) for part in parts[::2]]
    return "'".join(parts)


def date_text(ts: float, lang: PageLanguage) -> str:
    """'Monday 7 December at 14:00' in the page's language (local time, as the booth's clock)."""
    when = datetime.fromtimestamp(ts)
    locale = babel_locale(lang.code)
    # TRANSLATORS: when a photo is deleted: {date} is a weekday, day and month ("Monday 7 December"), {time} is "14:00".
    return lang.gettext("{date} at {time}", date=format_datetime(when, _weekday_day_month(lang.code), locale=locale),
                   time=format_time(when, "short", locale=locale))


def number_text(x: float, decimals: int, lang: PageLanguage) -> str:
    """``x`` rounded to ``decimals`` places, written the language's way ("1.5", "1,5")."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(x, decimals), pattern, locale=babel_locale(lang.code))


def clock_text(ts: float, lang: PageLanguage) -> str:
    """'14:00' in the page's language."""
    return format_time(datetime.fromtimestamp(ts), "short", locale=babel_locale(lang.code))

