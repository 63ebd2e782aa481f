"""The short code over real HTTP against a real `booth web` (two workers): lookups, the form, the limit."""

from __future__ import annotations

import concurrent.futures
import re
import time

import pytest

from booth.codes import ALPHABET, CODE_LENGTH, display, normalise, short_code
from booth.web.codes import OVERALL, PER_CLIENT
from test_web_support import add_photo, running_web


@pytest.fixture
def server(tmp_path):
    yield from running_web(tmp_path / "data")  # a fresh server per test: the limit's window starts empty


def _wrong(code: str, i: int) -> str:
    """A well-formed code that is not ``code`` (the i-th of many)."""
    out, n = [], i + 1
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        out.append(ALPHABET[r])
    wrong = "".join(out)
    return wrong if wrong != code else wrong[::-1]


def test_codes_are_short_typeable_and_unambiguous():
    codes = {short_code(f"token-{i}") for i in range(2000)}
    assert len(codes) == 2000  # no clash among an event's worth
    for c in list(codes)[:50]:
        assert len(c) == CODE_LENGTH and set(c) <= set(ALPHABET)
        assert normalise(display(c).lower()) == c and normalise(f" {c[:4]} {c[4:]} ") == c
    for bad in ("0", "O", "1", "I", "L", "B", "S", "U", "V", "Z", "A", "E"):
        assert bad not in ALPHABET  # no look-alikes, no vowels
    assert normalise("REDIRECT") is None and normalise("XXXX") is None and normalise(None) is None


def test_the_code_leads_to_the_photo_page(server, faces_dir):
    photo = add_photo(server.data_dir, faces_dir)
    assert photo.code == short_code(photo.token)
    with server.client() as c:
        for path in (f"/{photo.code}", f"/{display(photo.code).lower()}", f"/?code={display(photo.code)}",
                     f"/?code=+{photo.code[:4]}+{photo.code[4:].lower()}+"):
            r = c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"] == f"p/{photo.token}" and r.headers["cache-control"] == "no-store"
            page = c.get(path, follow_redirects=True)
            assert page.status_code == 200 and f"p/{photo.token}/photo.jpg" in page.text
        form = c.get("/")
    assert form.status_code == 200 and 'name="code"' in form.text and 'method="get"' in form.text
    assert "<script" not in form.text


def test_wrong_codes_get_the_form_again_and_other_paths_stay_404(server, faces_dir):
    photo = add_photo(server.data_dir, faces_dir)
    with server.client() as c:
        r = c.get(f"/{_wrong(photo.code, 0)}")
        assert r.status_code == 404 and "No photo has that code" in r.text and 'name="code"' in r.text
        r = c.get("/?code=hello")
        assert r.status_code == 400 and "8 letters and digits" in r.text
        for path in ("/REDIRECT", "/favicon.ico", "/p", "/staffxyz"):
            r = c.get(path)
            assert r.status_code == 404 and "No photo here" in r.text, path


def test_guessing_is_stopped_per_client_and_the_right_code_is_refused_too(server, faces_dir):
    photo = add_photo(server.data_dir, faces_dir)
    with server.client(source="127.0.0.2") as c:
        for i in range(PER_CLIENT.attempts - 1):
            assert c.get(f"/{_wrong(photo.code, i)}").status_code == 404
        # A right code costs nothing: the guest who types theirs is never the one stopped.
        for _ in range(3):
            assert c.get(f"/{photo.code}").status_code == 303
        assert c.get(f"/{_wrong(photo.code, 99)}").status_code == 404  # the last wrong try allowed
        r = c.get(f"/{photo.code}")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 500
        assert "Too many tries" in r.text and photo.token not in r.text
        assert c.get(f"/?code={photo.code}").status_code == 429
    with server.client(source="127.0.0.3") as other:  # someone else is not punished
        assert other.get(f"/{photo.code}").status_code == 303


def test_many_addresses_share_one_limit(server, faces_dir):
    photo = add_photo(server.data_dir, faces_dir)
    clients = OVERALL.attempts // PER_CLIENT.attempts
    i = 0
    for n in range(clients):
        with server.client(source=f"127.0.1.{n + 1}") as c:
            for _ in range(PER_CLIENT.attempts):
                assert c.get(f"/{_wrong(photo.code, i)}").status_code == 404
                i += 1
    with server.client(source="127.0.2.1") as fresh:
        r = fresh.get(f"/{photo.code}")
    assert r.status_code == 429  # a new address does not buy new guesses


def test_parallel_guesses_never_pass_the_limit(server, faces_dir):
    """Lookups racing in on both workers at once: exactly the limit is answered, the rest refused."""
    photo = add_photo(server.data_dir, faces_dir)
    with server.client(source="127.0.0.4") as c:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            codes = [status for status in pool.map(lambda i: c.get(f"/{_wrong(photo.code, i)}").status_code,
                                                   range(4 * PER_CLIENT.attempts))]
    assert codes.count(404) == PER_CLIENT.attempts and codes.count(429) == 3 * PER_CLIENT.attempts


def test_the_log_never_holds_a_code_or_token(server, faces_dir):
    photo = add_photo(server.data_dir, faces_dir)
    with server.client(source="127.0.0.5") as c:
        for i in range(PER_CLIENT.attempts + 2):
            c.get(f"/{_wrong(photo.code, i)}")
        c.get(f"/{photo.code}")
    log = server.log_text()
    assert "too many tries" in log
    assert photo.code not in log and photo.token not in log and not re.search(r"/[2-9C-Y]{8}\b", log)


# ---------------------------------------------------------------- the code of a visit (the session of looks)


def test_a_visits_code_leads_to_the_visit_page_behind_the_same_limit(server, faces_dir):
    """The share screen of the session of looks shows the visit's code: typed, it opens the visit's one
    page; its photos have no codes of their own (nobody was shown one, so none is there to guess)."""
    from booth.gallery import Gallery
    from test_web_visit import keep_visit, listed

    with Gallery(server.data_dir, reconcile=False) as g:
        visit, theirs = g.new_visit(), g.new_visit()
    mine = keep_visit(server.data_dir, faces_dir, visit)
    other = keep_visit(server.data_dir, faces_dir, theirs, looks=("smile",), first_face=5)
    assert all(r.code is None for r in mine + other)
    code = short_code(visit)
    with server.client(source="127.0.0.6") as c:
        for path in (f"/{code}", f"/{display(code).lower()}", f"/?code={display(code)}"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == f"v/{visit}", path
            assert r.headers["cache-control"] == "no-store"
        page = c.get(f"/{code}", follow_redirects=True)
        assert page.status_code == 200 and listed(page.text) == [r.token for r in mine]
        assert c.get(f"/{short_code(theirs)}").headers["location"] == f"v/{theirs}"  # each visit its own
        # A right visit code is refunded like a photo's: typing it again and again never stops the guest ...
        for _ in range(PER_CLIENT.attempts + 2):
            assert c.get(f"/{code}").status_code == 303
        # ... and the photos' own would-be codes are wrong codes, counted like any guess.
        for record in mine:
            r = c.get(f"/{short_code(record.token)}")
            assert r.status_code == 404 and "No photo has that code" in r.text
        for i in range(PER_CLIENT.attempts - len(mine)):
            assert c.get(f"/{_wrong(code, i)}").status_code == 404
        r = c.get(f"/{code}")
        assert r.status_code == 429 and visit not in r.text  # past the limit, the right visit code too
    log = server.log_text()
    assert code not in log and visit not in log and "/v/" not in log


def test_a_visit_with_no_photo_left_answers_like_an_unknown_code(server, faces_dir):
    from booth.gallery import Gallery
    from test_web_visit import keep_visit

    with Gallery(server.data_dir, reconcile=False) as g:
        deleted, expired = g.new_visit(), g.new_visit()
    gone = keep_visit(server.data_dir, faces_dir, deleted, looks=("smile", "serious"))
    keep_visit(server.data_dir, faces_dir, expired, now=time.time() - 8 * 86400)  # past the 7 days
    with server.client(source="127.0.0.7") as c:
        assert c.get(f"/{short_code(deleted)}").status_code == 303
        with Gallery(server.data_dir, reconcile=False) as g:
            g.delete(gone[0].token)
            assert c.get(f"/{short_code(deleted)}").status_code == 303  # one photo left: the visit stays
            g.delete(gone[1].token)
        for visit in (deleted, expired):
            r = c.get(f"/{short_code(visit)}")
            assert r.status_code == 404 and "No photo has that code" in r.text and visit not in r.text
