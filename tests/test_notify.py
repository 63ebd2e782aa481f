"""The notify protocol against a real AF_UNIX datagram socket, as systemd would bind it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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


def test_ping_period_is_half_the_watchdog_at_most_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert notify.ping_period() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")  # booth.service's WatchdogSec=30
    assert notify.ping_period() == notify.PING_S
    monkeypatch.setenv("WATCHDOG_USEC", "600000")
    assert notify.ping_period() == pytest.approx(0.3)


@pytest.mark.parametrize("watchdog", ["short", "none", "another process's"])
def test_the_booth_feeds_the_watchdog_it_was_given(tmp_path: Path, model_path: Path, watchdog: str) -> None:
    """A real `booth run`: pings at half a short WatchdogSec=, and none when no watchdog watches it."""
    from booth_process import NotifyListener, booth_env, fast_config, start_booth, stop

    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config())
    lst = NotifyListener(tmp_path / "notify.sock")
    env = booth_env(data=tmp_path / "data", config=conf, models=model_path.parent, notify=lst.path,
                    watchdog_s=0.8 if watchdog != "none" else None)
    if watchdog == "another process's":
        env["WATCHDOG_PID"] = "1"  # inherited from the one systemd watches: not for us
    booth = start_booth("run", "--camera", "scripted", "--headless", env=env, log=tmp_path / "booth.log")
    try:
        ready = lst.wait("READY=1", 120)
        time.sleep(4.0)
        pings = lst.pings(after=ready)
    finally:
        stop(booth)
        lst.close()
    if watchdog == "short":
        gaps = sorted(b - a for a, b in zip(pings, pings[1:]))
        assert len(pings) >= 5 and gaps[len(gaps) // 2] < 0.6, gaps  # every 0.4 s (at PING_S it would be 1 s)
    else:
        assert pings == []
