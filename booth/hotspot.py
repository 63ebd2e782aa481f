"""What staff need to know about the booth's own Wi-Fi hotspot, for `booth doctor`.

NetworkManager runs the hotspot (scripts/install-pi.sh --hotspot makes the
"booth-hotspot" connection, shared mode). nmcli says which Wi-Fi connection
is up in access-point mode, its SSID and address. nmcli does not list the
phones connected to an access point; NetworkManager's dnsmasq keeps their
DHCP leases in /var/lib/NetworkManager/dnsmasq-<device>.leases
(nm-dnsmasq-manager.c: ``--dhcp-leasefile=NMSTATEDIR/dnsmasq-%s.leases``),
so the leases not yet expired count the phones that joined lately. Whether
the phones' connectivity checks are answered is asked of the running photo
server itself, with each platform's Host header (booth/web/probes.py).
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from booth.web.probes import PLATFORM_PROBES, PROBES

CONNECTION = "booth-hotspot"  # the name install-pi.sh gives it
LEASES_DIR = Path("/var/lib/NetworkManager")
DNSMASQ_CONF = Path("/etc/NetworkManager/dnsmasq-shared.d/booth.conf")


@dataclass(frozen=True)
class Hotspot:
    connection: str
    device: str
    ssid: str
    address: str  # with its prefix, e.g. 10.42.0.1/24


def _split_terse(line: str) -> list[str]:
    """One line of `nmcli -t` output: fields split on ':', where '\\:' is a colon inside a value."""
    fields, current, i = [], "", 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            current += line[i + 1]
            i += 2
            continue
        if line[i] == ":":
            fields.append(current)
            current = ""
        else:
            current += line[i]
        i += 1
    return [*fields, current]


def _nmcli(*args: str) -> str:
    return subprocess.run(["nmcli", "-t", *args], capture_output=True, text=True, timeout=10, check=True).stdout


def find_hotspot() -> Hotspot | None | str:
    """The active access-point connection; None when there is none; a string saying why it can't be known."""
    if shutil.which("nmcli") is None:
        return "nmcli not found (NetworkManager is not installed)"
    try:
        active = [_split_terse(line) for line in _nmcli("-f", "NAME,TYPE,DEVICE", "connection", "show",
                                                        "--active").splitlines() if line]
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"nmcli failed: {exc}"
    wifi = sorted((name != CONNECTION, name, device) for name, kind, device, *_ in active
                  if kind == "802-11-wireless")
    for _, name, device in wifi:
        values = dict(_split_terse(line)[:2] for line in _nmcli(
            "-f", "802-11-wireless.mode,802-11-wireless.ssid,IP4.ADDRESS", "connection", "show", name
        ).splitlines() if ":" in line)
        if values.get("802-11-wireless.mode") == "ap":
            address = next((v for k, v in values.items() if k.startswith("IP4.ADDRESS")), "")
            return Hotspot(name, device, values.get("802-11-wireless.ssid", ""), address)
    return None


def leases(device: str, now: float | None = None, leases_dir: Path = LEASES_DIR) -> int | None:
    """Phones holding an unexpired DHCP lease from the hotspot; None when the file is not there."""
    now = time.time() if now is None else now
    try:
        lines = (leases_dir / f"dnsmasq-{device}.leases").read_text().splitlines()
    except OSError:
        return None
    # dnsmasq's lease file: "<expiry epoch> <mac> <ip> <hostname> <client id>", 0 = never expires
    return sum(1 for line in lines if line.split() and line.split()[0].isdigit()
               and (int(line.split()[0]) == 0 or int(line.split()[0]) > now))


def dns_mode(conf: Path = DNSMASQ_CONF) -> str:
    """What the hotspot's DNS does, from the file the installer wrote."""
    try:
        entries = [line.strip() for line in conf.read_text().splitlines() if line.strip().startswith("address=")]
    except OSError:
        return f"{conf} missing: phones' connectivity checks cannot reach the booth (re-run install-pi.sh --hotspot)"
    if any(entry.startswith("address=/#/") for entry in entries):
        return "offline: every name resolves to the booth"
    return "uplink: phones get real DNS and internet through the booth (--hotspot-uplink)"


def probes_answered(host: str, port: int, timeout: float = 3.0) -> dict[str, str]:
    """Per platform: "" when the photo server answers its check as online, else what went wrong."""
    results: dict[str, str] = {}
    for platform, (probe_host, path) in PLATFORM_PROBES.items():
        expected = PROBES[(probe_host, path)]
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": probe_host})
            response = conn.getresponse()
            body = response.read()
            ok = response.status == expected.status and body == expected.body
            results[platform] = "" if ok else f"got {response.status}"
        except OSError as exc:
            results[platform] = exc.strerror or type(exc).__name__
        finally:
            conn.close()
    return results
