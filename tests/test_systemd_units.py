"""The systemd units: checked by systemd's own tools, and the directives that matter asserted.

``systemd-analyze verify`` and ``systemd-analyze security --offline`` work
without systemd running as PID 1. ``verify`` insists that ExecStart's
binary exists, so it reads a temporary copy of the units whose
``/opt/booth/venv/bin/booth`` is replaced by an executable that does exist.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from booth.cli import build_parser
from booth.config import load_config

REPO = Path(__file__).resolve().parent.parent
UNITS = REPO / "systemd"
BOOTH = "/opt/booth/venv/bin/booth"
ALL = ["booth.service", "booth-web.service", "booth-prune.service", "booth-prune.timer", "booth-sync.service",
       "booth-cloud-web.service", "booth-cloud-prune.service", "booth-cloud-prune.timer"]

Unit = dict[str, dict[str, list[str]]]


def parse(path: Path) -> Unit:
    """Sections → key → every value given (systemd allows a key many times)."""
    unit: Unit = defaultdict(lambda: defaultdict(list))
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        unit[section][key.strip()].append(value.strip())
    return unit


def one(unit: Unit, section: str, key: str) -> str:
    values = unit[section][key]
    assert values, f"[{section}] {key}= missing"
    return values[-1]


def words(unit: Unit, section: str, key: str) -> set[str]:
    return {w for v in unit[section][key] for w in v.split()}


def env(unit: Unit) -> dict[str, str]:
    return dict(v.split("=", 1) for v in unit["Service"]["Environment"])


@pytest.fixture(scope="module")
def units() -> dict[str, Unit]:
    return {name: parse(UNITS / name) for name in ALL}


@pytest.fixture(scope="module")
def analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze not found: it ships with systemd (Debian package systemd)")
    return tool


def _copy_with_real_binary(tmp: Path) -> Path:
    fake = tmp / "bin" / "booth"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    out = tmp / "units"
    out.mkdir()
    for name in ALL:
        (out / name).write_text((UNITS / name).read_text().replace(BOOTH, str(fake)))
    return out


def _verify(analyze: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [analyze, "verify", "--man=no", *map(str, files)],
        capture_output=True, text=True, timeout=60, cwd=files[0].parent,
    )


def test_systemd_analyze_verify_is_clean(analyze: str, tmp_path: Path) -> None:
    copy = _copy_with_real_binary(tmp_path)
    result = _verify(analyze, [copy / n for n in ALL])
    # verify exits 0 even for unknown keys; every warning is on stderr
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_verify_does_catch_mistakes(analyze: str, tmp_path: Path) -> None:
    """The check above means something: a typo'd directive is reported."""
    copy = _copy_with_real_binary(tmp_path)
    broken = copy / "booth.service"
    broken.write_text(broken.read_text().replace("Restart=on-failure", "Restart=sometimes\nWatchdogSecs=30"))
    result = _verify(analyze, [broken])
    assert "sometimes" in result.stderr
    assert "WatchdogSecs" in result.stderr


@pytest.mark.parametrize("name,limit", [("booth.service", 3.0), ("booth-web.service", 2.0), ("booth-prune.service", 3.0),
                                        ("booth-sync.service", 3.0), ("booth-cloud-web.service", 3.0),
                                        ("booth-cloud-prune.service", 3.0)])
def test_security_exposure(analyze: str, tmp_path: Path, name: str, limit: float) -> None:
    """systemd's own sandbox score (0 = locked down, 10 = wide open)."""
    copy = _copy_with_real_binary(tmp_path)
    result = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(copy / name)],
        capture_output=True, text=True, timeout=60, cwd=copy,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found.group(1)) <= limit, result.stdout


def test_booth_service(units: dict[str, Unit]) -> None:
    u = units["booth.service"]
    s = "Service"
    assert one(u, s, "Type") == "notify"
    assert one(u, s, "NotifyAccess") == "main"
    assert one(u, s, "Restart") == "on-failure"
    watchdog = float(one(u, s, "WatchdogSec"))
    assert 10 <= watchdog <= 120  # a hung render loop is caught within a couple of minutes
    assert float(one(u, s, "TimeoutStartSec")) >= 60  # model + camera start on a Pi 4
    assert one(u, "Unit", "StartLimitIntervalSec") == "0"  # never gives up
    assert one(u, s, "User") == "booth"
    assert words(u, s, "SupplementaryGroups") == {"video", "render", "input", "gpio"}
    # a writable working directory (lgpio writes there), owned by the service
    workdir = one(u, s, "WorkingDirectory")
    managed = {"/run/" + d for d in words(u, s, "RuntimeDirectory")} | {"/var/lib/" + d for d in words(u, s, "StateDirectory")}
    assert workdir in managed
    assert one(u, s, "StateDirectory") == "booth"
    assert one(u, s, "StateDirectoryMode") == "0750"
    # the display's VT: no login prompt on it, and the booth owns it
    assert "getty@tty1.service" in words(u, "Unit", "Conflicts")
    assert one(u, s, "TTYPath") == "/dev/tty1"
    assert one(u, s, "StandardInput") == "tty"
    assert one(u, s, "StandardOutput") == "journal"
    assert one(u, s, "StandardError") == "journal"
    # no network beyond loopback
    assert one(u, s, "IPAddressDeny") == "any"
    assert one(u, s, "IPAddressAllow") == "localhost"
    assert one(u, s, "NoNewPrivileges") == "yes"
    assert one(u, s, "CapabilityBoundingSet") == ""
    # camera, DRM, GPIO, input and the tty are devices: nothing may narrow the
    # device policy (ProtectClock= would, by implying DeviceAllow=char-rtc)
    for narrowing in ("PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock"):
        assert narrowing not in u[s], narrowing
    assert shlex.split(one(u, s, "ExecStart"))[1:] == ["run"]


def test_booth_web_service(units: dict[str, Unit]) -> None:
    u = units["booth-web.service"]
    s = "Service"
    assert one(u, s, "Restart") == "always"
    assert one(u, s, "User") == "booth"
    assert one(u, s, "ProtectSystem") == "strict"
    assert one(u, s, "PrivateDevices") == "yes"
    assert one(u, s, "ProtectHome") == "yes"
    assert one(u, s, "PrivateTmp") == "yes"
    assert one(u, s, "NoNewPrivileges") == "yes"
    # read-only except the gallery
    assert words(u, s, "ReadWritePaths") == {"/var/lib/booth/gallery"}
    assert words(u, s, "StateDirectory") == {"booth/gallery"}
    assert one(u, s, "StateDirectoryMode") == "0750"  # photos are private to the booth user
    # login state in RAM, kept across restarts (see booth.web.auth)
    assert one(u, s, "RuntimeDirectory") == "booth-web" and one(u, s, "RuntimeDirectoryPreserve") == "yes"
    # descriptors for every connection the server keeps open, and the photo each is sent (booth.web.protocol)
    from booth.web.protocol import NOFILE_NEEDED

    assert int(one(u, s, "LimitNOFILE")) >= NOFILE_NEEDED
    # port 80 through the one capability, not root
    assert words(u, s, "AmbientCapabilities") == {"CAP_NET_BIND_SERVICE"}
    assert words(u, s, "CapabilityBoundingSet") == {"CAP_NET_BIND_SERVICE"}
    assert words(u, s, "RestrictAddressFamilies") == {"AF_UNIX", "AF_INET", "AF_INET6"}
    assert "IPAddressDeny" not in u[s]  # phones must reach it
    assert shlex.split(one(u, s, "ExecStart"))[1:] == ["web"]


def test_the_photo_server_yields_the_cpu_and_disk_to_the_booth(units: dict[str, Unit]) -> None:
    """benchmarks/interference.py measures these; the booth keeps systemd's defaults (Nice 0, weights 100)."""
    web, booth = units["booth-web.service"]["Service"], units["booth.service"]["Service"]
    default = {"Nice": 0, "CPUWeight": 100, "IOWeight": 100}
    booth_has = {k: int(booth[k][-1]) if booth.get(k) else v for k, v in default.items()}
    assert booth_has == default
    assert 0 < int(web["Nice"][-1]) <= 19
    assert 1 <= int(web["CPUWeight"][-1]) < booth_has["CPUWeight"]
    assert 1 <= int(web["IOWeight"][-1]) < booth_has["IOWeight"]


def test_prune_timer_and_service(units: dict[str, Unit]) -> None:
    t = units["booth-prune.timer"]
    assert one(t, "Timer", "Unit") == "booth-prune.service"
    assert one(t, "Timer", "Persistent") == "true"
    assert one(t, "Install", "WantedBy") == "timers.target"
    u = units["booth-prune.service"]
    assert one(u, "Service", "Type") == "oneshot"
    assert one(u, "Service", "User") == "booth"
    assert shlex.split(one(u, "Service", "ExecStart"))[1:] == ["prune"]
    assert one(u, "Service", "PrivateNetwork") == "yes"
    assert words(u, "Service", "ReadWritePaths") == {"/var/lib/booth/gallery"}


def test_sync_service_is_the_only_one_on_the_network(units: dict[str, Unit]) -> None:
    """Issue 16: `booth sync` reaches the bucket; the booth itself and the prune job stay off the network."""
    u = units["booth-sync.service"]
    assert shlex.split(one(u, "Service", "ExecStart"))[1:] == ["sync"]
    assert "IPAddressDeny" not in u["Service"] and "PrivateNetwork" not in u["Service"]
    assert words(u, "Service", "RestrictAddressFamilies") >= {"AF_INET", "AF_INET6"}
    assert one(u, "Service", "User") == "booth"
    # credentials from a root-only file of AWS variables, optional so the unit starts (and says why) without it
    assert one(u, "Service", "EnvironmentFile") == "-/etc/booth/cloud.env"
    assert words(u, "Service", "ReadWritePaths") == {"/var/lib/booth/gallery"}
    for name in ("booth.service", "booth-prune.service"):
        assert one(units[name], "Service", "IPAddressDeny") == "any", name


def test_every_execstart_is_a_real_booth_command(units: dict[str, Unit]) -> None:
    parser = build_parser()
    for name in (*ALL[:3], "booth-sync.service"):
        argv = shlex.split(one(units[name], "Service", "ExecStart"))
        assert argv[0] == BOOTH
        parser.parse_args(argv[1:])  # SystemExit (a failure) if the CLI does not know it


def test_environment_is_the_same_everywhere_and_the_config_reads_it(
    units: dict[str, Unit], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    envs = [env(units[n]) for n in (*ALL[:3], "booth-sync.service")]
    for e in envs:
        assert e["BOOTH_CONFIG"] == "/etc/booth/booth.toml"
        assert e["BOOTH_DATA_DIR"] == "/var/lib/booth/gallery"
        assert e["BOOTH_MODELS_DIR"] == "/var/lib/booth/models"
    # the variables are the ones booth.config honours (config file swapped
    # for a real temporary one; /etc/booth does not exist here)
    conf = tmp_path / "booth.toml"
    conf.write_text("[storage]\nexpiry_days = 3\n")
    for key, value in envs[0].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("BOOTH_CONFIG", str(conf))
    config = load_config()
    assert config.data_dir == Path("/var/lib/booth/gallery")
    assert config.models_dir == Path("/var/lib/booth/models")
    assert config.storage.expiry_days == 3


def test_state_paths_are_inside_the_state_directory(units: dict[str, Unit]) -> None:
    """ProtectSystem=strict: anything written must be under a directory the unit makes writable."""
    u = units["booth.service"]
    writable = ["/var/lib/" + d for d in words(u, "Service", "StateDirectory")]
    for key in ("BOOTH_DATA_DIR", "BOOTH_MODELS_DIR", "HOME"):
        assert any(env(u)[key].startswith(w) for w in writable), key
    assert env(u)["XDG_CACHE_HOME"] == "/var/cache/" + one(u, "Service", "CacheDirectory")


def test_cloud_server_units(units: dict[str, Unit]) -> None:
    """Issue 16: a self-hosted `booth web --cloud` behind a proxy, and `booth prune --cloud` once a day."""
    parser = build_parser()
    web = units["booth-cloud-web.service"]
    argv = shlex.split(one(web, "Service", "ExecStart"))
    assert argv[0] == BOOTH
    args = parser.parse_args(argv[1:])
    assert args.command == "web" and args.cloud and args.host == "127.0.0.1", "loopback: the TLS proxy faces out"
    assert one(web, "Service", "Restart") == "always" and one(web, "Install", "WantedBy") == "multi-user.target"
    assert one(web, "Service", "User") == "booth" and one(web, "Service", "EnvironmentFile") == "-/etc/booth/cloud.env"
    # staff login state in RAM, kept across restarts (WebSettings.from_config reads $RUNTIME_DIRECTORY)
    assert one(web, "Service", "RuntimeDirectory") == "booth-cloud-web"
    assert one(web, "Service", "RuntimeDirectoryPreserve") == "yes"
    assert "IPAddressDeny" not in web["Service"] and "PrivateNetwork" not in web["Service"], "it reads the bucket"
    timer, prune = units["booth-cloud-prune.timer"], units["booth-cloud-prune.service"]
    assert one(timer, "Timer", "Unit") == "booth-cloud-prune.service"
    assert one(timer, "Timer", "OnCalendar") == "daily" and one(timer, "Timer", "Persistent") == "true"
    assert one(timer, "Install", "WantedBy") == "timers.target"
    argv = shlex.split(one(prune, "Service", "ExecStart"))
    args = parser.parse_args(argv[1:])
    assert argv[0] == BOOTH and args.command == "prune" and args.cloud
    assert one(prune, "Service", "Type") == "oneshot" and one(prune, "Service", "User") == "booth"
    assert one(prune, "Service", "EnvironmentFile") == "-/etc/booth/cloud.env"
    assert "IPAddressDeny" not in prune["Service"] and "PrivateNetwork" not in prune["Service"]
    for u in (web, prune):  # ProtectSystem=strict: what it writes is in its own state directory
        assert one(u, "Service", "ProtectSystem") == "strict"
        assert env(u)["BOOTH_DATA_DIR"] == "/var/lib/" + one(u, "Service", "StateDirectory")
        assert env(u)["BOOTH_CONFIG"] == "/etc/booth/booth.toml"
