"""Which board this is: the one reader of the device-tree model string.

Kept apart (and free of imports from the rest of the booth) so that the GPIO
controls, the display choice and ``booth doctor`` all ask the same question
the same way without depending on each other.
"""

from __future__ import annotations

from pathlib import Path

PI_MODEL = Path("/proc/device-tree/model")


def pi_model(path: Path = PI_MODEL) -> str:
    """The board's model string ("Raspberry Pi 5 Model B Rev 1.0"), or "" off a Pi."""
    try:
        return path.read_bytes().rstrip(b"\0").decode("ascii", "replace")
    except OSError:
        return ""


def on_a_pi(path: Path = PI_MODEL) -> bool:
    """True on any Raspberry Pi (the display goes fullscreen there)."""
    return "Raspberry Pi" in pi_model(path)
