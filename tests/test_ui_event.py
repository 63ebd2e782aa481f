"""[event] on the booth's screens: the logo, name and welcome on attract and share, the accent colour
for accents. Real pygame (dummy video driver) at 1280x720, 800x480 and 720x1280, checked against
the renderer's record (Drawn) and the pixels; and a real headless booth run with an [event].
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pygame
import pytest
from PIL import Image

from booth.event import Event, load_logo
from booth.gallery import Gallery
from booth.session import Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import Drawn, Renderer, Scene
from booth_process import booth_env, run_booth, screens_by_session

SIZES = [(1280, 720), (800, 480), (720, 1280)]
URL = "http://192.168.4.1:8080/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
MAGENTA = (232, 18, 122)
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">'
        '<rect width="240" height="80" fill="#e8127a"/><circle cx="40" cy="40" r="24" fill="#ffffff"/></svg>')
BLUE = (0x1A, 0x73, 0xE8)


@pytest.fixture(scope="module")
def fonts() -> Fonts:
    pygame.font.init()
    return Fonts.from_config()


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("logo") / "logo.svg"
    path.write_text(LOGO)
    return load_logo(path)


@pytest.fixture(scope="module")
def face_frame(faces_dir: Path) -> SimpleNamespace:
    rgb = cv2.cvtColor(cv2.imread(str(faces_dir / "london/smiling/004.jpg")), cv2.COLOR_BGR2RGB)
    return SimpleNamespace(image=np.ascontiguousarray(cv2.resize(rgb[100:700, :], (640, 480))), index=7)


def draw(fonts: Fonts, phase: Phase, size: tuple[int, int], event: Event | None, **scene) -> tuple[pygame.Surface, Drawn]:
    surf = pygame.Surface(size)
    state = State(phase=phase, url=URL, token="Xk3v9QpL2mZt7RbN4wYc1A_-") if phase is Phase.SHARE else State(phase=phase)
    return surf, Renderer(Layout(*size), fonts).draw(surf, Scene(state, 1.0, event=event, **scene))


def pixels(surf: pygame.Surface, rect: pygame.Rect | None = None) -> np.ndarray:
    a = pygame.surfarray.array3d(surf).transpose(1, 0, 2)
    return a if rect is None else a[rect.top:rect.bottom, rect.left:rect.right]


def share_of(region: np.ndarray, colour: tuple[int, int, int], tol: int = 12) -> float:
    return float((np.abs(region.astype(int) - np.array(colour)).max(axis=2) <= tol).mean())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("phase,cloud", [(Phase.ATTRACT, False), (Phase.SHARE, False), (Phase.SHARE, True)])
def test_logo_name_and_welcome_are_drawn_clear_of_the_qr_and_texts(fonts, logo, face_frame, size, phase, cloud):
    event = Event(name="Summer Gala 2026", welcome="Welcome! Strike a pose", accent=BLUE, logo=logo)
    surf, d = draw(fonts, phase, size, event, frame=face_frame,
                   local_base="http://10.42.0.1:8080" if cloud else "")
    screen = pygame.Rect(0, 0, *size)
    assert d.logo is not None and screen.contains(d.logo)
    inside = pixels(surf, d.logo)
    assert share_of(inside, MAGENTA) > 0.6 and share_of(inside, (255, 255, 255)) > 0.05, "the logo itself"
    assert d.logo.height >= 0.04 * min(size), "big enough to see from two metres"
    for text, rect in d.texts:
        assert not d.logo.colliderect(rect), f"the logo covers {text!r}"
    for rect, _ in d.qrs:
        assert not d.logo.colliderect(rect), "the logo covers a QR code"
    assert "Summer Gala 2026" in d.text()
    if phase is Phase.ATTRACT:
        assert "Welcome! Strike a pose" in d.text() and "Press the button" in d.text()
        name, welcome = d.find("Summer Gala"), d.find("Welcome!")
        assert name is not None and welcome is not None and name.bottom <= welcome.top, "name, then welcome"
        assert d.preview is not None
    else:
        assert d.qr is not None and d.qr[1] == URL
        assert "Scan to download" in d.text()
    assert all(fit.fits for fit in d.fits), [(f.text, f.px, f.fits) for f in d.fits if not f.fits]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("phase", list(Phase))
def test_without_an_event_every_screen_is_as_before(fonts, size, phase):
    """An empty [event] (the default) draws exactly what no event draws: the amber accent, the title."""
    none, d_none = draw(fonts, phase, size, None)
    empty, d_empty = draw(fonts, phase, size, Event())
    assert np.array_equal(pixels(none), pixels(empty)) and d_none.texts == d_empty.texts
    assert d_none.logo is None
    if phase is Phase.ATTRACT:
        assert "Get your headshot" in d_none.text()
        assert share_of(pixels(none, d_none.find("Press the button")), theme.ACCENT, tol=4) > 0.05


def test_the_accent_colour_replaces_amber(fonts, face_frame):
    event = Event(accent=BLUE)
    accent, _ = theme.accent_colours(BLUE)
    for phase in (Phase.ATTRACT, Phase.CHOOSE, Phase.COACH, Phase.COUNTDOWN, Phase.SHARE):
        surf, d = draw(fonts, phase, (1280, 720), event, frame=face_frame)
        everything = pixels(surf)
        assert share_of(everything, theme.ACCENT, tol=4) == 0, f"{phase.value}: amber left"
        if phase in (Phase.ATTRACT, Phase.CHOOSE, Phase.COUNTDOWN):  # the others show no accent in this state
            assert share_of(everything, accent, tol=4) > 0, f"{phase.value}: no accent"
    surf, d = draw(fonts, Phase.CHOOSE, (1280, 720), event)
    card = Layout(1280, 720).look_cards()[0]
    assert share_of(pixels(surf, card), accent, tol=2) > 0.5, "the highlighted look is filled with the accent"
    _, text = theme.accent_colours(BLUE)
    assert theme.contrast(text, accent) >= theme.MIN_CONTRAST, "its words readable on it"


@pytest.mark.parametrize("colour", [(0, 0, 0), (16, 32, 64), (26, 115, 232), (255, 255, 0), (200, 0, 0)])
def test_an_accent_too_dark_for_the_screen_is_lightened_just_enough(colour):
    accent, text = theme.accent_colours(colour)
    assert theme.contrast(accent, theme.BG) >= theme.MIN_CONTRAST
    assert theme.contrast(text, accent) >= theme.MIN_CONTRAST
    if theme.contrast(colour, theme.BG) >= theme.MIN_CONTRAST:
        assert accent == colour, "a readable colour is kept as it is"
        return

    def mixed(step: int) -> tuple[int, int, int]:
        return tuple(round(c + (255 - c) * step / 20) for c in colour)  # type: ignore[return-value]

    step = next(s for s in range(1, 21) if mixed(s) == accent)
    assert theme.contrast(mixed(step - 1), theme.BG) < theme.MIN_CONTRAST, "no lighter than needed"


def test_a_dark_logo_sits_on_a_light_plate(fonts, tmp_path):
    path = tmp_path / "dark.png"
    out = io.BytesIO()
    Image.new("RGBA", (200, 100), (20, 20, 30, 255)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    surf, d = draw(fonts, Phase.ATTRACT, (1280, 720), Event(name="Night", logo=load_logo(path)))
    assert d.logo is not None
    region = pixels(surf, d.logo)
    assert share_of(region, theme.FG, tol=4) > 0.05 and share_of(region, (20, 20, 30), tol=4) > 0.5


@pytest.mark.parametrize("size", SIZES)
def test_logo_alone_keeps_the_title_and_name_alone_takes_the_band(fonts, logo, size):
    surf, d = draw(fonts, Phase.ATTRACT, size, Event(logo=logo))
    assert d.logo is not None and "Get your headshot" in d.text()
    assert not d.logo.colliderect(d.find("Get your headshot"))
    surf, d = draw(fonts, Phase.ATTRACT, size, Event(name="Gala"))
    assert d.logo is None and "Gala" in d.text() and "Get your headshot" in d.text()
    surf, d = draw(fonts, Phase.SHARE, size, Event(welcome="Hello"))
    assert d.logo is None and "Hello" not in d.text(), "the share screen shows the name and logo only"


def test_a_booth_run_shows_the_event_and_marks_the_retouched_copy(tmp_path, model_path):
    """The whole booth, headless, with an [event]: the screenshots carry the logo; the photo its watermark."""
    (tmp_path / "logo.svg").write_text(LOGO)
    conf = tmp_path / "booth.toml"
    conf.write_text('[session]\nflow = "one"\n[event]\nname = "Summer Gala"\nlogo = "logo.svg"\n'
                    'accent_colour = "#1a73e8"\nwatermark = true\n')
    shots = tmp_path / "shots"
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", "--screenshots", str(shots),
                    env=booth_env(data=tmp_path / "data", models=model_path.parent, config=conf), timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    screens = screens_by_session(shots)[1]
    assert "attract" in screens and "share" in screens
    for name in ("attract", "share"):
        (png,) = shots.glob(f"*-session01-{name}.png")
        image = pygame.surfarray.array3d(pygame.image.load(str(png))).transpose(1, 0, 2)
        assert share_of(image, MAGENTA) > 0.005, f"{name}: no logo"
    token = run.stdout.split()[0].rsplit("/", 1)[1]
    with Gallery(tmp_path / "data") as gallery:
        record = gallery.get(token)
        assert record is not None
        retouched = cv2.cvtColor(cv2.imread(str(gallery.path(record, "retouched"))), cv2.COLOR_BGR2RGB)
        original = cv2.cvtColor(cv2.imread(str(gallery.path(record, "original"))), cv2.COLOR_BGR2RGB)
    h, w = retouched.shape[:2]
    corner = retouched[round(h * 0.85):, round(w * 0.6):]
    assert share_of(corner, MAGENTA, tol=40) > 0.05, "the mark in the retouched copy's corner"
    assert share_of(retouched[: h // 2], MAGENTA, tol=40) == 0, "and nowhere else"
    assert share_of(original, MAGENTA, tol=40) == 0, "the original is clean"
