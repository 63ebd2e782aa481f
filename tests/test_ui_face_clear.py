"""A tall or short guest sees their own face: the live screens move the preview so it is never under a band.

Real pygame (dummy video driver) on real face photos judged by the real face
model: a London photo placed high in the frame (a tall guest, whose face a
level camera sees near the top), low (a short or seated guest) or in the
middle, and the scripted subject modelled as a tall and a short guest. The
renderer's record (where the picture and the head went) is checked against
the pixels it drew.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from types import SimpleNamespace

import cv2
import numpy as np
import pygame
import pytest
from test_coach_frames import SIZE, analyzer, close_analyzer, photo, still  # noqa: F401
from test_ui_screens import G, draw, pixels

from booth.camera.view import same_aspect
from booth.observation import Box
from booth.session import Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.guide import guide, head_box
from booth.ui.layout import Layout
from booth.ui.placement import HOLD_S
from booth.ui.screens import Renderer, Scene
from booth.vision import place_face
from booth_process import MODELS_DIR

GUEST = "london/smiling/004.jpg"
# Where the face mesh's box lands in the 640x480 frame: a level camera sees a tall guest's face near
# the top of the picture and a short guest's near the bottom (booth/coach/geometry.py).
PLACES = {"tall": 0.06, "centred": 0.36, "short": 0.70, "seated": 0.75, "cut": -0.02}
SIZES = [(1280, 720), (800, 480), (720, 1280), (480, 320)]  # the UI tests' screens, both orientations


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config()


@functools.cache
def guest(where: str, screen: tuple[int, int] = (1280, 720)):
    """(frame, head box, guide): the guest's face at PLACES[where] in a preview frame, as the real model sees it.

    The frame has the screen's shape, as every camera delivers it (booth/camera/view.py).
    """
    size = same_aspect(SIZE, screen)
    image = place_face(photo(GUEST), still(GUEST).box, size, Box(0.41, PLACES[where], 0.18, 0.24))
    obs = analyzer().detect(image)
    assert obs is not None, where
    frame = SimpleNamespace(image=np.ascontiguousarray(image), index=len(where) + size[0])
    return frame, head_box(size, obs), guide(size, "4:5", obs)


def coach(**kw) -> State:
    return State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.4), **kw)


def expected_picture(frame, size, shift: int) -> np.ndarray:
    """The screen the preview should make: the frame cropped to the screen's shape, mirrored, moved by ``shift``."""
    img = frame.image
    h, w = img.shape[:2]
    want = size[0] / size[1]
    cw, ch = (round(h * want), h) if w / h > want else (w, round(w / want))
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    full = cv2.resize(img[y0:y0 + ch, x0:x0 + cw][:, ::-1], size, interpolation=cv2.INTER_LINEAR)
    out = np.zeros_like(full)
    if shift >= 0:
        out[shift:] = full[:size[1] - shift]
    else:
        out[:shift] = full[-shift:]
    return out


def inside(rect, clear) -> bool:
    return clear[0] <= rect.top and rect.bottom <= clear[1]


def seen(d):
    """The part of the head on screen that the camera saw (a tall guest's crown can be above the picture)."""
    return d.face.clip(d.preview)


# ---------------------------------------------------------------- coach


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["tall", "short"])
def test_a_tall_or_short_guests_face_is_moved_between_the_bands_with_the_oval_on_it(fonts, size, where):
    frame, head, g = guest(where, size)
    L = Layout(*size)
    clear = L.clear_area()
    # As it was: the head (and the oval the coach draws around it) partly under a band.
    _, before = draw(fonts, coach(), size=size, frame=frame, guide=g)
    assert not inside(before.guide, clear), before.guide
    surf, d = draw(fonts, coach(), size=size, frame=frame, guide=g, face=head)
    assert inside(seen(d), clear), (d.face, clear)
    assert (d.shift > 0) == (where == "tall") and d.shift != 0  # a tall guest's picture moves down
    assert d.preview == L.screen.move(0, d.shift)
    # Just enough: the face ends near the band it was under, not in the middle of the screen.
    gap = seen(d).top - clear[0] if where == "tall" else clear[1] - seen(d).bottom
    assert gap <= L.face_room + 2
    # The oval and the photo's corners moved with the picture: still on the face, and all in the clear.
    assert d.guide == before.guide.move(0, d.shift) and d.crop == before.crop.move(0, d.shift)
    # The oval is where the crop puts the head; at the picture's edge the crop cannot follow it all
    # the way (the oval stays amber), but it is on the face, and its middle is in the clear.
    assert d.face.collidepoint(d.guide.center) and clear[0] < d.guide.centery < clear[1]
    assert abs(d.guide.centerx - d.face.centerx) < 0.1 * d.face.width
    assert np.abs(pixels(surf)[d.guide.centery, d.guide.left + 2].astype(int) - theme.ACCENT).max() <= 40


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["tall", "short"])
def test_the_moved_picture_is_the_camera_picture_and_the_face_is_where_the_record_says(fonts, size, where):
    frame, head, _ = guest(where, size)
    surf, d = draw(fonts, coach(), size=size, frame=frame, face=head)
    want = expected_picture(frame, size, d.shift).astype(float)
    shown = pixels(surf).astype(float)
    rows = slice(d.face.top, d.face.bottom)  # the face, in the clear: no band over it
    assert np.abs(shown[rows] - want[rows]).mean() < 6
    unmoved = expected_picture(frame, size, 0).astype(float)
    assert np.abs(shown[rows] - unmoved[rows]).mean() > 12  # (the check can tell a moved picture)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_centred_face_is_not_moved(fonts, size):
    frame, head, g = guest("centred", size)
    surf, d = draw(fonts, coach(), size=size, frame=frame, guide=g, face=head)
    assert d.shift == 0 and d.preview == Layout(*size).screen
    assert inside(seen(d), Layout(*size).clear_area())
    plain, _ = draw(fonts, coach(), size=size, frame=frame, guide=g)  # nobody's face given: as it always was
    assert np.array_equal(pixels(surf), pixels(plain))


@pytest.mark.parametrize("where", ["tall", "seated"])
def test_the_uncovered_strip_is_backdrop_not_the_last_frame(fonts, where):
    size = (1280, 720)
    frame, head, _ = guest(where, size)
    surf = pygame.Surface(size)
    r = Renderer(Layout(*size), fonts)
    r.draw(surf, Scene(coach(), 1.0, frame=frame))  # the picture where it always was
    old = pixels(surf).astype(int)
    d = r.draw(surf, Scene(coach(), 5.0, frame=frame, face=head))  # then the guest's face is found
    a = pixels(surf).astype(int)
    L = Layout(*size)
    if where == "tall":
        strip, band = slice(0, d.shift), L.top_band()
        clear_rows = slice(band.bottom, d.shift)
    else:
        strip, band = slice(size[1] + d.shift, size[1]), L.bottom_band()
        clear_rows = slice(size[1] + d.shift, band.top)
    assert strip.stop - strip.start == abs(d.shift) > 0
    assert clear_rows.stop > clear_rows.start  # the move uncovered rows between the bands too
    assert (a[clear_rows] == theme.BG).all()  # there: the backdrop itself
    assert (old[clear_rows].max(axis=2) > 60).mean() > 0.9  # (where the last frame's picture was)
    # Under the band, at the screen's edge (clear of its texts and the meter): the band over the
    # backdrop, as dark as the backdrop, where the last frame's picture showed through grey.
    assert a[strip, -6:].max() <= max(theme.BG)
    assert old[strip, -6:].max() > 3 * max(theme.BG)


def test_a_face_moving_a_pixel_or_two_does_not_move_the_picture(fonts):
    size = (1280, 720)
    frame, head, _ = guest("tall", size)
    L = Layout(*size)
    r = Renderer(L, fonts)
    surf = pygame.Surface(size)
    first = r.draw(surf, Scene(coach(), 10.0, frame=frame, face=head))
    ref = pixels(surf).copy()
    px = 1 / size[1]  # one screen pixel, as a fraction of the frame's height (the screen's shape)
    t = 10.0
    for wobble in (1, -1, 2, -2, 1, 0, -2, 2):
        t += 1 / 30
        moved = (head[0], head[1] + wobble * px, head[2], head[3])
        d = r.draw(surf, Scene(coach(), t, frame=frame, face=moved))
        assert d.shift == first.shift and d.preview == first.preview
        assert np.array_equal(pixels(surf), ref)  # not a pixel of the picture moved
    # A real move (the guest steps back: the face 60 px lower) slides the picture, smoothly, and settles.
    lower = (head[0], head[1] + 60 * px, head[2], head[3])
    shifts = []
    for _ in range(30):
        t += 1 / 30
        d = r.draw(surf, Scene(coach(), t, frame=frame, face=lower))
        shifts.append(d.shift)
    assert first.shift - 60 <= shifts[-1] < shifts[0] < first.shift and shifts[0] > first.shift - 30  # eased
    assert shifts == sorted(shifts, reverse=True) and shifts[-1] == shifts[-5]  # one way, then settled
    assert inside(seen(d), L.clear_area()) and abs(seen(d).top - (L.clear_area()[0] + L.face_room)) <= 1


def test_a_face_lost_for_a_moment_keeps_the_picture_then_it_goes_back(fonts):
    size = (1280, 720)
    frame, head, _ = guest("tall", size)
    r = Renderer(Layout(*size), fonts)
    surf = pygame.Surface(size)
    first = r.draw(surf, Scene(coach(), 10.0, frame=frame, face=head))
    d = r.draw(surf, Scene(coach(), 10.2, frame=frame, face=None))  # a frame the model missed
    assert d.shift == first.shift > 0
    t = 10.2
    while t < 10.0 + HOLD_S + 1.5:
        t += 1 / 30
        d = r.draw(surf, Scene(coach(), t, frame=frame, face=None))
    assert d.shift == 0 and d.preview == Layout(*size).screen  # nobody: the picture as it always was


# ---------------------------------------------------------------- attract and countdown


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["tall", "short"])
def test_attract_keeps_the_face_between_its_bands_and_the_staff_notice(fonts, size, where):
    frame, head, _ = guest(where, size)
    notice = "Demo: scripted subject london-004 poses"
    surf, d = draw(fonts, State(phase=Phase.ATTRACT, since=0.0, notice=notice), size=size, frame=frame,
                   face=head)
    start = d.find("Press the button")
    strip = d.find(notice)
    assert start is not None and strip is not None
    assert strip.bottom <= seen(d).top and seen(d).bottom <= start.top, (strip, seen(d), start)
    assert d.shift != 0


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("where", ["tall", "short"])
def test_countdown_keeps_the_face_where_the_coach_put_it(fonts, size, where):
    frame, head, g = guest(where, size)
    L = Layout(*size)
    r = Renderer(L, fonts)
    surf = pygame.Surface(size)
    c = r.draw(surf, Scene(coach(), 10.0, frame=frame, guide=g, face=head))
    d = r.draw(surf, Scene(State(phase=Phase.COUNTDOWN, since=10.0, deadline=13.0), 10.05, frame=frame,
                           face=head))
    assert "3" in d.text()
    assert d.shift == c.shift and d.face == c.face and inside(seen(d), L.clear_area())  # no jump as it starts


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_head_cut_off_by_the_picture_moves_it_only_until_its_top_edge_is_clear(fonts, size):
    """Very tall, or too close: the camera does not see the crown. Moving more backdrop into view would not
    show it; the picture's edge stops the room below the band, with the face under it."""
    frame, head, _ = guest("cut", size)
    assert head[1] < 0  # the head starts above the picture
    L = Layout(*size)
    clear = L.clear_area()
    surf, d = draw(fonts, coach(), size=size, frame=frame, face=head)
    assert d.preview.top == clear[0] + L.face_room
    assert inside(seen(d), clear) and seen(d).top == d.preview.top


# ---------------------------------------------------------------- the scripted subject, real model


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("kind", ["tall", "short"])
def test_the_modelled_tall_and_short_guests_see_their_face_on_the_coach_screen(fonts, faces_dir, kind):
    """The scripted subject standing where the geometry puts a tall or short guest, seen by the real model."""
    from booth.camera.scripted import ScriptedCamera
    from booth.config import Config

    size = (1280, 720)
    config = Config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir), guest=kind)
    config.storage.models_dir = str(MODELS_DIR)
    clock = Clock()
    cam = ScriptedCamera(config, clock=clock)
    cam.frame_to(*size)  # as the booth does: the preview has the screen's shape
    cam.start()
    try:
        assert cam.wait_frame(-1, 5.0) is not None
        clock.t = cam.script.started_at + cam.script.settled_at + 1.0
        latest = cam.latest()
        frame = cam.wait_frame(latest.index + 1, 5.0)
        frame = cam.wait_frame(frame.index, 5.0)  # begun after the clock moved
    finally:
        cam.stop()
    assert frame is not None
    obs = analyzer().detect(frame.image)
    assert obs is not None, kind
    fsize = (frame.image.shape[1], frame.image.shape[0])
    head, g = head_box(fsize, obs), guide(fsize, "4:5", obs)
    L = Layout(*size)
    clear = L.clear_area()
    scene = SimpleNamespace(image=frame.image, index=frame.index)
    _, before = draw(fonts, coach(), size=size, frame=scene, guide=g)
    assert not inside(before.guide, clear), before.guide  # as it was: the face half under a band
    surf, d = draw(fonts, coach(), size=size, frame=scene, guide=g, face=head)
    assert inside(seen(d), clear), (d.face, clear)
    assert (d.shift > 0) == (kind == "tall")
    assert d.face.collidepoint(d.guide.center)
