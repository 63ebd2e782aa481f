"""`booth doctor` as staff run it: a real subprocess printing its table."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from booth.config import config_from_dict
from booth.doctor import (FAIL, OK, WARN, check_framing, check_gpio, check_hotspot, check_network, check_storage,
                          run_checks)
from booth_process import booth_env, fast_config, free_port, run_booth, start_booth, stop, wait_until
from machine import absent, camera_hardware, display_hardware


def doctor(tmp_path: Path, models_dir: Path, config_text: str = "") -> subprocess.CompletedProcess[str]:
    cfg = tmp_path / "booth.toml"
    cfg.write_text(config_text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOTH_")}
    env.update(BOOTH_CONFIG=str(cfg), BOOTH_DATA_DIR=str(tmp_path / "data"), BOOTH_MODELS_DIR=str(models_dir),
               SDL_VIDEODRIVER="dummy")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "booth", "doctor"], capture_output=True, text=True, env=env, timeout=120)


def table(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    rows = {}
    for line in result.stdout.splitlines()[1:-1]:
        status, name = line.split()[:2]
        rows[name] = line
        assert status in (OK, WARN, FAIL), line
    return rows


def test_doctor_table_here(tmp_path: Path, model_path: Path, faces_dir: Path) -> None:
    result = doctor(tmp_path, model_path.parent, f'[scripted]\nfaces_dir = "{faces_dir}"\n[web]\nport = {free_port()}\n')
    rows = table(result)
    assert list(rows) == ["python", "packages", "model", "camera", "framing", "display", "fonts", "gpio", "storage",
                          "network", "hotspot", "cloud"]
    assert rows["model"].startswith("OK") and "verified" in rows["model"]
    # No camera or no screen (as on CI): warnings that say what happens instead. A Pi has them: OK.
    if camera_hardware():
        assert rows["camera"].startswith("OK") and "scripted" not in rows["camera"]
    else:
        assert rows["camera"].startswith("WARN") and "scripted subject" in rows["camera"]
        assert "no Pi camera: " in rows["camera"], "says why the Pi camera was not used"
    if display_hardware():
        assert rows["display"].startswith("OK") and "kmsdrm" in rows["display"]
    else:
        assert rows["display"].startswith("WARN") and "headless" in rows["display"]
    warnings = (not camera_hardware()) + (not display_hardware())
    assert rows["storage"].startswith("OK") and str(tmp_path / "data") in rows["storage"]
    assert rows["network"].startswith("OK") and "http://" in rows["network"]
    assert rows["framing"].startswith("OK") and "standing guests 1.50-2.00 m" in rows["framing"]
    assert "a seated guest needs the camera at 1.42 m or lower" in rows["framing"]
    # no NetworkManager here, and no [wifi] ssid: no hotspot, which is fine
    assert rows["hotspot"].startswith("OK") and "none (" in rows["hotspot"]
    assert rows["cloud"].startswith("OK") and "off ([cloud] bucket not set)" in rows["cloud"]
    assert rows["fonts"].startswith("OK") and "DejaVuSans.ttf for en" in rows["fonts"]
    assert result.stdout.splitlines()[-1] == f"12 checks: 0 FAIL, {warnings} WARN"
    assert result.returncode == 0


def test_doctor_missing_model_fails(tmp_path: Path, faces_dir: Path) -> None:
    result = doctor(tmp_path, tmp_path / "no-models", f'[scripted]\nfaces_dir = "{faces_dir}"\n[web]\nport = {free_port()}\n')
    rows = table(result)
    assert rows["model"].startswith("FAIL")
    assert "booth models fetch" in rows["model"], "says how to get it"
    assert result.returncode == 1


def test_doctor_broken_config_is_one_line(tmp_path: Path, model_path: Path) -> None:
    result = doctor(tmp_path, model_path.parent, "[camera]\nfps = 0\n")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("[camera] fps = 0: must be between 1 and 120")
    assert len(result.stderr.strip().splitlines()) == 1


def test_framing_says_what_height_frames_everyone() -> None:
    low = check_framing(config_from_dict({"camera": {"height_m": 1.30}}))
    assert low.status == WARN and "tall" in low.detail and "height_m between 1.55 and 1.61" in low.fix
    far = check_framing(config_from_dict({"camera": {"distance_m": 2.0}}))
    assert far.status == WARN and "mark between 1.13 and 1.21 m" in far.fix
    seated = check_framing(config_from_dict({"camera": {"height_m": 1.40, "distance_m": 1.3}}))
    assert "tall" in seated.detail  # the height that suits a seated guest misses the tallest


def test_storage_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    config = config_from_dict({"storage": {"data_dir": str(blocker / "photos")}})
    check = check_storage(config)
    assert check.status == FAIL and "not writable" in check.detail and "data_dir" in check.fix


def test_storage_below_minimum(tmp_path: Path) -> None:
    config = config_from_dict({"storage": {"data_dir": str(tmp_path), "min_free_mb": 10_000_000}})
    check = check_storage(config)
    assert check.status == FAIL and "below" in check.detail


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        config = config_from_dict({"web": {"host": "127.0.0.1", "port": port, "public_url": "http://booth.test"}})
        check = check_network(config)
    assert check.status == WARN and f"port {port}" in check.detail and "in use" in check.detail
    assert "http://booth.test" in check.detail


def test_gpio_with_mock_pins() -> None:
    config = config_from_dict({"controls": {"button_pin": 17, "led_pin": 27, "pin_factory": "mock"}})
    check = check_gpio(config)
    assert check.status == OK
    assert "button on GPIO17" in check.detail and "led on GPIO27" in check.detail
    assert "Mock" in check.detail


def test_gpio_configured_but_missing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # lgpio not installed (it comes from Debian on a Pi): a FAIL, not a silent mock.
    absent(monkeypatch, "lgpio")
    config = config_from_dict({"controls": {"button_pin": 17, "pin_factory": "lgpio"}})
    [check] = run_checks(config, [check_gpio])
    assert check.status == FAIL and "lgpio" in check.detail


def test_local_name_in_the_qr_is_a_warning() -> None:
    config = config_from_dict({"web": {"host": "127.0.0.1", "port": free_port(), "public_url": "http://booth.local"}})
    check = check_network(config)
    assert check.status == WARN and ".local" in check.detail and "IP address" in check.fix
    config = config_from_dict({"web": {"host": "127.0.0.1", "port": free_port(), "public_url": "http://10.42.0.1"}})
    assert check_network(config).status == OK


def test_hotspot_configured_but_not_up_is_a_warning() -> None:
    """A [wifi] ssid means staff expect the hotspot; none is up on this machine (no NetworkManager here)."""
    config = config_from_dict({"wifi": {"ssid": "Photo booth", "password": "secret123"}})
    [check] = run_checks(config, [check_hotspot])
    assert check.status == WARN and '"Photo booth" is set' in check.detail
    assert "nmcli connection up booth-hotspot" in check.fix


def test_doctor_beside_a_running_booth_reads_its_status_and_opens_nothing(tmp_path: Path, model_path: Path,
                                                                           faces_dir: Path) -> None:
    """The README's `booth doctor` while the booth runs: no false FAIL; camera and GPIO from the booth's status."""
    data = tmp_path / "data"
    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config(scripted={"faces_dir": str(faces_dir)}, web={"port": free_port()},
                                controls={"button_pin": 17, "led_pin": 27, "pin_factory": "mock"}))
    env = booth_env(data=data, config=conf, models=model_path.parent, no_desktop=True)
    env["SDL_VIDEODRIVER"] = "dummy"
    booth = start_booth("run", "--camera", "scripted", "--headless", env=env, log=tmp_path / "booth.log",
                        stdout=subprocess.DEVNULL)
    try:
        status: dict[str, object] = {}

        def measured() -> bool:
            nonlocal status
            path = data / "status.json"
            status = json.loads(path.read_text()) if path.exists() else {}
            return status.get("camera_fps") is not None

        wait_until(measured, 90, lambda: f"a frame rate in status.json: {status}", proc=booth)
        result = run_booth("doctor", env=env, timeout=120)
        rows = table(result)
        assert booth.poll() is None, "the booth kept running"
    finally:
        stop(booth)
    assert not [line for line in rows.values() if line.startswith(FAIL)], result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    camera = rows["camera"]
    assert f"in use by the running booth (pid {booth.pid}): scripted subject" in camera, camera
    fps = re.search(r", (\d+) fps, newest frame (\d+\.\d) s old", camera)
    # the booth's own measured rate: frames arriving, never above the scripted camera's 30 fps (how fast
    # this machine draws them is not the point: benchmarks/ui_loop.py measures that)
    assert fps and 1 <= int(fps[1]) <= 31 and float(fps[2]) < 10, camera
    assert camera.startswith(WARN) and "no real camera" in camera
    # a headless booth opens no GPIO: the doctor says so and does not open the pins behind its back either
    assert rows["gpio"].startswith(WARN) and "has not opened GPIO" in rows["gpio"] and "GPIO17" in rows["gpio"]


def test_the_booth_publishes_its_pins_and_the_doctor_reports_them(tmp_path: Path, model_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An attended booth's GPIO state in status.json, read back by the doctor's check (this process is the booth)."""
    from booth.app import Options, build
    from booth.config import load_config
    from booth.ui.display import choose_display

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    monkeypatch.delenv("BOOTH_CONFIG", raising=False)
    for led, expected in ((27, OK), (17, FAIL)):  # LED on the button's pin: the booth reports the clash
        config = load_config(None)
        config.controls.button_pin, config.controls.led_pin, config.controls.pin_factory = 17, led, "mock"
        app = build(config, camera_spec="scripted", options=Options(headless=False),
                    display_choice=choose_display(config.display, headless=True))
        try:
            app.start()
            app.housekeeper.write_status()
            gpio = json.loads((tmp_path / "data" / "status.json").read_text())["gpio"]
            check = check_gpio(config)
        finally:
            app.close()
            app.camera.stop()
        assert check.status == expected, check
        if expected == OK:
            assert gpio == {"factory": "MockFactory", "button": 17, "led": 27, "problems": []}
            assert check.detail == f"in use by the running booth (pid {os.getpid()}): button on GPIO17, " \
                                   "led on GPIO27 (MockFactory)"
        else:
            assert gpio["button"] == 17 and gpio["led"] is None and "BCM 17" in gpio["problems"][0]
            assert "the running booth" in check.detail and "BCM 17" in check.detail


def test_a_stale_or_dead_booth_is_not_running(tmp_path: Path) -> None:
    from booth.doctor import running_booth
    from booth.status import STALE_AFTER_S, BoothStatus, write_status

    config = config_from_dict({"storage": {"data_dir": str(tmp_path)}})
    assert running_booth(config) is None
    write_status(tmp_path, BoothStatus())
    assert running_booth(config).pid == os.getpid()
    assert running_booth(config, now=time.time() + STALE_AFTER_S + 1) is None  # last written too long ago
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    write_status(tmp_path, BoothStatus(pid=int(dead.stdout)))  # a booth killed before it could clean up
    assert running_booth(config) is None


def test_fonts_for_a_cjk_language_need_noto_cjk(tmp_path: Path) -> None:
    """Japanese offered: the doctor names the CJK collection it found, and fails (naming the package) without it."""
    from booth.config import config_from_dict
    from booth.doctor import check_fonts
    from booth.i18n import LANGUAGES

    assert LANGUAGES["ja"].script == "cjk"
    config = config_from_dict({})
    config.display.languages = ["en", "ja"]  # as [display] languages says once ja's catalogue is in
    found = check_fonts(config)
    assert found.status == "OK" and "NotoSansCJK-Regular.ttc for ja" in found.detail
    missing = check_fonts(config, cjk_dirs=(tmp_path,), use_fontconfig=False)
    assert missing.status == "FAIL" and "ja" in missing.detail and missing.fix == "sudo apt-get install fonts-noto-cjk"
    config.display.languages = ["en", "de"]  # no CJK language offered: no CJK font needed
    assert check_fonts(config, cjk_dirs=(tmp_path,), use_fontconfig=False).status == "OK"
