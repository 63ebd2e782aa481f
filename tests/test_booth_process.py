"""The test harness's own promise (tests/booth_process.py): a `booth web` it starts is the one answering.

free_port() only says a port was free a moment ago; another process may take it
before the server binds it. These tests take the port on purpose.
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

import booth_process
from booth_process import booth_env, start_web


def test_a_port_taken_before_the_server_binds_it_moves_the_server_to_a_fresh_one(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()  # takes the connections: a readiness check on this port would hang or fail
    taken = squatter.getsockname()[1]
    ports = iter([taken])
    real = booth_process.free_port
    monkeypatch.setattr(booth_process, "free_port", lambda: next(ports, None) or real())
    env = booth_env(data=tmp_path / "data")
    try:
        web = start_web(env, tmp_path / "web.log")
        try:
            assert web.port != taken
            assert httpx.get(f"{web.base}/p/{'x' * 24}", timeout=5).status_code == 404
            assert "address already in use" in (tmp_path / "web.log").read_text().lower()
        finally:
            web.stop()
    finally:
        squatter.close()


def test_a_port_the_caller_chose_and_someone_took_is_a_clear_failure(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(AssertionError, match=f"port {port} is taken"):
            start_web(booth_env(data=tmp_path / "data"), tmp_path / "web.log", port=port)
