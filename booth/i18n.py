"""The guest's language: gettext catalogues, one per language, from booth/locale.

Every word a guest or staff member sees is written in English in the code,
marked for extraction (``N_`` where it is only defined, a translator call
where it is shown), and looked up at the moment it is drawn or served, so one
booth can speak a different language to each guest. The catalogues are the
ecosystem's: ``booth/locale/<code>/LC_MESSAGES/booth.po``, extracted with
Babel (``make messages``) and compiled to ``.mo`` by the build (``make``). A
checkout whose ``.mo`` is missing or older than its ``.po`` (a translator's
edit, a test run straight from git) compiles the ``.po`` in memory with Babel
instead: slower at start-up, never wrong.

Plain ``gettext`` rather than Babel's ``Translations`` class at run time:
the standard library reads ``.mo`` files and applies each catalogue's own
``Plural-Forms`` rule; Babel is needed only to compile and extract.
"""

from __future__ import annotations

import gettext
import io
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DOMAIN = "booth"
# $BOOTH_LOCALE_DIR: another folder of catalogues (a test's own, a translator trying a draft) in place of
# the ones the booth ships.
LOCALE_DIR = Path(os.environ.get("BOOTH_LOCALE_DIR") or Path(__file__).resolve().parent / "locale")
DEFAULT = "en"  # the language the code is written in: needs no catalogue


@dataclass(frozen=True)
class Language:
    """One language the booth can speak, as a guest would recognise it."""

    code: str  # gettext / BCP 47 primary code: "de", "ja"
    name: str  # its own name, as a guest reads it on the switcher (never a flag)
    script: str  # "latin" | "greek" | "cyrillic" | "cjk" | "arabic" | "hebrew": which font can draw it
    rtl: bool = False  # written right to left


# Every language the booth ships. The order is the switcher's when [display] languages
# says "all"; a booth offers only the ones it lists.
LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    Language("en", "English", "latin"),
    Language("de", "Deutsch", "latin"),
    Language("fr", "Français", "latin"),
    Language("es", "Español", "latin"),
    Language("it", "Italiano", "latin"),
    Language("pt", "Português", "latin"),
    Language("nl", "Nederlands", "latin"),
    Language("sv", "Svenska", "latin"),
    Language("fi", "Suomi", "latin"),
    Language("pl", "Polski", "latin"),
    Language("el", "Ελληνικά", "greek"),
    Language("ru", "Русский", "cyrillic"),
    Language("uk", "Українська", "cyrillic"),
    Language("ja", "日本語", "cjk"),
    Language("zh", "简体中文", "cjk"),
    Language("ko", "한국어", "cjk"),
)}


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Plural:
    """A message with a count in it, defined once (``Plural("{n} day", "{n} days")``), counted where shown.

    Extracted as a plural message (``make messages`` passes ``-k Plural:1,2``), so each
    language writes all of its own forms; the English pair is the catalogue's key.
    """

    singular: str
    plural: str


def po_path(code: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(code: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


def available(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The languages with a catalogue in ``locale_dir``, English first, in LANGUAGES order."""
    return tuple(code for code in LANGUAGES if code == DEFAULT or po_path(code, locale_dir).is_file())


@lru_cache(maxsize=64)
def _catalogue(code: str, locale_dir: Path) -> gettext.NullTranslations:
    if code == DEFAULT:
        return gettext.NullTranslations()
    po, mo = po_path(code, locale_dir), mo_path(code, locale_dir)
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    if not po.is_file():
        raise LookupError(f"no catalogue for language {code!r} in {locale_dir}")
    # Babel: the same compiler `make` uses, so the in-memory catalogue is the one the build makes.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fp:
        catalog = read_po(fp, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    log.debug("compiled %s in memory (no up-to-date %s)", po, mo.name)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True)
class Translator:
    """Words in one language: ``tr("Smile!")``, ``tr.plural("{n} day", "{n} days", 3)``.

    Placeholders are ``str.format`` fields (``{n}``), filled after the lookup,
    so a translation may move them.
    """

    language: Language
    catalogue: gettext.NullTranslations = field(repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.language.code

    def __call__(self, message: str, **fields: object) -> str:
        text = self.catalogue.gettext(message) if message else message
        return text.format(**fields) if fields else text

    def plural(self, singular: str, plural: str, n: int, **fields: object) -> str:
        return self.catalogue.ngettext(singular, plural, n).format(n=n, **fields)

    def n(self, message: str | Plural, n: int, **fields: object) -> str:
        """``message`` for a count ``n``: a :class:`Plural` in the form the language needs for ``n``;
        a plain message (a count that needs no agreement, "Skip look") translated, then filled."""
        if isinstance(message, Plural):
            return self.plural(message.singular, message.plural, n, **fields)
        return self(message).format(n=n, **fields)

    def has(self, message: str | Plural) -> bool:
        """Whether ``message`` is in this language's catalogue (English has every message).

        Asks the catalogue itself, so a translation that equals the English ("OK") counts.
        A plural message is stored under its singular (with every form).
        """
        if self.code == DEFAULT:
            return True
        catalog = getattr(self.catalogue, "_catalog", {})
        if isinstance(message, Plural):
            return (message.singular, 0) in catalog
        return message in catalog


@lru_cache(maxsize=64)
def translator(code: str = DEFAULT, locale_dir: Path = LOCALE_DIR) -> Translator:
    """The translator for ``code``; raises LookupError for a language the booth does not ship."""
    if code not in LANGUAGES:
        raise LookupError(f"unknown language {code!r}; the booth ships {', '.join(LANGUAGES)}")
    return Translator(LANGUAGES[code], _catalogue(code, locale_dir))


ENGLISH = Translator(LANGUAGES[DEFAULT], gettext.NullTranslations())

_RANGE = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def parse_accept_language(header: str) -> list[str]:
    """The language ranges of an ``Accept-Language`` header, most wanted first (RFC 9110 §12.5.4).

    Hand-written: Starlette has no parser, and this is ten lines with q-values and ties kept in order.
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:32]):  # a header is not a place to do unbounded work
        m = _RANGE.match(part)
        if not m:
            continue
        try:
            q = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            continue
        if q > 0:
            ranked.append((-q, i, m.group(1).lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(header: str, offered: Sequence[str], default: str | None = None) -> str:
    """The offered language the client wants most (primary subtag match: "de-AT" takes "de").

    Falls back to ``default`` (else the first offered): a booth speaks its own first language
    to a phone that asks for none it has.
    """
    fallback = default if default is not None else (offered[0] if offered else DEFAULT)
    for tag in parse_accept_language(header):
        if tag == "*":
            return fallback
        primary = tag.split("-", 1)[0]
        if primary in offered:
            return primary
    return fallback
