"""[event] on the phone pages: the event's logo, name and welcome line, from a real `booth web`
(and a real `booth web --cloud`), the logo served at a fixed route with cache headers, and shown
by real Chromium under the pages' strict CSP. Without [event] the pages are as before.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser

from booth.gallery import Gallery, new_token
from s3_server import Booth, CloudWeb, S3Server, jpegs, s3  # noqa: F401 - jpegs and s3 are fixtures
from test_web_browser import browser, open_phone, relevant  # noqa: F401 - browser is a fixture
from test_web_support import ARTIFACTS, WebServer, add_photo, face_jpegs, start_web
from booth_process import free_port

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">'
       '<rect width="240" height="80" rx="12" fill="#1a73e8"/><circle cx="40" cy="40" r="24" fill="#fff"/></svg>')
EVENT = '[event]\nname = "Summer Gala"\nwelcome = "Welcome & enjoy <the> night"\nlogo = "{logo}"\n'


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (90, 30), (230, 20, 120, 255)).save(out, "PNG")
    return out.getvalue()


def _serve(tmp: Path, logo: tuple[str, bytes] | None, extra: str | None = None) -> WebServer:
    text = ""
    if logo is not None:
        (tmp / logo[0]).write_bytes(logo[1])
        text = EVENT.format(logo=logo[0])
    return start_web(tmp / "data", extra_config=extra if extra is not None else text, workers=2)


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = _serve(tmp_path_factory.mktemp("branded"), ("logo.svg", SVG.encode()))
    try:
        yield server
    finally:
        server.stop()


def _body(html: str) -> str:
    """The page without its head (whose inlined stylesheet names the event's classes either way)."""
    return html.split("</head>", 1)[1]


def _logo_link(html: str) -> str:
    found = re.search(r'<img class="event-logo" src="\.\./(event/logo\?v=[0-9a-f]{8})" width="(\d+)" '
                      r'height="(\d+)" alt="">', html)
    assert found, html[:800]
    assert int(found[2]) / int(found[3]) == pytest.approx(3.0, abs=0.02), "the logo's shape, for the layout"
    return found[1]


def test_photo_page_shows_the_event(branded: WebServer, faces_dir: Path) -> None:
    record = add_photo(branded.data_dir, faces_dir)
    with branded.client() as c:
        r = c.get(f"/p/{record.token}")
    assert r.status_code == 200
    html = r.text
    assert '<header class="event" id="event">' in html
    assert '<p class="event-name">Summer Gala</p>' in html
    assert '<p class="event-welcome">Welcome &amp; enjoy &lt;the&gt; night</p>' in html, "escaped"
    assert html.index('id="event"') < html.index("<h1>Your headshot</h1>"), "at the top"
    _logo_link(html)


def test_logo_route_serves_the_file_with_cache_headers(branded: WebServer, faces_dir: Path) -> None:
    record = add_photo(branded.data_dir, faces_dir)
    with branded.client() as c:
        link = _logo_link(c.get(f"/p/{record.token}").text)
        r = c.get("/" + link)
        assert r.status_code == 200 and r.content == SVG.encode(), "the file as it is"
        assert r.headers["content-type"] == "image/svg+xml"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "default-src 'none'" in r.headers["content-security-policy"], "an SVG opened alone runs no script"
        assert r.headers["x-content-type-options"] == "nosniff"
        again = c.get("/event/logo", headers={"if-none-match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert c.head("/event/logo").status_code == 200


def test_visit_page_shows_the_event(branded: WebServer, faces_dir: Path) -> None:
    visit = new_token()
    original, retouched = face_jpegs(faces_dir)
    with Gallery(branded.data_dir, reconcile=False) as g:
        for look in ("serious", "smile"):
            g.add(original_jpeg=original, retouched_jpeg=retouched, look=look, crop="4:5", retouch="natural",
                  scores={}, visit=visit)
    with branded.client() as c:
        html = c.get(f"/v/{visit}").text
    assert '<p class="event-name">Summer Gala</p>' in html and "Welcome &amp; enjoy" in html
    assert html.index('id="event"') < html.index("<h1>Your headshots</h1>")
    _logo_link(html)


def test_png_logo_and_name_only(tmp_path: Path, faces_dir: Path) -> None:
    server = _serve(tmp_path, ("brand.png", _png()))
    try:
        record = add_photo(server.data_dir, faces_dir)
        with server.client() as c:
            r = c.get("/event/logo")
            assert r.headers["content-type"] == "image/png" and r.content == _png()
            assert 'width="90" height="30"' in c.get(f"/p/{record.token}").text
    finally:
        server.stop()
    server = _serve(tmp_path, None, extra='[event]\nname = "Just a name"\n')
    try:
        record = add_photo(server.data_dir, faces_dir)
        with server.client() as c:
            html = _body(c.get(f"/p/{record.token}").text)
            assert '<p class="event-name">Just a name</p>' in html and "event-logo" not in html
            assert "event-welcome" not in html
            assert c.get("/event/logo").status_code == 404, "no logo: no route"
    finally:
        server.stop()


def test_without_event_the_pages_are_as_before(tmp_path: Path, faces_dir: Path) -> None:
    server = _serve(tmp_path, None)
    try:
        record = add_photo(server.data_dir, faces_dir)
        with server.client() as c:
            html = _body(c.get(f"/p/{record.token}").text)
            assert "<header" not in html and "event" not in html
            assert "<main>\n\n<h1>Your headshot</h1>" in html, "the page starts with its heading, as before"
            assert c.get("/event/logo").status_code == 404
    finally:
        server.stop()


def test_chromium_shows_the_logo_under_the_pages_csp(branded: WebServer, browser: Browser,  # noqa: F811
                                                     faces_dir: Path) -> None:
    record = add_photo(branded.data_dir, faces_dir)
    with open_phone(browser) as (_, page, problems):
        page.goto(f"{branded.base}/p/{record.token}")
        logo = page.locator("img.event-logo")
        logo.wait_for()
        page.wait_for_function("document.querySelector('img.event-logo').complete")
        assert page.evaluate("document.querySelector('img.event-logo').naturalWidth") > 0, "the SVG was drawn"
        box = logo.bounding_box()
        assert box is not None and box["height"] == pytest.approx(3.2 * 16, abs=1.5), "the CSS applied (3.2rem)"
        assert box["width"] == pytest.approx(3 * box["height"], rel=0.03), "not stretched"
        assert page.locator(".event-name").inner_text() == "Summer Gala"
        assert page.locator(".event-welcome").inner_text() == "Welcome & enjoy <the> night"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-event.png"), full_page=True)
        assert relevant(problems) == [], problems


def test_cloud_server_shows_the_event_too(tmp_path: Path, s3: S3Server,  # noqa: F811
                                          jpegs: tuple[bytes, bytes]) -> None:  # noqa: F811
    port = free_port()
    booth = Booth(tmp_path, s3, "brand-a", prefix=f"{tmp_path.name}-brand/", public_url=f"http://127.0.0.1:{port}")
    token = booth.publish(jpegs, 1)[0]
    assert booth.sync_once().returncode == 0
    (booth.config.parent / "logo.svg").write_text(SVG)
    booth.config.write_text(booth.config.read_text() + "\n" + EVENT.format(logo="logo.svg"))
    web = CloudWeb(booth, port, tmp_path / "cloud-web.log")
    try:
        html = httpx.get(f"{web.base}/p/{token}").text
        assert '<p class="event-name">Summer Gala</p>' in html
        r = httpx.get(f"{web.base}/{_logo_link(html)}")
        assert r.status_code == 200 and r.content == SVG.encode() and r.headers["content-type"] == "image/svg+xml"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    finally:
        web.stop()


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return r, g, b


def test_the_accent_colour_styles_the_buttons_readably_in_both_schemes(tmp_path: Path, browser: Browser,  # noqa: F811
                                                                        faces_dir: Path) -> None:
    """A bright yellow reads on the dark scheme as it is; on the light one it is darkened until it
    reads, and the button's words are whichever of black or white reads on it. Under the CSP:
    a stylesheet without its hash in the policy would be refused, and Chromium would say so."""
    from booth.colour import contrast

    server = _serve(tmp_path, None, extra='[event]\naccent_colour = "#ffd400"\n')
    try:
        record = add_photo(server.data_dir, faces_dir)
        with server.client() as c:
            body = _body(c.get(f"/p/{record.token}").text)
        assert "<header" not in body, "a colour alone puts no header on the page"
        seen = {}
        for scheme, page_bg in (("light", (0xf6, 0xf5, 0xf2)), ("dark", (0x14, 0x14, 0x17))):
            with open_phone(browser, color_scheme=scheme) as (_, page, problems):
                page.goto(f"{server.base}/p/{record.token}")
                style = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('a.button'));"
                                      " return [s.backgroundColor, s.color]; })()")
                fill, words = _rgb(style[0]), _rgb(style[1])
                assert contrast(fill, page_bg) >= 4.5, (scheme, fill)
                assert contrast(words, fill) >= 4.5, (scheme, words, fill)
                assert relevant(problems) == [], problems
                seen[scheme] = fill
        assert seen["dark"] == (0xff, 0xd4, 0x00), "readable as it is: unchanged"
        r, g, b = seen["light"]
        assert r < 0xff and b == 0 and abs(r / max(g, 1) - 0xff / 0xd4) < 0.05, "the same yellow, darkened"
    finally:
        server.stop()


@pytest.mark.parametrize("locale", ["de-DE", "ja-JP"])
def test_the_phone_page_in_the_phones_language_with_the_events_logo(tmp_path: Path, browser: Browser,  # noqa: F811
                                                                      faces_dir: Path, locale: str) -> None:
    """The shipped catalogues (booth/locale, not a test's own), as a German or Japanese phone
    asks for them (Chromium sends its locale as Accept-Language), with the event's logo."""
    from booth import i18n

    tr = i18n.translator(locale[:2])
    (tmp_path / "logo.svg").write_text(SVG)
    server = start_web(tmp_path / "data", workers=2, extra_config=EVENT.format(logo="logo.svg")
                       + '[display]\nlanguages = ["en", "de", "ja"]\n')
    try:
        record = add_photo(server.data_dir, faces_dir)
        with open_phone(browser, locale=locale) as (_, page, problems):
            assert page.goto(f"{server.base}/p/{record.token}").status == 200
            assert page.evaluate("document.documentElement.lang") == locale[:2]
            for selector, english in (("h1", "Your headshot"), ("#download", "Download"),
                                      ("#delete", "Delete my photo")):
                assert tr.has(english) and tr(english) != english, f"{locale}: {english!r} is translated"
                assert page.locator(selector).inner_text() == tr(english)
            page.wait_for_function("document.querySelector('img.event-logo').complete")
            assert page.evaluate("document.querySelector('img.event-logo').naturalWidth") > 0, "the logo was drawn"
            assert page.locator(".event-name").inner_text() == "Summer Gala", "the event's own words, as written"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"phone-event-{locale[:2]}.png"), full_page=True)
            assert relevant(problems) == [], problems
    finally:
        server.stop()
