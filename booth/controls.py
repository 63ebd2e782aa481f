"""Every way a subject can act — big button, keyboard, touch — as the same few inputs.

The GPIO button reports on gpiozero's own threads, so it only ever posts an
:class:`~booth.session.Input` through a thread-safe callable; it never draws
and never touches the session. The LED is driven from the session's
``SetLed`` effects: pulsing when the button is the next step, solid while
coaching, off while the booth works.

A GPIO pin that is configured but cannot be opened raises :class:`GpioError`
with the one line staff need; the booth shows it and carries on with keyboard
and touch. It never swaps in a mock pin on its own.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from booth.config import ControlsConfig
from booth.pi import pi_model
from booth.session import LOOKS, Action, Input, Phase, State

log = logging.getLogger(__name__)

Post = Callable[[Input], None]

FACTORIES = {
    "lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory"),
    "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory"),
    "pigpio": ("gpiozero.pins.pigpio", "PiGPIOFactory"),
    "native": ("gpiozero.pins.native", "NativeFactory"),
}
BOUNCE_S = 0.03  # contacts chatter for a few ms; one press must count once
REFRACTORY_S = 0.25  # and a second "press" sooner than this is chatter the pin let through


LGPIO_DIR_PREFIX = "booth-lgpio-"
_lgpio_dir: str | None = None  # the folder this process made for lgpio


class GpioError(Exception):
    """GPIO is configured but unusable; the message says what and what to do."""


def lgpio_workdir() -> str:
    """Give lgpio a private, writable folder for its notify pipe (unless ``$LG_WD`` names one); returns it.

    On import lgpio makes a FIFO ``.lgd-nfy<N>`` in ``$LG_WD``, or else in the
    current directory, and chdir()s there (lg's lgUtil.c ``lguGetWorkDir``,
    lgNotify.c; the Python module then opens the pipe by that relative name).
    From a directory the user may not write to, as with ``sudo -u booth booth
    doctor`` from a home directory, the import fails (gpiozero issue #1106);
    and two processes in one directory share one pipe name (lg issue #12).
    So each booth process gets its own folder: under systemd's
    RuntimeDirectory or ``$XDG_RUNTIME_DIR`` when writable, else the temp
    directory, removed at exit. It must be set before lgpio is first imported.
    A folder of this kind inherited from a parent booth process is not shared.
    """
    global _lgpio_dir
    given = os.environ.get("LG_WD", "")
    if given and (given == _lgpio_dir or not os.path.basename(given).startswith(LGPIO_DIR_PREFIX)):
        return given
    base = next((d for d in (os.environ.get("RUNTIME_DIRECTORY"), os.environ.get("XDG_RUNTIME_DIR"))
                 if d and os.access(d, os.W_OK | os.X_OK)), None)
    path = _lgpio_dir = tempfile.mkdtemp(prefix=LGPIO_DIR_PREFIX, dir=base)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["LG_WD"] = path
    return path


def make_pin_factory(name: str, model: str | None = None) -> Any:
    """The gpiozero pin factory for a config name; None = gpiozero's own choice.

    "auto" means lgpio on a Pi 5 (the older libraries cannot drive its RP1
    chip) and gpiozero's default elsewhere, which includes a factory already
    set on ``Device.pin_factory``.
    """
    model = pi_model() if model is None else model
    lgpio_workdir()  # before gpiozero (its default factory included) may import lgpio
    if name == "auto":
        if "Raspberry Pi 5" not in model:
            return None
        name = "lgpio"
    if name == "mock":
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        log.warning("GPIO uses a MOCK pin factory ([controls] pin_factory = \"mock\"): the real button will not work")
        return MockFactory(pin_class=MockPWMPin)
    module, cls = FACTORIES[name]
    try:
        factory_cls = getattr(__import__(module, fromlist=[cls]), cls)
        return factory_cls()
    except Exception as exc:  # ImportError, or the library cannot reach the chip
        raise GpioError(f"GPIO pin factory {name!r} failed: {exc}") from None


def _gpio_hint(what: str, pin: int, exc: BaseException) -> GpioError:
    return GpioError(
        f"GPIO {what} on BCM {pin} is configured but unusable: {exc}. "
        f"Check the wiring and that this user may use GPIO (group gpio), "
        f"or set [controls] {what}_pin = -1 to run without it."
    )


class Button:
    """The big button: a short press is the screen's main action, a long press is back."""

    def __init__(self, pin: int, long_press_s: float, post: Post, factory: Any = None) -> None:
        from gpiozero import Button as GzButton

        self._post = post
        self._held = False
        self._last_main = -1e9
        self._lock = threading.Lock()
        try:
            self.device = GzButton(pin, pull_up=True, bounce_time=BOUNCE_S, hold_time=long_press_s,
                                   pin_factory=factory)
        except Exception as exc:
            raise _gpio_hint("button", pin, exc) from None
        self.device.when_pressed = self._pressed
        self.device.when_held = self._long
        self.device.when_released = self._released

    # gpiozero calls these on its own thread: post and return.
    def _pressed(self) -> None:
        with self._lock:
            self._held = False

    def _long(self) -> None:
        with self._lock:
            self._held = True
        self._post(Input(Action.BACK))

    def _released(self) -> None:
        now = time.monotonic()
        with self._lock:
            was_long = self._held
            self._held = False
            chatter = now - self._last_main < REFRACTORY_S
            if not was_long and not chatter:
                self._last_main = now
        if not was_long and not chatter:
            self._post(Input(Action.MAIN))

    def close(self) -> None:
        self.device.close()


class Led:
    """The button's light: "off", "on" or "pulse" (PWM fade if the pins can, else a blink)."""

    def __init__(self, pin: int, factory: Any = None) -> None:
        from gpiozero import LED, PWMLED
        from gpiozero.exc import PinPWMUnsupported

        try:
            try:
                self.device: Any = PWMLED(pin, pin_factory=factory)
                self.pwm = True
            except PinPWMUnsupported:
                self.device = LED(pin, pin_factory=factory)
                self.pwm = False
        except Exception as exc:
            raise _gpio_hint("led", pin, exc) from None
        self.mode = "off"

    def set(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        if mode == "on":
            self.device.on()
        elif mode == "pulse":
            if self.pwm:
                self.device.pulse(fade_in_time=0.9, fade_out_time=0.9)
            else:
                self.device.blink(on_time=0.6, off_time=0.6)
        else:
            self.device.off()

    def close(self) -> None:
        self.device.close()


@dataclass
class Gpio:
    """The button and LED that were opened, and what went wrong with the rest."""

    button: Button | None
    led: Led | None
    problems: list[str]

    def set_led(self, mode: str) -> None:
        if self.led is not None:
            self.led.set(mode)

    def close(self) -> None:
        for dev in (self.button, self.led):
            if dev is not None:
                dev.close()


def open_gpio(config: ControlsConfig, post: Post, factory: Any = "config") -> Gpio:
    """Open the configured button and LED; each failure becomes one line in ``problems``.

    Nothing is opened (and gpiozero is not even imported) when both pins are -1.
    """
    problems: list[str] = []
    if config.button_pin < 0 and config.led_pin < 0:
        return Gpio(None, None, problems)
    lgpio_workdir()  # gpiozero's own default factory tries lgpio first
    if factory == "config":
        try:
            factory = make_pin_factory(config.pin_factory)
        except GpioError as exc:
            pins = ", ".join(f"BCM {p}" for p in (config.button_pin, config.led_pin) if p >= 0)
            msg = f"{exc} ({pins} configured); set [controls] pin_factory or button_pin = -1"
            log.error("%s", msg)
            return Gpio(None, None, [msg])
    button = led = None
    if config.button_pin >= 0:
        try:
            button = Button(config.button_pin, config.long_press_s, post, factory)
        except GpioError as exc:
            problems.append(str(exc))
    if config.led_pin >= 0:
        try:
            led = Led(config.led_pin, factory)
        except GpioError as exc:
            problems.append(str(exc))
    for p in problems:
        log.error("%s", p)
    if button is not None:
        kind = type(button.device.pin_factory).__name__
        log.info("GPIO button on BCM %d (%s)%s", config.button_pin, kind,
                 f", LED on BCM {config.led_pin}" if led else "")
        if "Mock" in kind and config.pin_factory != "mock":
            log.warning("GPIO pin factory is a mock (%s): the real button will not work", kind)
    return Gpio(button, led, problems)


# ---------------------------------------------------------------- keyboard and touch


def key_action(key: int) -> Action | None:
    """What a key means: space/enter act, escape/backspace go back, arrows steer, Delete
    leaves the lit shot out of the pick (or keeps it again): the key a guest reaches for to
    drop a photo, and one that means nothing on any other screen, so a stray press harms
    nothing. (Backspace, the other guess, already means back/retake on every screen.) On the
    pick, up and down choose the retouch level while left and right light a photo; elsewhere
    all four arrows steer the one row of choices. L or Tab: the next language, on the attract
    screen."""
    import pygame

    return {
        pygame.K_SPACE: Action.MAIN,
        pygame.K_RETURN: Action.MAIN,
        pygame.K_KP_ENTER: Action.MAIN,
        pygame.K_ESCAPE: Action.BACK,
        pygame.K_BACKSPACE: Action.BACK,
        pygame.K_LEFT: Action.PREV,
        pygame.K_UP: Action.UP,
        pygame.K_RIGHT: Action.NEXT,
        pygame.K_DOWN: Action.DOWN,
        pygame.K_DELETE: Action.TOGGLE,
        pygame.K_l: Action.LANGUAGE,
        pygame.K_TAB: Action.LANGUAGE,
    }.get(key)


def is_quit(event: Any) -> bool:
    """The window closed, or Ctrl+Q: staff's way out, the same in the booth and on its error screen."""
    import pygame

    if event.type == pygame.QUIT:
        return True
    return bool(event.type == pygame.KEYDOWN and event.key == pygame.K_q and event.mod & pygame.KMOD_CTRL)


HitTest = Callable[[tuple[int, int]], Input | None]


def translate(event: Any, size: tuple[int, int], hit_test: HitTest, config: ControlsConfig) -> Input | None:
    """One pygame event as an Input, or None. Touch arrives as FINGERDOWN; the
    mouse events SDL synthesises from touch are skipped so a tap counts once."""
    import pygame

    if event.type == pygame.KEYDOWN and config.keyboard:
        action = key_action(event.key)
        return Input(action) if action else None
    if not config.touch:
        return None
    if event.type == pygame.FINGERDOWN:
        return hit_test((int(event.x * size[0]), int(event.y * size[1])))
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch", False):
        return hit_test(event.pos)
    return None


# ---------------------------------------------------------------- headless


class Autopilot:
    """A patient subject's hand for unattended runs: does what each screen asks, after a beat.

    The coach's expression trigger takes the shot; only if it has not fired
    after ``press_after_s`` does the hand press the button (countdown and all).

    The hand keeps no memory: its answer depends on the screen alone and the
    App applies it to that same state at once; every press moves the session
    on (or, on review, starts publishing), so no screen gets two. A "pressed
    here already" memory once outlived a press the session turned down (the
    camera lost in the same instant) and left attract waiting for ever.
    """

    def __init__(self, look: str = "smile", pause_s: float = 1.0, press_after_s: float = 15.0,
                 walk_in_s: float = 3.0) -> None:
        self.look = look if look in LOOKS else "smile"
        self.pause_s = pause_s
        self.walk_in_s = walk_in_s  # on attract: a newcomer takes a moment to step up
        self.press_after_s = press_after_s

    def next_input(self, state: State, now: float) -> Input | None:
        """What the hand does on this screen now (a pure function of the state and the time)."""
        waited = now - state.since
        p = state.phase
        choice: Input | None = None
        if p is Phase.ATTRACT and state.can_start and state.face and waited >= self.walk_in_s:
            choice = Input(Action.MAIN)
        elif p is Phase.CHOOSE and waited >= self.pause_s:
            choice = Input(Action.PICK, LOOKS.index(self.look))
        elif p is Phase.COACH and waited >= self.press_after_s:
            choice = Input(Action.MAIN)
        elif p in (Phase.REVIEW, Phase.PICK) and not state.publishing and waited >= self.pause_s:
            choice = Input(Action.MAIN)  # on the pick: every shot is kept at first, so this keeps all
        elif p in (Phase.SHARE_WIFI, Phase.SHARE) and waited >= self.pause_s * 1.5:
            choice = Input(Action.MAIN)
        return choice
