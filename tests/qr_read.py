"""Reading the QR codes on a screenshot, for the tests that follow a QR code the way a phone would.

OpenCV's classic ``cv2.QRCodeDetector`` misses some codes outright: on the
share screen (1280x720, a random token and port in the URL) it read 384 of
400 (4 % missed, measured 2026-11-30), which made any test reading a fresh
photo's QR fail now and then. Its ArUco-based detector
(``cv2.QRCodeDetectorAruco``, OpenCV >= 4.8) read all of them, the [cloud]
screen's two codes of different sizes included (tests/test_qr.py reads such
screens), so it is the one used; each half of the screen is tried on its
own as well, should it ever miss one of two.
"""

from __future__ import annotations

import cv2
import numpy as np


def qr_texts(image: np.ndarray) -> set[str]:
    """Every QR code's text found on a BGR screenshot."""
    detector = cv2.QRCodeDetectorAruco()
    ok, found, _, _ = detector.detectAndDecodeMulti(image)
    texts = {t for t in found if t} if ok else set()
    if len(texts) < 2:  # one code, or one of two missed
        width = image.shape[1]
        for part in (image[:, : width * 3 // 5], image[:, width // 2:]):
            text, _, _ = detector.detectAndDecode(part)
            if text:
                texts.add(text)
    return texts
