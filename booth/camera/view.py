"""One area of the scene for the screen and the photo.

What the screen shows is what the photo holds (DESIGN.md): every source
delivers its preview frames and its stills cropped to the same centred area,
of the screen's aspect ratio, so the screen (which fills itself with the
preview) shows all of it and the saved original holds nothing more. A source
only has to make its preview and its stills cover the same area of the scene
before this crop; the sizes differ, the area does not.
"""

from __future__ import annotations

import numpy as np

Area = tuple[int, int, int, int]  # x, y, w, h in pixels


def shown_area(size: tuple[int, int], aspect: tuple[int, int] | None) -> Area:
    """The largest centred area of ``aspect`` (width, height) in an image of ``size``; all of it for None."""
    w, h = size
    if aspect is None or aspect[0] <= 0 or aspect[1] <= 0:
        return (0, 0, w, h)
    aw, ah = aspect
    if w * ah > h * aw:  # wider than the screen: keep the full height
        cw, ch = max(1, round(h * aw / ah)), h
    else:
        cw, ch = w, max(1, round(w * ah / aw))
    return ((w - cw) // 2, (h - ch) // 2, cw, ch)


def crop_to(image: np.ndarray, aspect: tuple[int, int] | None) -> np.ndarray:
    """``image`` cut to its shown area (a view: the caller copies if it must own the pixels)."""
    x, y, w, h = shown_area((image.shape[1], image.shape[0]), aspect)
    return image[y:y + h, x:x + w]


def same_aspect(box: tuple[int, int], aspect: tuple[int, int]) -> tuple[int, int]:
    """The largest even (width, height) of ``aspect`` that fits in ``box``: a small stream that shows
    the same area as a big one (camera streams want even sizes)."""
    bw, bh = box
    aw, ah = aspect
    scale = min(bw / aw, bh / ah)
    return (max(2, int(aw * scale) // 2 * 2), max(2, int(ah * scale) // 2 * 2))
