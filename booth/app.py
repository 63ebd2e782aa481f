"""`booth run`: the thin shell around the pure session — threads, display, hardware.

Threads in this process:

* the camera's own capture thread fills a one-slot latest-frame buffer;
* the analysis worker (:mod:`booth.analysis`) runs the face model and the
  coach on the newest frame only and posts ``Analysed`` events;
* the capture worker (:mod:`booth.capture`) takes the burst, makes and saves
  the photo, and posts the answers;
* gpiozero's threads post button presses; the housekeeper posts camera and
  disk changes and writes the status file for the staff page;
* the main thread (this module) runs the render loop at the display rate:
  it drains the event queue into the session, carries out the effects by
  handing them to the workers (never waiting on them), draws the state, and
  pets the systemd watchdog.

Headless (``--headless``, or no display at all) the same loop draws into
SDL's dummy driver and a scripted hand (:class:`booth.controls.Autopilot`)
presses the button, so unattended runs go through the real code.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booth import notify
from booth.config import Config
from booth.controls import Autopilot, Gpio, is_quit, open_gpio, translate
from booth.event import Event
from booth.session import (
    Analyse,
    CameraBack,
    CameraLost,
    Cue,
    Discard,
    DiskLow,
    DiskOk,
    Effect,
    Notice,
    Phase,
    PlaySound,
    Publish,
    Session,
    SessionEnded,
    SessionStarted,
    Settings,
    SetLed,
    StartCapture,
    StartProcessing,
    Tick,
)

log = logging.getLogger("booth.app")

SHOT_DELAY_S = 0.6  # a screenshot is taken this far into a screen ...
LATE_SHOTS = (Phase.ATTRACT, Phase.COACH)  # ... or, for these, on their last frame (subject in, meter fullest)
STATUS_EVERY_S = 5.0
FPS_SAMPLES = 10  # the frame rate in the status file is measured over the last 10 checks (5 s)
SHARING = (Phase.SHARE_WIFI, Phase.SHARE)


@dataclass
class Options:
    headless: bool = False
    sessions: int | None = None  # stop after this many completed sessions
    screenshots: Path | None = None
    print_urls: bool = False
    autopilot: bool = False
    autopilot_scripted_only: bool = False  # ... and only if the camera is the scripted subject
    max_run_s: float | None = None  # give up (exit 1) after this long


class Screenshots:
    """A PNG of every screen shown, written by a small thread (the loop never waits on disk)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []
        self._seq = 0
        self._key: tuple | None = None
        self._pending: tuple[Any, str] | None = None
        self._taken = False
        self._jobs: queue.Queue[tuple[Any, Path] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="screenshots", daemon=True)
        self._thread.start()

    def after_frame(self, surface: Any, state: Any, now: float) -> None:
        key = (state.number, state.phase, state.since)
        if key != self._key:
            self._flush_pending()
            self._key, self._taken = key, False
        if self._taken:
            return
        number = state.number + (1 if state.phase is Phase.ATTRACT else 0)
        self._pending = (surface.copy(), f"session{number:02d}-{state.phase.value}")
        if state.phase not in LATE_SHOTS and now - state.since >= SHOT_DELAY_S:
            self._flush_pending()
            self._taken = True

    def _flush_pending(self) -> None:
        if self._pending is None:
            return
        surface, name = self._pending
        self._pending = None
        self._seq += 1
        path = self.folder / f"{self._seq:03d}-{name}.png"
        self.saved.append(path)
        self._jobs.put((surface, path))

    def close(self) -> None:
        self._flush_pending()
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        import pygame

        while (job := self._jobs.get()) is not None:
            surface, path = job
            try:
                pygame.image.save(surface, str(path))
            except Exception as exc:
                log.error("screenshot %s not saved: %s", path.name, exc)


class Housekeeper:
    """Polls the slow facts (camera health, free disk) and reports changes as events;
    writes the status file the staff page and `booth doctor` read, and systemd's
    STATUS= line, both from one snapshot (:meth:`snapshot`)."""

    def __init__(self, app: App, disk: Any, data_dir: Path, every_s: float = 0.5) -> None:
        self.app = app
        self.disk = disk
        self.data_dir = data_dir
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeper", daemon=True)
        self.camera_ok = True
        self.disk_ok = True
        self.started = time.time()
        self.announced: str | None = None  # the STATUS= line systemd has now
        self._announce_lock = threading.Lock()
        # (index, timestamp) of the newest preview frame at each check: the frame rate staff see
        self._frames: deque[tuple[int, float]] = deque(maxlen=FPS_SAMPLES)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def check(self) -> None:
        from booth.camera.base import Health

        status = self.app.camera.status
        ok = status.health not in (Health.FAILED, Health.STALLED)
        if ok != self.camera_ok:
            self.camera_ok = ok
            if ok:
                log.info("camera is back")
                self.app.post(CameraBack())
            else:
                log.warning("camera down: %s", status.message or status.health.value)
                self.app.post(CameraLost())
        if self.disk is not None:
            disk_ok = self.disk.ok()
            if disk_ok != self.disk_ok:
                self.disk_ok = disk_ok
                if disk_ok:
                    log.info("disk space is back: captures resume")
                    self.app.post(DiskOk())
                else:
                    log.warning("disk nearly full (under %d MB free): captures paused", self.disk.min_free_mb)
                    self.app.post(DiskLow())
        frame = self.app.camera.latest()
        if frame is not None and (not self._frames or frame.index != self._frames[-1][0]):
            self._frames.append((frame.index, frame.timestamp))
        if self.announced is not None:  # after READY: each change of the line, once
            self.announce()

    def message(self) -> str:
        """The staff-facing problem now ("" when all is well): both faults weighed together."""
        from booth.status import fault_message

        return fault_message(camera_ok=self.camera_ok, disk_low=not self.disk_ok)

    def announce(self, *extra: str) -> None:
        """Send systemd the STATUS= line (with ``extra`` fields such as READY=1) if it changed."""
        from booth.status import RUNNING

        with self._announce_lock:  # READY from the render loop, changes from the housekeeper thread
            line = self.message() or RUNNING
            if extra or line != self.announced:
                notify.notify(*extra, notify.status_field(line))
                self.announced = line

    def fps(self) -> float | None:
        """Preview frames a second over the last few checks (None until two frames are seen)."""
        if len(self._frames) < 2:
            return None
        (i0, t0), (i1, t1) = self._frames[0], self._frames[-1]
        return (i1 - i0) / (t1 - t0) if t1 > t0 else None

    def gpio_state(self) -> dict[str, Any]:
        """The pins the booth holds, for `booth doctor` ({} when none were opened)."""
        gpio = self.app.gpio
        opened = [d for d in (gpio.button, gpio.led) if d is not None]
        if not opened and not gpio.problems:
            return {}
        return {
            "factory": type(opened[0].device.pin_factory).__name__ if opened else "",
            "button": self.app.config.controls.button_pin if gpio.button is not None else None,
            "led": self.app.config.controls.led_pin if gpio.led is not None else None,
            "problems": list(gpio.problems),
        }

    def snapshot(self) -> Any:
        """The status file's contents now (the same message as the STATUS= line)."""
        from booth.status import BoothStatus

        camera = self.app.camera
        frame = camera.latest()
        fps = self.fps()
        return BoothStatus(
            state=self.app.session.state.phase.value, camera=camera.name, camera_ok=self.camera_ok,
            disk_low=not self.disk_ok, message=self.message(), photos_taken=self.app.capture.saved,
            started=self.started, camera_detail=camera.describe(),
            camera_fps=None if fps is None else round(fps, 1),
            frame_age_s=None if frame is None else round(time.monotonic() - frame.timestamp, 2),
            gpio=self.gpio_state(), frames_drawn=self.app.frames, frames_analysed=self.app.analysis.frames,
        )

    def write_status(self) -> None:
        from booth.status import write_status

        try:
            write_status(self.data_dir, self.snapshot())
        except OSError as exc:
            log.warning("status file not written: %s", exc)

    def _run(self) -> None:
        last_status = 0.0
        while not self._stop.wait(self.every_s):
            try:
                self.check()
                if time.monotonic() - last_status >= STATUS_EVERY_S:
                    self.write_status()
                    last_status = time.monotonic()
            except Exception:
                log.exception("housekeeping failed")


class App:
    """The render loop and the dispatch of effects; see the module docstring."""

    def __init__(self, config: Config, camera: Any, display: Any, *, analysis: Any, capture: Any,
                 options: Options, gpio: Gpio | None = None, disk: Any = None,
                 sounds: Any = None, notices: list[str] | None = None, owned: list[Any] | None = None) -> None:
        from booth.coach import LOOK_INFO
        from booth.net import base_url, wifi_payload
        from booth.ui.fonts import Fonts
        from booth.ui.layout import Layout
        from booth.ui.screens import Renderer
        from booth.ui.words import words_for

        self.config = config
        self.camera = camera
        self.display = display
        self.analysis = analysis
        self.capture = capture
        self.options = options
        self.gpio = gpio or Gpio(None, None, [])
        self.sounds = sounds
        self.owned = owned or []  # closed with the app (the gallery)
        self.events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.settings = Settings.from_config(config)
        self.session = Session(self.settings, time.monotonic())
        self.layout = Layout(*display.size)
        self.fonts = Fonts.from_config(config.display.font, config.display.languages)
        self.renderer = Renderer(self.layout, self.fonts)
        self.autopilot = Autopilot(
            look=config.session.look,  # Autopilot falls back to "smile" itself
            press_after_s=15.0 if config.coach.auto_trigger else 2.0,
        ) if options.autopilot else None
        self.screenshots = Screenshots(options.screenshots) if options.screenshots else None
        self.housekeeper = Housekeeper(self, disk, config.data_dir)
        self.look_info = LOOK_INFO
        self.event = Event.from_settings(config.event)  # the logo was read and checked with the config
        self.wifi = wifi_payload(config.wifi.ssid, config.wifi.password) if config.wifi.ssid else ""
        # [cloud] set: the QR is the cloud page's; the booth's own address stays the way with no signal.
        self.local_base = base_url(config.web) if config.cloud.enabled else ""
        # The controls that really work: a configured button that failed to open does not count;
        # headless, the unattended hand "presses the button".
        self.words = words_for(button=self.gpio.button is not None or options.headless,
                               touch=config.controls.touch, keyboard=config.controls.keyboard)
        self._guide_key: tuple[Any, ...] | None = None
        self._guide: Any = None
        self._head_key: tuple[Any, ...] | None = None
        self._head_box: Any = None
        self.quit = False
        self.started = self.completed = 0
        self.urls: list[str] = []
        self.frames = 0
        self.last_drawn: Any = None
        self._ready_sent = False
        self._closed = False
        self._watchdog_at = 0.0
        self._ping_s = notify.ping_period()
        for text in (notices or []) + ([self.fonts.problem] if self.fonts.problem else []):
            self.post(Notice(text))

    def post(self, event: Any) -> None:
        """Thread-safe: any thread may hand the session an event."""
        self.events.put(event)

    # ---- effects: hand each to whoever carries it out, never wait
    def dispatch(self, effects: tuple[Effect, ...]) -> None:
        for e in effects:
            if isinstance(e, SetLed):
                self.gpio.set_led(e.mode)
            elif isinstance(e, PlaySound):
                if self.sounds is not None:
                    self.sounds.play(e.name)
            elif isinstance(e, Cue):
                self.camera.cue(e.state, e.look, e.prompts)
            elif isinstance(e, Analyse):
                self.analysis.set_mode(e.mode, e.look)
            elif isinstance(e, (StartCapture, StartProcessing, Publish, Discard)):
                self.capture.submit(e)
            elif isinstance(e, SessionStarted):
                self.capture.submit(e)  # a new visit for the photos it keeps
                self.started += 1
                log.info("session %d started", e.number)
            elif isinstance(e, SessionEnded):
                self.completed += int(e.kept)
                log.info("session %d ended (%s)", e.number, "photo kept" if e.kept else "no photo")

    def handle(self, event: Any, now: float) -> None:
        before = self.session.state.phase
        effects = self.session.handle(event, now)
        after = self.session.state
        if after.phase in SHARING and before not in SHARING and after.url:  # the photo is out: its link
            self.urls.append(after.url)
            if self.options.print_urls:
                print(after.url, flush=True)
        self.dispatch(effects)

    # ---- the loop
    def run(self) -> int:
        self.start()
        period = 1.0 / self.config.display.fps
        began = next_at = time.monotonic()
        try:
            while not self.quit:
                now = time.monotonic()
                self.step(now)
                if self._finished(now - began):
                    break
                next_at += period
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                elif delay < -period:
                    next_at = time.monotonic()  # fell behind: do not try to catch up in a burst
        finally:
            self.close()
        want = self.options.sessions
        if want is not None and self.completed < want:
            log.error("only %d of %d sessions completed", self.completed, want)
            return 1
        return 0

    def start(self) -> None:
        """Start the workers and hand the session's power-on effects out."""
        self.capture.start()
        self.analysis.start()
        self.housekeeper.check()  # a camera or disk already down shows at once
        self.housekeeper.start()
        self.dispatch(self.session.handle(Tick(), time.monotonic()))

    def step(self, now: float) -> None:
        """One turn of the loop: inputs and events into the session, then one frame drawn."""
        import pygame

        self._pump(pygame, now)
        self._frame(now)

    def _pump(self, pygame: Any, now: float) -> None:
        for ev in pygame.event.get():
            if is_quit(ev):
                self.quit = True
            else:
                inp = translate(ev, self.layout.size, self._hit, self.config.controls)
                if inp is not None:
                    self.post(inp)
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            self.handle(event, now)
        if self.autopilot is not None:
            # Decided on the state as it is after every queued event, and applied to
            # that same state: a press decided before a queued CameraLost was handled
            # would be turned down by the screen it was meant for.
            inp = self.autopilot.next_input(self.session.state, now)
            if inp is not None:
                self.handle(inp, now)
        self.handle(Tick(), now)

    def _hit(self, pos: tuple[int, int]) -> Any:
        from booth.ui.layout import hit_test

        st = self.session.state
        return hit_test(self.layout, st, pos, retakes_left=st.retakes_left(self.settings),
                        languages=len(self.settings.languages))

    def scene(self, now: float) -> Any:
        from booth.ui.screens import PREVIEW_PHASES, Scene

        st = self.session.state
        frame = self.camera.latest()
        return Scene(
            state=st, now=now, frame=frame, mirror=self.config.camera.mirror_preview,
            expiry_days=self.config.storage.expiry_days, words=self.words,
            touch=self.config.controls.touch and not self.options.headless,
            auto_trigger=self.config.coach.auto_trigger,
            retakes_left=st.retakes_left(self.settings), wifi_ssid=self.config.wifi.ssid,
            wifi_payload=self.wifi, local_base=self.local_base, look_info=self.look_info,
            guide=self._coach_guide(frame) if st.phase is Phase.COACH else None,
            face=self._head(frame) if st.phase in PREVIEW_PHASES else None,
            looked_in=self._looked_in(frame) if st.phase is Phase.BREATHE else None,
            flow=self.settings.flow, event=self.event, languages=self.settings.languages,
        )

    @staticmethod
    def _looked_in(frame: Any) -> Any:
        """The part of the preview the subject is looked for in: the breathing screen shades the rest."""
        from booth.vision import analysed_window

        if frame is None:
            return None
        h, w = frame.image.shape[:2]
        x, y, cw, ch = analysed_window((w, h))
        return (x / w, y / h, cw / w, ch / h)

    def _head(self, frame: Any) -> Any:
        """The subject's head in the preview (made once per analysed face): the live screens keep it clear."""
        from booth.ui.guide import head_box

        face = self.analysis.latest_face
        if frame is None or face is None:
            return None  # nobody seen: the picture sits as it always does
        h, w = frame.image.shape[:2]
        if self._head_key is None or self._head_key[0] is not face or self._head_key[1:] != (w, h):
            self._head_box = head_box((w, h), face)
            self._head_key = (face, w, h)  # holds the face itself: an id() could be reused by the next one
        return self._head_box

    def _coach_guide(self, frame: Any) -> Any:
        """The framing guide from the crop the photo would get now (made once per analysed face)."""
        from booth.ui.guide import guide

        face = self.analysis.latest_face
        if frame is None or face is None:
            return None  # nobody to frame yet: the coach says "Step into the frame"
        h, w = frame.image.shape[:2]
        key = (face, w, h)  # holds the face itself: an id() could be reused by the next one
        if self._guide_key is None or self._guide_key[0] is not face or self._guide_key[1:] != (w, h):
            self._guide = guide((w, h), self.config.photo.crop, face)
            self._guide_key = key
        return self._guide

    def _frame(self, now: float) -> None:
        self.last_drawn = self.renderer.draw(self.display.surface, self.scene(now))
        self.display.flip()
        self.frames += 1
        if self.screenshots is not None:
            self.screenshots.after_frame(self.display.surface, self.session.state, now)
        if not self._ready_sent and (self.camera.latest() is not None or not self.housekeeper.camera_ok):
            # Up with a picture, or up and the screen says what is wrong: a camera
            # that is not there yet is waited for here, not by systemd restarting a
            # black screen. STATUS= comes with READY from the housekeeper's one line
            # (a full disk at start reads "Disk nearly full", not "Running"), and
            # from then on it sends each change of that line.
            self.housekeeper.announce("READY=1")
            self._ready_sent = True
        # from the loop itself: a hung loop gets restarted
        if self._ping_s is not None and now - self._watchdog_at >= self._ping_s:
            notify.notify_watchdog()
            self._watchdog_at = now

    def _finished(self, ran_s: float) -> bool:
        want = self.options.sessions
        if self.options.max_run_s is not None and ran_s > self.options.max_run_s:
            if want is not None and self.completed < want:
                log.error("gave up after %.0f s", ran_s)
            else:
                log.info("stopping after %.0f s as asked", ran_s)
            return True
        if want is None:
            return False
        if self.completed >= want and self.session.state.phase is Phase.ATTRACT:
            return True
        if self.started > 2 * want + 3 and self.session.state.phase is Phase.ATTRACT:
            log.error("too many sessions did not finish (%d started)", self.started)
            return True
        return False

    def close(self) -> None:
        """Stop the workers and release what the app owns. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        notify.notify_stopping()
        self.housekeeper.stop()
        self.analysis.stop()
        self.capture.stop()
        if self.screenshots is not None:
            self.screenshots.close()
        self.gpio.close()
        for thing in self.owned:
            thing.close()
        self.owned = []
        self.display.close()


# ---------------------------------------------------------------- assembly


def build(config: Config, *, camera_spec: str | None, options: Options, windowed: bool = False,
          public_url: str | None = None, display_choice: Any = None) -> App:
    """Open every part from the config (model first: no model, no booth)."""
    from booth.analysis import AnalysisWorker
    from booth.camera.select import open_supervised
    from booth.capture import CaptureWorker
    from booth.demo import DEMO_EXPIRY_TEXT, DEMO_NOTICE, is_demo_camera
    from booth.diskguard import DiskGuard
    from booth.gallery import Gallery
    from booth.models import require_model
    from booth.net import share_base_url
    from booth.ui.display import Display, choose_display
    from booth.ui.sound import Sounds
    from booth.vision import FaceAnalyzer

    model = require_model(config.models_dir)
    choice = display_choice or choose_display(config.display, headless=options.headless, windowed=windowed)
    display = Display(choice, config.display)
    try:
        camera = open_supervised(camera_spec, config)
    except BaseException:
        display.close()  # the start-error screen opens its own
        raise
    camera.frame_to(*display.size)  # the screen shows all of the preview; the photo holds no more
    demo = is_demo_camera(camera.name)
    if demo:
        log.info("camera: %s — no real camera in use", camera.describe())
        # Said at every start (not only by `booth up`): a plain `booth run` into the event's own data
        # folder keeps these photos apart by their mark alone.
        log.warning("running the demo subject (%s): its photos are marked as demo — not counted or exported "
                    "on the staff page, deleted after %s", camera.name, DEMO_EXPIRY_TEXT)
    elif options.autopilot and options.autopilot_scripted_only:
        log.warning("a real camera and no screen: the booth will not take photos by itself")
        options.autopilot = options.print_urls = False
    try:
        gallery = Gallery(config.data_dir, expiry_days=config.storage.expiry_days, outbox=config.cloud.enabled)
        app_ref: list[App] = []

        def post(event: Any) -> None:
            app_ref[0].post(event)

        analysis = AnalysisWorker(camera, FaceAnalyzer(model, mode="video"), config.coach, post)
        camera.follow_face(lambda: analysis.face_box)  # focus on the face before the trigger
        capture = CaptureWorker(
            camera, gallery, config, post,
            base_url=share_base_url(config.web, config.cloud.public_url if config.cloud.enabled else "", public_url),
            pipeline_factory=lambda: _pipeline(config, model),
            focus=lambda: analysis.face_box, baseline=lambda: analysis.baseline, demo=demo,
        )
        notices: list[str] = [DEMO_NOTICE.format(camera=camera.name)] if demo else []
        gpio = None
        if not options.headless:
            gpio = open_gpio(config.controls, post)
            notices += [f"Button: {p}" for p in gpio.problems]
        app = App(config, camera, display, analysis=analysis, capture=capture, options=options, gpio=gpio,
                  disk=DiskGuard(config.data_dir, config.storage.min_free_mb),
                  sounds=Sounds(config.display.sound and not options.headless), notices=notices,
                  owned=[gallery])
        app_ref.append(app)
        return app
    except BaseException:
        camera.stop()
        display.close()
        raise


def _pipeline(config: Config, model: Path) -> Any:
    from booth.event import Event
    from booth.photo.pipeline import PhotoPipeline
    from booth.photo.watermark import Watermark
    from booth.ui.fonts import find_font

    event = Event.from_settings(config.event)
    font = find_font(config.display.font)[1] if event.watermark and not event.logo else None
    return PhotoPipeline(config.photo, config.coach, model, watermark=Watermark.of(event, font))


def cli_run(args: Any, config: Config) -> int:
    """`booth run`. Errors the staff can act on are one line on stderr, exit 2."""
    from booth.camera.base import CameraError
    from booth.gallery import GalleryError
    from booth.ui.display import DisplayChoice, DisplayError, choose_display

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if args.sessions is not None and args.sessions < 1:
        print("booth: --sessions must be at least 1", file=sys.stderr)
        return 2
    choice = choose_display(config.display, headless=bool(args.headless), windowed=bool(args.windowed))
    headless = choice.driver in (None, "dummy")
    autopilot, scripted_only = headless, False
    if choice.driver is None:
        # Without a screen the booth runs headless. It presses its own button only
        # for someone who asked for sessions or watches at a terminal (`make run`,
        # whose `booth up` says so with --attended),
        # and only with the scripted subject: as a service with a real camera it
        # never photographs anyone by itself.
        asked = (args.sessions is not None or args.screenshots is not None or sys.stdout.isatty()
                 or getattr(args, "attended", False))
        if asked:
            log.warning("%s: running headless — unattended sessions with the scripted subject, "
                        "nothing shown on a screen", choice.reason)
        else:
            log.warning("%s: running headless and waiting — no photos are taken without a screen "
                        "(--headless runs unattended sessions)", choice.reason)
        autopilot, scripted_only = asked, True
        choice = DisplayChoice("dummy", False, "no display found")
    elif headless:
        log.info("running headless (%s): unattended sessions with a scripted hand on the button", choice.reason)
    if headless:
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    options = Options(
        headless=headless, sessions=args.sessions,
        screenshots=Path(args.screenshots) if args.screenshots else None,
        print_urls=autopilot, autopilot=autopilot, autopilot_scripted_only=scripted_only,
        max_run_s=None if args.sessions is None else 60.0 + 120.0 * args.sessions,
    )
    try:
        app = build(config, camera_spec=args.camera, options=options, windowed=bool(args.windowed),
                    public_url=args.public_url, display_choice=choice)
    except (CameraError, DisplayError, GalleryError) as exc:
        print(f"booth: {exc}", file=sys.stderr)
        # A camera source the booth cannot work with (a missing device is waited
        # for instead) or the photo folder: on the screen too, until it is fixed.
        if isinstance(exc, (CameraError, GalleryError)):
            from booth.ui.fatal import cli_start_error

            return cli_start_error(args, exc, config)
        return 2

    def stop(signum: int, _frame: Any) -> None:
        app.quit = True

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = app.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
        app.camera.stop()
    if options.screenshots is not None:
        log.info("%d screenshots in %s", len(app.screenshots.saved) if app.screenshots else 0, options.screenshots)
    return code
