"""booth.net: the URL phones use, and the Wi-Fi join text."""

from __future__ import annotations

import re

import pytest

from booth.config import WebConfig
from booth.net import base_url, interface_addresses, local_address, photo_url, wifi_payload


def test_public_url_and_override_win() -> None:
    web = WebConfig(public_url="http://booth.local/", port=8080)
    assert base_url(web) == "http://booth.local"
    assert base_url(web, "https://photos.example.org/booth/") == "https://photos.example.org/booth"
    assert photo_url(base_url(web), "abc") == "http://booth.local/p/abc"


def test_specific_listen_address_is_used_and_port_80_omitted() -> None:
    assert base_url(WebConfig(host="127.0.0.1", port=8765)) == "http://127.0.0.1:8765"
    assert base_url(WebConfig(host="192.0.2.7", port=80)) == "http://192.0.2.7"
    assert base_url(WebConfig(host="::1", port=81)) == "http://[::1]:81"


def test_wildcard_uses_a_real_interface_address() -> None:
    url = base_url(WebConfig(host="0.0.0.0", port=8080))
    m = re.fullmatch(r"http://(\d+\.\d+\.\d+\.\d+):8080", url)
    assert m, url
    addresses = interface_addresses()
    assert m.group(1) in addresses.values() or (not addresses and m.group(1) == "127.0.0.1")
    assert "lo" not in addresses


def test_address_preference_hotspot_then_default_route() -> None:
    both = {"eth0": "192.168.1.20", "wlan0": "10.42.0.1"}
    assert local_address(both, {"eth0"}) == "10.42.0.1"  # phones are on the booth's own hotspot
    office = {"eth0": "192.168.1.20", "wlan0": "172.20.0.5"}
    assert local_address(office, {"wlan0"}) == "172.20.0.5"  # the network with the default route
    assert local_address(office, set()) == "172.20.0.5"  # else wireless
    assert local_address({"eth0": "192.168.1.20"}, set()) == "192.168.1.20"
    assert local_address({}, set()) == "127.0.0.1"


def _unescape_fields(payload: str) -> dict[str, str]:
    """A reader for the WIFI: format, written independently of the encoder."""
    assert payload.startswith("WIFI:") and payload.endswith(";;")
    fields, key, value, i, body = {}, "", "", 0, payload[5:-1]
    current = ""
    while i < len(body):
        c = body[i]
        if c == "\\":
            current += body[i + 1]
            i += 2
            continue
        if c == ":" and not key:
            key, current = current, ""
        elif c == ";":
            fields[key], key, current = current, "", ""
        else:
            current += c
        i += 1
    return fields


@pytest.mark.parametrize("ssid, password", [
    ("BoothNet", "secret123"),
    ('My "Booth"; 2:3', r"p\a;s,s:w\"rd"),
    ("Café ☕", "ünïcode pass"),
])
def test_wifi_payload_escapes_and_round_trips(ssid: str, password: str) -> None:
    payload = wifi_payload(ssid, password)
    assert payload.startswith("WIFI:T:WPA;S:")
    assert _unescape_fields(payload) == {"T": "WPA", "S": ssid, "P": password}


def test_wifi_payload_open_network_and_errors() -> None:
    assert wifi_payload("Open", "") == "WIFI:T:nopass;S:Open;;"
    with pytest.raises(ValueError, match="ssid"):
        wifi_payload("", "x")


def test_the_qr_url_carries_the_guests_language() -> None:
    from booth.net import LANG_PARAM, with_language

    assert LANG_PARAM == "lang"  # what booth.web reads (?lang=)
    assert with_language("http://10.42.0.1/v/Xk3v9QpL", "de") == "http://10.42.0.1/v/Xk3v9QpL?lang=de"
    assert with_language("https://photos.example.com/p/abc?x=1&lang=fr", "ja") == \
        "https://photos.example.com/p/abc?x=1&lang=ja"
    assert with_language("http://10.42.0.1/p/abc", "") == "http://10.42.0.1/p/abc"
    assert with_language("http://10.42.0.1/p/abc", None) == "http://10.42.0.1/p/abc"
