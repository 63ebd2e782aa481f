"""A stand-in for the ``picamera2`` and ``libcamera`` modules, modelled on the real cameras.

No Pi camera exists on the machines that run the tests, so this one file
takes the place of picamera2 (0.3.x) and libcamera, the way gpiozero's
MockFactory takes the place of its pin factories: same API, and the
hardware's behaviour, never kinder. Every number below names its source.

What it models
- The sensors' own mode tables (size, crop on the pixel array, binning, frame
  rate, bit depth): IMX708 (Camera Module 3, normal and wide), IMX219 (Camera
  Module 2), IMX477 (HQ Camera), OV5647 (Camera Module 1). A USB webcam that
  libcamera also lists (UVC) can be attached too.
- picamera2's choice of sensor mode for a configuration (the score libcamera
  uses: size, aspect ratio, bit depth), so asking for a 640x480 preview on an
  IMX708 really gets the cropped 1536x864 mode.
- ``ScalerCropMaximum`` empty until a mode is configured, then the mode's
  crop; each stream's ``ScalerCrop`` (the centred area of the stream's aspect
  ratio on a Pi 5; one crop shared by both outputs, the lores stream
  stretched, on a Pi 4).
- Frame pacing by the mode's frame rate and the buffer count: with more than
  one buffer picamera2 keeps the newest finished frame (``queue``), with one
  buffer each capture waits for a fresh frame and the sensor drops the frame
  it could not write; holding every buffer stalls the camera.
- The first frame after a start or mode switch: 0.6 s.
- Autofocus only on the IMX708 (Af* controls otherwise not advertised), with
  a cycle of some frames and a failure path.
- A job whose wait timed out stays queued and eats the next frame, until
  ``cancel_all_and_flush``.
- A camera opened twice is "in use" (across processes too, with
  ``Sensor.lock_path``); a CSI camera is found at boot only (no
  hot-plugging); a loose ribbon stops frames for good.

Pixel order as libcamera names it: "RGB888" is B, G, R in memory, "BGR888"
is R, G, B, the X formats add a fourth byte, "YUV420" is planar I420 in an
array of shape (h*3/2, w). A USB webcam's frames are MJPEG decoded to true
RGB whatever the format says (issue 11: what booth must not be fooled by).
Every call the booth makes is recorded in ``Picamera2.events``.
"""

from __future__ import annotations

import copy
import enum
import fcntl
import os
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import cv2
import numpy as np

# ---------------------------------------------------------------- libcamera


class AfModeEnum(enum.IntEnum):
    Manual = 0
    Auto = 1
    Continuous = 2


class AfMeteringEnum(enum.IntEnum):
    Auto = 0
    Windows = 1


class AfTriggerEnum(enum.IntEnum):
    Start = 0
    Cancel = 1


class AfStateEnum(enum.IntEnum):
    Idle = 0
    Scanning = 1
    Focused = 2
    Failed = 3


class NoiseReductionModeEnum(enum.IntEnum):
    Off = 0
    Fast = 1
    HighQuality = 2
    Minimal = 3
    ZSL = 4


@dataclass(frozen=True)
class Transform:
    hflip: int = 0
    vflip: int = 0
    transpose: int = 0


@dataclass(frozen=True)
class ColorSpace:
    name: str

    @staticmethod
    def Sycc() -> ColorSpace:  # noqa: N802 (libcamera's spelling)
        return ColorSpace("sYCC")

    @staticmethod
    def Smpte170m() -> ColorSpace:  # noqa: N802
        return ColorSpace("SMPTE170M")

    @staticmethod
    def Rec709() -> ColorSpace:  # noqa: N802
        return ColorSpace("Rec709")


# ---------------------------------------------------------------- the sensors

Rect = tuple[int, int, int, int]  # x, y, w, h


@dataclass(frozen=True)
class Mode:
    """One sensor mode: what the sensor sends, from which area of its pixel array, how fast."""

    size: tuple[int, int]
    crop: Rect  # on the active pixel array (libcamera's analogCrop, as `rpicam-hello --list-cameras` prints it)
    fps: float  # the mode's highest frame rate
    bit_depth: int
    format: str  # the raw format picamera2 lists

    @property
    def binned(self) -> bool:
        return self.size[0] < self.crop[2]


@dataclass(frozen=True)
class Model:
    """A camera module as libcamera describes it."""

    name: str  # the Model property
    pixel_array: tuple[int, int]
    modes: tuple[Mode, ...]
    autofocus: bool = False
    usb: bool = False


# Mode tables. Sizes and crops are the kernel drivers' (raspberrypi/linux
# drivers/media/i2c/imx708.c supported_modes_10bit_no_hdr, imx219.c
# supported_modes, imx477.c supported_modes_12bit/_10bit, ov5647.c
# ov5647_modes); frame rates are what `rpicam-hello --list-cameras` reports for
# them (Raspberry Pi camera documentation, camera_software "list-cameras"),
# which for the IMX708 also follows from the driver: pixel_rate /
# (line_length_pix * (height + vblank_min)) = 595200000 / (15648 * 2650) =
# 14.35 fps full resolution, 585600000 / (7824 * 1336) = 56.03 fps binned.
IMX708_MODES = (
    Mode((1536, 864), (768, 432, 3072, 1728), 120.13, 10, "SRGGB10_CSI2P"),  # 2x2 binned, centre crop
    Mode((2304, 1296), (0, 0, 4608, 2592), 56.03, 10, "SRGGB10_CSI2P"),  # 2x2 binned, full field
    Mode((4608, 2592), (0, 0, 4608, 2592), 14.35, 10, "SRGGB10_CSI2P"),  # full resolution
)
IMX708 = Model("imx708", (4608, 2592), IMX708_MODES, autofocus=True)
IMX708_WIDE = Model("imx708_wide", (4608, 2592), IMX708_MODES, autofocus=True)  # same sensor, 120° lens
IMX219 = Model("imx219", (3280, 2464), (
    Mode((640, 480), (1000, 752, 1280, 960), 206.65, 10, "SRGGB10_CSI2P"),  # 2x2 binned, centre crop
    Mode((1640, 1232), (0, 0, 3280, 2464), 41.85, 10, "SRGGB10_CSI2P"),  # 2x2 binned, full field
    Mode((1920, 1080), (680, 692, 1920, 1080), 47.57, 10, "SRGGB10_CSI2P"),  # unbinned centre crop
    Mode((3280, 2464), (0, 0, 3280, 2464), 21.19, 10, "SRGGB10_CSI2P"),  # full resolution
))
IMX477 = Model("imx477", (4056, 3040), (
    Mode((1332, 990), (696, 528, 2664, 1980), 120.05, 10, "SRGGB10_CSI2P"),  # 2x2 binned, centre crop
    Mode((2028, 1080), (0, 440, 4056, 2160), 50.03, 12, "SRGGB12_CSI2P"),  # 2x2 binned, 16:9 band
    Mode((2028, 1520), (0, 0, 4056, 3040), 40.01, 12, "SRGGB12_CSI2P"),  # 2x2 binned, full field
    Mode((4056, 3040), (0, 0, 4056, 3040), 10.00, 12, "SRGGB12_CSI2P"),  # full resolution
))
OV5647 = Model("ov5647", (2592, 1944), (
    Mode((640, 480), (16, 0, 2560, 1920), 58.92, 10, "SGBRG10_CSI2P"),  # 4x4 binned
    Mode((1296, 972), (0, 0, 2592, 1944), 46.34, 10, "SGBRG10_CSI2P"),  # 2x2 binned, full field
    Mode((1920, 1080), (348, 434, 1928, 1080), 32.81, 10, "SGBRG10_CSI2P"),  # unbinned centre crop
    Mode((2592, 1944), (0, 0, 2592, 1944), 15.63, 10, "SGBRG10_CSI2P"),  # full resolution
))
MODELS = (IMX708, IMX708_WIDE, IMX219, IMX477, OV5647)
# A UVC webcam as libcamera lists it (its Id holds "/usb", picamera2's own test
# for a USB camera in global_camera_info): MJPEG only, no raw modes, no sensor crop.
USB_WEBCAM = Model("HD USB Camera", (1280, 720), (Mode((1280, 720), (0, 0, 1280, 720), 30.0, 8, "MJPEG"),), usb=True)

# The first frame after a start or a mode switch takes 0.5-0.7 s on a Pi 5
# (picamera2 issue #1062, measured by the reporter, confirmed as "inherent in
# the camera stack" by the maintainer); the middle of that range.
START_S = 0.6
# Default exposure in the metadata: 20 ms (well lit indoors); SensorTimestamp
# is the start of readout, so an exposure starts ExposureTime before it
# (picamera2's own reading: wait_for_timestamp_ subtracts ExposureTime).
EXPOSURE_US = 20000
# An IMX708 autofocus cycle: the scan runs for more than a dozen frames before
# it reports Focused (maintainer's trace in picamera2 issue #670); 15 frames.
AF_CYCLE_FRAMES = 15
ISP_MIN_CROP = 32  # libcamera pisp.cpp: the smallest selection the ISP allows


def colour_bars(width: int, height: int) -> np.ndarray:
    """True-colour RGB test picture: left third red, middle green, right third blue."""
    image = np.zeros((height, width, 3), np.uint8)
    third = width // 3
    image[:, :third, 0] = 255
    image[:, third:2 * third, 1] = 255
    image[:, 2 * third:, 2] = 255
    return image


@dataclass
class Sensor:
    """One camera on the Pi: which module, what it sees, what the test does to it.

    ``picture(w, h)`` is what the whole active pixel array sees, drawn at any
    size. ``detected`` is whether it was found at boot (a CSI camera is never
    found later). ``platform`` is "pisp" (Pi 5) or "vc4" (Pi 4).
    """

    model: Model = IMX708
    picture: Callable[[int, int], np.ndarray] = colour_bars
    detected: bool = True
    platform: str = "pisp"
    af_fails: bool = False  # nothing to focus on (a blank wall): AfState Failed
    in_use: bool = False
    ribbon_loose: bool = False
    # A file to lock while the camera is open, so that a second *process* (booth doctor beside a
    # running booth, each with its own stand-in) finds it busy too, as libcamera's acquire() does.
    lock_path: str | None = None
    _cache: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict, repr=False)

    def loosen_ribbon(self) -> None:
        """The cable comes out while running: frames stop, and stay stopped until a reboot."""
        self.ribbon_loose = True

    def view(self, crop: Rect, size: tuple[int, int]) -> np.ndarray:
        """What a stream of ``size`` shows of the pixel-array area ``crop`` (true RGB, cached)."""
        key = (crop, size)
        if key not in self._cache:
            pw, ph = self.model.pixel_array
            x, y, w, h = crop
            sx, sy = size[0] / w, size[1] / h
            full = self.picture(max(1, round(pw * sx)), max(1, round(ph * sy)))
            fh, fw = full.shape[:2]
            x0, y0 = round(x * fw / pw), round(y * fh / ph)
            x1, y1 = round((x + w) * fw / pw), round((y + h) * fh / ph)
            part = full[y0:y1, x0:x1]
            if part.shape[1] != size[0] or part.shape[0] != size[1]:
                part = cv2.resize(part, size, interpolation=cv2.INTER_AREA)
            self._cache[key] = np.ascontiguousarray(part)
            if len(self._cache) > 8:
                self._cache.pop(next(iter(self._cache)))
        return self._cache[key]


FORMATS = {  # libcamera name → channel order in memory (indices into true RGB), bytes per pixel
    "RGB888": ((2, 1, 0), 3),
    "BGR888": ((0, 1, 2), 3),
    "XRGB8888": ((2, 1, 0), 4),
    "XBGR8888": ((0, 1, 2), 4),
}
YUV = ("YUV420", "YVU420")


def _centred(outer: tuple[int, int], aspect: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred rectangle of ``aspect`` inside ``outer`` (libcamera's boundedToAspectRatio)."""
    w, h = outer
    if w * aspect[1] > h * aspect[0]:
        cw, ch = h * aspect[0] // aspect[1], h
    else:
        cw, ch = w, w * aspect[1] // aspect[0]
    return ((w - cw) // 2, (h - ch) // 2, cw, ch)


def _score(mode: Mode, size: tuple[int, int], bit_depth: int) -> float:
    """How badly a mode fits a wanted output size: libcamera's RPi findBestMode score, as picamera2
    re-implements it in _make_libcamera_config (too small costs 2 per pixel, too big 1/4, aspect
    ratio 1500 per unit, bit depth 500 per bit)."""

    def fmt(desired: float, actual: float) -> float:
        diff = desired - actual
        return -diff / 4 if diff < 0 else diff * 2

    score = fmt(size[0], mode.size[0]) + fmt(size[1], mode.size[1])
    score += 1500 * fmt(size[0] / size[1], mode.size[0] / mode.size[1])
    return score + 500 * abs(bit_depth - mode.bit_depth)


def pick_mode(model: Model, config: dict[str, Any]) -> Mode:
    """The mode picamera2 asks for: sensor.output_size, else raw.size, else main.size; bit depth likewise."""
    native = max(model.modes, key=lambda m: (m.size[0] * m.size[1], m.bit_depth))
    sensor, raw = config.get("sensor") or {}, config.get("raw") or {}
    size = sensor.get("output_size") or raw.get("size") or config["main"]["size"]
    depth = sensor.get("bit_depth") or (int(raw["format"][-8:-6]) if raw.get("format", "").endswith("_CSI2P")
                                        else native.bit_depth)
    return min(model.modes, key=lambda m: _score(m, tuple(size), depth))


# ---------------------------------------------------------------- picamera2.allocators


class DmaAllocator:
    def __init__(self) -> None:
        self.allocations: list[tuple[str | None, int]] = []  # (use_case, bytes) per buffer set allocated

    def allocate(self, libcamera_config: Any, use_case: str | None) -> None:
        self.allocations.append((use_case, libcamera_config))

    def close(self) -> None:
        pass


class PersistentAllocator(DmaAllocator):
    """Keeps one buffer set per use_case, so mode switches do not allocate again."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer_dict: dict[str | None, object] = {}

    def allocate(self, libcamera_config: Any, use_case: str | None) -> None:
        if use_case not in self.buffer_dict:
            super().allocate(libcamera_config, use_case)
            self.buffer_dict[use_case] = object()


# ---------------------------------------------------------------- picamera2


@dataclass
class Event:
    what: str  # configure | start | stop | set_controls | autofocus_cycle | capture | close | cancel | timeout
    use_case: str | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    size: tuple[int, int] | None = None
    at_ns: int = 0


@dataclass(frozen=True)
class _Frame:
    """One frame the sensor exposed: when, and what the controls were."""

    k: int
    start_ns: int  # exposure start of the first line
    done_ns: int  # when the request completes (last line read out)


class CompletedRequest:
    def __init__(self, picam2: Picamera2, frame: _Frame, config: dict[str, Any], metadata: dict[str, Any]) -> None:
        self.picam2 = picam2
        self.frame = frame
        self.config = config
        self._metadata = metadata
        self.ref_count = 1

    def make_array(self, name: str) -> np.ndarray:
        if self.ref_count <= 0:
            raise RuntimeError("CompletedRequest: buffer already released")
        stream = self.config.get(name)
        if stream is None:
            raise RuntimeError(f"Stream {name!r} is not defined")
        width, height = stream["size"]
        sensor = self.picam2.sensor
        rgb = sensor.view(self.picam2.crops[name], (width, height))
        if stream["format"] in YUV:
            return cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420 if stream["format"] == "YUV420" else cv2.COLOR_RGB2YUV_YV12)
        order, depth = FORMATS[stream["format"]]
        if sensor.model.usb:
            order = (0, 1, 2)  # MJPEG decoded: true RGB whatever the name says
        array = np.full((height, width, depth), 255, np.uint8)
        array[:, :, :3] = rgb[:, :, list(order)]
        return array

    def get_metadata(self) -> dict[str, Any]:
        return dict(self._metadata)

    def release(self) -> None:
        if self.ref_count <= 0:
            raise RuntimeError("CompletedRequest: lock now has negative ref_count")
        self.ref_count -= 1
        self.picam2._released(self)


class Picamera2:
    """The stand-in camera object (see the module docstring)."""

    sensors: ClassVar[list[Sensor]] = []  # attached at boot, in the order libcamera found them
    events: ClassVar[list[Event]] = []
    instances: ClassVar[list[Picamera2]] = []

    @staticmethod
    def _listed() -> list[Sensor]:
        found = [s for s in Picamera2.sensors if s.detected]
        # picamera2 sorts the list and sends USB cameras to the back (global_camera_info).
        return [s for s in found if not s.model.usb] + [s for s in found if s.model.usb]

    @staticmethod
    def _id(sensor: Sensor) -> str:
        if sensor.model.usb:
            return "/base/axi/pcie@120000/rp1/usb@200000-1:1.0-0c45:6366"
        return f"/base/axi/pcie@120000/rp1/i2c@88000/{sensor.model.name.split('_')[0]}@1a"

    @staticmethod
    def global_camera_info() -> list[dict[str, Any]]:
        return [{"Model": s.model.name, "Location": 2, "Rotation": 0, "Id": Picamera2._id(s), "Num": i}
                for i, s in enumerate(Picamera2._listed())]

    def __init__(self, camera_num: int = 0, verbose_console: Any = None, tuning: Any = None,
                 allocator: Any = None) -> None:
        listed = self._listed()
        if camera_num >= len(listed):
            raise IndexError("list index out of range")  # what picamera2 raises for a missing camera number
        sensor = listed[camera_num]
        self._lock_fd: int | None = None
        if sensor.lock_path is not None:
            fd = os.open(sensor.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                sensor.in_use = True  # by the other process
            else:
                self._lock_fd = fd
        if sensor.in_use:  # libcamera's acquire() fails; picamera2 wraps it
            if self._lock_fd is None and sensor.lock_path is not None:
                sensor.in_use = False  # it is the other process's, not ours to keep marking
            raise RuntimeError("Camera __init__ sequence did not complete.") from RuntimeError(
                "Failed to acquire camera: Device or resource busy")
        sensor.in_use = True
        self.sensor = sensor
        self.model = sensor.model
        self.is_open = True
        self.started = False
        self.camera_config: dict[str, Any] = {}
        self.mode: Mode | None = None
        self.crops: dict[str, Rect] = {}
        self.allocator = DmaAllocator() if allocator is None else allocator
        native = max(self.model.modes, key=lambda m: (m.size[0] * m.size[1], m.bit_depth))
        self.sensor_resolution = native.size
        self.sensor_format = native.format
        self.controls_in_effect: dict[str, Any] = {}
        self._pending: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._t0_ns = 0
        self._frame_ns = 0
        self._returned = -1  # the last frame handed out
        self._held: list[CompletedRequest] = []
        self._resume_ns = 0
        self._stale_jobs = 0
        self._af_from = 0  # frame index where the current focus scan began
        self._af_result: AfStateEnum | None = None
        Picamera2.instances.append(self)

    # ------------------------------------------------------------ properties

    @property
    def camera_properties(self) -> dict[str, Any]:
        if not self.is_open:
            return {}
        w, h = self.model.pixel_array
        props: dict[str, Any] = {
            "Model": self.model.name, "PixelArraySize": (w, h), "PixelArrayActiveAreas": [(0, 0, w, h)],
            # libcamera pipeline_base.cpp: ScalerCropMaximum is an empty rectangle until a mode is
            # configured ("not meaningful until a camera mode has been chosen"), then the mode's crop.
            "ScalerCropMaximum": self.mode.crop if self.mode else (0, 0, 0, 0),
            "Location": 2, "Rotation": 0,
        }
        if not self.model.usb:
            props["ColorFilterArrangement"] = 0  # picamera2's _is_rpi_camera() test
        return props

    @property
    def camera_controls(self) -> dict[str, tuple[Any, Any, Any]]:
        mode = self.mode or max(self.model.modes, key=lambda m: m.size[0] * m.size[1])
        frame_us = int(1e6 / mode.fps)
        controls: dict[str, tuple[Any, Any, Any]] = {
            "AeEnable": (False, True, None),
            "AwbEnable": (False, True, None),
            # Exposure and gain ranges are placeholders (booth never sets them); only their presence matters.
            "ExposureTime": (26, 66666, EXPOSURE_US),
            "AnalogueGain": (1.0, 16.0, None),
            "FrameDurationLimits": (frame_us, 220000000, frame_us),
        }
        if not self.model.usb:
            controls |= {"NoiseReductionMode": (0, 4, 0),
                         "ScalerCrop": ((0, 0, 64, 64), mode.crop, mode.crop)}
        if self.model.autofocus:
            controls |= {
                "AfMode": (0, 2, 0), "AfTrigger": (0, 1, 0), "AfMetering": (0, 1, 0),
                "AfWindows": ((0, 0, 0, 0), (65535, 65535, 65535, 65535), (0, 0, 0, 0)),
                "AfRange": (0, 2, 0), "AfSpeed": (0, 1, 0), "AfPause": (0, 2, 0),
                "LensPosition": (0.0, 32.0, 1.0),
            }
        return controls

    @property
    def sensor_modes(self) -> list[dict[str, Any]]:
        """Like picamera2's: reading them configures the camera, so it must be stopped."""
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        if self.model.usb:
            return [{"format": "MJPEG"}]
        return [{"format": m.format, "unpacked": m.format.replace("_CSI2P", ""), "bit_depth": m.bit_depth,
                 "size": m.size, "fps": m.fps, "crop_limits": m.crop, "exposure_limits": (26, None)}
                for m in self.model.modes]

    # ------------------------------------------------------------ configurations

    def _check_open(self) -> None:
        if not self.is_open:
            raise RuntimeError("Camera not opened")

    @staticmethod
    def _stream(defaults: dict[str, Any], updates: dict[str, Any] | None) -> dict[str, Any] | None:
        if updates is None:
            return None
        stream = dict(defaults)
        for key, value in updates.items():
            if key not in ("format", "size", "stride", "preserve_ar"):
                raise ValueError(f"Bad key {key!r}: valid stream configuration keys are "
                                 "('format', 'size', 'stride', 'preserve_ar')")
            stream[key] = value
        w, h = stream["size"]
        stream["size"] = (w - w % 2, h - h % 2)  # align_stream(optimal=False)
        return stream

    def _make(self, use_case: str, main: dict, lores: dict | None, raw: dict | None, buffer_count: int,
              controls: dict, display: str | None, encode: str | None, queue: bool, sensor: dict | None,
              main_defaults: dict, control_defaults: dict, transform: Any, colour_space: Any) -> dict[str, Any]:
        self._check_open()
        if self.model.usb:  # "USB cams can't deliver a raw stream"
            raw, sensor = None, None
        main_stream = self._stream(main_defaults, main)
        assert main_stream is not None
        lores_stream = self._stream({"format": "YUV420", "size": main_stream["size"], "preserve_ar": False}, lores)
        raw_stream = self._stream({"format": self.sensor_format, "size": main_stream["size"]}, raw) \
            if raw is not None else None
        if not self.model.usb:
            controls = control_defaults | controls
        return {"use_case": use_case, "transform": transform, "colour_space": colour_space,
                "buffer_count": buffer_count, "queue": queue, "main": main_stream, "lores": lores_stream,
                "raw": raw_stream, "controls": dict(controls), "sensor": sensor, "display": display,
                "encode": encode}

    def create_preview_configuration(self, main={}, lores=None, raw={}, transform=Transform(),  # noqa: B006
                                     colour_space=ColorSpace.Sycc(), buffer_count=4, controls={},  # noqa: B006
                                     display="main", encode="main", queue=True, sensor={},  # noqa: B006
                                     use_case="preview") -> dict[str, Any]:
        return self._make(use_case, main, lores, raw, buffer_count, controls, display, encode, queue, sensor,
                          {"format": "XBGR8888", "size": (640, 480), "preserve_ar": True},
                          {"NoiseReductionMode": NoiseReductionModeEnum.Minimal,
                           "FrameDurationLimits": (100, 83333)}, transform, colour_space)

    def create_still_configuration(self, main={}, lores=None, raw={}, transform=Transform(),  # noqa: B006
                                   colour_space=ColorSpace.Sycc(), buffer_count=1, controls={},  # noqa: B006
                                   display=None, encode=None, queue=True, sensor={},  # noqa: B006
                                   use_case="still") -> dict[str, Any]:
        return self._make(use_case, main, lores, raw, buffer_count, controls, display, encode, queue, sensor,
                          {"format": "BGR888", "size": self.sensor_resolution, "preserve_ar": True},
                          {"NoiseReductionMode": NoiseReductionModeEnum.HighQuality,
                           "FrameDurationLimits": (100, 1000000 * 1000)}, transform, colour_space)

    def _advertised(self, controls: dict[str, Any]) -> dict[str, Any]:
        checked = {}
        available = self.camera_controls
        for name, value in controls.items():
            if name == "FrameRate":  # picamera2's virtual control
                name, value = "FrameDurationLimits", (int(1e6 / value), int(1e6 / value))
            if name not in available:
                raise RuntimeError(f"Control {name} is not advertised by libcamera")
            checked[name] = value
        return checked

    def _stream_crop(self, mode: Mode, stream: dict[str, Any], shared: tuple[int, int, int, int] | None
                     ) -> tuple[Rect, tuple[int, int, int, int]]:
        """(crop in native sensor coordinates, crop in mode-output pixels) for one ISP output."""
        if shared is not None:
            isp = shared
        else:  # pisp.cpp / vc4.cpp: the mode's output cropped, centred, to the stream's aspect ratio
            isp = _centred(mode.size, stream["size"])
        mx, my, mw, mh = mode.crop
        sx, sy = mw / mode.size[0], mh / mode.size[1]  # pipeline_base.cpp scaleIspCrop: back to native pixels
        native = (mx + round(isp[0] * sx), my + round(isp[1] * sy), round(isp[2] * sx), round(isp[3] * sy))
        return native, isp

    def configure(self, camera_config: Any = None) -> None:
        self._check_open()
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        if not isinstance(camera_config, dict):
            raise TypeError("the stand-in accepts configuration dicts only")
        config = copy.deepcopy(camera_config)
        main, lores = config["main"], config.get("lores")
        for name, stream in (("main", main), ("lores", lores)):
            if stream is None:
                continue
            if stream["format"] not in FORMATS and stream["format"] not in YUV:
                raise RuntimeError(f"Bad format {stream['format']} in stream {name}")
            if stream["size"][0] % 2 or stream["size"][1] % 2:
                raise RuntimeError("width and height should be even")
        if lores is not None:
            if lores["size"][0] > main["size"][0] or lores["size"][1] > main["size"][1]:
                raise RuntimeError("lores stream dimensions may not exceed main stream")
            if self.sensor.platform == "vc4" and lores["format"] not in YUV:
                raise RuntimeError("lores stream must be YUV")
        mode = pick_mode(self.model, config) if not self.model.usb else self.model.modes[0]
        if main["size"][0] > max(m.size[0] for m in self.model.modes) or \
                main["size"][1] > max(m.size[1] for m in self.model.modes):
            raise RuntimeError(f"Invalid camera configuration: {config}")
        pending = self._advertised(config["controls"])
        crops: dict[str, Rect] = {}
        crops["main"], main_isp = self._stream_crop(mode, main, None)
        if lores is not None:
            # Pi 4 (vc4.cpp): one ISP input crop, made for the largest output, feeds both outputs;
            # Pi 5 (pisp.cpp): each output gets its own crop of its own aspect ratio.
            # picamera2 then asks for the main stream's crop on the lores stream unless its
            # preserve_ar is set (configure_, "ScalerCrops"): either way a lores stream of
            # another aspect ratio is stretched, or shows less.
            shared = main_isp if self.sensor.platform == "vc4" or not lores.get("preserve_ar", False) else None
            crops["lores"], _ = self._stream_crop(mode, lores, shared)
        if config.get("raw") is not None:
            crops["raw"] = mode.crop
            config["raw"]["size"] = mode.size
            config["raw"]["format"] = mode.format
        config["sensor"] = {"bit_depth": mode.bit_depth, "output_size": mode.size} if not self.model.usb else None
        self.allocator.allocate(self._bytes(config), config.get("use_case"))
        self.mode, self.crops, self.camera_config, self._pending = mode, crops, config, pending
        Picamera2.events.append(Event("configure", config.get("use_case"), dict(pending), tuple(main["size"]),
                                      time.monotonic_ns()))

    @staticmethod
    def _bytes(config: dict[str, Any]) -> int:
        """Buffer memory (CMA) one configuration takes: every stream, times the buffer count."""
        total = 0
        for name in ("main", "lores"):
            stream = config.get(name)
            if stream is not None:
                w, h = stream["size"]
                total += w * h * 3 // 2 if stream["format"] in YUV else w * h * FORMATS[stream["format"]][1]
        if config.get("raw") is not None:
            w, h = config["raw"]["size"]
            total += w * h * 5 // 4  # 10-bit packed (CSI2P)
        return total * config["buffer_count"]

    # ------------------------------------------------------------ running

    def start(self, config: Any = None, show_preview: bool = False) -> None:
        if config is not None:
            self.configure(config)
        if not self.camera_config:
            raise RuntimeError("Camera has not been configured")
        if self.started:
            return
        # Controls are reset on every start: only the configuration's (and anything set while stopped).
        self.controls_in_effect = dict(self._pending)
        self._pending = {}
        self.started = True
        duration = self.controls_in_effect.get("FrameDurationLimits", (0, 0))[0]
        self._frame_ns = max(int(1e9 / self.mode.fps), int(duration) * 1000) if self.mode else int(1e9 / 30)
        self._t0_ns = time.monotonic_ns() + int(START_S * 1e9)
        self._returned = -1
        self._held = []
        self._resume_ns = 0
        self._af_from, self._af_result = 0, None
        Picamera2.events.append(Event("start", self.camera_config.get("use_case"), dict(self.controls_in_effect),
                                      at_ns=time.monotonic_ns()))

    def stop(self) -> None:
        if self.started:
            self.started = False
            Picamera2.events.append(Event("stop", self.camera_config.get("use_case")))

    def close(self) -> None:
        if not self.is_open:
            return
        self.stop()
        self.is_open = False
        self.sensor.in_use = False
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # and with it the lock
            self._lock_fd = None
        self.camera_config = {}
        self.mode = None
        self.allocator = DmaAllocator()
        Picamera2.events.append(Event("close"))

    def set_controls(self, controls: dict[str, Any]) -> None:
        checked = self._advertised(controls)
        with self._lock:
            if "AfWindows" in checked or "AfTrigger" in checked or checked.get("AfMode") == AfModeEnum.Continuous:
                self._af_from, self._af_result = self._frame_index(time.monotonic_ns()) + 1, None
            (self.controls_in_effect if self.started else self._pending).update(checked)
        Picamera2.events.append(Event("set_controls", self.camera_config.get("use_case"), dict(checked),
                                      at_ns=time.monotonic_ns()))

    def switch_mode(self, camera_config: Any, wait: Any = None, signal_function: Any = None) -> dict[str, Any]:
        self.stop()
        self.configure(camera_config)
        self.start()
        return self.camera_config

    def cancel_all_and_flush(self) -> None:
        with self._lock:
            self._stale_jobs = 0
        Picamera2.events.append(Event("cancel"))

    # ------------------------------------------------------------ the sensor's clock

    def _frame_index(self, now_ns: int) -> int:
        """The newest frame whose exposure has begun by ``now_ns`` (-1 before the first)."""
        if now_ns < self._t0_ns:
            return -1
        return (now_ns - self._t0_ns) // self._frame_ns

    def _frame(self, k: int) -> _Frame:
        start = self._t0_ns + k * self._frame_ns
        exposure = min(EXPOSURE_US * 1000, self._frame_ns)
        return _Frame(k, start, start + exposure + self._frame_ns)

    def _released(self, request: CompletedRequest) -> None:
        with self._lock:
            if request in self._held:
                if len(self._held) >= self.camera_config.get("buffer_count", 1):
                    self._resume_ns = time.monotonic_ns()  # the camera had stalled until now
                self._held.remove(request)

    def _newest_done(self, now_ns: int) -> int:
        """The newest frame whose request has completed by ``now_ns`` (-1 before the first)."""
        first_done = self._frame(0).done_ns
        return -1 if now_ns < first_done else (now_ns - first_done) // self._frame_ns

    def _next(self, wait: Any, flush_ns: int | None) -> _Frame:
        """The frame a capture job gets; TimeoutError (the job left queued) if none within ``wait``.

        - With ``queue`` and more than one buffer, picamera2 keeps the newest
          finished request: a capture gets it at once if it is newer than the
          last one handed out (older ones were recycled unseen).
        - Without, a capture waits for a frame that finishes after it asked;
          with one buffer the frame after a returned one is lost (the sensor
          had nowhere to write it while the app held the buffer).
        - The app holding every buffer stalls the camera: frames begun before
          the next release are lost.
        - ``flush``: the first frame whose exposure began at or after it.
        """
        timeout = None if wait is None or wait is True else float(wait)
        asked = time.monotonic_ns()
        deadline = None if timeout is None else asked + int(timeout * 1e9)
        config = self.camera_config
        buffers = config["buffer_count"]
        queue = config["queue"] and buffers > 1  # picamera2 configure_: _max_queue_len
        while True:
            now = time.monotonic_ns()
            with self._lock:
                flowing = self.started and not self.sensor.ribbon_loose and len(self._held) < buffers
                due = now + 20_000_000
                if flowing:
                    first = self._returned + (2 if buffers == 1 and self._returned >= 0 else 1)
                    newest = self._newest_done(now)
                    if queue and newest >= first:
                        first = newest
                    elif not queue:  # a frame that finishes after the job was queued
                        first = max(first, self._newest_done(asked) + 1)
                    while self._frame(first).start_ns < max(flush_ns or 0, self._resume_ns):
                        first += 1
                    frame = self._frame(first)
                    if frame.done_ns <= now:
                        self._returned = frame.k
                        if self._stale_jobs:  # a job left over from a timeout takes this frame
                            self._stale_jobs -= 1
                            continue
                        return frame
                    due = frame.done_ns
            if deadline is not None and due > deadline:
                time.sleep(max(0.0, (deadline - now) / 1e9))
                with self._lock:
                    self._stale_jobs += 1  # the job stays queued after its caller gave up
                Picamera2.events.append(Event("timeout", config.get("use_case"), at_ns=time.monotonic_ns()))
                raise TimeoutError()
            time.sleep(max(0.0, (due - now) / 1e9))

    def _af_state(self, k: int) -> AfStateEnum:
        mode = self.controls_in_effect.get("AfMode", AfModeEnum.Manual)
        if mode == AfModeEnum.Manual:
            return AfStateEnum.Idle
        if mode == AfModeEnum.Auto and "AfTrigger" not in self.controls_in_effect:
            return AfStateEnum.Idle
        if k < self._af_from + AF_CYCLE_FRAMES:
            return AfStateEnum.Scanning
        return AfStateEnum.Failed if self.sensor.af_fails else AfStateEnum.Focused

    def _metadata(self, frame: _Frame) -> dict[str, Any]:
        exposure = min(EXPOSURE_US, self._frame_ns // 1000)
        metadata: dict[str, Any] = {
            "SensorTimestamp": frame.start_ns + exposure * 1000,  # start of readout
            "ExposureTime": exposure, "FrameDuration": self._frame_ns // 1000,
        }
        if not self.model.usb:
            metadata["ScalerCrop"] = self.crops["main"]
            if self.sensor.platform == "pisp":
                metadata["ScalerCrops"] = [self.crops[n] for n in ("main", "lores") if n in self.crops]
        if self.model.autofocus:
            metadata |= {"AfState": self._af_state(frame.k), "LensPosition": 1.5}
        return metadata

    def capture_request(self, wait: Any = None, signal_function: Any = None, flush: Any = None) -> CompletedRequest:
        if flush is True:
            flush = time.monotonic_ns()
        frame = self._next(wait, flush or None)
        config = copy.deepcopy(self.camera_config)
        request = CompletedRequest(self, frame, config, self._metadata(frame))
        with self._lock:
            self._held.append(request)
        Picamera2.events.append(Event("capture", config.get("use_case"), dict(self.controls_in_effect),
                                      tuple(config["main"]["size"]), frame.start_ns))
        return request

    def capture_metadata(self, wait: Any = None, signal_function: Any = None) -> dict[str, Any]:
        request = self.capture_request(wait)
        try:
            return request.get_metadata()
        finally:
            request.release()

    def capture_array(self, name: str = "main", wait: Any = None, signal_function: Any = None) -> np.ndarray:
        request = self.capture_request(wait)
        try:
            return request.make_array(name)
        finally:
            request.release()

    def autofocus_cycle(self, wait: Any = None, signal_function: Any = None) -> bool:
        """Auto mode and a trigger, then frames until the scan ends (picamera2's autofocus_cycle)."""
        self.set_controls({"AfMode": AfModeEnum.Auto, "AfTrigger": AfTriggerEnum.Start})
        while True:
            request = self.capture_request(wait)
            state = request.get_metadata()["AfState"]
            request.release()
            if state != AfStateEnum.Scanning:
                Picamera2.events.append(Event("autofocus_cycle", self.camera_config.get("use_case"),
                                              dict(self.controls_in_effect)))
                return state == AfStateEnum.Focused


def modules() -> dict[str, types.ModuleType]:
    """The module objects to put in sys.modules in place of the real picamera2 and libcamera."""
    libcamera = types.ModuleType("libcamera")
    controls = types.ModuleType("libcamera.controls")
    for enum_type in (AfModeEnum, AfMeteringEnum, AfTriggerEnum, AfStateEnum):
        setattr(controls, enum_type.__name__, enum_type)
    controls.draft = types.SimpleNamespace(NoiseReductionModeEnum=NoiseReductionModeEnum)  # type: ignore[attr-defined]
    libcamera.controls = controls  # type: ignore[attr-defined]
    libcamera.Transform = Transform  # type: ignore[attr-defined]
    libcamera.ColorSpace = ColorSpace  # type: ignore[attr-defined]
    picamera2 = types.ModuleType("picamera2")
    picamera2.Picamera2 = Picamera2  # type: ignore[attr-defined]
    allocators = types.ModuleType("picamera2.allocators")
    allocators.DmaAllocator = DmaAllocator  # type: ignore[attr-defined]
    allocators.PersistentAllocator = PersistentAllocator  # type: ignore[attr-defined]
    picamera2.allocators = allocators  # type: ignore[attr-defined]
    return {"libcamera": libcamera, "libcamera.controls": controls, "picamera2": picamera2,
            "picamera2.allocators": allocators}


def install(monkeypatch: Any, *sensors: Sensor) -> type[Picamera2]:
    """Put the stand-in in sys.modules (undone after the test) with ``sensors`` attached at boot."""
    for name, module in modules().items():
        monkeypatch.setitem(__import__("sys").modules, name, module)
    monkeypatch.setattr(Picamera2, "sensors", list(sensors) if sensors else [Sensor()])
    monkeypatch.setattr(Picamera2, "events", [])
    monkeypatch.setattr(Picamera2, "instances", [])
    return Picamera2


def small(model: Model, scale: int) -> Model:
    """The same module with every size divided by ``scale`` (fast tests; same crops, rates and aspect)."""
    def div(r: Rect) -> Rect:
        return (r[0] // scale, r[1] // scale, r[2] // scale, r[3] // scale)

    modes = tuple(replace(m, size=(m.size[0] // scale // 2 * 2, m.size[1] // scale // 2 * 2), crop=div(m.crop))
                  for m in model.modes)
    return replace(model, pixel_array=(model.pixel_array[0] // scale, model.pixel_array[1] // scale), modes=modes)
