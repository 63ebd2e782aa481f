"""What a demo photo is, and how long it lives: one definition for the booth, the gallery and the staff page.

A demo photo is one made from a camera source that shows no guest of this
event: the scripted subject (a face from the test set, posed by the
booth), and ``replay`` (recorded footage looped, "for demos and tests with
recorded footage", booth/camera/replay.py), whose faces are whoever was
recorded, never a guest standing at this booth. Their photos are marked in
the gallery: the phone page still serves them (a demo's QR code works),
but the staff page's counts, chart and latest photos, the ZIP export and
the wipe count leave them out, and they expire after
:data:`DEMO_EXPIRY_S`.
"""

from __future__ import annotations

DEMO_SOURCES = ("scripted", "replay")  # camera source kinds (booth.camera.select.KINDS) that make demo photos

# Long enough to scan the QR code and look at the photo on a phone during a
# demo; short enough that a morning's demo is gone before the event's guests
# arrive, so it never mixes with their photos on the booth's disk.
DEMO_EXPIRY_S = 3600.0
DEMO_EXPIRY_TEXT = "1 hour"  # DEMO_EXPIRY_S in words, for the screen and the staff page

# The booth screen's staff strip while a demo source runs ({camera}: the camera's name).
DEMO_NOTICE = (f"Demo: {{camera}} poses. Photos marked as demo: not counted or exported "
               f"on the staff page, deleted after {DEMO_EXPIRY_TEXT}.")


def is_demo_camera(name: str) -> bool:
    """Whether a camera (by its name, e.g. "scripted subject london-004", "replay demo.mp4") makes demo photos."""
    return name.split(" ", 1)[0].split(":", 1)[0] in DEMO_SOURCES
