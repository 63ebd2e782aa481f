"""The short code a guest can type when the QR code will not scan.

Eight characters from an alphabet with no look-alikes and no vowels (none
of the pairs 0/O, 1/I/L, 8/B, 5/S, 2/Z, U/V; no words, so no rude ones and
no clash with a path such as ``/redirect``). The code is derived from the photo's token by a
hash, so the screen can show it from the token it already has, and knowing
a code never reveals the token: the token stays the secret, and the code is
only a short way to look it up, behind a rate limit (booth/web/codes.py;
the README works out what that limit leaves an attacker).
"""

from __future__ import annotations

import hashlib
import re

ALPHABET = "23456789CDFGHJKMNPQRTWXY"  # 24 symbols: 24**8 = 1.1e11 codes
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-._]+")


def short_code(token: str) -> str:
    """The code of a photo token: ``CODE_LENGTH`` symbols of its SHA-256."""
    n = int.from_bytes(hashlib.sha256(f"booth-code:{token}".encode()).digest(), "big")
    out = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        out.append(ALPHABET[r])
    return "".join(out)


def normalise(text: object) -> str | None:
    """What a guest typed as a code ("xk4m-7pqr", " XK4M 7PQR "), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 4 * CODE_LENGTH:
        return None
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display(code: str) -> str:
    """The code as shown on screen: two groups of four, easy to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
