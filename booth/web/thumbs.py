"""Small JPEGs for the staff page's latest photos, made on demand and memoised.

The decoder's built-in downscaling (IMREAD_REDUCED_COLOR_4) skips most of
the work of a full decode, so a thumbnail costs a few milliseconds even for
a full-resolution headshot. Keyed by mtime and size, so a re-retouched photo
gets a fresh thumbnail.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

WIDTH = 240
_MAX = 64
_cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
_lock = threading.Lock()


def thumbnail(path: os.PathLike[str] | str, width: int = WIDTH) -> bytes | None:
    """A JPEG about `width` pixels wide, or None when the file is gone or unreadable."""
    import cv2  # only the staff page needs it

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return _memoised((os.fspath(path), st.st_mtime_ns, st.st_size),
                     lambda flags: cv2.imread(os.fspath(path), flags), width)


def thumbnail_of(data: bytes, key: str, width: int = WIDTH) -> bytes | None:
    """The same from a JPEG's bytes (`booth web --cloud`: the bucket's); ``key`` names bytes that never change."""
    import cv2
    import numpy as np

    buffer = np.frombuffer(data, np.uint8)
    return _memoised((key, 0, len(data)), lambda flags: cv2.imdecode(buffer, flags), width)


def _memoised(key: tuple[str, int, int], decode: Callable[[int], Any], width: int) -> bytes | None:
    import cv2

    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    image = None
    for reduced in (cv2.IMREAD_REDUCED_COLOR_4, cv2.IMREAD_REDUCED_COLOR_2, cv2.IMREAD_COLOR):
        image = decode(reduced)
        if image is None:
            return None
        if image.shape[1] >= width:  # else a less reduced decode, so the thumbnail is never upscaled
            break
    h, w = image.shape[:2]
    if w > width:
        image = cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        return None
    data = encoded.tobytes()
    with _lock:
        _cache[key] = data
        while len(_cache) > _MAX:
            _cache.popitem(last=False)
    return data
