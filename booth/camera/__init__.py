"""Camera sources behind one interface (see :mod:`booth.camera.base`)."""

from booth.camera.base import Camera, CameraError, CameraStatus, Frame, FrameSlot, Health

__all__ = ["Camera", "CameraError", "CameraStatus", "Frame", "FrameSlot", "Health"]
