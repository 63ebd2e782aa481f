"""The notify protocol against a real AF_UNIX datagram socket, as systemd would bind it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from booth import notify


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A bound datagram socket at a filesystem path, named by $NOTIFY_SOCKET."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def _recv(sock: socket.socket) -> list[str]:
    return sock.recv(4096).decode().split("\n")


def test_ready_arrives_as_one_datagram(listener: socket.socket) -> None:
    assert notify.notify("READY=1", notify.status_field("Disk nearly\nfull")) is True
    assert _recv(listener) == ["READY=1", "STATUS=Disk nearly full"]


def test_each_call_sends_its_field(listener: socket.socket) -> None:
    assert notify.notify_watchdog()
    assert _recv(listener) == ["WATCHDOG=1"]
    assert notify.notify_stopping()
    assert _recv(listener) == ["STOPPING=1"]
    assert notify.notify_status("Camera unavailable —\nretrying")
    # newlines would start a new field: they are folded to spaces; UTF-8 kept
    assert _recv(listener) == ["STATUS=Camera unavailable — retrying"]
    assert notify.notify("EXTEND_TIMEOUT_USEC=5000000", "STATUS=x")
    assert _recv(listener) == ["EXTEND_TIMEOUT_USEC=5000000", "STATUS=x"]


def test_abstract_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"booth-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2.0)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert notify.notify_watchdog() is True
        assert _recv(sock) == ["WATCHDOG=1"]


def test_without_the_variable_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify.notify("READY=1") is False
    assert notify.notify_watchdog() is False
    assert notify.notify_status("x") is False


def test_a_socket_that_went_away_does_not_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert notify.notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert notify.notify("READY=1") is False


def test_a_child_process_reaches_the_socket(listener: socket.socket) -> None:
    """The real shape: the service process inherits the variable and sends."""
    code = "from booth.notify import notify; import sys; sys.exit(0 if notify(\"READY=1\") else 1)"
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy(), timeout=30)
    assert _recv(listener)[0] == "READY=1"


def test_watchdog_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert notify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    assert notify.watchdog_interval() == 20.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert notify.watchdog_interval() == 20.0
    # the variables leaked to some other process: not for us
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert notify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    for bad in ("0", "-5", "abc", ""):
        monkeypatch.setenv("WATCHDOG_USEC", bad)
        assert notify.watchdog_interval() is None
