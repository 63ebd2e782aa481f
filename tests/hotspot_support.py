"""The hotspot's dnsmasq file as scripts/install-pi.sh shows it: shared by the installer and namespace tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

INSTALLER = Path(__file__).resolve().parent.parent / "scripts" / "install-pi.sh"
DNSMASQ_FILE = "etc/NetworkManager/dnsmasq-shared.d/booth.conf"


def shown_dnsmasq_conf(output: str) -> str:
    """The file's lines from an installer run's output (it shows them as '    | LINE')."""
    lines = [line[6:] for line in output.splitlines() if line.startswith("    | ")]
    assert lines, "the installer shows no dnsmasq lines:\n" + output
    return "\n".join(lines) + "\n"


def installer_dnsmasq_conf(*extra: str) -> str:
    """What `install-pi.sh --dry-run --hotspot ...` shows it would write."""
    result = subprocess.run(["bash", str(INSTALLER), "--dry-run", "--hotspot", "Booth test",
                             "--hotspot-password", "hotspot-test-pw", *extra],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return shown_dnsmasq_conf(result.stdout)
