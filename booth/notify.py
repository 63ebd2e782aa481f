"""The systemd notify protocol: tell the service manager we are ready, alive, stopping.

systemd hands a ``Type=notify`` service the path of an AF_UNIX datagram
socket in ``$NOTIFY_SOCKET`` (an abstract-namespace name when it starts with
``@``); each message is newline-separated ``KEY=VALUE`` fields in a single
datagram. That is a few lines of socket code, so no library: ``sdnotify`` and
``systemd-python`` would add a dependency (the latter a C build against
libsystemd) for what fits on one screen, and both are awkward in a venv.

Every function is a no-op returning False when ``$NOTIFY_SOCKET`` is unset,
so the booth runs the same from a terminal, in tests and under systemd.
Sending never raises: a manager that went away must not take the booth down.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)

# Longest watchdog ping period (s): cheap enough to send every second; a short WatchdogSec= gets
# pings at half its period instead (see ping_period).
PING_S = 1.0


def _address(value: str) -> str | bytes | None:
    """The socket address named by $NOTIFY_SOCKET, or None if unusable."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # Linux abstract namespace
    if value.startswith("/"):
        return value
    return None  # e.g. vsock:...: not for a process on the Pi itself


def notify(*fields: str) -> bool:
    """Send ``fields`` (``"READY=1"``, ``"STATUS=..."``) as one datagram; True if sent."""
    value = os.environ.get("NOTIFY_SOCKET", "")
    if not value or not fields:
        return False
    address = _address(value)
    if address is None:
        log.debug("NOTIFY_SOCKET=%r is not a unix socket address; not notifying", value)
        return False
    message = "\n".join(fields).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message)
    except OSError as exc:
        log.debug("notify %s failed: %s", fields, exc)
        return False
    return True


def notify_watchdog() -> bool:
    """Keep-alive from the render loop; missing it for WatchdogSec= restarts the service."""
    return notify("WATCHDOG=1")


def status_field(text: str) -> str:
    """The STATUS= field for one line shown by ``systemctl status booth`` (newlines would split it)."""
    return "STATUS=" + " ".join(text.split())


def notify_status(text: str) -> bool:
    """Send :func:`status_field` of ``text`` on its own."""
    return notify(status_field(text))


def notify_stopping() -> bool:
    """Shutdown began, so systemd does not treat the slow stop as a hang."""
    return notify("STOPPING=1")


def watchdog_interval() -> float | None:
    """The watchdog period in seconds if systemd expects pings from this process.

    Reads ``$WATCHDOG_USEC``; when ``$WATCHDOG_PID`` is set it must be our pid
    (the variables are inherited by children, which must not ping for us).
    Ping at half this period, as sd_watchdog_enabled(3) advises.
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    try:
        period = int(usec)
    except ValueError:
        return None
    if period <= 0:
        return None
    if pid:
        try:
            if int(pid) != os.getpid():
                return None
        except ValueError:
            return None
    return period / 1_000_000


def ping_period() -> float | None:
    """How often to send WATCHDOG=1: half systemd's period (sd_watchdog_enabled(3)), at most PING_S.

    None when no watchdog expects pings from this process (a terminal, a
    test, or variables inherited from a parent that is the one watched).
    """
    period = watchdog_interval()
    return None if period is None else min(PING_S, period / 2)
