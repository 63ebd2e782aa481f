"""A photo's ``meta.json`` in the bucket: written by `booth sync`, read by `booth web --cloud`.

All the cloud server needs to answer like the booth (page, 410 once expired)
and to fill the staff pages and their ZIP (look, crop, retouch, scores, the
demo mark, the visit: the staff figures and the ZIP's manifest group by it). Plain JSON, no boto3: one format, defined once.
"""

from __future__ import annotations

import json
import math
from typing import Any

from booth.gallery import PhotoRecord, valid_token


def metadata(record: PhotoRecord, booth: str) -> bytes:
    """The bytes of ``meta.json`` for this photo (sorted keys: the same photo always gives the same bytes)."""
    return json.dumps({"created": record.created, "expires": record.expires, "look": record.look,
                       "crop": record.crop, "retouch": record.retouch, "scores": dict(record.scores),
                       "demo": record.demo, "booth": booth, **({"visit": record.visit} if record.visit else {})},
                      sort_keys=True).encode()


def record_from_meta(meta: dict[str, Any], token: str, expiry_s: float) -> PhotoRecord | None:
    """The photo as the booth knew it, or None for a damaged object.

    Its expiry is never later than this server's ``expiry_days`` allows.
    Objects from before the demo mark and scores were written are event
    photos with no scores.
    """
    try:
        created, expires = float(meta["created"]), float(meta["expires"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(created) and math.isfinite(expires)):
        return None
    scores = meta.get("scores")
    visit = meta.get("visit")  # objects from before visits, or a photo kept alone: None
    return PhotoRecord(token, created, min(expires, created + expiry_s), str(meta.get("look", "unknown")),
                       str(meta.get("crop", "4:5")), str(meta.get("retouch", "natural")),
                       scores if isinstance(scores, dict) else {}, None, meta.get("demo") is True,
                       visit if valid_token(visit) else None)
