"""The booth's geometry: a level camera at a fixed height, guests of every height in front of it.

Pure arithmetic (a pinhole camera), shared by the framing tests, the
scripted subject (where a modelled guest's face appears in the picture) and
``booth doctor`` (which guests the configured camera height can frame).

Positions are metres: ``eye_height`` above the floor, ``distance`` from the
lens along its axis, ``x`` across (+ = the image right, the guest's own
left). The camera is mounted level (no tilt), as the coach assumes.

Body figures, rounded (adults, ANSUR II 2012 anthropometric survey, means of
women and men): eyes about 11.5 cm below the top of the head standing; eye
height sitting about 0.77 m above the seat, so 1.20 m on a 0.45 m chair
(lower than most wheelchair users, whose seat is 0.48-0.50 m); pupil to chin
about 11 cm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from booth.coach.framing import REACH, FaceInFrame, place
from booth.config import CameraConfig

# Field of view of the camera modules, degrees (horizontal, vertical), from the
# Raspberry Pi documentation's camera hardware page (raspberrypi/documentation,
# accessories/camera/camera_hardware.adoc) and the modules' datasheets:
# Camera Module 3 66 x 41, Camera Module 3 Wide 102 x 67, Camera Module 2 62.2 x 48.8.
FOV: dict[str, tuple[float, float]] = {
    "module3": (66.0, 41.0),
    "module3-wide": (102.0, 67.0),
    "module2": (62.2, 48.8),
}
EYE_TO_CHIN_M = 0.11
EYE_BELOW_TOP_M = 0.115  # standing eye height = stature minus this
SEATED_EYE_M = 1.20
STEP_RANGE_M = (0.5, 2.5)  # where a guest can stand: from arm's length to the back of a booth space


@dataclass(frozen=True)
class Rig:
    """The camera: which module, its lens height, where guests are asked to stand, the preview's shape."""

    module: str = "module3"
    height_m: float = 1.58
    distance_m: float = 1.2
    aspect: float = 4 / 3  # preview width over height

    @classmethod
    def from_config(cls, camera: CameraConfig) -> Rig:
        return cls(camera.module, camera.height_m, camera.distance_m, camera.preview_width / camera.preview_height)

    def half_tangents(self) -> tuple[float, float]:
        """tan of half the preview's field of view (across, up): the sensor's, cut to the preview's aspect.

        The Pi's ISP keeps the aspect ratio by cropping the sensor image
        (libcamera's default ScalerCrop), so a 4:3 preview from the 16:9
        Camera Module 3 keeps the 41 degrees vertically and loses some width.
        """
        try:
            hfov, vfov = FOV[self.module]
        except KeyError:
            raise ValueError(f"unknown camera module {self.module!r}; known: {', '.join(FOV)}") from None
        th, tv = math.tan(math.radians(hfov / 2)), math.tan(math.radians(vfov / 2))
        if th / tv > self.aspect:
            th = tv * self.aspect
        else:
            tv = th / self.aspect
        return th, tv


@dataclass(frozen=True)
class Guest:
    """A person in front of the booth."""

    name: str
    eye_height: float  # metres above the floor
    distance: float | None = None  # metres from the lens; None = on the booth's mark
    x: float = 0.0  # metres across (+ = image right)
    roll: float = 0.0  # head tilt, degrees (as vision measures it)

    @classmethod
    def standing(cls, name: str, stature: float, **kw: float) -> Guest:
        return cls(name, stature - EYE_BELOW_TOP_M, **kw)  # type: ignore[arg-type]


# The modelled guests: the shortest and tallest adult the booth is built for, the
# middle, a seated guest, and the middle one off to one side.
MODELLED = (
    Guest.standing("short", 1.50),
    Guest.standing("average", 1.75),
    Guest.standing("tall", 2.00),
    Guest("seated", SEATED_EYE_M),
    Guest.standing("off-centre", 1.75, x=0.35),
)


def project(guest: Guest, rig: Rig) -> FaceInFrame:
    """Where the guest's face appears in the preview."""
    th, tv = rig.half_tangents()
    d = guest.distance if guest.distance is not None else rig.distance_m
    return FaceInFrame(
        eye_x=0.5 + guest.x / (2 * d * th),
        eye_y=0.5 - (guest.eye_height - rig.height_m) / (2 * d * tv),
        eye_chin=EYE_TO_CHIN_M / (2 * d * tv),
        aspect=rig.aspect,
    )


def framable(eye_height: float, rig: Rig, step: float = 0.01) -> tuple[float, float] | None:
    """The distances (nearest, farthest) within STEP_RANGE_M where a centred guest is framed with room.

    Room for the crop at a crop of at least REACH times the smallest: a window narrower than
    a step is no window (the coach does not ask for room there either).
    """
    lo, hi = STEP_RANGE_M
    ok = []
    for d in (lo + i * step for i in range(round((hi - lo) / step) + 1)):
        p = place(project(Guest("", eye_height, d), rig))
        if p.ok and p.room >= 0 and p.crop >= REACH * p.least:
            ok.append(round(d, 2))
    return (ok[0], ok[-1]) if ok else None


def heights_for(eye_height: float, rig: Rig, step: float = 0.01) -> tuple[float, float] | None:
    """Camera heights (lowest, highest) at which a guest with these eyes can be framed."""
    ok = [h / 100 for h in range(80, 221, round(step * 100))
          if framable(eye_height, Rig(rig.module, h / 100, rig.distance_m, rig.aspect)) is not None]
    return (ok[0], ok[-1]) if ok else None

