"""The breathing screen shows the guest where the camera looks while it asks them to step in.

Real pygame (dummy video driver) on real face photos. While the session asks for
the face (State.breathe_prompts) the screen is the camera picture with the
prompt; with the face seen, the calm circle as it always was. The session (the
real state machine, fed frames at 30 a second) bridges a face missed for a
moment, and the renderer fades between the two screens, so nothing flashes.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pygame
import pytest
from test_coach_frames import SIZE, photo, still
from test_session import Drive
from test_ui_face_clear import expected_picture, guest, inside, seen
from test_ui_screens import G, assert_text_drawn, draw, pixels

from booth import session as s
from booth.camera.view import same_aspect
from booth.coach.words import STEP_INTO_FRAME
from booth.observation import Box
from booth.session import FACE_SEEN_S, Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import BREATHE_FADE_S, Renderer, Scene
from booth.vision import analysed_window, place_face

GUEST = "london/smiling/004.jpg"
SIZES = [(1280, 720), (800, 480), (720, 1280)]
FPS = 30


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config()


@functools.cache
def aside(screen: tuple[int, int]):
    """A preview frame of the screen's shape with the guest at its left edge, half out of the picture."""
    size = same_aspect(SIZE, screen)
    image = place_face(photo(GUEST), still(GUEST).box, size, Box(-0.04, 0.34, 0.16, 0.24))
    return SimpleNamespace(image=np.ascontiguousarray(image), index=size[0] + 3)


def looked_in(frame):
    """As the app passes it: booth.vision.analysed_window in fractions of the frame."""
    h, w = frame.image.shape[:2]
    x, y, cw, ch = analysed_window((w, h))
    return (x / w, y / h, cw / w, ch / h)


def asking(**kw) -> State:
    # One second breathed, then the guest stepped out: the session asks, the breath waits.
    return State(phase=Phase.BREATHE, since=0.0, deadline=6.0, breathed=1.0, counted_at=3.0,
                 breathe_prompts=(STEP_INTO_FRAME,), **kw)


def calm() -> State:
    return State(phase=Phase.BREATHE, since=0.0, deadline=4.0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_missing_face_shows_the_camera_picture_and_the_prompt_at_full_size(fonts, size):
    frame = aside(size)
    L = Layout(*size)
    surf, d = draw(fonts, asking(), size=size, now=3.5, frame=frame, looked_in=looked_in(frame))
    assert d.preview == L.screen and d.shift == 0  # nobody's head given: the picture where it always is
    # The picture under the prompt is the camera's, mirrored, where the face is looked for.
    want = expected_picture(frame, size, 0).astype(float)
    x, _, cw, _ = analysed_window(size)  # the frame has the screen's shape: the same window in screen pixels
    rows = slice(L.top_band().bottom + 2, size[1])
    cols = slice(x + 2, x + cw - 2)
    shown = pixels(surf).astype(float)
    assert np.abs(shown[rows, cols] - want[rows, cols]).mean() < 6
    # The prompt: the breathing words' size and place, on the dark band, and nothing else to read.
    prompt = d.find(STEP_INTO_FRAME)
    assert_text_drawn(surf, d, STEP_INTO_FRAME)
    assert prompt is not None
    font = fonts.get(L.px(theme.TITLE), True)  # the title size, never shrunk (on one line or two)
    line_h, glyph_h = font.get_linesize(), font.size(STEP_INTO_FRAME)[1]
    lines = round((prompt.height - glyph_h) / line_h) + 1
    assert prompt.height == (lines - 1) * line_h + glyph_h and lines <= 2, (prompt, line_h, glyph_h)
    assert L.top_band().contains(prompt)
    assert [t for t, _ in d.texts if t != "‹ Back"] == [STEP_INTO_FRAME]
    # The band behind it darkens the picture: white words stay readable over a bright shirt.
    band = L.top_band()
    under = shown[band.top + 2:prompt.top - 2, cols]
    assert under.mean() < 0.5 * want[band.top + 2:prompt.top - 2, cols].mean()
    if not L.portrait:  # a wide screen: the sides no face is looked for in are in the shade
        side = (slice(L.top_band().bottom + 2, size[1]), slice(0, x - 2))
        assert shown[side].mean() < 0.6 * want[side].mean() and shown[side].mean() > 0.2 * want[side].mean()
    else:  # portrait: the whole picture is looked in, none of it shaded
        assert x == 0 and cw == size[0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_with_the_face_seen_it_is_the_calm_screen_as_before(fonts, size):
    frame, head, _ = guest("centred", size)
    for now in (0.05, 1.0, 3.0):
        surf, d = draw(fonts, calm(), size=size, now=now, frame=frame, face=head, looked_in=looked_in(frame))
        plain, _ = draw(fonts, calm(), size=size, now=now)  # no camera at all
        assert np.array_equal(pixels(surf), pixels(plain))  # not a pixel of the picture
        assert d.preview is None and STEP_INTO_FRAME not in d.text()
        assert "Breathe in" in d.text() or "and out" in d.text()


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["tall", "short"])
def test_a_tall_or_short_guests_face_is_kept_between_the_coachs_bands(fonts, size, where):
    """The face found in this very frame (the session will stop asking at its next step): the picture
    slides as on the coach screen, and the coach then starts with the picture where it is."""
    frame, head, g = guest(where, size)
    L = Layout(*size)
    r = Renderer(L, fonts)
    surf = pygame.Surface(size)
    b = r.draw(surf, Scene(asking(), 10.0, frame=frame, face=head, looked_in=looked_in(frame)))
    assert inside(seen(b), L.clear_area()) and (b.shift > 0) == (where == "tall") and b.shift != 0
    assert STEP_INTO_FRAME in b.text()
    c = r.draw(surf, Scene(State(phase=Phase.COACH, look="smile", guidance=G()), 10.05, frame=frame, guide=g,
                           face=head))
    assert c.shift == b.shift and c.face == b.face  # no jump as the coach starts


def _drive_breathing(fonts, size, gaps, frame):
    """Breathe at 30 frames a second through the real session, the face missing for each gap (seconds)
    after a second in view; every frame drawn by one renderer. Returns [(state, drawn, pixels)]."""
    d = Drive(breathe_s=60.0, walkaway_s=60.0, look="smile").to_breathe()
    L = Layout(*size)
    r = Renderer(L, fonts)
    surf = pygame.Surface(size)
    out = []

    def frame_at(face: bool) -> None:
        d.send(s.Analysed(face), 1 / FPS)
        drawn = r.draw(surf, Scene(d.state, d.now, frame=frame, looked_in=looked_in(frame)))
        out.append((d.state, drawn, pixels(surf).copy(), d.now))

    for gap in gaps:
        for _ in range(FPS):
            frame_at(True)
        for _ in range(round(gap * FPS)):
            frame_at(False)
    for _ in range(FPS):
        frame_at(True)
    return out


def test_a_face_missed_for_less_than_the_bridge_never_shows_the_picture(fonts):
    size = (1280, 720)
    gaps = [1 / FPS, 0.1, 0.3, FACE_SEEN_S - 2 / FPS, 0.2]  # missed frames, a turned head, a blink...
    frames = _drive_breathing(fonts, size, gaps, aside(size))
    assert len(frames) > 150
    for state, drawn, _, _ in frames:
        assert state.breathe_prompts == () and drawn.preview is None and STEP_INTO_FRAME not in drawn.text()
    # The circle breathes on, one small step a frame: never a flash.
    steps = [np.abs(a.astype(int) - b.astype(int)).mean() for (_, _, a, _), (_, _, b, _) in zip(frames, frames[1:])]
    assert max(steps) < 2.0


def test_stepping_out_fades_the_picture_in_and_coming_back_fades_it_out(fonts):
    size = (1280, 720)
    frame = aside(size)
    frames = _drive_breathing(fonts, size, [1.5], frame)
    asked = [i for i, (st, _, _, _) in enumerate(frames) if st.breathe_prompts]
    assert asked, "the session never asked for the face"
    first, last = asked[0], asked[-1]
    assert asked == list(range(first, last + 1))  # asked once, for as long as the face was missing
    assert frames[first][3] - frames[first - 1][3] < 0.1
    full = np.abs(frames[first - 1][2].astype(int) - frames[first + FPS // 2][2].astype(int)).mean()
    assert full > 20  # the calm screen and the picture are far apart ...
    steps = [np.abs(frames[i][2].astype(int) - frames[i + 1][2].astype(int)).mean()
             for i in range(first - 2, last + FPS // 2)]
    assert max(steps) < 0.25 * full  # ... and each frame moves a small part of the way: no flash
    fade_frames = round(BREATHE_FADE_S * FPS)
    shown = frames[first + fade_frames + 1]
    assert shown[1].preview is not None and STEP_INTO_FRAME in shown[1].text()
    plain, _ = draw(fonts, shown[0], size=size, now=shown[3], frame=frame, looked_in=looked_in(frame))
    assert np.array_equal(shown[2], pixels(plain))  # faded in all the way: the picture screen itself
    # The face back: the calm screen again, and once faded, exactly the one a fresh screen draws.
    back = frames[last + fade_frames + 2]
    assert back[0].breathe_prompts == () and back[1].preview is None
    fresh, _ = draw(fonts, back[0], size=size, now=back[3], frame=frame, looked_in=looked_in(frame))
    assert np.array_equal(back[2], pixels(fresh))


def test_coming_back_before_the_fade_ended_turns_it_round_without_a_jump(fonts):
    size = (800, 480)
    frame = aside(size)
    L = Layout(*size)
    r = Renderer(L, fonts)
    surf = pygame.Surface(size)
    held = replace(calm(), breathe_prompts=(STEP_INTO_FRAME,))  # the circle where the calm one ends
    t, shots = 10.0, []
    for st in [calm()] * 3 + [held] * 5 + [calm()] * 20:  # the face back 5 frames into the fade
        t += 1 / FPS
        r.draw(surf, Scene(st, t, frame=frame, looked_in=looked_in(frame)))
        shots.append(pixels(surf).astype(int))
    still_calm = pixels(draw(fonts, calm(), size=size, now=t)[0]).astype(int)
    picture = pixels(draw(fonts, held, size=size, now=t, frame=frame, looked_in=looked_in(frame))[0]).astype(int)
    full = np.abs(still_calm - picture).mean()
    steps = [np.abs(a - b).mean() for a, b in zip(shots, shots[1:])]
    assert steps[3] > 0.05 * full and max(steps) < 0.25 * full  # it started to change, a little a frame
    # Turned round from where it stood: calm again after as many frames as it had faded (5), not a whole fade.
    assert not np.array_equal(shots[8], still_calm)
    assert np.array_equal(shots[8 + 5], still_calm) and np.array_equal(shots[-1], still_calm)


@pytest.mark.parametrize("size", [(640, 360), (640, 480), (360, 640)])
def test_the_app_shades_what_the_face_model_is_not_shown(size):
    """The booth passes the analysed window of the very frame on screen (a 16:9 preview: its 4:3 middle)."""
    from booth.app import App

    frame = SimpleNamespace(image=np.zeros((size[1], size[0], 3), np.uint8), index=1)
    x, y, w, h = App._looked_in(frame)
    assert (x * size[0], w * size[0], y, h) == pytest.approx(
        (analysed_window(size)[0], analysed_window(size)[2], 0.0, 1.0))
    assert (w < 1.0) == (size[0] / size[1] > 4 / 3) and x == pytest.approx((1 - w) / 2)
    assert App._looked_in(None) is None
