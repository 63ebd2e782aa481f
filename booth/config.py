"""Typed configuration from one TOML file.

Search order: ``--config``, then ``$BOOTH_CONFIG``, then
``/etc/booth/booth.toml``, then built-in defaults. ``$BOOTH_DATA_DIR`` and
``$BOOTH_MODELS_DIR`` override the two storage paths wherever they are set.

Every key is a dataclass field; its metadata says what is allowed
(``choices``, ``min``, ``max``, ``pattern``) and carries the one-line help
that ``booth config example`` prints. A wrong key, type or value raises
:class:`ConfigError` with one line naming the file, the key, the value and
what is allowed. Validation is hand-written rather than pydantic because the
schema is small and flat and the error line has to be exactly this shape.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booth.event import LOGO_ALLOWED, LogoError, load_logo
from booth.session import FLOWS

SYSTEM_CONFIG = Path("/etc/booth/booth.toml")
# Camera modules whose field of view the framing geometry knows (booth.coach.geometry.FOV).
CAMERA_MODULES = ("module3", "module3-wide", "module2")


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line to show.

    ``files`` are other files than the config whose change may fix it (a logo
    it names): the booth's start-error screen watches them too.
    """

    def __init__(self, message: str, files: tuple[Path, ...] = ()) -> None:
        super().__init__(message)
        self.files = files


def _opt(default: Any, help: str, **rules: Any) -> Any:
    return field(default=default, metadata={"help": help, **rules})


def _xdg(var: str, fallback: str, *parts: str) -> str:
    base = os.environ.get(var) or str(Path.home() / fallback)
    return str(Path(base, *parts))


# A source checkout: this package's folder sits beside the project's pyproject.toml and Makefile.
CHECKOUT = Path(__file__).resolve().parent.parent


def default_models_dir() -> str:
    """Where the face model is when neither the config nor $BOOTH_MODELS_DIR says.

    Run from a source checkout (`make run`'s editable install, tests), the
    checkout's ``.models/``, where `make run` fetched it; installed as a
    package, the user's cache. Either way every `booth` command finds the
    model `booth models fetch` put there, however it was started. The Pi's
    installer names /var/lib/booth/models in booth.toml.
    """
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "Makefile").is_file():
        return str(CHECKOUT / ".models")
    return _xdg("XDG_CACHE_HOME", ".cache", "booth", "models")


@dataclass
class CameraConfig:
    source: str = _opt(
        "auto",
        "auto | picamera | webcam[:N or :/dev/videoN] | replay:PATH | scripted[:PERSON]",
        pattern=r"^(auto|picamera|webcam(:.+)?|replay:.+|scripted(:[\w.-]+)?)$",
        allowed="auto, picamera, webcam[:N], replay:PATH or scripted[:PERSON]",
    )
    preview_width: int = _opt(640, "width of the live preview stream (pixels)", min=160, max=1920)
    preview_height: int = _opt(480, "height of the live preview stream (pixels)", min=120, max=1080)
    fps: int = _opt(30, "preview frame rate", min=1, max=120)
    still_width: int = _opt(0, "still width; 0 = the sensor's full resolution", min=0, max=16384)
    still_height: int = _opt(0, "still height; 0 = the sensor's full resolution", min=0, max=16384)
    rotate: int = _opt(0, "rotate the camera image (degrees clockwise)", choices=(0, 90, 180, 270))
    mirror_preview: bool = _opt(True, "show the preview mirrored, like a mirror (display only)")
    stall_timeout_s: float = _opt(2.0, "no frame for this long means the camera has stalled", min=0.2, max=60.0)
    autofocus: bool = _opt(True, "continuous autofocus, and a focus cycle on the face before the shot")
    module: str = _opt("module3", "which camera module (its field of view): the framing check in booth doctor",
                       choices=CAMERA_MODULES)
    height_m: float = _opt(1.58, "height of the lens above the floor (metres); the camera is mounted level",
                           min=0.5, max=2.5)
    distance_m: float = _opt(1.2, "where guests are asked to stand: metres from the lens (a floor mark)",
                             min=0.3, max=5.0)


@dataclass
class ScriptedConfig:
    faces_dir: str = _opt(
        "",
        "folder of labelled face photos for the scripted subject; empty = $BOOTH_FACES_DIR or ../shared/faces",
    )
    person: str = _opt("london-004", "whose neutral and smiling photos the scripted subject uses")
    guest: str = _opt("drawn", "who stands in front of the camera: drawn by seed from the guests the camera "
                      "can frame, or one of them", choices=("drawn", "short", "average", "tall", "seated", "off-centre"))
    seed: int = _opt(0, "seed of the subject's behaviour (start position, reaction times, blinks)", min=0, max=2**31 - 1)
    enter_s: float = _opt(1.5, "seconds to walk in (small, off-centre)", min=0.0, max=60.0)
    centre_s: float = _opt(1.5, "seconds to reach the start position", min=0.0, max=60.0)
    neutral_s: float = _opt(4.0, "seconds of neutral face before smiling", min=0.0, max=600.0)
    smile_s: float = _opt(6.0, "seconds of smiling, then the script loops to neutral", min=0.1, max=600.0)
    fade_s: float = _opt(0.3, "seconds the change between neutral and smiling takes", min=0.0, max=5.0)
    react_s: float = _opt(1.0, "seconds the subject takes to smile once the screen asks for a smile", min=0.0, max=30.0)


@dataclass
class DisplayConfig:
    driver: str = _opt(
        "auto",
        "SDL video driver: auto picks KMS/DRM without a desktop, the window system with one",
        choices=("auto", "kmsdrm", "x11", "wayland", "dummy"),
    )
    fullscreen: bool = _opt(True, "fullscreen (a window of width x height when false)")
    width: int = _opt(0, "window width; 0 = the screen's", min=0, max=8192)
    height: int = _opt(0, "window height; 0 = the screen's", min=0, max=8192)
    fps: int = _opt(30, "display frame rate", min=5, max=120)
    font: str = _opt("", "font file (.ttf/.otf); empty = DejaVu Sans from the system")
    sound: bool = _opt(True, "shutter sound")
    languages: list[str] = field(default_factory=lambda: ["en"], metadata={
        "help": "languages the booth speaks, by code (first = each guest's default; the attract screen "
                "offers the others), e.g. [\"de\", \"en\", \"ja\"]; booth.i18n.LANGUAGES lists them",
        "languages": True,
    })


@dataclass
class ControlsConfig:
    button_pin: int = _opt(-1, "BCM pin of the big button; -1 = no GPIO button", min=-1, max=27)
    led_pin: int = _opt(-1, "BCM pin of the button's LED; -1 = no LED", min=-1, max=27)
    pin_factory: str = _opt(
        "auto",
        "gpiozero pin factory: auto picks lgpio on a Pi 5",
        choices=("auto", "lgpio", "rpigpio", "pigpio", "native", "mock"),
    )
    long_press_s: float = _opt(1.0, "a press at least this long means back / retake", min=0.2, max=10.0)
    keyboard: bool = _opt(True, "space/enter = main action, escape = back, arrows = choose")
    touch: bool = _opt(True, "taps on the screen act as the button")


@dataclass
class SessionConfig:
    look: str = _opt(
        "choose",
        "choose = the subject picks; or fix one look and skip that screen",
        choices=("choose", "smile", "serious", "contemplative"),
    )
    choose_timeout_s: float = _opt(20.0, "seconds on the choose-look screen before going back", min=2.0, max=600.0)
    choose_cycle_s: float = _opt(
        2.5, "the highlighted look moves on every this many seconds (one-button booths); 0 = never", min=0.0, max=60.0
    )
    breathe_s: float = _opt(4.0, "length of the breathing screen, counted only while the face is seen "
                                 "(the baseline is measured then)", min=1.0, max=60.0)
    coach_timeout_s: float = _opt(45.0, "seconds of coaching before going back to attract", min=5.0, max=600.0)
    countdown_s: int = _opt(3, "countdown after a button press", min=0, max=10)
    review_timeout_s: float = _opt(30.0, "seconds on the review screen; a photo not kept by then is deleted", min=3.0, max=600.0)
    share_timeout_s: float = _opt(45.0, "seconds the QR code stays up", min=3.0, max=600.0)
    wifi_qr_s: float = _opt(20.0, "seconds the Wi-Fi join QR stays up before the photo QR", min=3.0, max=600.0)
    goodbye_s: float = _opt(3.0, "seconds of \"Thanks — see you next time\" before attract", min=0.5, max=60.0)
    walkaway_s: float = _opt(6.0, "no face for this long ends the session", min=1.0, max=120.0)
    max_retakes: int = _opt(2, "retakes allowed per session", min=0, max=20)
    flow: str = _opt(
        "all",
        "all = the session of looks: serious, contemplative, smile in one visit, then the guest keeps "
        "their favourites; one = one look per visit (chosen, or fixed by look)",
        choices=FLOWS,
    )
    handover_s: float = _opt(3.0, "flow = \"all\": seconds of \"Lovely. Now a ...\" between two looks",
                             min=0.5, max=30.0)
    look_timeout_s: float = _opt(25.0, "flow = \"all\": a look not caught by then is taken as it is",
                                 min=5.0, max=600.0)


@dataclass
class CoachConfig:
    smile_strength: str = _opt("clear", "how much smile is enough", choices=("soft", "clear", "big"))
    hold_s: float = _opt(0.6, "the look must hold this long before the shot fires", min=0.0, max=10.0)
    cooldown_s: float = _opt(3.0, "no new shot this soon after the last one", min=0.0, max=60.0)
    auto_trigger: bool = _opt(True, "fire automatically when the look is ready")
    contemplative_side: str = _opt(
        "left", "which way the contemplative gaze goes (the subject's own left/right)", choices=("left", "right")
    )


@dataclass
class PhotoConfig:
    burst: int = _opt(3, "frames in each full-resolution burst", min=1, max=10)
    crop: str = _opt("4:5", "headshot crop preset", choices=("4:5", "1:1", "2:3"))
    retouch: str = _opt("natural", "default retouch level", choices=("none", "natural", "polished"))
    jpeg_quality: int = _opt(92, "JPEG quality of saved photos", min=50, max=100)


@dataclass
class StorageConfig:
    data_dir: str = _opt(
        _xdg("XDG_DATA_HOME", ".local/share", "booth"),
        "photos and the gallery index ($BOOTH_DATA_DIR overrides)",
    )
    models_dir: str = _opt(
        default_models_dir(),
        "the face model, apart from the photos; default: a checkout's .models/, else ~/.cache/booth/models "
        "($BOOTH_MODELS_DIR overrides)",
    )
    expiry_days: float = _opt(7.0, "photos are deleted this many days after they are taken", min=0.01, max=3650.0)
    min_free_mb: int = _opt(500, "stop offering captures below this much free disk space", min=0, max=10_000_000)


@dataclass
class WebConfig:
    host: str = _opt("0.0.0.0", "address the photo server listens on")
    port: int = _opt(8080, "port the photo server listens on", min=1, max=65535)
    public_url: str = _opt(
        "",
        "base URL phones use, e.g. http://10.42.0.1 (an IP address: many phones cannot resolve .local names); "
        "empty = this machine's address",
        pattern=r"^(|https?://[^\s/]+(/[^\s]*)?)$",
        allowed="empty or an http(s):// URL",
    )
    staff_password_hash: str = _opt(
        "", "hash from `booth staff-password`; empty = staff pages disabled"
    )
    workers: int = _opt(0, "photo server worker processes; 0 = one per CPU core (at most 4)", min=0, max=16)


@dataclass
class WifiConfig:
    ssid: str = _opt("", "the booth's own Wi-Fi network; non-empty shows a join QR before the photo QR")
    password: str = _opt("", "its WPA password")


@dataclass
class CloudConfig:
    """Photos also delivered through S3-compatible storage (`booth sync`, `booth web --cloud`).

    Off while ``bucket`` is empty. Credentials are never here: boto3 takes them the
    way every S3 tool does ($AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY, or the
    shared credentials file), so booth.toml can be shown to anyone.
    """

    bucket: str = _opt(
        "", "S3 bucket the photos go to; empty = cloud delivery off",
        # S3's bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
        pattern=r"^(|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$",
        allowed="empty, or 3-63 characters: lower-case letters, digits, dots and hyphens",
    )
    endpoint_url: str = _opt(
        "", "the S3 endpoint, e.g. https://<account>.r2.cloudflarestorage.com; empty = AWS",
        pattern=r"^(|https?://[^\s/]+/?)$", allowed="empty or an http(s):// URL with no path",
    )
    region: str = _opt("", "the bucket's region; empty = the AWS default ($AWS_DEFAULT_REGION or us-east-1)",
                       pattern=r"^[a-z0-9-]{0,32}$", allowed="empty or a region name such as eu-west-1")
    prefix: str = _opt("booth/", "key prefix inside the bucket (several events can share one bucket)",
                       pattern=r"^((?!\.\.?/)[A-Za-z0-9._-]+/)*$", allowed="empty or folder names ending in / (no . or ..)")
    booth_id: str = _opt("", "this booth's name in the bucket (a fleet shares one bucket); empty = the hostname",
                         pattern=r"^[A-Za-z0-9._-]{0,63}$", allowed="up to 63 letters, digits, '.', '_' or '-'")
    public_url: str = _opt(
        "", "where phones reach `booth web --cloud` over the internet, e.g. https://photos.example.com; "
        "the QR code points there", pattern=r"^(|https?://[^\s/]+(/[^\s]*)?)$",
        allowed="empty or an http(s):// URL",
    )

    @property
    def enabled(self) -> bool:
        return bool(self.bucket)

    @property
    def booth(self) -> str:
        """This booth's id: the configured one, else the hostname (made safe for a key)."""
        import socket

        return self.booth_id or re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:63] or "booth"


@dataclass
class EventConfig:
    """The event's own identity on the booth's screens and the phone page; all empty = none."""

    name: str = _opt("", "the event's name, shown on the attract and share screens and the phone page; "
                     "empty = none", pattern=r"^[^\x00-\x1f\x7f]{0,60}$",
                     allowed="up to 60 characters on one line")
    logo: str = _opt("", "the event's logo: a PNG or SVG file (a relative path is from this file's folder); "
                     "empty = none")
    accent_colour: str = _opt("", "the event's colour for the screens' accents, e.g. \"#1a73e8\"; "
                              "empty = the booth's amber", pattern=r"^(|#[0-9a-fA-F]{6})$",
                              allowed='empty or a colour written #rrggbb, e.g. "#1a73e8"')
    welcome: str = _opt("", "a short welcome line under the name, e.g. \"Welcome to the summer party\"",
                        pattern=r"^[^\x00-\x1f\x7f]{0,80}$", allowed="up to 80 characters on one line")
    watermark: bool = _opt(False, "put the logo (or the name) small in a corner of the retouched photo; "
                           "the original is never marked")


@dataclass
class Config:
    camera: CameraConfig = field(default_factory=CameraConfig)
    scripted: ScriptedConfig = field(default_factory=ScriptedConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    controls: ControlsConfig = field(default_factory=ControlsConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    coach: CoachConfig = field(default_factory=CoachConfig)
    photo: PhotoConfig = field(default_factory=PhotoConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    web: WebConfig = field(default_factory=WebConfig)
    wifi: WifiConfig = field(default_factory=WifiConfig)
    cloud: CloudConfig = field(default_factory=CloudConfig)
    event: EventConfig = field(default_factory=EventConfig)
    source: str = "built-in defaults"  # where it came from, for messages

    @property
    def data_dir(self) -> Path:
        return Path(self.storage.data_dir).expanduser()

    @property
    def models_dir(self) -> Path:
        return Path(self.storage.models_dir).expanduser()


SECTIONS: dict[str, type] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in dataclasses.fields(Config)
    if f.name != "source"
}


def find_config_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The file to read, or None for built-in defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (given with --config)")
        return path
    env = os.environ.get("BOOTH_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (given by $BOOTH_CONFIG)")
        return path
    if SYSTEM_CONFIG.is_file():
        return SYSTEM_CONFIG
    return None


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Find, read and validate the configuration; apply the environment."""
    path = find_config_file(explicit)
    if path is None:
        config = Config()
    else:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
        config = config_from_dict(raw, str(path), base_dir=path.parent)
    if os.environ.get("BOOTH_DATA_DIR"):
        config.storage.data_dir = os.environ["BOOTH_DATA_DIR"]
    if os.environ.get("BOOTH_MODELS_DIR"):
        config.storage.models_dir = os.environ["BOOTH_MODELS_DIR"]
    return config


def _check_cloud(cloud: CloudConfig, source: str) -> None:
    """Keys that only make sense together: cloud delivery needs an address for the QR code."""
    if cloud.enabled and not cloud.public_url:
        raise ConfigError(f'{source}: [cloud] public_url = "": must be set when [cloud] bucket is set '
                          "(where phones reach `booth web --cloud`), e.g. https://photos.example.com")


def _check_event(event: EventConfig, source: str, base_dir: Path | None) -> None:
    """The logo file must be there and be an image the booth can draw: checked now, at start-up,
    rather than found broken when the first guest walks up. Its path becomes absolute."""
    if not event.logo:
        return
    path = Path(event.logo).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        logo = load_logo(path)
    except LogoError as exc:
        raise ConfigError(f"{source}: [event] logo = {_show(event.logo)}: {exc}; allowed: {LOGO_ALLOWED}",
                          files=(path,)) from None
    event.logo = str(logo.path)


def config_from_dict(raw: dict[str, Any], source: str = "<dict>", *, base_dir: Path | None = None) -> Config:
    """Build a validated Config from parsed TOML (relative file names are from base_dir, else the
    current folder)."""
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            raise ConfigError(
                f"{source}: [{name}]: unknown section; allowed: {', '.join(SECTIONS)}"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {name} = {value!r}: must be a [{name}] table")
        sections[name] = _build_section(SECTIONS[name], name, value, source)
    config = Config(**sections, source=source)
    _check_cloud(config.cloud, source)
    _check_event(config.event, source, base_dir)
    return config


def _build_section(cls: type, section: str, values: dict[str, Any], source: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{source}: [{section}] {key}"
        if key not in fields:
            raise ConfigError(f"{where}: unknown key; allowed: {', '.join(fields)}")
        kwargs[key] = _check(hints[key], fields[key].metadata, value, f"{where} = {_show(value)}")
    return cls(**kwargs)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def _type_name(kind: Any) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(kind, str(kind))


def _check_languages(value: Any, where: str) -> list[str]:
    """A non-empty list of language codes, each one the booth has words for, none twice."""
    from booth import i18n

    have = i18n.available()
    allowed = f"allowed: a list of codes from {', '.join(have)} (first = the default)"
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: must be a non-empty list of language codes; {allowed}")
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        raise ConfigError(f"{where}: {', '.join(twice)} listed twice; {allowed}")
    for code in value:
        if code not in i18n.LANGUAGES:
            raise ConfigError(f"{where}: {code} is not a language the booth knows; {allowed}")
        if code not in have:
            raise ConfigError(f"{where}: {code} has no translation yet ({i18n.po_path(code)} is missing); {allowed}")
    return list(value)


def _check(kind: Any, rules: typing.Mapping[str, Any], value: Any, where: str) -> Any:
    if rules.get("languages"):
        return _check_languages(value, where)
    # TOML has distinct integer/float/bool types; accept an integer where a
    # number is wanted, nothing else implicitly.
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        raise ConfigError(f"{where}: must be {_type_name(kind)}")
    # TOML allows nan and inf; every comparison with nan is false, so a range
    # check alone would let `hold_s = nan` through and silently switch the
    # trigger off. Only finite numbers mean anything here.
    if kind is float and not math.isfinite(value):
        lo, hi = rules.get("min"), rules.get("max")
        span = f" between {lo} and {hi}" if lo is not None and hi is not None else ""
        raise ConfigError(f"{where}: must be a finite number{span} (not nan or inf)")
    if "choices" in rules and value not in rules["choices"]:
        allowed = ", ".join(_show(c) for c in rules["choices"])
        raise ConfigError(f"{where}: allowed: {allowed}")
    lo, hi = rules.get("min"), rules.get("max")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(f"{where}: must be between {lo} and {hi}")
    if "pattern" in rules and not re.fullmatch(rules["pattern"], value):
        raise ConfigError(f"{where}: allowed: {rules.get('allowed', rules['pattern'])}")
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def dump_config(config: Config, *, comments: bool = False) -> str:
    """TOML text for a Config; with comments, the documented example file."""
    lines: list[str] = []
    if comments:
        lines += [
            "# booth configuration. Every key is optional: a missing key keeps its default.",
            "# Copy to /etc/booth/booth.toml (or point $BOOTH_CONFIG at it) and edit.",
            "",
        ]
    else:
        lines += [f"# effective configuration (from {config.source})", ""]
    for name in SECTIONS:
        section = getattr(config, name)
        lines.append(f"[{name}]")
        for f in dataclasses.fields(section):
            if comments:
                extra = ""
                if "choices" in f.metadata:
                    extra = " (" + " | ".join(_toml_value(c) for c in f.metadata["choices"]) + ")"
                lines.append(f"# {f.metadata['help']}{extra}")
            lines.append(f"{f.name} = {_toml_value(getattr(section, f.name))}")
        lines.append("")
    return "\n".join(lines)
