"""The phone page in real headless Chromium at a phone's viewport, against a real `booth web`.

Screenshots are kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from test_web_support import ARTIFACTS, STAFF_PASSWORD, add_photo, running_web, stored

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from running_web(tmp_path_factory.mktemp("browser") / "data")


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/system-deps.sh test")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@contextmanager
def open_phone(browser: Browser, **options: Any) -> Iterator[tuple[BrowserContext, Page, list[str]]]:
    """A phone-sized Chromium page (``options``: locale, color_scheme, ...) and the problems it
    reports: console errors, page errors, failed requests. The one way the tests open a phone."""
    context = browser.new_context(**PHONE, accept_downloads=True, **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", console_to(problems))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    try:
        yield context, page, problems
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser, tmp_path: Path) -> Iterator[tuple[BrowserContext, Page, list[str]]]:
    with open_phone(browser) as opened:
        yield opened


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000
    return path


def console_to(problems: list[str]) -> Any:
    """Collect errors and warnings with the URL they are about ("Failed to load resource" names none)."""
    def record(m: ConsoleMessage) -> None:
        if m.type in ("error", "warning"):
            problems.append(f"{m.text} [{m.location.get('url', '')}]")
    return record


def relevant(problems: list[str], *expected: str) -> list[str]:
    """All but what the test asked for: ``expected`` URLs answered 4xx on purpose (the 404 page's own
    request, a wrong password). /favicon.ico is the browser's own guess, not the page's doing."""
    allowed = [f"[{url}]" for url in expected]
    return [p for p in problems if not p.endswith("/favicon.ico]") and not any(p.endswith(a) for a in allowed)]


def test_phone_page_download_and_delete(server, phone, faces_dir) -> None:
    context, page, problems = phone
    record = add_photo(server.data_dir, faces_dir)
    response = page.goto(f"{server.base}/p/{record.token}")
    assert response.status == 200
    page.wait_for_load_state("load")
    image = page.locator("img.photo")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 800
    box = image.bounding_box()
    assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the phone
    assert abs(box["height"] / box["width"] - 1.25) < 0.02  # 4:5, no distortion
    for button in ("#download", "#download-original", "#delete"):
        b = page.locator(button).bounding_box()
        assert b["height"] >= 44, button  # a thumb-sized target
    assert page.locator("#privacy").inner_text().count("7 days") == 1
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("performance.getEntriesByType('resource').every(e => e.name.startsWith(location.origin))")
    shot(page, "phone-page.png")
    page.locator("#privacy").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "phone-page-viewport-privacy.png"))

    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.startswith("headshot-")
    assert Path(download.value.path()).read_bytes() == stored(server.data_dir, record, "retouched")
    with page.expect_download() as original:
        page.click("#download-original")
    assert original.value.suggested_filename.endswith("-original.jpg")
    assert Path(original.value.path()).read_bytes() == stored(server.data_dir, record, "original")

    page.click("#delete")
    page.wait_for_url(f"**/p/{record.token}/delete")
    assert page.locator("h1").inner_text() == "Delete this photo?"
    shot(page, "phone-delete-confirm.png")
    assert (server.data_dir / "photos" / f"{record.token}.retouched.jpg").exists()  # not yet
    page.click("#confirm-delete")
    page.wait_for_load_state("load")
    assert "has been deleted" in page.locator("h1").inner_text()
    shot(page, "phone-deleted.png")

    assert not list((server.data_dir / "photos").glob(f"{record.token}*"))
    with sqlite3.connect(server.data_dir / "gallery.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM photos WHERE token = ?", (record.token,)).fetchone()[0] == 0
    again = page.goto(f"{server.base}/p/{record.token}")
    assert again.status == 404
    assert page.locator("h1").inner_text() == "No photo here"
    assert relevant(problems, f"{server.base}/p/{record.token}") == []


def test_keep_it_goes_back_without_deleting(server, phone, faces_dir) -> None:
    _, page, problems = phone
    record = add_photo(server.data_dir, faces_dir, index=1)
    page.goto(f"{server.base}/p/{record.token}")
    page.click("#delete")
    page.click("#keep")
    page.wait_for_url(f"**/p/{record.token}")
    assert page.locator("img.photo").evaluate("img => img.naturalWidth") == 800
    assert (server.data_dir / "photos" / f"{record.token}.retouched.jpg").exists()
    assert relevant(problems) == []


def test_expired_and_unknown_pages(server, phone, faces_dir) -> None:
    _, page, problems = phone
    record = add_photo(server.data_dir, faces_dir, now=time.time() - 8 * 86400)
    assert page.goto(f"{server.base}/p/{record.token}").status == 410
    assert page.locator("h1").inner_text() == "This photo has expired"
    shot(page, "phone-expired.png")
    assert page.goto(f"{server.base}/p/{'Z' * 24}").status == 404
    shot(page, "phone-unknown.png")
    assert relevant(problems, f"{server.base}/p/{record.token}", f"{server.base}/p/{'Z' * 24}") == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_missing_image_is_a_problem(server, phone, faces_dir, status) -> None:
    """The filter above lets through only what a test caused on purpose: a page part that fails is caught.

    (The stylesheet is inline in every page, so an image is the part that can go missing.)
    """
    _, page, problems = phone
    record = add_photo(server.data_dir, faces_dir, index=2)
    page.route("**/photo.jpg", lambda route: route.fulfill(status=status, body="gone"))
    assert page.goto(f"{server.base}/p/{record.token}").status == 200
    page.wait_for_load_state("load")
    found = relevant(problems, f"{server.base}/p/{record.token}")
    assert any(p.endswith(f"/p/{record.token}/photo.jpg]") and str(status) in p for p in found), problems


def test_staff_page_in_a_browser(server, browser, faces_dir) -> None:
    for i in range(3):
        add_photo(server.data_dir, faces_dir, index=i)
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", console_to(problems))
    try:
        page.goto(f"{server.base}/staff")
        page.wait_for_url("**/staff/login")
        page.fill("#password", "wrong password")
        page.click("button[type=submit]")
        assert page.locator("#error").inner_text() == "Wrong password."
        page.fill("#password", STAFF_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/staff")
        page.wait_for_load_state("load")
        thumbs = page.locator("#latest img")
        assert thumbs.count() >= 3
        # (wait_for_function would need 'unsafe-eval', which the page's policy rightly forbids)
        deadline = time.monotonic() + 20
        while True:
            widths = [thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth")
                      for i in range(thumbs.count())]
            if all(widths) or time.monotonic() > deadline:
                break
            page.wait_for_timeout(100)
        assert all(w == 240 for w in widths), widths
        shot(page, "staff-page.png")
        assert relevant(problems, f"{server.base}/staff/login") == []  # 401: the wrong password, on purpose
    finally:
        context.close()


def test_staff_delete_wipe_and_chart_in_a_browser(tmp_path, browser, faces_dir) -> None:
    """The real browser's own form posts (its Origin and Sec-Fetch-Site) pass the same-site check."""
    data = tmp_path / "data"
    made = [add_photo(data, faces_dir, index=i) for i in range(3)]
    for server in running_web(data):
        context = browser.new_context(viewport={"width": 1024, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", console_to(problems))
        try:
            page.goto(f"{server.base}/staff/login")
            page.fill("#password", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/staff")
            chart = page.locator("svg#per-hour")
            box = chart.bounding_box()
            assert box["width"] > 300 and box["height"] > 50  # drawn, at a readable size
            heights = [page.locator("svg#per-hour rect.bar").nth(h).bounding_box() for h in range(24)]
            now_hour = time.localtime().tm_hour
            assert heights[now_hour]["height"] > 40  # all three photos, this hour
            page.click(f'a.delete[href$="{made[0].token}"]')
            page.wait_for_url(f"**/staff/delete/{made[0].token}")
            page.click("#confirm-delete")
            page.wait_for_url("**/staff?done=deleted")
            assert page.locator("#done").inner_text() == "The photo was deleted."
            assert page.locator("#latest img").count() == 2
            page.click("#wipe")
            page.wait_for_url("**/staff/wipe")
            assert page.locator("#count").inner_text() == "2"
            page.fill("#confirm", "2")
            page.click("#confirm-wipe")
            page.wait_for_url("**/staff?done=wiped")
            assert page.locator("#done").inner_text() == "All photos were deleted."
            shot(page, "staff-after-wipe.png")
            assert relevant(problems) == []
        finally:
            context.close()
        assert sorted((data / "photos").iterdir()) == []
        assert "staff wiped the event: 2 photo(s)" in server.log_text()


def test_typing_the_short_code_on_a_phone(server, phone, faces_dir) -> None:
    """The form on / in a real browser: the code typed loosely (lower case, a space) opens the photo page."""
    context, page, problems = phone
    record = add_photo(server.data_dir, faces_dir)
    assert page.goto(f"{server.base}/").status == 200
    box = page.locator("#code").bounding_box()
    assert box["height"] >= 44 and box["width"] > 300  # a thumb-sized field across the phone
    page.fill("#code", f"{record.code[:4].lower()} {record.code[4:].lower()}")
    page.click("#find")
    page.wait_for_url(f"**/p/{record.token}")
    page.wait_for_load_state("load")
    assert page.locator("img.photo").evaluate("img => img.complete && img.naturalWidth") == 800
    page.goto(f"{server.base}/")
    page.fill("#code", "CCCC-CCCC")
    page.click("#find")
    page.wait_for_load_state("load")
    assert "No photo has that code" in page.locator("#code-error").inner_text()
    assert page.evaluate("document.scripts.length") == 0
    assert relevant(problems, f"{server.base}/?code=CCCC-CCCC") == []  # the 404 of a code that fits no photo
