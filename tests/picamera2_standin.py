"""A stand-in for the ``picamera2`` and ``libcamera`` modules: no Pi camera exists on this machine.

Only the Pi camera itself is faked; everything of booth's runs for real. The
stand-in follows Picamera2 0.3.x's public API closely, so code that works
against it uses the real library the same way:

- ``Picamera2(camera_num=0, verbose_console=None, tuning=None, allocator=None)``;
  ``global_camera_info()``; "No camera number N found" when none is attached.
- ``camera_properties`` (Model, PixelArraySize, ScalerCropMaximum) and
  ``camera_controls`` (name → (min, max, default)); the Af* controls exist
  only when the sensor has autofocus.
- ``create_preview_configuration`` / ``create_still_configuration`` with the
  real signatures and defaults (preview: XBGR8888 640x480, 4 buffers,
  use_case "preview"; still: BGR888 at the sensor size, 1 buffer, use_case
  "still"; each adds its NoiseReductionMode/FrameDurationLimits controls).
- ``configure`` refuses while started and rejects controls the camera does
  not advertise ("Control X is not advertised by libcamera"); it allocates
  buffers through the allocator with the config's use_case, as the real one.
- Controls are reset on every start: a start runs with the configuration's
  controls only, exactly the behaviour that makes booth carry autofocus in
  both configurations. ``set_controls`` then adds to them.
- ``switch_mode``, ``capture_request`` (→ a request with ``make_array``,
  ``get_metadata``, ``release``), ``capture_array``,
  ``switch_mode_and_capture_array``, ``autofocus_cycle``,
  ``cancel_all_and_flush``, ``stop``, ``close``; ``wait=<seconds>`` raises
  TimeoutError when no frame comes, as a real job does.
- Pixel order as libcamera names it: "RGB888" is B, G, R in memory,
  "BGR888" is R, G, B, the X formats add a fourth byte.
- ``PersistentAllocator`` keeps one buffer set per use_case; a DmaAllocator
  allocates on every configure. Both count what they allocate.

The :class:`Sensor` is the hardware: tests choose its size, autofocus and
picture, and unplug it (frames stop, and re-opening finds no camera) or plug
it back in. Every call the booth makes is recorded in ``Picamera2.events``.
"""

from __future__ import annotations

import copy
import enum
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

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


# ---------------------------------------------------------------- the hardware


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
    """The camera module on the ribbon cable."""

    model: str = "imx708"
    size: tuple[int, int] = (4608, 2592)
    autofocus: bool = True
    connected: bool = True
    fps: float = 60.0  # preview frame rate; the stand-in's stills run at a quarter of it
    picture: Callable[[int, int], np.ndarray] = colour_bars  # (width, height) → true-colour RGB
    in_use: bool = False

    def unplug(self) -> None:
        self.connected = False

    def plug_in(self) -> None:
        self.connected = True


FORMATS = {  # libcamera name → channel order in memory (indices into true RGB), bytes per pixel
    "RGB888": ((2, 1, 0), 3),
    "BGR888": ((0, 1, 2), 3),
    "XRGB8888": ((2, 1, 0), 4),
    "XBGR8888": ((0, 1, 2), 4),
}


# ---------------------------------------------------------------- picamera2.allocators


class DmaAllocator:
    def __init__(self) -> None:
        self.allocations: list[str | None] = []  # one entry per buffer set allocated

    def allocate(self, libcamera_config: Any, use_case: str | None) -> None:
        self.allocations.append(use_case)

    def close(self) -> None:
        pass


class PersistentAllocator(DmaAllocator):
    """Keeps one buffer set per use_case, so mode switches do not allocate again."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer_key: str | None = None
        self.buffer_dict: dict[str | None, object] = {}

    def allocate(self, libcamera_config: Any, use_case: str | None) -> None:
        self.buffer_key = use_case
        if use_case not in self.buffer_dict:
            super().allocate(libcamera_config, use_case)
            self.buffer_dict[use_case] = object()

    def deallocate(self, buffer_key: str | None = None) -> None:
        del self.buffer_dict[self.buffer_key if buffer_key is None else buffer_key]

    def close(self) -> None:
        for key in list(self.buffer_dict):
            self.deallocate(key)


# ---------------------------------------------------------------- picamera2


class CompletedRequest:
    def __init__(self, picam2: Picamera2, config: dict[str, Any], metadata: dict[str, Any]) -> None:
        self.picam2 = picam2
        self.config = config
        self._metadata = metadata
        self.ref_count = 1

    def make_array(self, name: str) -> np.ndarray:
        stream = self.config.get(name)
        if stream is None:
            raise RuntimeError(f"Stream {name!r} is not defined")
        width, height = stream["size"]
        order, depth = FORMATS[stream["format"]]
        rgb = self.picam2.sensor.picture(width, height)
        array = np.full((height, width, depth), 255, np.uint8)
        array[:, :, :3] = rgb[:, :, list(order)]
        return array

    def get_metadata(self) -> dict[str, Any]:
        return dict(self._metadata)

    def release(self) -> None:
        self.ref_count -= 1
        if self.ref_count < 0:
            raise RuntimeError("CompletedRequest: lock now has negative ref_count")


@dataclass
class Event:
    what: str  # "configure" | "start" | "stop" | "set_controls" | "autofocus_cycle" | "capture" | "close" | "cancel"
    use_case: str | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    size: tuple[int, int] | None = None


class Picamera2:
    """The stand-in camera object (see the module docstring)."""

    sensors: ClassVar[list[Sensor]] = []  # the attached cameras, by camera_num
    events: ClassVar[list[Event]] = []
    instances: ClassVar[list[Picamera2]] = []

    @staticmethod
    def global_camera_info() -> list[dict[str, Any]]:
        return [
            {"Model": s.model, "Location": 2, "Rotation": 0, "Id": f"/base/axi/pcie@120000/rp1/i2c@88000/{s.model}@1a",
             "Num": i}
            for i, s in enumerate(Picamera2.sensors) if s.connected
        ]

    def __init__(self, camera_num: int = 0, verbose_console: Any = None, tuning: Any = None,
                 allocator: Any = None) -> None:
        if camera_num >= len(self.global_camera_info()):
            raise RuntimeError(
                f'No camera number {camera_num} found - use "rpicam-hello --list-cameras" to check connected cameras'
            )
        self.sensor = Picamera2.sensors[camera_num]
        if self.sensor.in_use:
            raise RuntimeError("Camera __init__ sequence did not complete.")
        self.sensor.in_use = True
        self.is_open = True
        self.started = False
        self.camera_config: dict[str, Any] = {}
        self.allocator = DmaAllocator() if allocator is None else allocator
        self.sensor_resolution = self.sensor.size
        self.controls_in_effect: dict[str, Any] = {}  # what the sensor runs with now
        self._pending: dict[str, Any] = {}
        self._frame_due = 0.0
        self._lock = threading.Lock()
        Picamera2.instances.append(self)

    # ------------------------------------------------------------ properties

    @property
    def camera_properties(self) -> dict[str, Any]:
        if not self.is_open:
            return {}
        w, h = self.sensor.size
        return {"Model": self.sensor.model, "PixelArraySize": (w, h), "ScalerCropMaximum": (0, 0, w, h),
                "Location": 2, "Rotation": 0}

    @property
    def camera_controls(self) -> dict[str, tuple[Any, Any, Any]]:
        w, h = self.sensor.size
        controls: dict[str, tuple[Any, Any, Any]] = {
            "AeEnable": (False, True, None),
            "AwbEnable": (False, True, None),
            "ExposureTime": (26, 220417486, 20000),
            "AnalogueGain": (1.0, 16.0, None),
            "FrameDurationLimits": (16971, 220528975, 33333),
            "NoiseReductionMode": (0, 4, 0),
            "ScalerCrop": ((0, 0, 64, 64), (0, 0, w, h), (0, 0, w, h)),
        }
        if self.sensor.autofocus:
            controls |= {
                "AfMode": (0, 2, 0),
                "AfTrigger": (0, 1, 0),
                "AfMetering": (0, 1, 0),
                "AfWindows": ((0, 0, 0, 0), (65535, 65535, 65535, 65535), (0, 0, 0, 0)),
                "AfRange": (0, 2, 0),
                "AfSpeed": (0, 1, 0),
                "LensPosition": (0.0, 32.0, 1.0),
            }
        return controls

    # ------------------------------------------------------------ configurations

    def _check_open(self) -> None:
        if not self.is_open:
            raise RuntimeError("Camera not opened")

    def create_preview_configuration(self, main={}, lores=None, raw={}, transform=Transform(),  # noqa: B006
                                     colour_space=ColorSpace.Sycc(), buffer_count=4, controls={},  # noqa: B006
                                     display="main", encode="main", queue=True, sensor={},  # noqa: B006
                                     use_case="preview") -> dict[str, Any]:
        self._check_open()
        controls = {"NoiseReductionMode": NoiseReductionModeEnum.Minimal, "FrameDurationLimits": (100, 83333)} | controls
        return self._config(use_case, transform, colour_space, buffer_count, queue,
                            {"format": "XBGR8888", "size": (640, 480), "preserve_ar": True} | main,
                            lores, raw, controls, sensor, display, encode)

    def create_still_configuration(self, main={}, lores=None, raw={}, transform=Transform(),  # noqa: B006
                                   colour_space=ColorSpace.Sycc(), buffer_count=1, controls={},  # noqa: B006
                                   display=None, encode=None, queue=True, sensor={},  # noqa: B006
                                   use_case="still") -> dict[str, Any]:
        self._check_open()
        controls = {"NoiseReductionMode": NoiseReductionModeEnum.HighQuality,
                    "FrameDurationLimits": (100, 1000000 * 1000)} | controls
        return self._config(use_case, transform, colour_space, buffer_count, queue,
                            {"format": "BGR888", "size": self.sensor_resolution, "preserve_ar": True} | main,
                            lores, raw, controls, sensor, display, encode)

    def _config(self, use_case, transform, colour_space, buffer_count, queue, main, lores, raw, controls,
                sensor, display, encode) -> dict[str, Any]:
        main = dict(main)
        main["size"] = (main["size"][0] - main["size"][0] % 2, main["size"][1] - main["size"][1] % 2)  # align_stream
        return {"use_case": use_case, "transform": transform, "colour_space": colour_space,
                "buffer_count": buffer_count, "queue": queue, "main": main, "lores": lores,
                "raw": dict(raw) if raw is not None else None, "controls": dict(controls),
                "sensor": sensor, "display": display, "encode": encode}

    def _advertised(self, controls: dict[str, Any]) -> dict[str, Any]:
        checked = {}
        for name, value in controls.items():
            if name == "FrameRate":  # picamera2's virtual control
                name, value = "FrameDurationLimits", (int(1e6 / value), int(1e6 / value))
            if name not in self.camera_controls:
                raise RuntimeError(f"Control {name} is not advertised by libcamera")
            checked[name] = value
        return checked

    def configure(self, camera_config: Any = None) -> None:
        self._check_open()
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        if not isinstance(camera_config, dict):
            raise TypeError("the stand-in accepts configuration dicts only")
        config = copy.deepcopy(camera_config)
        main = config["main"]
        if main["format"] not in FORMATS:
            raise RuntimeError(f"stand-in: unsupported main format {main['format']}")
        w, h = main["size"]
        if w > self.sensor.size[0] or h > self.sensor.size[1]:
            raise RuntimeError(f"Invalid camera configuration: {config}")
        self._pending = self._advertised(config["controls"])
        self.allocator.allocate(None, config.get("use_case"))
        self.camera_config = config
        Picamera2.events.append(Event("configure", config.get("use_case"), dict(self._pending), (w, h)))

    # ------------------------------------------------------------ running

    def start(self, config: Any = None, show_preview: bool = False) -> None:
        if config is not None:
            self.configure(config)
        if not self.camera_config:
            raise RuntimeError("Camera has not been configured")
        if self.started:
            return
        # Controls are reset on every start: only the configuration's (and
        # anything set while stopped) apply.
        self.controls_in_effect = dict(self._pending)
        self._pending = {}
        self.started = True
        self._frame_due = time.monotonic()
        Picamera2.events.append(Event("start", self.camera_config.get("use_case"), dict(self.controls_in_effect)))

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
        self.camera_config = {}
        self.allocator = DmaAllocator()
        Picamera2.events.append(Event("close"))

    def set_controls(self, controls: dict[str, Any]) -> None:
        checked = self._advertised(controls)
        (self.controls_in_effect if self.started else self._pending).update(checked)
        Picamera2.events.append(Event("set_controls", self.camera_config.get("use_case"), dict(checked)))

    def switch_mode(self, camera_config: Any, wait: Any = None, signal_function: Any = None) -> dict[str, Any]:
        self.stop()
        self.configure(camera_config)
        self.start()
        return self.camera_config

    def cancel_all_and_flush(self) -> None:
        Picamera2.events.append(Event("cancel"))

    @staticmethod
    def _timeout(wait: Any) -> float | None:
        return None if wait is None or wait is True else float(wait)

    def _next_frame(self, wait: Any) -> None:
        """Block until the sensor's next frame; TimeoutError if none comes within ``wait``."""
        timeout = self._timeout(wait)
        if not (self.started and self.sensor.connected):
            time.sleep(30.0 if timeout is None else timeout)  # a real job would wait for ever
            raise TimeoutError()
        fps = self.sensor.fps if self.camera_config.get("use_case") != "still" else self.sensor.fps / 4
        with self._lock:
            now = time.monotonic()
            self._frame_due = max(self._frame_due + 1.0 / fps, now)
            due = self._frame_due
        if due > now:
            time.sleep(due - now)

    def capture_request(self, wait: Any = None, signal_function: Any = None, flush: Any = None) -> CompletedRequest:
        self._next_frame(wait)
        config = copy.deepcopy(self.camera_config)
        Picamera2.events.append(Event("capture", config.get("use_case"), dict(self.controls_in_effect),
                                      tuple(config["main"]["size"])))
        return CompletedRequest(self, config, self._metadata(config))

    def _metadata(self, config: dict[str, Any]) -> dict[str, Any]:
        sw, sh = self.sensor.size
        w, h = config["main"]["size"]
        # The crop a preserve_ar stream sees: the largest centred area of its aspect.
        if config["main"].get("preserve_ar", True) and w * sh != h * sw:
            if w * sh > h * sw:
                cw, ch = sw, sw * h // w
            else:
                cw, ch = sh * w // h, sh
        else:
            cw, ch = sw, sh
        metadata: dict[str, Any] = {"SensorTimestamp": time.monotonic_ns(), "ScalerCrop": ((sw - cw) // 2, (sh - ch) // 2, cw, ch),
                                    "FrameDuration": 33333}
        if self.sensor.autofocus:
            metadata |= {"AfState": AfStateEnum.Focused, "LensPosition": 1.5}
        return metadata

    def capture_array(self, name: str = "main", wait: Any = None, signal_function: Any = None) -> np.ndarray:
        request = self.capture_request(wait)
        try:
            return request.make_array(name)
        finally:
            request.release()

    def switch_mode_and_capture_array(self, camera_config: Any, name: str = "main", wait: Any = None,
                                      signal_function: Any = None, delay: int = 0) -> np.ndarray:
        preview = self.camera_config
        self.switch_mode(camera_config)
        try:
            return self.capture_array(name, wait)
        finally:
            self.switch_mode(preview)

    def autofocus_cycle(self, wait: Any = None, signal_function: Any = None) -> bool:
        self.set_controls({"AfMode": AfModeEnum.Auto, "AfTrigger": AfTriggerEnum.Start})
        self._next_frame(wait)  # scanning
        self._next_frame(wait)  # focused
        Picamera2.events.append(Event("autofocus_cycle", self.camera_config.get("use_case"),
                                      dict(self.controls_in_effect)))
        return True


def modules() -> dict[str, types.ModuleType]:
    """The module objects to put in sys.modules in place of the real picamera2 and libcamera."""
    libcamera = types.ModuleType("libcamera")
    controls = types.ModuleType("libcamera.controls")
    controls.AfModeEnum = AfModeEnum  # type: ignore[attr-defined]
    controls.AfMeteringEnum = AfMeteringEnum  # type: ignore[attr-defined]
    controls.AfTriggerEnum = AfTriggerEnum  # type: ignore[attr-defined]
    controls.AfStateEnum = AfStateEnum  # type: ignore[attr-defined]
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
    """Put the stand-in in sys.modules (undone after the test) with ``sensors`` attached."""
    for name, module in modules().items():
        monkeypatch.setitem(__import__("sys").modules, name, module)
    monkeypatch.setattr(Picamera2, "sensors", list(sensors) if sensors else [Sensor()])
    monkeypatch.setattr(Picamera2, "events", [])
    monkeypatch.setattr(Picamera2, "instances", [])
    return Picamera2
