"""booth.hotspot: what `booth doctor` reads about the hotspot, against real files and a real `booth web`."""

from __future__ import annotations

from pathlib import Path

from booth.hotspot import _split_terse, dns_mode, leases, probes_answered
from booth_process import free_port
from hotspot_support import installer_dnsmasq_conf
from test_web_support import running_web


def test_nmcli_terse_fields_with_escaped_colons() -> None:
    assert _split_terse("booth-hotspot:802-11-wireless:wlan0") == ["booth-hotspot", "802-11-wireless", "wlan0"]
    assert _split_terse(r"Cafe\: 2\\3:802-11-wireless:") == ["Cafe: 2\\3", "802-11-wireless", ""]
    assert _split_terse("IP4.ADDRESS[1]:10.42.0.1/24") == ["IP4.ADDRESS[1]", "10.42.0.1/24"]


def test_leases_count_only_unexpired(tmp_path: Path) -> None:
    now = 1_800_000_000
    (tmp_path / "dnsmasq-wlan0.leases").write_text(
        f"{now + 3000} 02:00:00:00:00:01 10.42.0.10 phone-a 01:02:00:00:00:00:01\n"
        f"{now - 5} 02:00:00:00:00:02 10.42.0.11 phone-b *\n"
        f"0 02:00:00:00:00:03 10.42.0.12 * *\n")
    assert leases("wlan0", now, tmp_path) == 2
    assert leases("wlan1", now, tmp_path) is None  # no file: unknown, not zero


def test_dns_mode_reads_the_installers_file(tmp_path: Path) -> None:
    conf = tmp_path / "booth.conf"
    conf.write_text(installer_dnsmasq_conf())
    assert dns_mode(conf).startswith("offline: every name resolves to the booth")
    conf.write_text(installer_dnsmasq_conf("--hotspot-uplink"))
    assert dns_mode(conf).startswith("uplink: phones get real DNS")
    assert "missing" in dns_mode(tmp_path / "absent.conf")


def test_probes_answered_by_a_real_booth_web(tmp_path: Path) -> None:
    for server in running_web(tmp_path / "data"):
        assert probes_answered("127.0.0.1", server.port) == {"Android": "", "Apple": "", "Windows": "",
                                                             "Firefox": ""}
    nobody = probes_answered("127.0.0.1", free_port(), timeout=1)
    assert set(nobody) == {"Android", "Apple", "Windows", "Firefox"} and all(nobody.values())
