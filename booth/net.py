"""The URL phones use to reach the photo server, and the Wi-Fi join QR text.

Without a configured public URL the booth works out its own address on the
network it serves. The order: a server bound to one specific address uses
that address; else the hotspot NetworkManager makes (10.42.x.x, the subnet
of its "shared" mode), because phones join that network; else the interface
of the default route; else any wireless interface; else any other
non-loopback IPv4 address; and 127.0.0.1 as the last resort. Addresses are
read from the interfaces themselves (ioctl), so no packet is ever sent.
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path

from booth.config import WebConfig

_SIOCGIFADDR = 0x8915
_HOTSPOT_NET = ipaddress.ip_network("10.42.0.0/16")
_VIRTUAL = ("docker", "veth", "br-", "virbr", "lxc", "tun", "tap", "wg", "zt")
_WILDCARD = ("", "0.0.0.0", "::", "[::]")


def _ipv4(ifname: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, struct.pack("256s", ifname.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def _default_route_ifaces() -> set[str]:
    try:
        lines = Path("/proc/net/route").read_text().splitlines()[1:]
    except OSError:
        return set()
    return {parts[0] for parts in (line.split() for line in lines) if len(parts) > 2 and parts[1] == "00000000"}


def interface_addresses() -> dict[str, str]:
    """IPv4 address per interface, loopback and virtual bridges left out."""
    found: dict[str, str] = {}
    for _, name in socket.if_nameindex():
        if name == "lo" or name.startswith(_VIRTUAL):
            continue
        addr = _ipv4(name)
        if addr and not ipaddress.ip_address(addr).is_loopback:
            found[name] = addr
    return found


def local_address(addresses: dict[str, str] | None = None, default_ifaces: set[str] | None = None) -> str:
    """The address phones most likely reach us on (see the module doc for the order)."""
    addresses = interface_addresses() if addresses is None else addresses
    default_ifaces = _default_route_ifaces() if default_ifaces is None else default_ifaces
    if not addresses:
        return "127.0.0.1"

    def rank(item: tuple[str, str]) -> tuple[int, str]:
        name, addr = item
        if ipaddress.ip_address(addr) in _HOTSPOT_NET:
            return (0, name)
        if name in default_ifaces:
            return (1, name)
        if Path("/sys/class/net", name, "wireless").exists() or name.startswith("wl"):
            return (2, name)
        return (3, name)

    return min(addresses.items(), key=rank)[1]


def base_url(web: WebConfig, override: str | None = None) -> str:
    """The base URL for photo links, without a trailing slash."""
    explicit = override or web.public_url
    if explicit:
        return explicit.rstrip("/")
    host = web.host if web.host not in _WILDCARD else local_address()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}" if web.port == 80 else f"http://{host}:{web.port}"


def share_base_url(web: WebConfig, cloud_public_url: str = "", override: str | None = None) -> str:
    """The base URL the QR code holds: the cloud server's when [cloud] is set (it works on mobile data,
    even while the upload is still queued), else the booth's own; ``--public-url`` beats both."""
    if not override and cloud_public_url:
        return cloud_public_url.rstrip("/")
    return base_url(web, override)


def photo_url(base: str, token: str) -> str:
    """The phone page of one photo."""
    return f"{base.rstrip('/')}/p/{token}"


def visit_url(base: str, visit: str) -> str:
    """The phone page of one visit: every photo the guest kept in it (booth.gallery.Gallery.visit_photos)."""
    return f"{base.rstrip('/')}/v/{visit}"


# The query parameter a page of the photo server reads the guest's language from (booth.web: it
# beats the phone's Accept-Language), so the page the QR opens speaks the language the guest chose.
LANG_PARAM = "lang"


def with_language(url: str, code: str | None) -> str:
    """``url`` asking its page for language ``code`` (``?lang=de``); unchanged for None or ""."""
    if not code:
        return url
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LANG_PARAM]
    return urlunsplit(parts._replace(query=urlencode([*query, (LANG_PARAM, code)])))


def split_page_url(url: str) -> tuple[str, str, str] | None:
    """(base, "p", token) for a :func:`photo_url`, (base, "v", visit) for a :func:`visit_url` (a query such
    as :func:`with_language`'s left out); else None."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    pieces = parts.path.rsplit("/", 2)
    if len(pieces) == 3 and pieces[1] in ("p", "v") and pieces[2] and (parts.netloc or pieces[0]):
        return urlunsplit(parts._replace(path=pieces[0], query="", fragment="")), pieces[1], pieces[2]
    return None


def page_at(url: str, base: str) -> str | None:
    """The same photo's or visit's page (and query) at another address: the booth's own, beside the cloud's."""
    from urllib.parse import urlsplit

    page = split_page_url(url)
    if page is None:
        return None
    _, kind, token = page
    query = urlsplit(url).query
    moved = photo_url(base, token) if kind == "p" else visit_url(base, token)
    return f"{moved}?{query}" if query else moved


def _escape(value: str) -> str:
    for ch in ("\\", ";", ",", ":", '"'):
        value = value.replace(ch, "\\" + ch)
    return value


def wifi_payload(ssid: str, password: str) -> str:
    """The text of a Wi-Fi join QR code (WPA/WPA2, or an open network without a password)."""
    if not ssid:
        raise ValueError("the Wi-Fi network name (ssid) is empty")
    if not password:
        return f"WIFI:T:nopass;S:{_escape(ssid)};;"
    return f"WIFI:T:WPA;S:{_escape(ssid)};P:{_escape(password)};;"
