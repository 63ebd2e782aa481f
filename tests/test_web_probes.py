"""Connectivity checks against a real `booth web`: each platform's probe answered as online, nothing else.

The expected answers are written out here from the platforms' own sources
(see booth/web/probes.py for where each comes from), not imported from the
module under test.
"""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

from test_web_support import add_photo, running_web

APPLE = b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
FIREFOX = b'<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>'

# (Host, path, status, exact body, content type starts with)
ONLINE = [
    ("connectivitycheck.gstatic.com", "/generate_204", 204, b"", None),
    ("www.google.com", "/generate_204", 204, b"", None),
    ("www.google.com", "/gen_204", 204, b"", None),
    ("clients3.google.com", "/generate_204", 204, b"", None),
    ("connectivitycheck.android.com", "/generate_204", 204, b"", None),
    ("play.googleapis.com", "/generate_204", 204, b"", None),
    ("www.gstatic.com", "/generate_204", 204, b"", None),
    ("captive.apple.com", "/hotspot-detect.html", 200, APPLE, "text/html"),
    ("captive.apple.com", "/library/test/success.html", 200, APPLE, "text/html"),
    ("www.apple.com", "/library/test/success.html", 200, APPLE, "text/html"),
    ("www.msftconnecttest.com", "/connecttest.txt", 200, b"Microsoft Connect Test", "text/plain"),
    ("www.msftncsi.com", "/ncsi.txt", 200, b"Microsoft NCSI", "text/plain"),
    ("detectportal.firefox.com", "/canonical.html", 200, FIREFOX, "text/html"),
    ("detectportal.firefox.com", "/success.txt?ipv4", 200, b"success\n", "text/plain"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory, faces_dir):
    data = tmp_path_factory.mktemp("probes") / "data"
    data.mkdir()
    add_photo(data, faces_dir)  # a gallery with a photo in it: the answers must not change or tell
    yield from running_web(data)


@pytest.mark.parametrize("host, path, status, body, ctype", ONLINE, ids=[h + p for h, p, *_ in ONLINE])
def test_probe_answered_as_online(server, host, path, status, body, ctype) -> None:
    with server.client() as c:
        r = c.get(path, headers={"Host": host})
        head = c.head(path, headers={"Host": host})
    assert r.status_code == status
    assert r.content == body
    if ctype is None:
        assert "content-type" not in r.headers
    else:
        assert r.headers["content-type"].startswith(ctype)
    assert "set-cookie" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    assert head.status_code == status and head.content == b""


def test_curl_android_and_apple(server) -> None:
    """The issue's own check: curl with the probe's Host header."""
    curl = shutil.which("curl")
    assert curl, "curl missing"
    out = subprocess.run([curl, "-s", "-o", "-", "-w", "\n%{http_code} %{size_download}",
                          "-H", "Host: connectivitycheck.gstatic.com", f"{server.base}/generate_204"],
                         capture_output=True, timeout=30, check=True).stdout
    assert out == b"\n204 0"
    out = subprocess.run([curl, "-s", "-H", "Host: captive.apple.com", f"{server.base}/hotspot-detect.html"],
                         capture_output=True, timeout=30, check=True).stdout
    assert out == APPLE


def test_host_header_forms(server) -> None:
    """A port, capitals or a trailing dot in Host are the same host; the probe path alone is not enough."""
    with server.client() as c:
        for host in ("captive.apple.com:80", "CAPTIVE.Apple.com", "captive.apple.com."):
            assert c.get("/hotspot-detect.html", headers={"Host": host}).content == APPLE, host


@pytest.mark.parametrize("host, path", [
    ("127.0.0.1", "/generate_204"),  # the booth's own address: not a probe
    ("10.42.0.1", "/hotspot-detect.html"),
    ("captive.apple.com", "/generate_204"),  # another platform's path
    ("connectivitycheck.gstatic.com", "/hotspot-detect.html"),
    ("example.com", "/ncsi.txt"),
])
def test_other_hosts_and_paths_are_the_usual_404(server, host, path) -> None:
    with server.client() as c:
        r = c.get(path, headers={"Host": host})
        unknown = c.get("/p/" + "x" * 24)
    assert r.status_code == 404
    assert r.text == unknown.text  # exactly the "no photo here" page


def test_a_probe_hosts_other_pages_are_the_booths_own(server) -> None:
    """Every name leads to the booth on its hotspot: a probe host's "/" is the booth's front page
    (the short-code form), the same bytes as at the booth's address, not a probe answer."""
    with server.client() as c:
        own = c.get("/")
        for host in ("connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com"):
            r = c.get("/", headers={"Host": host})
            assert r.status_code == own.status_code == 200, host
            assert r.content == own.content, host
            assert b"Success" not in r.content and b"Microsoft" not in r.content


def test_only_get_and_head(server) -> None:
    with server.client() as c:
        r = c.post("/generate_204", headers={"Host": "connectivitycheck.gstatic.com"})
    assert r.status_code == 405
    assert "GET" in r.headers.get("allow", "")


def test_answers_say_nothing_about_photos(server, faces_dir) -> None:
    """The same bytes with one photo or many; no token, cookie or photo header in any answer."""
    with server.client() as c:
        before = [c.get(path.split("?")[0], headers={"Host": host}) for host, path, *_ in ONLINE]
        records = [add_photo(server.data_dir, faces_dir, index=i) for i in range(1, 4)]
        after = [c.get(path.split("?")[0], headers={"Host": host}) for host, path, *_ in ONLINE]
    for a, b in zip(before, after, strict=True):
        assert a.content == b.content
        assert "set-cookie" not in b.headers and "content-disposition" not in b.headers
        for record in records:
            assert record.token.encode() not in b.content
            assert all(record.token not in value for value in b.headers.values())
