"""The whole hotspot path, for real, in two network namespaces this test makes.

"booth" holds one end of a veth pair, named wlan0 and addressed 10.42.0.1/24
as NetworkManager's shared mode addresses the hotspot, and runs:
- dnsmasq with NetworkManager's shared-mode command line (below) and, in its
  conf-dir, exactly the file `scripts/install-pi.sh --hotspot` writes (taken
  from the installer's own --dry-run output; tests/test_install_pi.py checks
  the written file is that output);
- real `booth web` on port 80 over a gallery holding a real photo.
"phone" holds the other end and gets its address and DNS by DHCP (busybox
udhcpc). From the phone: each platform's probe URL is fetched by name and
must get the online answer; then headless Chromium, started inside the phone
namespace, opens the URL the booth puts in its QR code, shows the photo, and
"Download" delivers the same bytes as the gallery file.

Needs root (ip netns). Without root it is skipped and says why; as root
(CI) it runs, and a missing tool fails it. Every address used lives only
inside the two namespaces; both are deleted, whatever happens.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from booth_process import BoothWeb, booth_command, booth_env
from hotspot_support import installer_dnsmasq_conf
from test_web_support import add_photo, stored

REPO = Path(__file__).resolve().parent.parent
BOOTH_ADDR = "10.42.0.1"  # NetworkManager shared mode's default; install-pi.sh sets it too
CHROMIUM = "/usr/bin/chromium"
TOOLS = ("ip", "dnsmasq", "udhcpc", "curl")

if os.geteuid() != 0:
    pytest.skip("NOT RUN: the hotspot namespace test needs root (ip netns add, veth, port 80); "
                "run it as root, as CI does (`sudo make test`)", allow_module_level=True)

APPLE = b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
# Each platform's probe, as the platform asks it (by name), and the online answer.
PROBES = [
    ("http://connectivitycheck.gstatic.com/generate_204", 204, b""),  # Android (AOSP NetworkMonitor)
    ("http://www.google.com/gen_204", 204, b""),  # Android's fallback
    ("http://clients3.google.com/generate_204", 204, b""),  # older Android
    ("http://connectivitycheck.android.com/generate_204", 204, b""),
    ("http://www.gstatic.com/generate_204", 204, b""),  # Chromium
    ("http://captive.apple.com/hotspot-detect.html", 200, APPLE),  # iOS, macOS
    ("http://www.apple.com/library/test/success.html", 200, APPLE),
    ("http://www.msftconnecttest.com/connecttest.txt", 200, b"Microsoft Connect Test"),  # Windows 10+
    ("http://www.msftncsi.com/ncsi.txt", 200, b"Microsoft NCSI"),  # older Windows
    ("http://detectportal.firefox.com/canonical.html", 200,
     b'<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>'),
    ("http://detectportal.firefox.com/success.txt?ipv4", 200, b"success\n"),
]


def nm_shared_dnsmasq(conf_dir: Path, state: Path) -> list[str]:
    """dnsmasq as NetworkManager's shared mode starts it for a hotspot at 10.42.0.1/24.

    Mirrors create_dm_cmd_line() in NetworkManager src/core/dnsmasq/
    nm-dnsmasq-manager.c: no config file of its own, no /etc/hosts, bound to
    the hotspot address only, strict upstream order, the DHCP range that
    nm_dnsmasq_utils_get_range() (nm-dnsmasq-utils.c) computes for
    10.42.0.1/24 (host in the lower half: from host + 1 + 8 reserved = .10
    to .254) with a 60 min lease, the booth as router, and
    --conf-dir=/etc/NetworkManager/dnsmasq-shared.d (here: conf_dir). Its
    upstream servers come from /etc/resolv.conf, as NM's do; the test gives
    the booth namespace an empty one: no uplink. Only the lease/pid paths
    differ (NM's are under /var/lib/NetworkManager and /run), and the log
    options NM adds at trace level are on so a failure shows what happened.
    """
    return [
        shutil.which("dnsmasq") or "dnsmasq",
        "--log-dhcp", "--log-queries", "--log-facility=-",
        "--conf-file=/dev/null", "--no-hosts", "--keep-in-foreground", "--bind-interfaces",
        "--except-interface=lo", "--clear-on-reload", "--strict-order",
        f"--listen-address={BOOTH_ADDR}",
        "--dhcp-range=10.42.0.10,10.42.0.254,60m",
        f"--dhcp-option=option:router,{BOOTH_ADDR}",
        f"--dhcp-leasefile={state}/dnsmasq-wlan0.leases",
        f"--pid-file={state}/nm-dnsmasq-wlan0.pid",
        f"--conf-dir={conf_dir}",
    ]


UDHCPC_SCRIPT = """#!/bin/sh
# What udhcpc's default script does with a lease: address, route, resolv.conf.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-$subnet}" dev "$interface"
    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
    : > "$PHONE_RESOLV"
    for s in $dns; do echo "nameserver $s" >> "$PHONE_RESOLV"; done
    printf 'ip=%s\\nmask=%s\\nrouter=%s\\ndns=%s\\nlease=%s\\n' "$ip" "${mask:-$subnet}" "$router" "$dns" "$lease" > "$PHONE_LEASE"
    ;;
esac
"""


def run(*cmd: str, check: bool = True, timeout: float = 30, text: bool = True, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(list(cmd), capture_output=True, text=text, timeout=timeout, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stdout!s}{result.stderr!s}")
    return result


def in_ns(ns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", ns, *cmd]


@dataclass
class Hotspot:
    booth_ns: str
    phone_ns: str
    tmp: Path
    data: Path
    dnsmasq_log: Path
    web: BoothWeb
    lease: dict[str, str]
    url: str  # what the QR code holds
    token: str
    record: object
    env: dict[str, str]

    def phone(self, *cmd: str, **kw) -> subprocess.CompletedProcess[str]:
        return run(*in_ns(self.phone_ns, *cmd), **kw)


def _kill_group(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="module")
def hotspot(tmp_path_factory, faces_dir, model_path) -> Iterator[Hotspot]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/system-deps.sh test")
    tmp = tmp_path_factory.mktemp("hotspot")
    tag = secrets.token_hex(3)
    booth_ns, phone_ns = f"booth-{tag}", f"phone-{tag}"
    veth_b, veth_p = f"hsb{tag}", f"hsp{tag}"
    netns_etc = [Path("/etc/netns") / booth_ns, Path("/etc/netns") / phone_ns]
    procs: list[subprocess.Popen] = []
    try:
        # -- the two namespaces and the "Wi-Fi" between them
        try:
            run("ip", "netns", "add", booth_ns)
        except AssertionError as exc:
            pytest.fail(f"running as root, yet `ip netns add` failed (no CAP_SYS_ADMIN?): {exc}")
        run("ip", "netns", "add", phone_ns)
        run("ip", "link", "add", veth_b, "type", "veth", "peer", "name", veth_p)
        run("ip", "link", "set", veth_b, "netns", booth_ns)
        run("ip", "link", "set", veth_p, "netns", phone_ns)
        for ns, dev in ((booth_ns, veth_b), (phone_ns, veth_p)):
            run("ip", "-n", ns, "link", "set", dev, "name", "wlan0")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", "wlan0", "up")
        run("ip", "-n", booth_ns, "addr", "add", f"{BOOTH_ADDR}/24", "dev", "wlan0")
        # `ip netns exec NS` shows /etc/netns/NS/resolv.conf as /etc/resolv.conf
        for d in netns_etc:
            d.mkdir(parents=True, exist_ok=True)
            (d / "resolv.conf").write_text("")  # the booth: no uplink, no upstream DNS
        phone_resolv = netns_etc[1] / "resolv.conf"

        # -- dnsmasq as NetworkManager runs it, with the installer's file
        conf_dir = tmp / "dnsmasq-shared.d"
        conf_dir.mkdir()
        (conf_dir / "booth.conf").write_text(installer_dnsmasq_conf())
        dnsmasq_log = tmp / "dnsmasq.log"
        with dnsmasq_log.open("wb") as log:
            procs.append(subprocess.Popen(in_ns(booth_ns, *nm_shared_dnsmasq(conf_dir, tmp)), stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))

        # -- booth web on port 80, a real photo in its gallery
        data = tmp / "data"
        data.mkdir()
        record = add_photo(data, faces_dir)
        config = tmp / "booth.toml"
        config.write_text('[web]\nhost = "0.0.0.0"\nport = 80\nworkers = 1\n')  # public_url empty: found
        env = booth_env(data=data, config=config, models=model_path.parent)
        web_log = tmp / "web.log"
        with web_log.open("wb") as log:
            web_proc = subprocess.Popen(in_ns(booth_ns, *booth_command("web")), env=env, cwd=REPO, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(web_proc)
        web = BoothWeb(web_proc, 80, web_log)

        # -- the QR code's text, built by the booth's own code in the booth namespace
        code = ("import cv2\nfrom booth.config import load_config\nfrom booth.net import base_url, photo_url\n"
                "from booth.qr import qr_image\n"
                f"text = photo_url(base_url(load_config().web), {record.token!r})\n"
                "decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(qr_image(text, 8))\n"
                "print(text); print(decoded)\n")
        qr = run(*in_ns(booth_ns, sys.executable, "-c", code), env=env, cwd=REPO, timeout=120).stdout.split()
        assert len(qr) == 2 and qr[0] == qr[1], f"the QR code does not read back as its text: {qr}"
        url = qr[1]

        # -- the phone joins: DHCP from the booth's dnsmasq
        script = tmp / "udhcpc.sh"
        script.write_text(UDHCPC_SCRIPT)
        script.chmod(0o755)
        lease_file = tmp / "lease"
        dhcp = run(*in_ns(phone_ns, "udhcpc", "-i", "wlan0", "-f", "-q", "-n", "-t", "10", "-T", "1",
                          "-s", str(script)), check=False, timeout=60,
                   env={**os.environ, "PHONE_RESOLV": str(phone_resolv), "PHONE_LEASE": str(lease_file)})
        assert dhcp.returncode == 0 and lease_file.exists(), (
            f"no DHCP lease for the phone:\n{dhcp.stdout}{dhcp.stderr}\ndnsmasq:\n{dnsmasq_log.read_text()}")
        lease = dict(line.split("=", 1) for line in lease_file.read_text().splitlines())

        # -- booth web answers (from the phone, by address)
        deadline = time.monotonic() + 90
        while True:
            r = run(*in_ns(phone_ns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                           f"http://{BOOTH_ADDR}/p/{'x' * 24}"), check=False)
            if r.stdout == "404":
                break
            if web_proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"booth web did not come up in the booth namespace:\n{web.log_text()}")
            time.sleep(0.3)

        yield Hotspot(booth_ns, phone_ns, tmp, data, dnsmasq_log, web, lease, url, record.token, record, env)
    finally:
        for proc in reversed(procs):
            _kill_group(proc)
        for ns in (booth_ns, phone_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", veth_b], capture_output=True)  # only if never moved
        for d in netns_etc:
            shutil.rmtree(d, ignore_errors=True)
        left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert booth_ns not in left and phone_ns not in left, f"namespaces left behind: {left}"


def test_phone_got_address_and_dns_by_dhcp(hotspot: Hotspot) -> None:
    lease = hotspot.lease
    addr = ipaddress.ip_address(lease["ip"])
    assert addr in ipaddress.ip_network("10.42.0.0/24")
    assert ipaddress.ip_address("10.42.0.10") <= addr <= ipaddress.ip_address("10.42.0.254")  # NM's range
    assert lease["dns"].split() == [BOOTH_ADDR]  # dnsmasq names itself the DNS server
    assert lease["router"].split() == [BOOTH_ADDR]
    assert int(lease["lease"]) == 3600
    shown = hotspot.phone("ip", "-4", "-o", "addr", "show", "dev", "wlan0").stdout
    assert f"inet {lease['ip']}/24" in shown
    assert "DHCPACK(wlan0)" in hotspot.dnsmasq_log.read_text()
    # what `booth doctor` counts: the lease in the file named as NetworkManager names it
    from booth.hotspot import leases

    assert leases("wlan0", leases_dir=hotspot.tmp) == 1


def test_doctor_sees_the_probes_answered_on_the_hotspot(hotspot: Hotspot) -> None:
    code = "from booth.hotspot import probes_answered; print(sorted(probes_answered('10.42.0.1', 80).items()))"
    out = run(*in_ns(hotspot.booth_ns, sys.executable, "-c", code), env=hotspot.env, cwd=REPO, timeout=60).stdout
    assert out.strip() == str(sorted({"Android": "", "Apple": "", "Windows": "", "Firefox": ""}.items()))


def test_every_name_resolves_to_the_booth(hotspot: Hotspot) -> None:
    for name in ("connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com",
                 "detectportal.firefox.com", "example.org", "booth.local", "booth"):
        got = hotspot.phone("getent", "ahostsv4", name).stdout.split()
        assert got and got[0] == BOOTH_ADDR, (name, got)
    # Windows' DNS probe gets the answer NCSI expects, not the booth
    assert hotspot.phone("getent", "ahostsv4", "dns.msftncsi.com").stdout.split()[0] == "131.107.255.255"
    assert "query[A] example.org" in hotspot.dnsmasq_log.read_text()


@pytest.mark.parametrize("url, status, body", PROBES, ids=[u.split("//")[1] for u, _, _ in PROBES])
def test_probe_by_name_is_answered_online(hotspot: Hotspot, url: str, status: int, body: bytes) -> None:
    r = run(*in_ns(hotspot.phone_ns, "curl", "-s", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", url),
            check=False, text=False)
    assert r.returncode == 0, r.stderr
    got_body, _, code = r.stdout.rpartition(b"\n")
    assert int(code) == status and got_body == body, (url, code, got_body[:200])


def test_qr_holds_the_hotspot_address(hotspot: Hotspot) -> None:
    assert hotspot.url == f"http://{BOOTH_ADDR}/p/{hotspot.token}"  # an address, never a .local name


def test_chromium_on_the_phone_opens_the_qr_link_and_downloads(hotspot: Hotspot) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from test_web_browser import ARGS, PHONE

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/system-deps.sh test")
    # Chromium itself runs inside the phone namespace (playwright talks to it over a pipe).
    wrapper = hotspot.tmp / "chromium-in-phone"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {hotspot.phone_ns} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(wrapper), headless=True, args=ARGS)
        try:
            context = browser.new_context(**PHONE, accept_downloads=True)
            page = context.new_page()
            # the browser resolves names with the DNS it got by DHCP, and the probe is online
            probe = page.goto("http://captive.apple.com/hotspot-detect.html")
            assert probe.status == 200 and probe.body() == APPLE
            # a 204 leaves the page where it was, so Chromium reports the navigation as aborted
            with page.expect_response("**/generate_204") as android:
                with contextlib.suppress(PlaywrightError):
                    page.goto("http://connectivitycheck.gstatic.com/generate_204")
            assert android.value.status == 204
            response = page.goto(hotspot.url)
            assert response.status == 200
            page.wait_for_load_state("load")
            assert page.locator("img.photo").evaluate("img => img.complete && img.naturalWidth") == 800
            with page.expect_download() as download:
                page.click("#download")
            assert Path(download.value.path()).read_bytes() == stored(hotspot.data, hotspot.record, "retouched")
            context.close()
        finally:
            browser.close()
