"""Pseudo-translations for layout tests, made from the extracted catalogue (like Android's pseudolocales).

Until translators' catalogues land, the screens are tested against words that
are visibly translated and longer than any real language: every msgid with
its Latin letters accented and padded to at least 40 % more characters
(German and Finnish run 30-40 % over English), its ``{placeholders}`` kept.
A text drawn without going through the translator shows up as unaccented
English. ``fullwidth`` makes a CJK-shaped pseudo-language instead: the
letters as full-width forms, no spaces, so the CJK font draws it and lines
must break between characters.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
PAD = ("Wörtérñ", "ļäñĝéŕ", "šéĥŕ", "ƀéšöñđéŕš", "ŵéîţ", "ĝŕößéŕ", "ƒéŕñ")
FIELD = re.compile(r"(\{[a-z_]*\})")
GROWTH = 1.4


def accented(text: str, growth: float = GROWTH) -> str:
    """``text`` accented and padded with words to ``growth`` times its length, fields kept."""
    parts = [p if FIELD.fullmatch(p) else p.translate(ACCENTS) for p in FIELD.split(text)]
    out = "".join(parts)
    want = round(len(text) * growth)
    i = 0
    while len(out) < want:
        out += " " + PAD[i % len(PAD)]
        i += 1
    return out


def fullwidth(text: str, growth: float = 1.0) -> str:
    """``text`` in full-width forms (twice as wide as Latin in a CJK font), no spaces, fields kept."""
    def wide(part: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "" if c == " " else c for c in part)
    return "".join(p if FIELD.fullmatch(p) else wide(p) for p in FIELD.split(text))


def extract(pot: Path) -> Path:
    """The marked words of the code as it is now, as `make messages` extracts them."""
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "Plural:1,2", "--no-location",
                    "--add-comments=TRANSLATORS:", "-o", str(pot), "."], cwd=ROOT, check=True)
    return pot


def write_pseudo(pot: Path, locale_dir: Path, code: str, make=accented) -> Path:
    """A catalogue for ``code`` in ``locale_dir`` with every message of ``pot`` pseudo-translated."""
    with pot.open("rb") as fp:
        template = read_po(fp)
    catalog = Catalog(locale=code)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            singular, plural = message.id
            catalog.add((singular, plural), (make(singular), make(plural)))
        else:
            catalog.add(message.id, make(message.id))
    po = locale_dir / code / "LC_MESSAGES" / "booth.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as fp:
        write_po(fp, catalog)
    return po
