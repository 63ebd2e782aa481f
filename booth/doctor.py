"""`booth doctor`: one line per check, OK / WARN / FAIL and what to do.

Each check is a small function returning a :class:`Check`; a check that
raises is reported as FAIL with the exception, so the doctor itself never
dies half-way through the table. Exit status is 1 when anything FAILed.

Staff run the doctor while the booth is running, as the README asks. The
booth then holds the camera (a second open fails: "camera in use") and the
GPIO pins, so the doctor does not try: it reads the running booth's status
file (:mod:`booth.status`, the same data directory) and reports the camera
and the pins from there, saying so.
"""

from __future__ import annotations

import errno
import importlib.metadata
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from booth.config import Config
from booth.diskguard import free_mb_at
from booth.gallery import last_rebuild
from booth.models import FETCH_HINT, check_model
from booth.pi import pi_model
from booth.status import BoothStatus, read_status

OK, WARN, FAIL = "OK", "WARN", "FAIL"


@dataclass(frozen=True)
class Check:
    status: str  # OK | WARN | FAIL
    name: str
    detail: str
    fix: str = ""  # what to do, when not OK

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name:<9} {self.detail}"
        return f"{text} — {self.fix}" if self.fix else text


PACKAGES = [
    ("numpy", "numpy"),
    ("opencv-python-headless", "cv2"),
    ("pillow", "PIL"),
    ("mediapipe", "mediapipe"),
    ("pygame-ce", "pygame"),
    ("gpiozero", "gpiozero"),
    ("qrcode", "qrcode"),
    ("starlette", "starlette"),
    ("jinja2", "jinja2"),
    ("babel", "babel"),  # compiles a stale or missing .mo in memory; the phone pages' dates (CLDR)
    ("budoux", "budoux"),  # where a Japanese or Chinese line may break
    ("uvicorn", "uvicorn"),
    ("boto3", "boto3"),  # booth sync and booth web --cloud only
]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_python(config: Config) -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 11):
        return Check(FAIL, "python", version, "booth needs Python 3.11 or newer")
    return Check(OK, "python", f"{version} ({sys.executable})")


def check_packages(config: Config) -> Check:
    missing = [dist for dist, _ in PACKAGES if _version(dist) is None]
    if missing:
        return Check(FAIL, "packages", "missing: " + ", ".join(missing), "run `make setup` (or pip install -e .)")
    found = ", ".join(f"{dist} {_version(dist)}" for dist, _ in PACKAGES)
    contrib = _version("opencv-contrib-python")
    if contrib and contrib != _version("opencv-python-headless"):
        return Check(
            WARN, "packages", f"{found}; opencv-contrib-python {contrib} differs",
            "reinstall with `make setup`: both cv2 packages must carry the same version",
        )
    return Check(OK, "packages", found)


def check_model_file(config: Config) -> Check:
    status = check_model(config.models_dir)
    if not status.present:
        return Check(FAIL, "model", f"{status.path} not found", FETCH_HINT)
    if not status.verified:
        return Check(FAIL, "model", f"{status.path} has the wrong SHA-256", f"delete it and {FETCH_HINT}")
    return Check(OK, "model", f"{status.path} verified (SHA-256)")


def running_booth(config: Config, now: float | None = None) -> BoothStatus | None:
    """The status of a booth running on this data directory now, or None when none is."""
    status = read_status(config.data_dir)
    if status is None or status.stale(now):
        return None
    try:
        os.kill(status.pid, 0)  # signal 0: is the process there (it may belong to another user)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return status


def _in_use(booth: BoothStatus) -> str:
    return f"in use by the running booth (pid {booth.pid})"


def camera_in_use(booth: BoothStatus) -> Check:
    """The camera as the running booth reports it: its name, frame rate and newest frame."""
    facts = [booth.camera or "unknown camera"]
    if booth.camera_fps is not None:
        facts.append(f"{booth.camera_fps:.0f} fps")
    if booth.frame_age_s is not None:  # at the booth's last report, a few seconds ago at most
        facts.append(f"newest frame {booth.frame_age_s:.1f} s old")
    detail = f"{_in_use(booth)}: " + ", ".join(facts)
    if not booth.camera_ok:
        return Check(FAIL, "camera", f"{detail}; the booth says: {booth.message}",
                     "check the camera's cable; `journalctl -u booth -b` says what failed")
    if booth.camera.startswith("scripted"):
        return Check(WARN, "camera", f"{detail} (no real camera)", "connect a Pi camera or webcam for real photos")
    return Check(OK, "camera", detail)


def check_camera(config: Config) -> Check:
    from booth.camera.select import open_camera

    booth = running_booth(config)
    if booth is not None:
        return camera_in_use(booth)

    messages: list[str] = []

    class _Log:
        def info(self, msg: str, *args: object) -> None:
            messages.append(msg % args if args else msg)

        warning = debug = error = info

    camera = open_camera(config.camera.source, config, log=_Log())
    try:
        frame = camera.wait_frame(-1, timeout=5.0)
        description = camera.describe()
    finally:
        camera.stop()
    if frame is None:
        return Check(FAIL, "camera", f"{description}: no frame within 5 s", "check the cable and `rpicam-hello`")
    if camera.name.startswith("scripted"):
        why = "; ".join(m.removeprefix("camera: ") for m in messages if "scripted" not in m) or "none found"
        return Check(WARN, "camera", f"no real camera ({why}); {description}",
                     "connect a Pi camera or webcam for real photos")
    return Check(OK, "camera", description)


def check_framing(config: Config) -> Check:
    """Which of the modelled guests the camera's height and mark can frame (booth.coach.geometry)."""
    from booth.coach.geometry import MODELLED, Rig, framable, heights_for

    rig = Rig.from_config(config.camera)
    cam = config.camera
    where = f"{cam.module} at {cam.height_m:.2f} m, mark {cam.distance_m:.2f} m"
    standing = [g for g in MODELLED if g.name in ("short", "average", "tall")]
    seated = next(g for g in MODELLED if g.name == "seated")
    missed = [g.name for g in standing if framable(g.eye_height, rig) is None]
    if missed:
        both = [heights_for(g.eye_height, rig) for g in standing]
        lo = max(b[0] for b in both if b)
        hi = min(b[1] for b in both if b)
        fix = (f"set [camera] height_m between {lo:.2f} and {hi:.2f}" if lo <= hi
               else "no one height frames every standing guest: check [camera] module")
        return Check(WARN, "framing", f"{where}: cannot frame {', '.join(missed)} guests (1.50-2.00 m)", fix)
    windows = [framable(g.eye_height, rig) for g in standing]
    near = max(w[0] for w in windows if w)
    far = min(w[1] for w in windows if w)
    if not near <= cam.distance_m <= far:
        return Check(WARN, "framing", f"{where}: guests 1.50-2.00 m on the mark are asked to step",
                     f"put the mark between {near:.2f} and {far:.2f} m ([camera] distance_m)")
    detail = f"{where}: frames standing guests 1.50-2.00 m"
    if framable(seated.eye_height, rig) is None:
        low = heights_for(seated.eye_height, rig)
        need = f"the camera at {low[1]:.2f} m or lower" if low else "a lower camera"
        detail += f"; a seated guest needs {need} (README: camera height)"
    else:
        detail += " and a seated guest"
    return Check(OK, "framing", detail)


def _is_pi() -> str | None:
    """The Pi's model string, or None on any other machine."""
    model = pi_model()
    return model if "Raspberry Pi" in model else None


def check_display(config: Config) -> Check:
    from booth.ui.display import choose_display

    choice = choose_display(config.display)
    pi = _is_pi()
    if choice.driver is None or choice.headless:
        return Check(WARN, "display", f"{choice.reason}; `booth run` will run headless",
                     "connect a screen (KMS/DRM) or start a desktop session")
    mode = "fullscreen" if choice.fullscreen else "windowed"
    detail = f"SDL driver {choice.driver}, {mode} ({choice.reason})" + (f" on {pi}" if pi else "")
    if pi and choice.driver != "kmsdrm" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return Check(WARN, "display", detail, "use KMS/DRM on a Pi without a desktop")
    return Check(OK, "display", detail)


def check_fonts(config: Config, cjk_dirs: tuple[Path, ...] | None = None, use_fontconfig: bool = True) -> Check:
    """The fonts the offered languages need: DejaVu Sans always, Noto Sans CJK for Japanese, Chinese, Korean."""
    from booth.i18n import LANGUAGES
    from booth.ui.fonts import CJK_DIRS, find_cjk, find_font

    langs = ", ".join(config.display.languages)
    regular, _, problem = find_font(config.display.font, use_fontconfig=use_fontconfig)
    if regular is None:
        return Check(FAIL, "fonts", "DejaVu Sans not found", "sudo apt-get install fonts-dejavu-core")
    cjk = [c for c in config.display.languages if c in LANGUAGES and LANGUAGES[c].script == "cjk"]
    detail = f"{regular.name} for {langs}"
    if cjk:
        found, _ = find_cjk(cjk_dirs if cjk_dirs is not None else CJK_DIRS, use_fontconfig)
        if found is None:
            return Check(FAIL, "fonts", f"no Noto Sans CJK for {', '.join(cjk)} ([display] languages): "
                         "their words would be drawn as empty boxes", "sudo apt-get install fonts-noto-cjk")
        detail = f"{regular.name}; {found.name} for {', '.join(cjk)}"
    if problem:
        return Check(WARN, "fonts", f"{detail}; {problem}", "fix [display] font")
    return Check(OK, "fonts", detail)


def gpio_in_use(booth: BoothStatus, used: dict[str, int]) -> Check:
    """The pins as the running booth holds them (opening them again would fail: GPIO busy)."""
    state = booth.gpio
    if state.get("problems"):
        return Check(FAIL, "gpio", f"the running booth (pid {booth.pid}) says: " + "; ".join(state["problems"]),
                     "fix the wiring or [controls], then `sudo systemctl restart booth`")
    held = {role: state.get(role) for role in used if isinstance(state.get(role), int)}
    if not held:
        pins = ", ".join(f"{role} on GPIO{pin}" for role, pin in used.items())
        return Check(WARN, "gpio", f"{pins} configured, but the running booth (pid {booth.pid}) has not opened "
                     "GPIO (it runs headless)", "start it with a screen to use the button")
    detail = ", ".join(f"{role} on GPIO{pin}" for role, pin in held.items())
    return Check(OK, "gpio", f"{_in_use(booth)}: {detail} ({state.get('factory') or '?'})")


def check_gpio(config: Config) -> Check:
    pins = {"button": config.controls.button_pin, "led": config.controls.led_pin}
    used = {k: v for k, v in pins.items() if v >= 0}
    if not used:
        return Check(OK, "gpio", "no GPIO configured (keyboard/touch only)")
    booth = running_booth(config)
    if booth is not None:
        return gpio_in_use(booth, used)
    from gpiozero import Device

    from booth.controls import make_pin_factory

    factory = make_pin_factory(config.controls.pin_factory) or Device._default_pin_factory()
    try:
        name = type(factory).__name__
        for role, pin in used.items():
            factory.pin(pin).close()
    finally:
        factory.close()
    detail = ", ".join(f"{role} on GPIO{pin}" for role, pin in used.items())
    return Check(OK, "gpio", f"{name}: {detail}")


def check_storage(config: Config) -> Check:
    data = config.data_dir
    try:
        data.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check(FAIL, "storage", f"{data} not writable: {exc.strerror}",
                     "set [storage] data_dir or $BOOTH_DATA_DIR to a writable folder")
    free_mb = free_mb_at(data)  # as the running booth's DiskGuard counts it, against the same minimum
    detail = f"{data} writable, {free_mb:,.0f} MB free"
    if free_mb < config.storage.min_free_mb:
        return Check(FAIL, "storage", detail + f" (below the {config.storage.min_free_mb} MB minimum)",
                     "free some space or export and prune photos")
    rebuilt = last_rebuild(data)  # said for as long as the photos it concerns can still be around
    if rebuilt is not None and time.time() - rebuilt.at < config.storage.expiry_days * 86400:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rebuilt.at))
        return Check(WARN, "storage", detail + f"; the gallery index was damaged and rebuilt on {when}: "
                     + rebuilt.line(), "check the photos on the staff page; the damaged copy can be deleted")
    return Check(OK, "storage", detail)


def _port_state(host: str, port: int) -> str | None:
    """None if the port can be bound, else why not."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "in use"
            return exc.strerror or str(exc)
    return None


def check_network(config: Config) -> Check:
    from urllib.parse import urlsplit

    from booth.net import base_url

    url = base_url(config.web)
    state = _port_state(config.web.host, config.web.port)
    where = f"phones will use {url}; port {config.web.port}"
    if (urlsplit(url).hostname or "").endswith(".local"):
        # mDNS: many Android phones cannot resolve .local names, so the QR link would not open.
        return Check(WARN, "network", f"{where}: a .local name in the QR code",
                     "leave [web] public_url empty (the booth's IP address) or set it to an IP address")
    if state is None:
        return Check(OK, "network", f"{where} is free for `booth web`")
    if state == "in use":
        return Check(WARN, "network", f"{where} is in use (by `booth web` already?)",
                     "if booth web is not running, pick another [web] port")
    return Check(FAIL, "network", f"{where}: {state}", "pick another [web] port or grant CAP_NET_BIND_SERVICE")


def check_hotspot(config: Config) -> Check:
    """The booth's own Wi-Fi (booth/hotspot.py): SSID, address, phones, DNS, connectivity checks, QR."""
    from urllib.parse import urlsplit

    from booth import hotspot
    from booth.net import base_url

    found = hotspot.find_hotspot()
    wanted = config.wifi.ssid
    if not isinstance(found, hotspot.Hotspot):
        why = found or "no Wi-Fi access point is up"
        if wanted:
            return Check(WARN, "hotspot", f'[wifi] ssid "{wanted}" is set, but {why}',
                         "start it: `sudo nmcli connection up booth-hotspot` (made by install-pi.sh --hotspot)")
        return Check(OK, "hotspot", f"none ({why}); phones use the network the booth is on")
    address = found.address.split("/")[0]
    phones = hotspot.leases(found.device)
    answered = hotspot.probes_answered(address or "127.0.0.1", config.web.port)
    failed = {name: why for name, why in answered.items() if why}
    probes = ("probes answered: " + ", ".join(answered) if not failed else
              "probes NOT answered: " + ", ".join(f"{name} ({why})" for name, why in failed.items()))
    detail = (f'"{found.ssid}" on {found.device} at {found.address or "no address"}, '
              f"{'phones unknown' if phones is None else f'{phones} phone(s) with a lease'}; "
              f"DNS {hotspot.dns_mode()}; {probes}")
    qr_host = urlsplit(base_url(config.web)).hostname or ""
    if failed:
        return Check(WARN, "hotspot", detail,
                     f"phones will not stay on this Wi-Fi: start booth web on port {config.web.port} "
                     "(`sudo systemctl start booth-web`)")
    if address and qr_host != address:
        return Check(WARN, "hotspot", detail + f"; the QR code holds {qr_host}",
                     f'set [web] public_url = "http://{address}" (or empty) so phones on the hotspot reach it')
    if wanted and wanted != found.ssid:
        return Check(WARN, "hotspot", detail, f'the join QR says "{wanted}": set [wifi] ssid = "{found.ssid}"')
    return Check(OK, "hotspot", detail)


def check_cloud(config: Config) -> Check:
    """[cloud]: what `booth sync` last reported (its status file; doctor itself never talks to S3)."""
    from booth.cloud.status import read_sync_status

    if not config.cloud.enabled:
        return Check(OK, "cloud", "off ([cloud] bucket not set): photos are served by this booth only")
    sync = read_sync_status(config.data_dir)
    where = f'bucket "{config.cloud.bucket}", booth "{config.cloud.booth}"'
    if sync is None:
        return Check(WARN, "cloud", f"{where}: booth sync has not run yet",
                     "start it: sudo systemctl enable --now booth-sync")
    line = sync.line()
    if sync.last_error:
        return Check(FAIL, "cloud", f"{where}: {line}", "see README, Photos beyond the booth's Wi-Fi")
    if "not running" in line:
        return Check(WARN, "cloud", f"{where}: {line}", "sudo systemctl start booth-sync; journalctl -u booth-sync")
    return Check(OK, "cloud", f"{where}: {line}")


CHECKS: list[Callable[[Config], Check]] = [
    check_python, check_packages, check_model_file, check_camera, check_framing,
    check_display, check_fonts, check_gpio, check_storage, check_network, check_hotspot, check_cloud,
]


def run_checks(config: Config, checks: list[Callable[[Config], Check]] | None = None) -> list[Check]:
    results = []
    for check in checks or CHECKS:
        name = check.__name__.removeprefix("check_").replace("_file", "")
        try:
            results.append(check(config))
        except Exception as exc:  # noqa: BLE001 — a broken check is itself a finding
            results.append(Check(FAIL, name, f"{type(exc).__name__}: {exc}", "see the message"))
    return results


def cli_doctor(args: object, config: Config) -> int:
    print(f"booth doctor (config: {config.source})")
    # The camera check may start capture threads; make sure none outlives the report.
    results = run_checks(config)
    for result in results:
        print(result.line(), flush=True)
    failed = sum(r.status == FAIL for r in results)
    warned = sum(r.status == WARN for r in results)
    print(f"{len(results)} checks: {failed} FAIL, {warned} WARN")
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in alive:
        thread.join(timeout=2)
    return 1 if failed else 0
