"""Staff login: scrypt password hashes, signed session cookies, a login rate limit.

The password hash lives in the config (``[web] staff_password_hash``), made
by ``booth staff-password``. A session is a cookie ``<expiry>.<hmac>``
signed with a random secret kept in the data directory (shared by all
server workers, created once) and the password hash itself, so changing the
password logs every session out. Failed logins are counted in a small SQLite
file so the limit holds across workers and restarts: per client address and
for the whole server, before the password is even checked (no oracle once
limited, and no scrypt CPU burned for an attacker).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEME = "scrypt"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB, ~0.1 s on a Pi 4
MAX_PASSWORD = 1024
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


def load_secret(data_dir: Path) -> bytes:
    """The cookie-signing secret, created once (atomically, mode 0600) in the data dir."""
    path = Path(data_dir) / "web-secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".web-secret.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if another worker won the race: then use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes()


@dataclass(frozen=True)
class Sessions:
    """Makes and checks staff session cookies."""

    secret: bytes
    password_hash: str

    def _sign(self, expiry: int) -> str:
        key = self.secret + self.password_hash.encode()
        return hmac.new(key, f"staff:{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, now: float | None = None) -> str:
        expiry = int((time.time() if now is None else now) + SESSION_S)
        return f"{expiry}.{self._sign(expiry)}"

    def valid(self, cookie: str | None, now: float | None = None) -> bool:
        if not cookie or not self.password_hash or len(cookie) > 200:
            return False
        expiry_text, _, signature = cookie.partition(".")
        if not expiry_text.isdigit():
            return False
        expiry = int(expiry_text)
        if expiry <= (time.time() if now is None else now):
            return False
        return hmac.compare_digest(signature, self._sign(expiry))


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failed logins in ``window_s`` seconds."""

    failures: int
    window_s: float


PER_CLIENT = Limit(5, 900.0)
GLOBAL = Limit(30, 900.0)


class LoginLimiter:
    """Failed-login counter shared by all workers through SQLite."""

    def __init__(self, path: Path, *, per_client: Limit = PER_CLIENT, overall: Limit = GLOBAL) -> None:
        self.per_client, self.overall = per_client, overall
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS failures (client TEXT NOT NULL, at REAL NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS failures_at ON failures(at)")

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds until this client may try again; 0 when it may try now."""
        now = time.time() if now is None else now
        with self._lock:
            waits = [0.0]
            for limit, where, params in (
                (self.per_client, "client = ? AND at > ?", (client, now - self.per_client.window_s)),
                (self.overall, "at > ?", (now - self.overall.window_s,)),
            ):
                rows = self._db.execute(f"SELECT at FROM failures WHERE {where} ORDER BY at DESC LIMIT ?",
                                        (*params, limit.failures)).fetchall()
                if len(rows) >= limit.failures:
                    waits.append(rows[-1][0] + limit.window_s - now)
            return max(waits)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("INSERT INTO failures VALUES (?, ?)", (client, now))
            horizon = now - max(self.per_client.window_s, self.overall.window_s)
            self._db.execute("DELETE FROM failures WHERE at <= ?", (horizon,))

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM failures WHERE client = ?", (client,))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def cli_hash_password(args: argparse.Namespace) -> int:
    """`booth staff-password`: print the hash line to paste into the config."""
    password = args.password
    if password is None:
        password = getpass.getpass("Staff password: ")
        if getpass.getpass("Again: ") != password:
            print("booth staff-password: the two passwords differ", file=sys.stderr)
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
