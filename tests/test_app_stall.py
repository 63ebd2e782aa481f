"""The soak hang: a camera stall while the machine is loaded left the booth on attract for good.

What happened: the render loop was starved of CPU while the camera stalled.
When it ran again, the unattended hand (:class:`booth.controls.Autopilot`)
looked at the session as it was *before* the housekeeper's queued
``CameraLost`` was applied, decided to press, and its press was queued
behind that event, so the session turned it down (no captures without a
camera). The hand remembered "pressed on this attract screen" by the
screen's start time, which a camera outage does not change, so once the
camera was back it never pressed again: attract, camera OK, a face in front
of it, and no session for ever.

Here: the real App (scripted subject, real face model, real pygame on the
dummy driver) with the stall injected for real (the camera goes silent, its
replacement stays away until the test plugs it back) and the loop starved
by simply not running it; then the session and the hand on their own,
through many random fault interleavings, in the order the old loop used.
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from booth.controls import Autopilot
from booth.session import (
    Analysed,
    CameraBack,
    CameraLost,
    DiskLow,
    DiskOk,
    Input,
    Phase,
    Session,
    Settings,
    Tick,
    Action,
)
from booth_process import fast_config, wait_until

CONFIG = fast_config(camera={"stall_timeout_s": 1.0}, display={"fps": 30})

# ---------------------------------------------------------------- the hand and the session, pure


def test_a_press_the_session_turned_down_is_pressed_again_once_it_can_start() -> None:
    settings = Settings(look="smile", flow="one")
    session = Session(settings, 0.0)
    pilot = Autopilot(walk_in_s=3.0)
    session.handle(Analysed(True), 0.5)
    press = pilot.next_input(session.state, 3.0)
    assert press == Input(Action.MAIN)
    session.handle(CameraLost(), 3.0)  # queued before the press
    session.handle(press, 3.0)
    assert session.state.phase is Phase.ATTRACT and session.state.number == 0  # turned down
    assert pilot.next_input(session.state, 3.1) is None  # no captures without a camera
    session.handle(CameraBack(), 5.0)
    session.handle(Analysed(True), 5.0)
    again = pilot.next_input(session.state, 5.1)
    assert again == Input(Action.MAIN)
    session.handle(again, 5.1)
    assert session.state.phase is Phase.BREATHE and session.state.number == 1


@pytest.mark.parametrize("seed", range(5))
def test_attract_is_never_a_dead_end_with_a_face_and_a_camera(seed: int) -> None:
    """Random faults, faces and presses, with the hand deciding before or after the queued
    events: whenever attract could start (camera and disk OK, a face, walked in), the hand
    starts a session within a frame."""
    rng = random.Random(seed)
    frame = 1 / 30
    settings = Settings(look="smile", flow="one")
    session = Session(settings, 0.0)
    pilot = Autopilot(walk_in_s=3.0)
    camera_ok = disk_ok = True
    queued: list[Any] = []
    t, starts, turned_down, stuck_from = 0.0, 0, 0, None
    for _ in range(20_000):
        t += frame
        # what the other threads post between two turns of the loop
        if rng.random() < 0.01 and camera_ok:  # the loop is starved while the camera stalls
            t += rng.uniform(0.5, 3.0)
            camera_ok = False
            queued.append(CameraLost())
        elif rng.random() < 0.03:
            camera_ok = not camera_ok
            queued.append(CameraBack() if camera_ok else CameraLost())
        if rng.random() < 0.01:
            disk_ok = not disk_ok
            queued.append(DiskOk() if disk_ok else DiskLow())
        if rng.random() < 0.6:
            queued.append(Analysed(rng.random() < 0.95))
        stale = rng.random() < 0.5  # the hand decides before the queue is drained, as the old loop did
        early = pilot.next_input(session.state, t) if stale else None
        for event in queued:
            session.handle(event, t)
        queued.clear()
        press = early if stale else pilot.next_input(session.state, t)
        if press is not None:
            before = session.state.number
            session.handle(press, t)
            turned_down += session.state.phase is Phase.ATTRACT and session.state.number == before
        session.handle(Tick(), t)
        st = session.state
        if st.phase is not Phase.ATTRACT and st.number > starts:
            starts = st.number
            session.handle(Input(Action.BACK), t)  # the subject changes their mind: attract again
            st = session.state
        could_start = st.phase is Phase.ATTRACT and st.can_start and st.face and t - st.since >= pilot.walk_in_s
        if could_start:
            stuck_from = t if stuck_from is None else stuck_from
            assert t - stuck_from < 1.5 * frame, f"attract could start for {t - stuck_from:.1f} s (seed {seed})"
        else:
            stuck_from = None
    assert starts >= 50 and turned_down >= 1  # the walk went through the case that used to strand it


# ---------------------------------------------------------------- the real App


def test_a_camera_stall_while_the_loop_is_starved_leaves_attract_able_to_start(
        tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    conf = tmp_path / "booth.toml"
    conf.write_text(CONFIG)
    app = build(load_config(conf), camera_spec="scripted", options=Options(headless=True, autopilot=True))
    pilot = app.autopilot
    assert pilot is not None
    presses: list[Input] = []
    decide = pilot.next_input

    def recording(state: Any, now: float) -> Input | None:
        answer = decide(state, now)
        if answer is not None:
            presses.append(answer)
        return answer

    pilot.next_input = recording  # type: ignore[method-assign]
    plugged = threading.Event()
    reopen = app.camera.factory

    def unplugged_until_told() -> Any:  # the supervisor's re-open: the camera is away until plugged back
        plugged.wait(30.0)
        return reopen()

    app.camera.factory = unplugged_until_told

    def run_for(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.step(time.monotonic())
            time.sleep(1 / 30)

    try:
        app.start()
        st = app.session.state
        # The subject walks in; the hand will press at walk_in_s. Stall the camera a little before.
        deadline = time.monotonic() + 20
        while not (st.face and time.monotonic() - st.since >= pilot.walk_in_s - 1.0):
            assert time.monotonic() < deadline, "no face on attract"
            app.step(time.monotonic())
            time.sleep(1 / 30)
            st = app.session.state
        assert st.phase is Phase.ATTRACT and app.started == 0 and not presses
        inner = app.camera.inner
        grab = inner._grab
        inner._grab = lambda: None  # silent: no frame from now on
        # The loop gets no CPU (it is not run) while the stall is noticed and reported.
        wait_until(lambda: not app.housekeeper.camera_ok, 10, "the housekeeper to report the camera lost", every=0.01)
        wait_until(lambda: time.monotonic() - st.since >= pilot.walk_in_s + 0.1, 5, "the walk-in time", every=0.01)
        assert app.session.state.camera_ok  # the CameraLost is still queued
        run_for(1.0)  # the loop runs again, with the camera away
        st = app.session.state
        assert st.phase is Phase.ATTRACT and not st.camera_ok and app.started == 0
        pressed_while_down = len(presses)
        plugged.set()
        inner._grab = grab
        end = time.monotonic() + 20
        while app.started == 0 and time.monotonic() < end:
            app.step(time.monotonic())
            time.sleep(1 / 30)
        assert app.session.state.camera_ok
        assert app.started == 1, f"no session after the camera came back: {app.session.state}"
        assert pressed_while_down == 0, "the hand pressed on a screen that could not start"
        assert len(presses) == 1
    finally:
        plugged.set()
        app.close()
        app.camera.stop()
