"""Controls with gpiozero's own MockFactory pins, real pygame events, and the autopilot."""

from __future__ import annotations

import queue
import time

import pygame
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from booth import controls
from booth.config import ControlsConfig
from booth.session import Action, Input, Phase, State
from machine import absent, real_gpio

BUTTON, LED = 17, 18  # on MockFactory pins, or with the GPIO library made absent: never a real pin


@pytest.fixture
def pwm_factory():
    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = None


@pytest.fixture
def plain_factory():
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = None


def _gpio(long_press_s: float = 0.3, **kw):
    posted: queue.Queue[Input] = queue.Queue()
    cfg = ControlsConfig(button_pin=BUTTON, led_pin=LED, long_press_s=long_press_s, **kw)
    return controls.open_gpio(cfg, posted.put), posted


def _drain(q: queue.Queue, wait: float = 0.05) -> list[Input]:
    time.sleep(wait)
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    return out


def test_short_press_is_the_main_action(pwm_factory):
    gpio, posted = _gpio()
    pin = pwm_factory.pin(BUTTON)
    pin.drive_low()
    time.sleep(0.05)
    assert _drain(posted, 0) == []  # nothing until release: it might become a long press
    pin.drive_high()
    assert _drain(posted) == [Input(Action.MAIN)]
    gpio.close()


def test_long_press_is_back_once_and_no_main_on_release(pwm_factory):
    gpio, posted = _gpio(long_press_s=0.3)
    pin = pwm_factory.pin(BUTTON)
    pin.drive_low()
    time.sleep(0.45)
    assert _drain(posted, 0) == [Input(Action.BACK)]  # felt while still holding
    time.sleep(0.4)  # hold_repeat is off: no second BACK
    pin.drive_high()
    assert _drain(posted) == []
    gpio.close()


def test_contact_chatter_counts_once_but_two_presses_count_twice(pwm_factory):
    gpio, posted = _gpio()
    pin = pwm_factory.pin(BUTTON)
    for _ in range(3):  # a bouncing contact
        pin.drive_low()
        pin.drive_high()
    assert _drain(posted) == [Input(Action.MAIN)]
    time.sleep(controls.REFRACTORY_S)
    pin.drive_low()
    time.sleep(0.02)
    pin.drive_high()
    assert _drain(posted) == [Input(Action.MAIN)]
    gpio.close()


def test_callbacks_post_from_gpiozero_threads(pwm_factory):
    import threading

    seen = []
    cfg = ControlsConfig(button_pin=BUTTON, led_pin=-1)
    gpio = controls.open_gpio(cfg, lambda i: seen.append(threading.current_thread()))
    pin = pwm_factory.pin(BUTTON)
    pin.drive_low()
    pin.drive_high()
    time.sleep(0.05)
    assert len(seen) == 1
    gpio.close()


def test_led_on_off_and_pulse_with_pwm(pwm_factory):
    gpio, _ = _gpio()
    assert gpio.led is not None and gpio.led.pwm
    pin = pwm_factory.pin(LED)
    gpio.set_led("on")
    assert pin.state == 1
    gpio.set_led("off")
    assert pin.state == 0
    gpio.set_led("pulse")
    levels = set()
    for _ in range(40):
        levels.add(round(pin.state, 2))
        time.sleep(0.025)
    assert len(levels) >= 5 and 0 < max(levels)  # a fade, not a blink
    gpio.set_led("off")
    time.sleep(0.05)
    assert pin.state == 0
    gpio.close()


def test_led_blinks_when_the_pins_have_no_pwm(plain_factory):
    gpio, _ = _gpio()
    assert gpio.led is not None and not gpio.led.pwm
    pin = plain_factory.pin(LED)
    gpio.set_led("pulse")
    seen = set()
    for _ in range(30):
        seen.add(pin.state)
        time.sleep(0.05)
    assert seen == {0, 1}
    gpio.set_led("on")
    assert pin.state == 1
    gpio.close()


def test_no_pins_configured_opens_nothing():
    gpio = controls.open_gpio(ControlsConfig(), lambda i: None)
    assert gpio.button is None and gpio.led is None and gpio.problems == []
    gpio.set_led("pulse")  # harmless


def test_missing_gpio_library_is_reported_not_mocked(caplog, monkeypatch):
    absent(monkeypatch, "lgpio")  # as on a Pi without python3-lgpio (on one with it, BCM 17 and 18 are real)
    assert Device.pin_factory is None
    cfg = ControlsConfig(button_pin=BUTTON, led_pin=LED, pin_factory="lgpio")
    gpio = controls.open_gpio(cfg, lambda i: None)
    assert gpio.button is None and gpio.led is None
    assert len(gpio.problems) == 1
    assert "lgpio" in gpio.problems[0] and "BCM 17" in gpio.problems[0] and "button_pin = -1" in gpio.problems[0]
    assert any(r.levelname == "ERROR" for r in caplog.records)
    assert Device.pin_factory is None


def test_no_gpio_hardware_with_the_default_factory_is_reported():
    from gpiozero.exc import PinFactoryFallback

    why = real_gpio()
    if why:
        pytest.skip(f"{why}: gpiozero's default factory would claim BCM {BUTTON}")
    assert Device.pin_factory is None
    with pytest.warns(PinFactoryFallback):  # gpiozero tried each real GPIO library in turn
        gpio = controls.open_gpio(ControlsConfig(button_pin=BUTTON, led_pin=-1), lambda i: None)
    assert gpio.button is None
    assert gpio.problems and "BCM 17" in gpio.problems[0] and "unusable" in gpio.problems[0]
    assert Device.pin_factory is None or "Mock" not in type(Device.pin_factory).__name__


def test_auto_picks_lgpio_on_a_pi5_and_default_elsewhere(monkeypatch):
    assert controls.make_pin_factory("auto", model="") is None
    absent(monkeypatch, "lgpio")  # so that the attempt shows, on a Pi 5 too
    with pytest.raises(controls.GpioError, match="lgpio"):
        controls.make_pin_factory("auto", model="Raspberry Pi 5 Model B Rev 1.0")


def test_mock_only_when_asked_for_and_said_loudly(caplog):
    factory = controls.make_pin_factory("mock")
    assert isinstance(factory, MockFactory)
    assert "MOCK" in caplog.text
    factory.close()


def test_pi_model_reads_the_device_tree(tmp_path):
    f = tmp_path / "model"
    f.write_bytes(b"Raspberry Pi 5 Model B Rev 1.0\0")
    assert controls.pi_model(f) == "Raspberry Pi 5 Model B Rev 1.0"
    assert controls.pi_model(tmp_path / "absent") == ""


# ---------------------------------------------------------------- keyboard and touch


@pytest.mark.parametrize(
    "key,action",
    [
        (pygame.K_SPACE, Action.MAIN), (pygame.K_RETURN, Action.MAIN), (pygame.K_ESCAPE, Action.BACK),
        (pygame.K_LEFT, Action.PREV), (pygame.K_UP, Action.UP), (pygame.K_RIGHT, Action.NEXT),
        (pygame.K_DOWN, Action.DOWN), (pygame.K_BACKSPACE, Action.BACK), (pygame.K_DELETE, Action.TOGGLE),
        (pygame.K_l, Action.LANGUAGE), (pygame.K_TAB, Action.LANGUAGE),
        (pygame.K_a, None),
    ],
)
def test_keys(key, action):
    ev = pygame.event.Event(pygame.KEYDOWN, key=key)
    got = controls.translate(ev, (800, 600), lambda p: None, ControlsConfig())
    assert got == (Input(action) if action else None)


def test_touch_and_mouse_go_through_the_hit_test_once():
    hits = []

    def hit(pos):
        hits.append(pos)
        return Input(Action.PICK, 1)

    cfg = ControlsConfig()
    finger = pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.25, touch_id=0, finger_id=0)
    assert controls.translate(finger, (800, 600), hit, cfg) == Input(Action.PICK, 1)
    synthetic = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(400, 150), button=1, touch=True)
    assert controls.translate(synthetic, (800, 600), hit, cfg) is None
    mouse = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(10, 20), button=1, touch=False)
    controls.translate(mouse, (800, 600), hit, cfg)
    assert hits == [(400, 150), (10, 20)]


def test_keyboard_and_touch_can_be_switched_off():
    cfg = ControlsConfig(keyboard=False, touch=False)
    key = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE)
    finger = pygame.event.Event(pygame.FINGERDOWN, x=0.5, y=0.5, touch_id=0, finger_id=0)
    assert controls.translate(key, (10, 10), lambda p: Input(Action.MAIN), cfg) is None
    assert controls.translate(finger, (10, 10), lambda p: Input(Action.MAIN), cfg) is None


# ---------------------------------------------------------------- autopilot


def test_autopilot_waits_for_a_face_then_presses_until_the_screen_moves_on():
    pilot = controls.Autopilot(pause_s=1.0, walk_in_s=3.0)
    st = State(phase=Phase.ATTRACT, since=10.0, face=False)
    assert pilot.next_input(st, 20.0) is None
    st = State(phase=Phase.ATTRACT, since=10.0, face=True)
    assert pilot.next_input(st, 12.9) is None
    assert pilot.next_input(st, 13.0) == Input(Action.MAIN)
    # No memory of its own: a screen that still asks (the press was turned down) gets
    # another; the session moving on is what stops it (tests/test_app_stall.py).
    assert pilot.next_input(st, 13.1) == Input(Action.MAIN)
    assert pilot.next_input(State(phase=Phase.BREATHE, since=13.0, number=1, face=True), 13.1) is None


def test_autopilot_does_nothing_when_captures_are_off():
    pilot = controls.Autopilot()
    st = State(phase=Phase.ATTRACT, face=True, disk_ok=False)
    assert pilot.next_input(st, 100.0) is None


def test_autopilot_picks_its_look_keeps_and_finishes():
    pilot = controls.Autopilot(look="serious", pause_s=1.0, press_after_s=15.0)
    assert pilot.next_input(State(phase=Phase.CHOOSE, number=1), 1.0) == Input(Action.PICK, 1)
    assert pilot.next_input(State(phase=Phase.COACH, number=1), 14.0) is None
    assert pilot.next_input(State(phase=Phase.COACH, number=1), 15.0) == Input(Action.MAIN)
    assert pilot.next_input(State(phase=Phase.REVIEW, number=1, publishing=True), 5.0) is None
    assert pilot.next_input(State(phase=Phase.REVIEW, number=1), 5.0) == Input(Action.MAIN)
    assert pilot.next_input(State(phase=Phase.SHARE, number=1), 1.4) is None
    assert pilot.next_input(State(phase=Phase.SHARE, number=1), 1.5) == Input(Action.MAIN)
    for p in (Phase.BREATHE, Phase.COUNTDOWN, Phase.CAPTURE, Phase.PROCESSING, Phase.GOODBYE):
        assert pilot.next_input(State(phase=p, number=1), 100.0) is None
