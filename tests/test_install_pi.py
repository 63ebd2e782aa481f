"""scripts/install-pi.sh: shellcheck, --dry-run, and two real runs into a throwaway root.

The throwaway-root runs are real: real useradd/groupadd (``--prefix``), a
real virtualenv with the real pip install, the real model copy and check,
real ``systemctl --root enable``. What needs a running Pi system (apt-get of
Raspberry Pi archive packages, nmcli, hostnamectl, systemctl start) is
skipped by the script itself under ``--root`` and checked here from its
printed plan, the same lines ``--dry-run`` prints. No command is stubbed.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from hotspot_support import DNSMASQ_FILE, installer_dnsmasq_conf, shown_dnsmasq_conf

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "install-pi.sh"
SSID = "Photo booth"
PASSWORD = "s3cret pass"


def _run(args: list[str], script: Path = SCRIPT, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, timeout=900, **kw)


def test_shellcheck_clean() -> None:
    tool = shutil.which("shellcheck")
    if tool is None:
        pytest.fail("shellcheck missing: `scripts/system-deps.sh test` installs it")
    scripts = sorted(str(p) for p in (REPO / "scripts").glob("*.sh"))
    assert str(SCRIPT) in scripts
    result = subprocess.run([tool, "--severity=style", *scripts], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def _system_untouched() -> tuple[bool, ...]:
    try:
        pwd.getpwnam("booth")
        user = True
    except KeyError:
        user = False
    return (user, Path("/opt/booth").exists(), Path("/etc/booth").exists(),
            Path("/etc/systemd/system/booth.service").exists())


def test_dry_run_lists_every_step_and_changes_nothing() -> None:
    before = _system_untouched()
    result = _run(["--dry-run", "--hotspot", SSID, "--hotspot-password", PASSWORD, "--wifi-country", "GB"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert _system_untouched() == before
    steps = [line[4:] for line in out.splitlines() if line.startswith("==> ")]
    assert steps == [
        "Checking the system", "Debian packages", "The booth user and its groups",
        "Python environment in /opt/booth/venv", "State in /var/lib/booth", "Face model",
        "Configuration /etc/booth/booth.toml", "Local name booth.local",
        'Wi-Fi hotspot "Photo booth" at 10.42.0.1', "systemd units", "Done",
    ]
    wanted = out.split("wanted: ", 1)[1].splitlines()[0].split()
    for pkg in ("python3-picamera2", "python3-lgpio", "python3-venv", "fonts-dejavu-core", "fonts-noto-cjk",
                "network-manager"):
        assert pkg in wanted
    # What this machine lacks is planned (python3-picamera2 is in Raspberry Pi's archive only:
    # missing on CI; a Pi has it), and nothing it has already.
    missing = [pkg for pkg in wanted if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True).stdout != "install ok installed"]
    apt = [line for line in out.splitlines() if "apt-get install" in line]
    if missing:
        assert len(apt) == 1 and "--no-install-recommends" in apt[0]
        assert apt[0].split("--no-install-recommends", 1)[1].split() == missing
    else:
        assert not apt and "all installed" in out
    assert "venv --system-site-packages /opt/booth/venv" in out
    assert "simplejpeg==" in out  # the numpy-ABI fix for Debian's picamera2
    assert "booth models fetch --quiet" in out
    # a new config names the Pi camera: missing at an event, it says so instead of showing the demo
    assert '    new, from `booth config example`, with [camera] source = "picamera"\n' in out
    assert "systemctl --quiet enable booth.service booth-web.service booth-prune.timer" in out
    assert "systemctl restart booth-web.service booth.service" in out
    assert "nmcli connection up booth-hotspot" in out
    assert "ipv4.method shared" in out and "802-11-wireless.mode ap" in out
    assert "hostnamectl set-hostname booth" in out
    assert "raspi-config nonint do_wifi_country GB" in out
    # the Wi-Fi password is never printed
    assert PASSWORD not in out and "s3cret" not in out
    assert "wifi-sec.psk \\*\\*\\*\\*\\*\\*\\*\\*" in out
    # the hotspot's DNS: offline by default, so every name resolves to the booth
    dns = shown_dnsmasq_conf(out).splitlines()
    assert "address=/#/10.42.0.1" in dns and "address=/booth.local/10.42.0.1" in dns
    assert "address=/dns.msftncsi.com/131.107.255.255" in dns
    assert "offline: every name resolves to the booth (without --hotspot-uplink)" in out


def test_dry_run_hotspot_with_uplink_keeps_real_dns() -> None:
    """--hotspot-uplink: the booth's names only; every other name goes to real DNS through the uplink."""
    dns = installer_dnsmasq_conf("--hotspot-uplink").splitlines()
    entries = [line for line in dns if not line.startswith("#")]
    assert entries == ["address=/booth.local/10.42.0.1", "address=/booth/10.42.0.1"]
    assert not any("@" in line for line in dns)  # every placeholder filled
    offline = installer_dnsmasq_conf().splitlines()
    assert [line for line in offline if not line.startswith("#")] == [
        *entries, "address=/#/10.42.0.1", "address=/dns.msftncsi.com/131.107.255.255"]


@pytest.mark.parametrize("camera", ["webcam", "webcam:1", "webcam:/dev/v4l/by-id/usb-046d_C920-video-index0"])
def test_dry_run_with_a_webcam(camera: str) -> None:
    result = _run(["--dry-run", "--camera", camera])
    assert result.returncode == 0, result.stderr
    assert f'with [camera] source = "{camera}"' in result.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--camera", "auto"], "--camera must be picamera, webcam, webcam:N or webcam:/dev/PATH"),
        (["--camera", "usb"], "--camera must be"),
        (["--camera", "webcam:front"], "--camera must be"),
        (["--camera", "scripted"], "--camera must be"),
        (["--hotspot", "x"], "--hotspot-password"),
        (["--hotspot-uplink"], "--hotspot-uplink needs --hotspot"),
        (["--hotspot", "x", "--hotspot-password", "short"], "8 to 63"),
        (["--hostname", "Not_Valid"], "--hostname"),
        (["--model", "/nonexistent/model.task"], "no such file"),
        (["--bogus"], "unknown option"),
    ],
)
def test_bad_options_are_refused(args: list[str], message: str) -> None:
    result = _run(["--dry-run", *args])
    assert result.returncode == 2
    assert message in result.stderr


# --------------------------------------------------------- throwaway root


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root: type, mode, owner, and content hash or link target."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            if p.is_symlink():
                what = ("l", os.readlink(p))
            elif p.is_dir():
                what = ("d",)
            else:
                what = ("f", hashlib.sha256(p.read_bytes()).hexdigest())
            out[str(p.relative_to(root))] = (*what, st.st_mode, st.st_uid, st.st_gid)
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, model_path: Path):
    """Run the installer twice into one throwaway root; hand back both outputs and snapshots."""
    base = tmp_path_factory.mktemp("install")
    # a frozen copy of the source, so edits elsewhere in the tree during the
    # run cannot change what the two runs install
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for name in ("booth", "scripts", "systemd"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    root = base / "root"
    (root / "etc").mkdir(parents=True)
    # a minimal Debian-like account database: root, and video as Debian has it
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc/group").write_text("root:x:0:\nvideo:x:44:\n")
    (root / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    (root / "etc/gshadow").write_text("root:*::\nvideo:*::\n")
    (root / "etc/hosts").write_text("127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n")
    args = ["--root", str(root), "--model", str(model_path), "--hotspot", SSID, "--hotspot-password", PASSWORD]
    script = src / "scripts" / "install-pi.sh"
    first = _run(args, script)
    assert first.returncode == 0, first.stdout + first.stderr
    snap1 = _snapshot(root)
    second = _run(args, script)
    assert second.returncode == 0, second.stdout + second.stderr
    snap2 = _snapshot(root)
    return {"root": root, "src": src, "args": args, "script": script,
            "first": first.stdout, "second": second.stdout, "snap1": snap1, "snap2": snap2}


def test_second_run_changes_nothing(installed) -> None:
    snap1, snap2 = installed["snap1"], installed["snap2"]
    assert snap1.keys() == snap2.keys()
    changed = [k for k in snap1 if snap1[k] != snap2[k]]
    assert changed == []
    # and it did not even try: the only commands run are the two checks
    # that are no-ops by themselves (model hash, systemctl enable)
    ran = [line for line in installed["second"].splitlines() if line.startswith("  + ")]
    assert len(ran) == 2, ran
    assert "booth models fetch --quiet" in ran[0]
    assert "systemctl --root=" in ran[1] and "enable" in ran[1]


def test_first_run_did_the_work(installed) -> None:
    out = installed["first"]
    assert "venv --system-site-packages" in out
    assert "useradd" in out
    # live-system commands are listed, not run, under --root
    assert "skip (--root): nmcli connection up booth-hotspot" in out
    assert "skip (--root): hostnamectl set-hostname booth" in out


def test_user_and_groups(installed) -> None:
    root: Path = installed["root"]
    passwd = {l.split(":")[0]: l.split(":") for l in (root / "etc/passwd").read_text().splitlines()}
    booth = passwd["booth"]
    assert booth[5] == "/var/lib/booth" and booth[6] == "/usr/sbin/nologin"
    assert int(booth[2]) < 1000  # a system user
    groups = {l.split(":")[0]: l.split(":") for l in (root / "etc/group").read_text().splitlines()}
    for g in ("video", "render", "input", "gpio"):
        assert "booth" in groups[g][3].split(","), g
    assert groups["video"][2] == "44"  # an existing group is kept, not re-made


def test_files_ownership_and_modes(installed) -> None:
    root: Path = installed["root"]
    uid = int(next(l for l in (root / "etc/passwd").read_text().splitlines() if l.startswith("booth:")).split(":")[2])

    def owner_mode(rel: str) -> tuple[int, int]:
        st = (root / rel).stat()
        return st.st_uid, st.st_mode & 0o7777

    assert owner_mode("var/lib/booth") == (uid, 0o750)
    assert owner_mode("var/lib/booth/gallery") == (uid, 0o750)
    assert owner_mode("etc/booth") == (0, 0o750)
    assert owner_mode("etc/booth/booth.toml") == (0, 0o640)  # holds the staff hash and Wi-Fi password
    for unit in ("booth.service", "booth-web.service", "booth-prune.service", "booth-prune.timer"):
        installed_unit = root / "etc/systemd/system" / unit
        assert installed_unit.read_bytes() == (installed["src"] / "systemd" / unit).read_bytes()
    assert os.readlink(root / "usr/local/bin/booth") == "/opt/booth/venv/bin/booth"
    model = root / "var/lib/booth/models/face_landmarker.task"
    from booth.models import MODEL_SHA256

    assert hashlib.sha256(model.read_bytes()).hexdigest() == MODEL_SHA256
    assert (root / "etc/hostname").read_text() == "booth\n"
    hosts = (root / "etc/hosts").read_text()
    assert "127.0.1.1\tbooth\n" in hosts and "raspberrypi" not in hosts and "localhost" in hosts
    dns = (root / DNSMASQ_FILE).read_text()
    assert "address=/booth.local/10.42.0.1" in dns
    # byte for byte what --dry-run shows, which is what tests/test_hotspot_netns.py runs dnsmasq with
    assert dns == shown_dnsmasq_conf(installed["first"]) == installer_dnsmasq_conf()


def test_units_enabled(installed) -> None:
    root: Path = installed["root"]
    for unit in ("booth.service", "booth-web.service", "booth-prune.timer"):
        result = subprocess.run(["systemctl", f"--root={root}", "is-enabled", unit], capture_output=True, text=True)
        assert result.stdout.strip() == "enabled", unit
    # the service run by the timer is not enabled on its own
    result = subprocess.run(["systemctl", f"--root={root}", "is-enabled", "booth-prune.service"], capture_output=True, text=True)
    assert result.stdout.strip() == "static"
    # no [cloud] bucket: the one unit with network beyond loopback is there, but off
    assert (root / "etc/systemd/system/booth-sync.service").is_file()
    result = subprocess.run(["systemctl", f"--root={root}", "is-enabled", "booth-sync.service"], capture_output=True, text=True)
    assert result.stdout.strip() == "disabled"
    assert "booth-sync.service installed but not enabled: no [cloud] bucket" in installed["first"]


def test_cloud_in_the_config_enables_sync(installed) -> None:
    root: Path = installed["root"]
    conf = root / "etc/booth/booth.toml"
    original = conf.read_bytes()
    try:
        head, tail = conf.read_text().split("[cloud]\n")  # the example's [cloud] table (last), filled in
        tail = tail.replace('bucket = ""', 'bucket = "booth-photos"').replace(
            'public_url = ""', 'public_url = "https://photos.example.com"')
        conf.write_text(f"{head}[cloud]\n{tail}")
        assert tomllib.loads(conf.read_text())["cloud"]["bucket"] == "booth-photos"
        again = _run(installed["args"], installed["script"])
        assert again.returncode == 0, again.stdout + again.stderr
        result = subprocess.run(["systemctl", f"--root={root}", "is-enabled", "booth-sync.service"],
                                capture_output=True, text=True)
        assert result.stdout.strip() == "enabled"
        assert "put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in /etc/booth/cloud.env" in again.stdout
    finally:
        conf.write_bytes(original)
        subprocess.run(["systemctl", f"--root={root}", "disable", "booth-sync.service"], capture_output=True)


def test_venv_sees_system_packages_and_runs_booth(installed) -> None:
    root: Path = installed["root"]
    venv = root / "opt/booth/venv"
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()
    # numpy 2 in the venv with a simplejpeg built for it (what picamera2 imports)
    code = "import numpy, simplejpeg; assert int(numpy.__version__.split('.')[0]) >= 2; " \
           "simplejpeg.encode_jpeg(numpy.zeros((8, 8, 3), numpy.uint8))"
    subprocess.run([str(venv / "bin/python"), "-c", code], check=True, timeout=120)
    show = subprocess.run([str(venv / "bin/booth"), "config", "show", "--config", str(root / "etc/booth/booth.toml")],
                          capture_output=True, text=True, timeout=120)
    assert show.returncode == 0, show.stderr


def test_config_written_then_kept(installed) -> None:
    root: Path = installed["root"]
    conf = root / "etc/booth/booth.toml"
    data = tomllib.loads(conf.read_text())
    assert data["web"]["port"] == 80
    assert data["web"]["public_url"] == "http://10.42.0.1"
    assert data["wifi"] == {"ssid": SSID, "password": PASSWORD}
    assert data["storage"]["data_dir"] == "/var/lib/booth/gallery"
    assert data["storage"]["models_dir"] == "/var/lib/booth/models"
    assert data["camera"]["source"] == "picamera"  # --camera's default: never "auto" on an appliance
    # staff edit it; a third run keeps their file byte for byte
    edited = conf.read_text().replace("expiry_days = 7.0", "expiry_days = 2.0")
    assert edited != conf.read_text()
    conf.write_text(edited)
    third = _run(installed["args"], installed["script"])
    assert third.returncode == 0, third.stderr
    assert conf.read_text() == edited
    assert "kept as it is" in third.stdout


def test_kept_config_with_a_local_name_is_pointed_out(installed) -> None:
    """With --hotspot, a kept booth.toml whose public_url is not the hotspot's address gets a note (never an edit)."""
    conf = installed["root"] / "etc/booth/booth.toml"
    original = conf.read_bytes()
    try:
        edited = conf.read_text().replace('public_url = "http://10.42.0.1"', 'public_url = "http://booth.local"')
        assert edited != conf.read_text()
        conf.write_text(edited)
        again = _run(installed["args"], installed["script"])
        assert again.returncode == 0, again.stdout + again.stderr
        assert ('its [web] public_url is "http://booth.local": phones on the hotspot need "http://10.42.0.1" '
                "(or empty); edit it") in again.stdout
        assert conf.read_text() == edited
        conf.write_bytes(original)
        assert "public_url is" not in _run(installed["args"], installed["script"]).stdout
    finally:
        conf.write_bytes(original)


def test_camera_option_writes_a_new_config_and_never_edits_one(installed) -> None:
    """--camera goes into a new booth.toml; an existing one is kept byte for byte, with a note."""
    root: Path = installed["root"]
    conf = root / "etc/booth/booth.toml"
    original = conf.read_bytes()
    try:
        conf.unlink()
        fresh = _run([*installed["args"], "--camera", "webcam:1"], installed["script"])
        assert fresh.returncode == 0, fresh.stdout + fresh.stderr
        written = conf.read_text()
        assert tomllib.loads(written)["camera"]["source"] == "webcam:1"
        assert (conf.stat().st_mode & 0o7777, conf.stat().st_uid) == (0o640, 0)
        again = _run(installed["args"], installed["script"])  # --camera picamera, by default
        assert again.returncode == 0, again.stderr
        assert conf.read_text() == written
        assert 'its [camera] source is "webcam:1", not "picamera" (--camera); edit it to change that' in again.stdout
    finally:
        conf.write_bytes(original)


# Where Debian's package "booth" (Pacemaker's cluster ticket manager) puts the files
# that clash with ours: `dpkg -c booth_1.0-283-g9d4029a-2+deb12u1_amd64.deb` (Debian 12).
PACEMAKER_BOOTH = {
    "usr/sbin/boothd": "",
    "lib/systemd/system/booth.service": "[Unit]\nDescription=Booth Ticketmanager\n",
    "lib/systemd/system/booth@.service": "[Unit]\nDescription=Booth - Ticket Manager for Pacemaker Clusters\n"
                                         "PartOf=booth.service\n",
    "etc/booth/booth.conf": "transport = UDP\nport = 9929\n",
}


@pytest.mark.parametrize("dry_run", [False, True])
def test_refuses_a_machine_with_debians_pacemaker_booth(tmp_path: Path, dry_run: bool) -> None:
    """Both would own the booth command, /etc/booth and booth.service: say so and change nothing."""
    root = tmp_path / "root"
    for rel, text in PACEMAKER_BOOTH.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "usr/sbin/booth").symlink_to("boothd")
    before = _snapshot(root)
    result = _run(["--root", str(root), *(["--dry-run"] if dry_run else [])])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Debian's package \"booth\" (Pacemaker's cluster ticket manager" in result.stderr
    assert "sudo apt-get remove booth" in result.stderr and "Nothing was changed" in result.stderr
    assert _snapshot(root) == before
    assert "==> Debian packages" not in result.stdout
