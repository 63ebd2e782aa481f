"""Staff login: scrypt password hashes, server-side sessions, a login rate limit.

The password hash lives in the config (``[web] staff_password_hash``), made
by ``booth staff-password``. A session is a random cookie whose hash is kept
server-side, so logging out (or changing the password) really ends it.

Failed logins are counted by booth.web.limiter in a small SQLite file
shared by all workers: per client address and for the whole server. An
attempt is *admitted* (counted as a failure) atomically before the password
is checked, and only a right password takes it back, so parallel guesses
cannot all slip past the check (a race the old check-then-count order had).
A client over its own limit is refused before anything is recorded, so one
device adds at most ``PER_CLIENT.attempts`` to the global count and cannot
lock real staff out on its own. The scrypt check itself runs one at a time per worker (16 MiB
each), so a burst never costs more memory than one check.

The state file lives in the service's runtime directory (systemd's
``RuntimeDirectory=``, a RAM-backed tmpfs) when there is one, so a full data
disk can neither stop a wrong password from being counted nor a logout from
working. If the state cannot be written all the same, logins are refused
(fail closed), never checked uncounted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import getpass
import hashlib
import hmac
import secrets
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from starlette.concurrency import run_in_threadpool

from booth.web.limiter import Limit, Limiter
from booth.web.state import StateUnavailable, open_state

SCHEME = "scrypt"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB, ~0.1 s on a Pi 4
MAX_PASSWORD = 1024
MAX_WAITING = 4  # scrypt checks queued per worker before logins are answered "busy"
SESSION_S = 12 * 3600.0  # one working day at an event
COOKIE = "booth_staff"


class PasswordHashError(ValueError):
    """The configured hash is not one `booth staff-password` makes."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash`` for the config file."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """``(n, r, p, salt, digest)`` from a stored hash; PasswordHashError with a clear line if unusable."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PasswordHashError("[web] staff_password_hash is not a hash from `booth staff-password`")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PasswordHashError("[web] staff_password_hash is damaged (bad number or base64)") from None
    if n < 2 or n & (n - 1) or not (1 <= r <= 64 and 1 <= p <= 16) or len(salt) < 8 or len(digest) < 16:
        raise PasswordHashError("[web] staff_password_hash has parameters out of range")
    return n, r, p, salt, digest


def check_hash_format(stored: str) -> None:
    """Raise PasswordHashError with a clear line if the stored hash is unusable."""
    _parse_hash(stored)


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash."""
    n, r, p, salt, expected = _parse_hash(stored)
    if not password or len(password) > MAX_PASSWORD:
        return False
    got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p,
                         maxmem=256 * 1024 * 1024, dklen=len(expected))
    return hmac.compare_digest(got, expected)


class Sessions:
    """Staff sessions kept server-side: the cookie is a random key; only its SHA-256 is stored."""

    def __init__(self, path: Path, password_hash: str) -> None:
        self.password_hash = password_hash
        # Rows remember which password they were made under: a new password ends old sessions.
        self._password_id = hashlib.sha256(password_hash.encode()).hexdigest()[:16]
        self._lock = threading.Lock()
        self._db = open_state(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, expires REAL NOT NULL, "
                         "password TEXT NOT NULL)")

    @staticmethod
    def _key(cookie: str) -> str:
        return hashlib.sha256(cookie.encode()).hexdigest()

    def issue(self, now: float | None = None) -> str:
        """A new session cookie; StateUnavailable if it cannot be recorded."""
        now = time.time() if now is None else now
        cookie = secrets.token_urlsafe(32)
        try:
            with self._lock:
                self._db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
                self._db.execute("INSERT INTO sessions VALUES (?, ?, ?)",
                                 (self._key(cookie), now + SESSION_S, self._password_id))
        except sqlite3.Error as exc:
            raise StateUnavailable(f"cannot record the session: {exc}") from None
        return cookie

    def valid(self, cookie: str | None, now: float | None = None) -> bool:
        if not cookie or not self.password_hash or len(cookie) > 200:
            return False
        now = time.time() if now is None else now
        try:
            with self._lock:
                row = self._db.execute("SELECT expires, password FROM sessions WHERE key = ?",
                                       (self._key(cookie),)).fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] > now and hmac.compare_digest(row[1], self._password_id)

    def revoke(self, cookie: str | None) -> None:
        """End a session (logout). StateUnavailable if that cannot be recorded."""
        if not cookie or len(cookie) > 200:
            return
        try:
            with self._lock:
                self._db.execute("DELETE FROM sessions WHERE key = ?", (self._key(cookie),))
        except sqlite3.Error as exc:
            raise StateUnavailable(f"cannot end the session: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()


# Wrong passwords: a device gets 5 tries in 15 minutes, the whole server 30 (README: the staff page).
PER_CLIENT = Limit(5, 900.0)
GLOBAL = Limit(30, 900.0)


def login_limiter(path: Path, *, per_client: Limit = PER_CLIENT, overall: Limit = GLOBAL) -> Limiter:
    """Failed logins, counted in the state file's ``failures`` table.

    An attempt is admitted (counted as a failure) before the password is
    checked; a right password then forgets the client's failures, the
    admitted one included.
    """
    return Limiter(path, "failures", per_client=per_client, overall=overall, what="login attempt")


class PasswordChecker:
    """One scrypt check at a time per worker, and only a few waiting: memory stays at one check's 16 MiB.

    Beyond ``max_waiting`` queued checks :meth:`busy` says so and the login
    is answered "try again shortly" without reserving an attempt.
    """

    def __init__(self, password_hash: str, max_waiting: int = MAX_WAITING) -> None:
        self.password_hash = password_hash
        self.max_waiting = max_waiting
        self._one = asyncio.Semaphore(1)
        self.pending = 0  # reserved or waiting checks in this worker

    def busy(self) -> bool:
        return self.pending > self.max_waiting

    async def check(self, password: str) -> bool:
        async with self._one:
            return await run_in_threadpool(verify_password, password, self.password_hash)


def read_password(stdin: TextIO = sys.stdin) -> str | None:
    """The new password: asked twice at a terminal, or one line from a pipe (scripts).

    There is deliberately no command-line option for it: an argument lands
    in shell history and in every other user's `ps`. None when nothing
    usable came (EOF, or two different answers); the caller says why.
    """
    if not stdin.isatty():
        line = stdin.readline()
        if not line:
            print("booth staff-password: no password on standard input", file=sys.stderr)
            return None
        return line.rstrip("\r\n")
    try:
        password = getpass.getpass("Staff password: ")
        again = getpass.getpass("Again: ")
    except EOFError:
        print("\nbooth staff-password: no password given", file=sys.stderr)
        return None
    if again != password:
        print("booth staff-password: the two passwords differ", file=sys.stderr)
        return None
    return password


def cli_hash_password(args: argparse.Namespace) -> int:
    """`booth staff-password`: print the hash line to paste into the config."""
    password = read_password()
    if password is None:
        return 2
    if len(password) < 8:
        print("booth staff-password: use at least 8 characters", file=sys.stderr)
        return 2
    if len(password) > MAX_PASSWORD:
        print(f"booth staff-password: use at most {MAX_PASSWORD} characters", file=sys.stderr)
        return 2
    print("# Put this line in the [web] section of /etc/booth/booth.toml, then restart booth-web:")
    print(f'staff_password_hash = "{hash_password(password)}"')
    return 0
