"""Camera sources behind one interface (see :mod:`booth.camera.base`).

The app opens its camera with :func:`booth.camera.select.open_supervised`
(or :func:`~booth.camera.select.open_camera` for a plain one); sources are
imported only when chosen, so picamera2 is never needed off a Pi.
"""

from booth.camera.base import Camera, CameraError, CameraStatus, Frame, FrameSlot, Health, NotDetected

__all__ = ["Camera", "CameraError", "CameraStatus", "Frame", "FrameSlot", "Health", "NotDetected"]
