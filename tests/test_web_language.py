"""The phone and staff pages in the guest's language (booth/web/language.py, the templates' {% trans %}).

Catalogues of the tests' own, in a folder of their own ($BOOTH_LOCALE_DIR), so the tests do not
depend on the translators' wording: a few real German and Japanese words for what a guest reads
first, and a pseudo-language that writes every message extracted from the code in full-width
letters, so any word on any page that still has an ASCII letter was never put through a catalogue.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from booth import i18n
from booth.net import photo_url, with_language
from booth.session import CAMERA_RETRYING
from booth.status import BoothStatus, fault_message, write_status
from booth.web.language import COOKIE, PageLanguage, choose, date_text, number_text, page_language
from booth.web.pages import render_text
from booth.web.phone import photo_page_html
from booth.web.settings import WebSettings
from booth.cloud.keys import Layout
from booth_process import free_port
from s3_server import Booth, CloudWeb, S3Server, jpegs, s3  # noqa: F401 (jpegs, s3: fixtures)
from test_web_browser import browser, open_phone, relevant, shot  # noqa: F401 (browser: the fixture)
from test_web_support import REPO, STAFF_HASH, STAFF_PASSWORD, add_photo, running_web
from test_web_visit import keep_visit

LANGUAGES = '[display]\nlanguages = ["en", "de", "ja"]\n'

# A few real words, as a translator would write them ({n}-style and %(name)s placeholders kept).
GERMAN = {
    "Your headshot": "Dein Porträtfoto",
    "Download": "Herunterladen",
    "Delete my photo": "Mein Foto löschen",
    "Your privacy": "Deine Privatsphäre",
    "Delete this photo?": "Dieses Foto löschen?",
    "No photo here": "Hier ist kein Foto",
    "Language": "Sprache",
    "{date} at {time}": "{date} um {time}",
    "It is deleted automatically after %(count)s day, on %(until)s.": (
        "Es wird nach %(count)s Tag automatisch gelöscht, am %(until)s.",
        "Es wird nach %(count)s Tagen automatisch gelöscht, am %(until)s."),
    "Photo booth staff": "Fotobox: Personal",
    "Password": "Passwort",
    "Wrong password.": "Falsches Passwort.",
    "photos today": "Fotos heute",
    "Delete all photos?": "Alle Fotos löschen?",
    "Your photo is on its way": "Dein Foto ist unterwegs",
}
JAPANESE = {
    "Your headshot": "あなたのポートレート",
    "Download": "ダウンロード",
    "Delete my photo": "写真を削除",
    "Your privacy": "プライバシーについて",
    "Delete this photo?": "この写真を削除しますか？",
    "Language": "言語",
    "{date} at {time}": "{date} {time}",
    "It is deleted automatically after %(count)s day, on %(until)s.": (
        "%(count)s日後の%(until)sに自動的に削除されます。",),
}

_KEEP = re.compile(r"(<[^>]*>|%\([a-z_]+\)s|%%|\{[a-z_]+\}|&[a-z]+;)")


def pseudo(text: str) -> str:
    """``text`` with every ASCII letter full-width, its markup and placeholders kept as they are."""
    return "".join(part if _KEEP.fullmatch(part) else
                   "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in part)
                   for part in _KEEP.split(text))


@pytest.fixture(scope="module")
def messages(tmp_path_factory) -> Catalog:
    """Every message in the code now, extracted as `make messages` does (Babel, babel.cfg)."""
    pot = tmp_path_factory.mktemp("pot") / "booth.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
                    "-k", "Plural:1,2", "--no-location", "-o", str(pot), "."], cwd=REPO, check=True)
    with pot.open("rb") as f:
        return read_po(f)


def write_catalogue(root: Path, code: str, messages: Catalog, translate: Callable[[str], str] | dict) -> None:
    """booth.po for ``code`` in ``root``: each message through ``translate`` (a function, or a dict of some)."""
    catalog = Catalog(locale=code)
    for m in messages:
        if not m.id:
            continue
        if callable(translate):
            if isinstance(m.id, tuple):
                string = (translate(m.id[0]), *[translate(m.id[1])] * (catalog.num_plurals - 1))
            else:
                string = translate(m.id)
        else:
            key = m.id[0] if isinstance(m.id, tuple) else m.id
            if key not in translate:
                continue
            string = translate[key]
        catalog.add(m.id, string)
    po = i18n.po_path(code, root)
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as f:
        write_po(f, catalog)


@pytest.fixture(scope="module")
def words(tmp_path_factory, messages) -> Path:
    root = tmp_path_factory.mktemp("locale")
    write_catalogue(root, "de", messages, GERMAN)
    write_catalogue(root, "ja", messages, JAPANESE)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, words):
    yield from running_web(tmp_path_factory.mktemp("lang") / "data", extra_config=LANGUAGES,
                           env_more={"BOOTH_LOCALE_DIR": str(words)})


def expected_date(ts: float, code: str) -> tuple[str, str]:
    """The weekday and the month of ``ts``, as CLDR writes them in ``code``."""
    when = datetime.fromtimestamp(ts)
    locale = Locale.parse(code)
    return locale.days["format"]["wide"][when.weekday()], locale.months["format"]["wide"][when.month]


# --- choosing ---------------------------------------------------------------------------------------------------


def test_the_url_beats_the_cookie_beats_the_phone_beats_the_first_offered() -> None:
    offered = ("de", "en", "ja")
    assert choose(offered, "ja", "en", "en-GB,en;q=0.9") == "ja"
    assert choose(offered, None, "en", "ja") == "en"
    assert choose(offered, None, None, "fr-FR, ja;q=0.8, de;q=0.5") == "ja"
    assert choose(offered, None, None, "fr-FR") == "de"  # nothing offered that the phone wants: the first
    assert choose(offered, "fr", "xx", "") == "de"  # not offered, or not a language: ignored
    assert choose(offered, "<b>", None, "en") == "en"


# --- rendering, in this process -------------------------------------------------------------------------------


def test_two_languages_rendered_at_once_never_mix(words, tmp_path) -> None:
    """One Jinja2 environment serves every request: each render's words are its own language's."""
    settings = WebSettings(tmp_path)
    offered = ("en", "de", "ja")
    pages = {code: PageLanguage(i18n.translator(code, words), tuple(i18n.LANGUAGES[c] for c in offered))
             for code in offered}
    mark = {"en": "<h1>Your headshot</h1>", "de": "<h1>Dein Porträtfoto</h1>",
            "ja": "<h1>あなたのポートレート</h1>"}
    wrong: list[str] = []
    start = threading.Barrier(3)

    def render_many(code: str) -> None:
        start.wait()
        for i in range(150):
            html = photo_page_html(pages[code], settings, f"t{i}", "4:5", "natural", 1e9 + i, 2e9, None)
            others = [m for c, m in mark.items() if c != code and m in html]
            if mark[code] not in html or others or f'<html lang="{code}"' not in html:
                wrong.append(f"{code} #{i}: {others}")

    threads = [threading.Thread(target=render_many, args=(code,)) for code in offered]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_right_to_left_language_sets_dir_and_english_sets_none(tmp_path) -> None:
    arabic = i18n.Language("ar", "العربية", "arabic", rtl=True)
    lang = PageLanguage(i18n.Translator(arabic, i18n.gettext.NullTranslations()), (arabic,))
    assert '<html lang="ar" dir="rtl">' in render_text("deleted.html", lang)
    english = render_text("deleted.html", page_language("en"))
    assert '<html lang="en">' in english and 'id="languages"' not in english  # one language: no switcher


def test_dates_and_numbers_are_in_the_pages_language_whatever_the_process_locale(words) -> None:
    ts = time.mktime((2026, 12, 7, 14, 5, 0, 0, 0, -1))  # a Monday
    assert date_text(ts, page_language("en")) == "Monday 7 December at 14:05"  # as the page always said
    german = PageLanguage(i18n.translator("de", words), ())
    assert date_text(ts, german) == "Montag, 7. Dezember um 14:05"
    japanese = PageLanguage(i18n.translator("ja", words), ())
    assert date_text(ts, japanese) == "12月7日月曜日 14:05"
    assert number_text(1536.25, 1, german) == "1.536,2" and number_text(1536.25, 1, page_language("en")) == "1,536.2"


# --- a real `booth web`, over HTTP ------------------------------------------------------------------------------


def test_pages_say_they_vary_and_only_a_real_choice_is_remembered(server, faces_dir) -> None:
    record = add_photo(server.data_dir, faces_dir)
    with server.client() as c:
        page = c.get(f"/p/{record.token}", headers={"accept-language": "ja"})
        assert page.status_code == 200 and "<h1>あなたのポートレート</h1>" in page.text
        vary = {v.strip().lower() for v in page.headers["vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary
        assert page.headers["cache-control"].startswith(("private", "no-store"))  # never a shared cache's
        assert "set-cookie" not in page.headers  # the phone's own language is no choice to remember

        chosen = c.get(f"/p/{record.token}?lang=de", headers={"accept-language": "ja"})
        assert "<h1>Dein Porträtfoto</h1>" in chosen.text and '<html lang="de">' in chosen.text
        assert re.match(rf"{COOKIE}=de; Max-Age=\d+; Path=/; SameSite=Lax$", chosen.headers["set-cookie"])
        # the cookie (kept by the client) carries the choice to the next page, over Accept-Language
        confirm = c.get(f"/p/{record.token}/delete", headers={"accept-language": "ja"})
        assert "<h1>Dieses Foto löschen?</h1>" in confirm.text

        image = c.get(f"/p/{record.token}/photo.jpg?lang=ja")
        assert image.status_code == 200 and "set-cookie" not in image.headers and "vary" not in image.headers


def test_phones_in_different_languages_at_once_each_get_their_own(server, faces_dir) -> None:
    """Both workers, many requests at once, German and Japanese interleaved: no page in the other's words."""
    record = add_photo(server.data_dir, faces_dir)
    heading = {"de": "<h1>Dein Porträtfoto</h1>", "ja": "<h1>あなたのポートレート</h1>"}

    def fetch(i: int) -> tuple[str, str]:
        code = "de" if i % 2 else "ja"
        with httpx.Client(base_url=server.base, timeout=30) as c:
            return code, c.get(f"/p/{record.token}", headers={"accept-language": code}).text

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(fetch, range(96)))
    assert [i for i, (code, html) in enumerate(answers)
            if heading[code] not in html or f'<html lang="{code}">' not in html] == []


def test_an_unknown_lang_falls_back_and_is_never_echoed(server, faces_dir) -> None:
    # The marker is four letters: two ("zq") turned up by chance inside the random photo token.
    record = add_photo(server.data_dir, faces_dir)
    with httpx.Client(base_url=server.base, timeout=20) as c:
        for asked in ("qzjx", "de-AT", "<script>qzjx</script>", "ja%00qzjx", "%22%3E%3Cem%3Eqzjx", "../../qzjx",
                      "qzjx" * 1500):
            page = c.get(f"/p/{record.token}?lang={asked}", headers={"accept-language": "de"})
            assert page.status_code == 200, asked
            assert "<h1>Dein Porträtfoto</h1>" in page.text, asked  # the phone's language instead
            assert "set-cookie" not in page.headers and "qzjx" not in page.text and "<script" not in page.text
        forged = c.get(f"/p/{record.token}", headers={"cookie": f"{COOKIE}=<i>qzjx</i>", "accept-language": "ja"})
        assert forged.status_code == 200 and "あなたのポートレート" in forged.text and "qzjx" not in forged.text
        assert c.get("/nothing-here?lang=de").status_code == 404
        assert "Hier ist kein Foto" in c.get("/nothing-here?lang=de").text


def test_staff_pages_follow_the_staff_members_language(server) -> None:
    with httpx.Client(base_url=server.base, timeout=20, headers={"accept-language": "de-DE,de;q=0.9"}) as c:
        login = c.get("/staff/login")
        assert "Fotobox: Personal" in login.text and "Passwort" in login.text
        wrong = c.post("/staff/login", data={"password": "not it"})
        assert wrong.status_code == 401 and "Falsches Passwort." in wrong.text
        assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
        dashboard = c.get("/staff")
        assert dashboard.status_code == 200 and "Fotos heute" in dashboard.text and '<html lang="de">' in dashboard.text
        assert "Alle Fotos löschen?" in c.get("/staff/wipe").text


def test_a_booth_with_one_language_is_english_and_chooses_nothing(tmp_path, faces_dir) -> None:
    for server in running_web(tmp_path / "data"):
        record = add_photo(server.data_dir, faces_dir)
        with server.client() as c:
            page = c.get(f"/p/{record.token}?lang=de", headers={"accept-language": "de"})
            assert page.status_code == 200 and "<h1>Your headshot</h1>" in page.text and '<html lang="en">' in page.text
            assert "vary" not in page.headers and "set-cookie" not in page.headers
            assert 'id="languages"' not in page.text


def test_the_cloud_server_speaks_the_same_languages(tmp_path, s3, jpegs, words, monkeypatch) -> None:
    """`booth web --cloud` renders the same pages: chosen the same way, in the same words."""
    monkeypatch.setenv("BOOTH_LOCALE_DIR", str(words))  # the children's environment is this process's
    port = free_port()
    booth = Booth(tmp_path, s3, "hall-l", public_url=f"http://127.0.0.1:{port}")
    [token] = booth.publish(jpegs)
    assert booth.sync_once().returncode == 0
    waiting = secrets.token_urlsafe(18)  # announced by `booth sync`, not there yet
    s3.client().put_object(Bucket=s3.bucket, Key=Layout(booth.prefix).photo("hall-l", waiting, "pending"), Body=b"")
    booth.config.write_text(booth.config.read_text() + f'\n[web]\nstaff_password_hash = "{STAFF_HASH}"\n'
                            + LANGUAGES)
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        with httpx.Client(base_url=web.base, timeout=30, headers={"accept-language": "de"}) as c:
            page = c.get(f"/p/{token}")
            assert page.status_code == 200 and "<h1>Dein Porträtfoto</h1>" in page.text
            assert {"accept-language", "cookie"} <= {v.strip().lower() for v in page.headers["vary"].split(",")}
            assert "<h1>あなたのポートレート</h1>" in c.get(f"/p/{token}?lang=ja").text
            assert "<h1>あなたのポートレート</h1>" in c.get(f"/p/{token}").text  # the cookie, over the phone's German
            c.cookies.clear()
            assert "<h1>Dein Foto ist unterwegs</h1>" in c.get(f"/p/{waiting}").text
            assert "Hier ist kein Foto" in c.get("/p/" + "B" * 24).text
            assert "Passwort" in c.get("/staff/login").text
            assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            assert "Fotos heute" in c.get("/staff").text
    finally:
        web.stop()


# --- every word through a catalogue ---------------------------------------------------------------------------


class _Visible(HTMLParser):
    """The text a person sees or hears: text nodes (not the stylesheet) and alt/title/aria-label/placeholder."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._skip += 1
        self.texts += [v for k, v in attrs if k in ("alt", "title", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


def untranslated(html: str, allowed: set[str]) -> list[str]:
    """Words of ASCII letters on the page that are not data (``allowed``): words no catalogue was asked for."""
    parser = _Visible()
    parser.feed(html)
    return [word for text in parser.texts for word in re.findall(r"[A-Za-z][A-Za-z'’.-]*", text)
            if word.strip(".") not in allowed]


_GERMAN = Locale.parse("de")
# Data, not words: the switcher's names, the code's pattern, disk units, CLDR's German days and months.
# The booth's screen ("attract") and camera ("scripted") are named, as `booth doctor` names them.
DATA_WORDS = {"English", "Deutsch", "XXXX-XXXX", "B", "KB", "MB", "GB", "TB", "attract", "scripted"} | {
    word for names in (_GERMAN.days["format"]["wide"], _GERMAN.months["format"]["wide"]) for word in names.values()}


def test_every_word_on_every_page_comes_from_a_catalogue(tmp_path, faces_dir, messages) -> None:
    """A pseudo-German that turns each extracted message full-width: an ASCII word left is one never translated."""
    root = tmp_path / "locale"
    write_catalogue(root, "de", messages, pseudo)
    allowed = DATA_WORDS
    for server in running_web(tmp_path / "data", extra_config='[display]\nlanguages = ["de", "en"]\n',
                              env_more={"BOOTH_LOCALE_DIR": str(root)}):
        record = add_photo(server.data_dir, faces_dir, look="serious")
        # the booth's report, as the staff page shows it: a camera down, the disk low
        write_status(server.data_dir, BoothStatus(state="attract", camera="scripted", camera_ok=False, disk_low=True,
                                                  message=fault_message(camera_ok=False, disk_low=True)))
        expired = add_photo(server.data_dir, faces_dir, index=1, now=time.time() - 8 * 86400)
        visit = keep_visit(server.data_dir, faces_dir, secrets.token_urlsafe(18))
        with server.client() as c:
            pages: dict[str, httpx.Response] = {
                "photo": c.get(f"/p/{record.token}"),
                "confirm": c.get(f"/p/{record.token}/delete"),
                "unknown": c.get("/p/" + "A" * 24),
                "expired": c.get(f"/p/{expired.token}"),
                "code form": c.get("/"),
                "bad code": c.get("/?code=12"),
                "wrong code": c.get("/?code=ABCD-EFGH"),
                "not deleted": c.post(f"/p/{record.token}/delete", headers={"origin": "https://elsewhere.example"}),
                "login": c.get("/staff/login"),
                "wrong password": c.post("/staff/login", data={"password": "not it"}),
            }
            assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            pages |= {
                "staff": c.get("/staff"),
                "staff done": c.get("/staff?done=deleted"),
                "staff delete": c.get(f"/staff/delete/{record.token}"),
                "wipe": c.get("/staff/wipe"),
                "wipe refused": c.post("/staff/wipe", data={"count": "99"}),
            }
            pages["visit"] = c.get(f"/v/{visit[0].visit}")
            pages["deleted"] = c.post(f"/p/{record.token}/delete")
        problems = {name: untranslated(r.text, allowed) for name, r in pages.items()}
        assert {name: words for name, words in problems.items() if words} == {}
        assert {name: r.status_code for name, r in pages.items() if r.status_code >= 500} == {}
        assert all('<html lang="de">' in r.text for r in pages.values())
        staff = pages["staff"].text  # the booth's report was there to be said
        assert pseudo("Needs attention") in staff and pseudo(CAMERA_RETRYING) in staff


# --- real Chromium on a phone ----------------------------------------------------------------------------------


@pytest.fixture
def phone_in(browser) -> Iterator[Callable[[str], object]]:  # noqa: F811 (browser: the fixture)
    """A phone whose language is set to ``locale`` (Chromium sends it as Accept-Language)."""
    with ExitStack() as phones:
        def make(locale: str):
            _, page, problems = phones.enter_context(open_phone(browser, locale=locale))
            return page, problems

        yield make


def test_the_phone_page_in_german_and_in_japanese(server, phone_in, faces_dir) -> None:
    record = add_photo(server.data_dir, faces_dir)
    weekday, month = expected_date(record.expires, "de")
    page, problems = phone_in("de-DE")
    assert page.goto(f"{server.base}/p/{record.token}").status == 200
    assert page.locator("h1").inner_text() == "Dein Porträtfoto"
    assert page.locator("#download").inner_text() == "Herunterladen"
    assert page.locator("#delete").inner_text() == "Mein Foto löschen"
    assert page.evaluate("document.documentElement.lang") == "de"
    privacy = page.locator("#privacy").inner_text()
    assert "Deine Privatsphäre" in privacy and "nach 7 Tagen automatisch gelöscht" in privacy
    assert weekday in privacy and month in privacy and " um " in privacy  # the date in German, by CLDR
    assert page.locator("#languages b").inner_text() == "Deutsch"
    assert page.locator("#languages a").all_inner_texts() == ["English", "日本語"]
    shot(page, "phone-page-de.png")
    assert relevant(problems) == []

    page, problems = phone_in("ja-JP")
    assert page.goto(f"{server.base}/p/{record.token}").status == 200
    assert page.locator("h1").inner_text() == "あなたのポートレート"
    assert page.locator("#download").inner_text() == "ダウンロード"
    assert page.evaluate("document.documentElement.lang") == "ja"
    when = datetime.fromtimestamp(record.expires)
    privacy = page.locator("#privacy").inner_text()
    assert f"7日後の{when.month}月{when.day}日" in privacy and "曜日" in privacy
    shot(page, "phone-page-ja.png")
    assert relevant(problems) == []


def test_the_qrs_lang_beats_the_phone_and_the_switcher_changes_it(server, phone_in, faces_dir) -> None:
    record = add_photo(server.data_dir, faces_dir)
    page, problems = phone_in("de-DE")
    page.goto(with_language(photo_url(server.base, record.token), "ja"))  # the booth's QR for a Japanese guest
    assert page.locator("h1").inner_text() == "あなたのポートレート"
    page.click("#delete")  # the next page keeps the language (the cookie), whatever the phone says
    page.wait_for_url(f"**/p/{record.token}/delete")
    assert page.locator("h1").inner_text() == "この写真を削除しますか？"
    page.click("#keep")
    page.wait_for_url(f"**/p/{record.token}")
    assert page.locator("h1").inner_text() == "あなたのポートレート"

    page.locator("#languages a", has_text="English").click()  # a plain link: no script on the page
    page.wait_for_url(f"**/p/{record.token}?lang=en")
    assert page.locator("h1").inner_text() == "Your headshot"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.scripts.length") == 0
    page.goto(f"{server.base}/p/{record.token}")
    assert page.locator("h1").inner_text() == "Your headshot"  # remembered over the phone's German
    page.locator("#languages a", has_text="Deutsch").click()
    page.wait_for_url(f"**/p/{record.token}?lang=de")
    assert page.locator("h1").inner_text() == "Dein Porträtfoto"
    assert relevant(problems) == []


def test_every_word_on_the_cloud_servers_pages_comes_from_a_catalogue(tmp_path, s3, jpegs, messages,
                                                                     monkeypatch) -> None:
    """The pages only `booth web --cloud` shows (on its way, every booth's table) through the pseudo-German too."""
    root = tmp_path / "locale"
    write_catalogue(root, "de", messages, pseudo)
    monkeypatch.setenv("BOOTH_LOCALE_DIR", str(root))
    port = free_port()
    booth = Booth(tmp_path, s3, "hall-p", public_url=f"http://127.0.0.1:{port}")
    [token] = booth.publish(jpegs)
    assert booth.sync_once().returncode == 0
    waiting = secrets.token_urlsafe(18)
    s3.client().put_object(Bucket=s3.bucket, Key=Layout(booth.prefix).photo("hall-p", waiting, "pending"), Body=b"")
    booth.config.write_text(booth.config.read_text() + f'\n[web]\nstaff_password_hash = "{STAFF_HASH}"\n'
                            '[display]\nlanguages = ["de", "en"]\n')
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        with httpx.Client(base_url=web.base, timeout=30) as c:
            pages = {
                "photo": c.get(f"/p/{token}"),
                "on its way": c.get(f"/p/{waiting}"),
                "unknown": c.get("/p/" + "C" * 24),
                "confirm": c.get(f"/p/{token}/delete"),
                "not deleted": c.post(f"/p/{token}/delete", headers={"origin": "https://elsewhere.example"}),
                "login": c.get("/staff/login"),
            }
            assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
            pages |= {"staff": c.get("/staff"), "one booth": c.get("/staff?booth=hall-p")}
            pages["deleted"] = c.post(f"/p/{token}/delete")
        assert {name: r.status_code for name, r in pages.items() if r.status_code >= 500} == {}
        problems = {name: untranslated(r.text, DATA_WORDS | {"hall-p"}) for name, r in pages.items()}
        assert {name: words for name, words in problems.items() if words} == {}
        assert pseudo("Every booth") in pages["staff"].text and 'data-booth="hall-p"' in pages["staff"].text
        assert pseudo("Your photo is on its way") in pages["on its way"].text
    finally:
        web.stop()
