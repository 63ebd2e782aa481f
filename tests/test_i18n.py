"""booth/i18n.py: catalogues compiled by Babel, read by gettext, chosen by Accept-Language."""

from __future__ import annotations

import os
import re
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


# ---------------------------------------------------------------- the shipped catalogues

POT = i18n.LOCALE_DIR / "booth.pot"
_BRACE = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")
_PERCENT = re.compile(r"%\(([a-z_][a-z0-9_]*)\)[sd]")
_TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _fields(text: str) -> tuple[list[str], list[str], list[str]]:
    return sorted(_BRACE.findall(text)), sorted(_PERCENT.findall(text)), sorted(_TAG.findall(text))


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as fp:
        return read_po(fp)


def _extract_now(tmp: Path) -> set[str]:
    pybabel = Path(sys.executable).with_name("pybabel")
    out = tmp / "now.pot"
    root = Path(__file__).resolve().parents[1]
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "Plural:1,2", "--no-location",
                    "-o", str(out), "."], cwd=root, check=True)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _read(out) if m.id}


def test_the_committed_template_holds_every_word_in_the_code(tmp_path: Path) -> None:
    """A word added to the code but not to booth/locale/booth.pot never reaches a translator."""
    assert POT.is_file(), "run `make messages` to write booth/locale/booth.pot"
    committed = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(POT) if m.id}
    now = _extract_now(tmp_path)
    assert not now - committed, f"not in booth.pot (run `make messages`): {sorted(now - committed)[:10]}"
    assert not committed - now, f"in booth.pot but gone from the code: {sorted(committed - now)[:10]}"


@pytest.mark.parametrize("code", [c for c in i18n.available() if c != i18n.DEFAULT])
def test_a_catalogue_translates_every_word_and_keeps_its_placeholders(code: str) -> None:
    """Complete, nothing fuzzy, and every {field}, %(field)s and <tag> of the English kept."""
    template = {m.id for m in _read(POT) if m.id}
    catalogue = _read(i18n.po_path(code))
    problems = []
    for m in catalogue:
        if not m.id or m.id not in template:
            continue
        forms = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        if m.fuzzy or not all(forms):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        want = _fields(ids[-1])
        for form in forms:
            got = _fields(form)
            if len(ids) == 1:
                ok = got == want
            else:  # a plural form may spell out "one" instead of {n} / %(count)s; it never adds a field
                single = _fields(ids[0])
                ok = got[2] == want[2] and set(got[0]) <= set(want[0]) | set(single[0]) \
                    and set(got[1]) <= set(want[1]) | set(single[1])
            if not ok:
                problems.append(f"{ids[0]!r} -> {form!r}: fields/tags {got} != {want}")
    missing = template - {m.id for m in catalogue if m.id}
    problems += [f"missing: {mid!r}" for mid in sorted(missing, key=str)[:20]]
    assert not problems, f"{code}: {len(problems)} problems:\n" + "\n".join(problems[:30])


def test_make_messages_extracts_plurals_and_translator_comments(tmp_path: Path) -> None:
    """The Makefile's extraction, run on the real code: the words and their notes for translators."""
    from babel.messages.pofile import read_po

    pybabel = Path(sys.executable).with_name("pybabel")
    root = Path(__file__).resolve().parent.parent
    makefile = (root / "Makefile").read_text()
    assert "-k Plural:1,2" in makefile
    pot = tmp_path / "booth.pot"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "Plural:1,2", "--no-location",
                    "--add-comments=TRANSLATORS:", "-o", str(pot), "."], cwd=root, check=True)
    with pot.open("rb") as fp:
        catalog = read_po(fp)
    retake = catalog.get("Retake — hold ({n} left)")
    assert retake is not None and retake.pluralizable
    assert retake.id == ("Retake — hold ({n} left)", "Retake — hold ({n} left)")
    assert any("hold the big button" in c for c in retake.auto_comments)
    from booth.coach import words as W
    from booth.ui import words as UW

    for msgid in (W.SMILE, W.LOOK_AWAY["left"], UW.TIPS[0], UW.PICK_TITLE, *W.LOOK_INFO["serious"]):
        assert catalog.get(msgid) is not None, msgid
