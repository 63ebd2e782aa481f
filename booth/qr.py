"""QR codes as pixel arrays for the display: crisp, never resampled.

Error correction is level M (about 15 % of the code can be lost). A screen is
flat, clean and lit from inside, so the damage that H or Q guard against
(dirt, tears, curved paper) does not happen; what does happen is glare and
moiré from a phone held at an angle, which M covers. Lower correction also
means fewer, larger modules on the same screen area, so phones lock on from
further away. Every module is a whole number of pixels (nearest-neighbour
repetition), so edges stay sharp at any size.
"""

from __future__ import annotations

import numpy as np
import qrcode
import qrcode.constants

QUIET_ZONE = 4  # modules of white border the standard asks for
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def qr_matrix(text: str) -> np.ndarray:
    """Boolean modules (True = dark), quiet zone included, square."""
    if not isinstance(text, str) or not text:
        raise ValueError("QR text must be a non-empty string")
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=1)
    code.add_data(text)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):  # qrcode says 'Invalid version' past 40
        raise ValueError(f"text too long for a QR code ({len(text)} characters)") from None
    return np.array(code.get_matrix(), dtype=bool)


def _render(modules: np.ndarray, module_px: int) -> np.ndarray:
    """The modules as an RGB image, each one module_px square (nearest-neighbour: never blurred)."""
    grey = np.where(modules, np.uint8(0), np.uint8(255))
    grey = np.repeat(np.repeat(grey, int(module_px), axis=0), int(module_px), axis=1)
    return np.ascontiguousarray(np.stack([grey, grey, grey], axis=-1))


def _fit(modules: np.ndarray, size_px: int) -> int:
    """The largest whole module size that fits in size_px (at least 1)."""
    return max(1, int(size_px) // modules.shape[0])


def qr_image(text: str, module_px: int) -> np.ndarray:
    """RGB uint8 image, black on white, each module exactly module_px square."""
    if not isinstance(module_px, (int, np.integer)) or isinstance(module_px, bool) or module_px < 1:
        raise ValueError(f"module_px = {module_px!r}: must be a whole number of pixels, at least 1")
    return _render(qr_matrix(text), module_px)


def module_px_for(text: str, size_px: int) -> int:
    """The largest whole module size whose code fits in size_px (at least 1)."""
    return _fit(qr_matrix(text), size_px)


def qr_fitted(text: str, size_px: int) -> np.ndarray:
    """``qr_image(text, module_px_for(text, size_px))`` with the text encoded once, not twice."""
    modules = qr_matrix(text)
    return _render(modules, _fit(modules, size_px))
