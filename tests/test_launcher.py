"""`booth up`'s decisions: the port both children share, and which gallery the photos go to."""

from __future__ import annotations

import socket
from pathlib import Path

from booth.config import Config
from booth.launcher import choose_port, demo_dir, make_plan
from booth_process import free_port


def test_a_taken_port_moves_to_the_next_free_one_and_the_links_follow(tmp_path: Path, faces_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert choose_port("0.0.0.0", port) != port
        config = Config()
        config.web.port = port
        config.scripted.faces_dir = str(faces_dir)
        plan = make_plan(config, port=None, camera="scripted", public_url=None)
    assert plan.port != port and plan.base_url.endswith(f":{plan.port}")
    assert any(f"port {port} is in use" in note for note in plan.notes)


def test_only_the_scripted_subject_goes_to_the_demo_gallery(tmp_path: Path, faces_dir: Path) -> None:
    config = Config()
    config.storage.data_dir = str(tmp_path / "gallery")
    config.web.port = free_port()
    config.scripted.faces_dir = str(faces_dir)
    demo = make_plan(config, port=None, camera=None, public_url=None)  # auto: no camera here, so scripted
    assert demo.camera.startswith("scripted:") and demo.demo
    assert demo.data_dir == demo_dir(config.data_dir) == tmp_path / "gallery-demo"
    replay = make_plan(config, port=None, camera=f"replay:{faces_dir / 'london' / 'neutral'}", public_url=None)
    assert not replay.demo and replay.data_dir == config.data_dir
    fixed = make_plan(config, port=None, camera=None, public_url="http://booth.local")
    assert fixed.base_url == "http://booth.local"
