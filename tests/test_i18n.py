"""booth/i18n.py: catalogues compiled by Babel, read by gettext, chosen by Accept-Language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booth import i18n

# Polish has three plural forms (1; 2-4 but not 12-14; the rest): the rule comes from the
# catalogue's own Plural-Forms header, as gettext and Babel write it for "pl".
PL_PO = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: pl\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "Smile!"
msgstr "Uśmiech!"

msgid "{n} day"
msgid_plural "{n} days"
msgstr[0] "{n} dzień"
msgstr[1] "{n} dni"
msgstr[2] "{n} dni."

msgid "OK"
msgstr "OK"
'''


def _write_po(root: Path, code: str, text: str) -> Path:
    po = i18n.po_path(code, root)
    po.parent.mkdir(parents=True)
    po.write_text(text, encoding="utf-8")
    return po


def test_a_po_without_mo_is_compiled_in_memory(tmp_path: Path) -> None:
    _write_po(tmp_path, "pl", PL_PO)
    tr = i18n.translator("pl", tmp_path)
    assert tr("Smile!") == "Uśmiech!"
    assert tr("Not in the catalogue") == "Not in the catalogue"
    assert not i18n.mo_path("pl", tmp_path).exists()  # nothing written next to the source


def test_plural_forms_follow_the_catalogues_rule(tmp_path: Path) -> None:
    _write_po(tmp_path, "pl", PL_PO)
    tr = i18n.translator("pl", tmp_path)
    assert [tr.plural("{n} day", "{n} days", n) for n in (1, 2, 5, 12, 22)] == [
        "1 dzień", "2 dni", "5 dni.", "12 dni.", "22 dni"]
    assert i18n.ENGLISH.plural("{n} day", "{n} days", 1) == "1 day"
    assert i18n.ENGLISH.plural("{n} day", "{n} days", 3) == "3 days"


def test_the_built_mo_is_used_and_a_newer_po_wins(tmp_path: Path) -> None:
    po = _write_po(tmp_path, "pl", PL_PO)
    mo = i18n.mo_path("pl", tmp_path)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "compile", "-i", str(po), "-o", str(mo)], check=True)
    assert i18n.translator("pl", tmp_path)("Smile!") == "Uśmiech!"
    # A translator edits the .po after the build: the edit is what the booth shows.
    po.write_text(PL_PO.replace("Uśmiech!", "Proszę o uśmiech!"), encoding="utf-8")
    stamp = mo.stat().st_mtime
    os.utime(po, (stamp + 10, stamp + 10))
    i18n.translator.cache_clear()
    i18n._catalogue.cache_clear()
    assert i18n.translator("pl", tmp_path)("Smile!") == "Proszę o uśmiech!"


def test_has_counts_a_translation_equal_to_the_english(tmp_path: Path) -> None:
    _write_po(tmp_path, "pl", PL_PO)
    tr = i18n.translator("pl", tmp_path)
    assert tr.has("OK") and tr.has("Smile!")
    assert not tr.has("Hold it …")
    assert i18n.ENGLISH.has("anything at all")


def test_unknown_and_uncatalogued_languages_are_named(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="'xx'"):
        i18n.translator("xx", tmp_path)
    with pytest.raises(LookupError, match="no catalogue for language 'de'"):
        i18n.translator("de", tmp_path)
    problems = i18n.check_languages(["en", "de", "klingon"], tmp_path)
    assert problems[0].startswith("'de' has no catalogue")
    assert "'klingon' is not a language the booth ships" in problems[1]
    assert i18n.available(tmp_path) == ("en",)


def test_accept_language_is_ranked_by_q_then_order() -> None:
    assert i18n.parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == [
        "fr-ch", "fr", "en", "de", "*"]
    assert i18n.parse_accept_language("de;q=0.5, ja, en;q=0") == ["ja", "de"]  # q=0: "not this"
    assert i18n.parse_accept_language("garbage;;, ;q=abc, ko") == ["ko"]


def test_negotiate_takes_the_first_offered_primary_language() -> None:
    offered = ("en", "de", "ja")
    assert i18n.negotiate("de-AT,de;q=0.9,en;q=0.5", offered) == "de"
    assert i18n.negotiate("fr-FR,fr;q=0.9,ja;q=0.3", offered) == "ja"
    assert i18n.negotiate("fr", offered) == "en"  # none offered: the booth's first language
    assert i18n.negotiate("fr", ("de", "en")) == "de"
    assert i18n.negotiate("", offered, default="de") == "de"
    assert i18n.negotiate("*", offered, default="ja") == "ja"


def test_every_shipped_catalogue_compiles_and_names_its_language() -> None:
    """The repository's own .po files: each one Babel reads, for a language the booth knows."""
    from babel.messages.pofile import read_po

    for code in i18n.available():
        if code == i18n.DEFAULT:
            continue
        with i18n.po_path(code).open("rb") as fp:
            catalog = read_po(fp)
        assert str(catalog.locale).split("_")[0] == code, code
        assert i18n.translator(code).language.code == code


def test_a_plural_defined_once_is_counted_where_shown(tmp_path: Path) -> None:
    _write_po(tmp_path, "pl", PL_PO)
    tr = i18n.translator("pl", tmp_path)
    days = i18n.Plural("{n} day", "{n} days")
    assert [tr.n(days, n) for n in (1, 3, 5)] == ["1 dzień", "3 dni", "5 dni."]
    assert i18n.ENGLISH.n(days, 1) == "1 day" and i18n.ENGLISH.n(days, 2) == "2 days"
    # A plain message with a count that needs no agreement is translated, then filled.
    assert tr.n("Smile!", 4) == "Uśmiech!" and i18n.ENGLISH.n("Keep {n}", 2) == "Keep 2"
    assert tr.has(days) and not tr.has(i18n.Plural("{n} hour", "{n} hours"))
    assert i18n.N_("Smile!") == "Smile!"
