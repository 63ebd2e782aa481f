"""Answers to the connectivity checks phones make when they join a Wi-Fi network.

On the booth's own hotspot there is no internet, and the hotspot's DNS sends
every name to the booth (scripts/hotspot-dnsmasq.conf). A phone that joins
asks a fixed URL whether the network reaches the internet; if the answer is
wrong, Android keeps mobile data as its default network (the QR link then
goes out over mobile data and never loads) and iOS opens its captive-portal
sheet, a mini-browser that cannot save a photo. So the photo server gives
each platform the answer its own check counts as "online", and only for
that platform's probe host and path: any other host or path is the usual
404 page. The answers are fixed bytes: they say nothing about photos and
set no cookies.

Where each form comes from:

- Android: AOSP NetworkMonitor (frameworks/base, later packages/modules/
  NetworkStack) probes ``DEFAULT_HTTP_URL =
  "http://connectivitycheck.gstatic.com/generate_204"``, with the fallbacks
  ``DEFAULT_FALLBACK_URL = "http://www.google.com/gen_204"`` and
  ``DEFAULT_OTHER_FALLBACK_URLS = "http://play.googleapis.com/generate_204"``;
  it counts status 204 as valid. Older releases probed
  ``clients3.google.com/generate_204`` and ``connectivitycheck.android.com/
  generate_204``. Its HTTPS probe (``https://www.google.com/generate_204``)
  cannot be answered without Google's certificate; see README ("Phones on
  the booth's Wi-Fi") for what Android does then.
- Chromium: components/captive_portal/core/captive_portal_detector.cc,
  ``kDefaultURL = "http://www.gstatic.com/generate_204"``, expects 204.
- Apple: iOS and macOS fetch ``http://captive.apple.com/hotspot-detect.html``
  (older releases ``http://www.apple.com/library/test/success.html``) and
  treat the page Apple serves there as online:
  ``<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>``
  (Apple publishes no source; the URLs and page are documented by the
  Wireless Broadband Alliance's captive-behavior study).
- Windows NCSI: registry NlaSvc\\Parameters\\Internet ``ActiveWebProbeHost =
  www.msftconnecttest.com``, ``ActiveWebProbePath = connecttest.txt``,
  ``ActiveWebProbeContent = Microsoft Connect Test``; before Windows 10,
  ``www.msftncsi.com/ncsi.txt`` with ``Microsoft NCSI``. (Its DNS probe,
  dns.msftncsi.com = 131.107.255.255, is answered by the hotspot's DNS.)
- Firefox: modules/libpref/init/all.js, ``captivedetect.canonicalURL =
  "http://detectportal.firefox.com/canonical.html"`` and
  ``captivedetect.canonicalContent`` (the meta-refresh line below), and
  ``network.connectivity-service.IPv4.url =
  "http://detectportal.firefox.com/success.txt?ipv4"`` whose page is
  ``success`` and a newline.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class ProbeAnswer:
    status: int
    body: bytes
    media_type: str | None  # None: no Content-Type (a 204 has no body)


NO_CONTENT = ProbeAnswer(204, b"", None)
APPLE_SUCCESS = ProbeAnswer(200, b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
                            "text/html")
WINDOWS_CONNECT_TEST = ProbeAnswer(200, b"Microsoft Connect Test", "text/plain")
WINDOWS_NCSI = ProbeAnswer(200, b"Microsoft NCSI", "text/plain")
FIREFOX_CANONICAL = ProbeAnswer(
    200, b'<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>', "text/html")
FIREFOX_SUCCESS = ProbeAnswer(200, b"success\n", "text/plain")

_GOOGLE_204 = ("connectivitycheck.gstatic.com", "www.gstatic.com", "www.google.com", "clients3.google.com",
               "clients1.google.com", "connectivitycheck.android.com", "play.googleapis.com")
_APPLE = ("captive.apple.com", "www.apple.com")

# (host, path) -> answer. Nothing else on these paths is answered.
PROBES: dict[tuple[str, str], ProbeAnswer] = {
    **{(host, "/generate_204"): NO_CONTENT for host in _GOOGLE_204},
    ("www.google.com", "/gen_204"): NO_CONTENT,
    **{(host, path): APPLE_SUCCESS for host in _APPLE
       for path in ("/hotspot-detect.html", "/library/test/success.html")},
    ("www.msftconnecttest.com", "/connecttest.txt"): WINDOWS_CONNECT_TEST,
    ("ipv6.msftconnecttest.com", "/connecttest.txt"): WINDOWS_CONNECT_TEST,
    ("www.msftncsi.com", "/ncsi.txt"): WINDOWS_NCSI,
    ("detectportal.firefox.com", "/canonical.html"): FIREFOX_CANONICAL,
    ("detectportal.firefox.com", "/success.txt"): FIREFOX_SUCCESS,
}

# One probe per platform, as staff's `booth doctor` and the tests ask them.
PLATFORM_PROBES: dict[str, tuple[str, str]] = {
    "Android": ("connectivitycheck.gstatic.com", "/generate_204"),
    "Apple": ("captive.apple.com", "/hotspot-detect.html"),
    "Windows": ("www.msftconnecttest.com", "/connecttest.txt"),
    "Firefox": ("detectportal.firefox.com", "/canonical.html"),
}


def request_host(host_header: str) -> str:
    """The host name of a Host header: lower case, without port or trailing dot."""
    host = host_header.strip().lower()
    if host.startswith("["):  # an IPv6 literal is never a probe host
        return host
    return host.rsplit(":", 1)[0].rstrip(".")


def answer_for(host_header: str, path: str) -> ProbeAnswer | None:
    return PROBES.get((request_host(host_header), path))


def _response(answer: ProbeAnswer) -> Response:
    # no-store: a phone (or anything between) must ask again on the next join.
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type,
                    headers={"cache-control": "no-store"})


async def _probe(request: Request) -> Response:
    answer = answer_for(request.headers.get("host", ""), request.url.path)
    if answer is None:
        raise HTTPException(404)  # the app's usual "no photo here" page
    return _response(answer)


def probe_routes() -> list[Route]:
    """One GET (and HEAD) route per probe path; the Host header picks the answer."""
    return [Route(path, _probe, methods=["GET"]) for path in sorted({path for _, path in PROBES})]
