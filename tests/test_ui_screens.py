"""Each screen drawn by real pygame (dummy video driver) and checked in its pixels.

The frame comes from a real face photo; texts are checked both in the
renderer's record and in the pixels under it; the share screen's QR is read
back with OpenCV's detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import cv2
import numpy as np
import pygame
import pytest

from booth.session import RETOUCH_LEVELS, Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import TIP_S, TIPS, Renderer, Scene

URL = "http://192.168.4.1:8080/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
WIFI = "WIFI:T:WPA;S:booth;P:s3cret\\;pass;;"
FRAMING = (0.375, 0.20, 0.25, 0.42)


@dataclass
class G:
    face: bool = True
    fire: bool = False
    readiness: float = 0.4
    ready: bool = False
    prompts: tuple[str, ...] = ("Chin down a touch", "Relax your shoulders", "A third prompt")


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config()


@pytest.fixture(scope="module")
def face_frame(faces_dir):
    bgr = cv2.imread(str(faces_dir / "london/smiling/004.jpg"))
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    img = cv2.resize(rgb[100:700, :], (640, 480), interpolation=cv2.INTER_AREA)
    return SimpleNamespace(image=np.ascontiguousarray(img), index=7)


def draw(fonts, state, size=(1280, 720), now=1.0, **scene):
    surf = pygame.Surface(size)
    r = Renderer(Layout(*size), fonts)
    d = r.draw(surf, Scene(state, now, **scene))
    return surf, d


def pixels(surf, rect=None):
    a = pygame.surfarray.array3d(surf).transpose(1, 0, 2)  # HxWx3
    if rect is None:
        return a
    return a[rect.top:rect.bottom, rect.left:rect.right]


def assert_text_drawn(surf, d, needle):
    """The text is in the record, and its box holds real glyph pixels (not a flat fill)."""
    rect = d.find(needle)
    assert rect is not None, f"{needle!r} not drawn; drawn: {d.text()!r}"
    region = pixels(surf, rect).reshape(-1, 3)
    assert rect.width > 0 and rect.height > 0
    assert len(np.unique(region, axis=0)) > 4, f"{needle!r}: box is flat"


def close_to(pixel, colour, tol=30):
    return np.abs(np.asarray(pixel, int) - np.asarray(colour, int)).max() <= tol


# ---------------------------------------------------------------- attract


def test_attract_shows_the_mirrored_preview_start_hint_tip_and_privacy(fonts, face_frame):
    surf, d = draw(fonts, State(phase=Phase.ATTRACT, since=0.0), frame=face_frame, expiry_days=7)
    for needle in ("Press the button", TIPS[0], "deleted after 7 days", "Get your headshot"):
        assert_text_drawn(surf, d, needle)
    assert d.preview == pygame.Rect(0, 0, 1280, 720)
    # The middle of the screen (between the bands) is the camera image, mirrored:
    L = Layout(1280, 720)
    y0, y1 = L.top_band().bottom + 5, L.bottom_band().top - 5
    shown = pixels(surf)[y0:y1].astype(float)
    img = face_frame.image
    crop = img[60:420]  # 640x480 cropped to 16:9 -> 640x360
    mirrored = cv2.resize(crop[:, ::-1], (1280, 720), interpolation=cv2.INTER_LINEAR)[y0:y1].astype(float)
    straight = cv2.resize(crop, (1280, 720), interpolation=cv2.INTER_LINEAR)[y0:y1].astype(float)
    err_m, err_s = np.abs(shown - mirrored).mean(), np.abs(shown - straight).mean()
    assert err_m < 6 and err_s > 2 * err_m


def test_attract_unmirrored_when_configured(fonts, face_frame):
    surf, _ = draw(fonts, State(phase=Phase.ATTRACT), frame=face_frame, mirror=False)
    crop = face_frame.image[60:420]
    straight = cv2.resize(crop, (1280, 720), interpolation=cv2.INTER_LINEAR)[200:500].astype(float)
    assert np.abs(pixels(surf)[200:500].astype(float) - straight).mean() < 6


def test_attract_tips_rotate(fonts, face_frame):
    st = State(phase=Phase.ATTRACT, since=100.0)
    _, d1 = draw(fonts, st, now=100.5, frame=face_frame)
    _, d2 = draw(fonts, st, now=100.5 + TIP_S, frame=face_frame)
    assert TIPS[0] in d1.text() and TIPS[1] in d2.text() and TIPS[0] not in d2.text()


def test_attract_privacy_line_follows_the_expiry(fonts):
    _, d = draw(fonts, State(), expiry_days=1)
    assert "deleted after 1 day." in d.text()
    _, d = draw(fonts, State(), expiry_days=0.5)
    assert "deleted after 12 hours" in d.text()
    _, d = draw(fonts, State(), expiry_days=1.5)  # the phone page says the same (booth.durations)
    assert "deleted after 1.5 days." in d.text()


def test_attract_says_tap_when_that_is_the_way(fonts):
    surf, d = draw(fonts, State(), start_hint="Tap the screen to start")
    assert_text_drawn(surf, d, "Tap the screen to start")


def test_attract_camera_down_says_so_instead_of_the_start_hint(fonts, face_frame):
    st = State(camera_ok=False, camera_message="Camera unavailable — retrying")
    surf, d = draw(fonts, st, frame=face_frame)
    assert_text_drawn(surf, d, "Camera unavailable — retrying")
    assert "Press the button" not in d.text() and d.preview is None
    r = d.find("Camera unavailable")
    around = pixels(surf, Layout(1280, 720).inner()).reshape(-1, 3).astype(int)
    assert (np.abs(around - theme.FAULT).max(axis=1) <= 2).sum() > 500  # the red frame of the fault panel


def test_attract_disk_full_pauses_captures_on_screen(fonts, face_frame):
    surf, d = draw(fonts, State(disk_ok=False), frame=face_frame)
    assert_text_drawn(surf, d, "storage is full")
    assert "Press the button" not in d.text()


def test_attract_staff_notice_strip(fonts):
    surf, d = draw(fonts, State(notice="Button: GPIO button on BCM 17 is configured but unusable"))
    assert_text_drawn(surf, d, "BCM 17")


def test_attract_without_a_frame_yet(fonts):
    surf, d = draw(fonts, State(), frame=None)
    assert d.preview is None and "Press the button" in d.text()


# ---------------------------------------------------------------- choose


def test_choose_shows_three_looks_with_the_highlight(fonts):
    info = {"smile": ("Smile", "Warm"), "serious": ("Confident", "Calm"), "contemplative": ("Thoughtful", "Aside")}
    surf, d = draw(fonts, State(phase=Phase.CHOOSE, selected=1), look_info=info)
    for t in ("Choose your look", "Smile", "Confident", "Thoughtful", "Warm", "Calm", "Aside",
              "Press the button when your look lights up"):
        assert_text_drawn(surf, d, t)
    cards = Layout(1280, 720).look_cards()
    corner = [pixels(surf)[c.top + 12, c.left + 12] for c in cards]
    assert close_to(corner[1], theme.ACCENT, 5)
    assert close_to(corner[0], theme.CARD, 5) and close_to(corner[2], theme.CARD, 5)


def test_choose_hint_when_steering_by_hand(fonts):
    _, d = draw(fonts, State(phase=Phase.CHOOSE, scanning=False))
    assert "Tap a look" in d.text() and "‹ Back" in d.text()
    _, d = draw(fonts, State(phase=Phase.CHOOSE), touch=False)
    assert "‹ Back" not in d.text()


# ---------------------------------------------------------------- breathe


def test_breathe_animates_and_says_in_then_out(fonts):
    st = State(phase=Phase.BREATHE, since=0.0, deadline=4.0)
    s1, d1 = draw(fonts, st, now=0.05)
    s2, d2 = draw(fonts, st, now=1.95)
    s3, d3 = draw(fonts, st, now=3.0)
    assert "Breathe in" in d1.text() and "Breathe in" in d2.text() and "and out" in d3.text()
    assert_text_drawn(s1, d1, "Relax your shoulders")

    def glow(s):
        return int(np.all(np.abs(pixels(s).astype(int) - theme.CALM_GLOW) <= 2, axis=2).sum())

    assert glow(s2) > 2 * glow(s1)  # the circle has grown with the breath


# ---------------------------------------------------------------- coach


def test_coach_preview_guide_prompts_and_meter(fonts, face_frame):
    st = State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.4))
    surf, d = draw(fonts, st, frame=face_frame, framing=FRAMING,
                   look_info={"smile": ("Smile", "")})
    assert d.preview is not None
    assert_text_drawn(surf, d, "Chin down a touch")
    assert_text_drawn(surf, d, "Relax your shoulders")
    assert "A third prompt" not in d.text()  # one or two prompts, never a list
    assert_text_drawn(surf, d, "Smile")
    track, fill = d.meter
    assert fill.width / track.width == pytest.approx(0.4, abs=0.01)
    row = pixels(surf)[track.centery, track.left + 10:track.right - 10]
    lit = np.all(np.abs(row.astype(int) - theme.ACCENT) <= 8, axis=1).mean()
    assert lit == pytest.approx(0.4, abs=0.05)
    # The framing guide: the target box, mirrored into the cropped preview.
    g = d.guide
    img_w, img_h = 640, 480
    x0, y0, cw, ch = 0, 60, 640, 360
    want_x = (FRAMING[0] * img_w - x0) / cw * 1280
    want_w = FRAMING[2] * img_w / cw * 1280
    assert g.left == pytest.approx(1280 - want_x - want_w, abs=2)
    assert g.top == pytest.approx((FRAMING[1] * img_h - y0) / ch * 720, abs=2)
    assert close_to(pixels(surf)[g.centery, g.left + 2], theme.ACCENT, 40)


@pytest.mark.parametrize("readiness", [0.0, 0.25, 0.75, 1.0])
def test_meter_fill_is_proportional(fonts, readiness):
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=readiness)))
    track, fill = d.meter
    assert fill.width == round(track.width * readiness)


def test_coach_ready_turns_green(fonts, face_frame):
    surf, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.9, ready=True)),
                   frame=face_frame, framing=FRAMING)
    track, fill = d.meter
    assert close_to(pixels(surf)[track.centery, track.left + fill.width // 2], theme.READY, 8)
    assert "Hold it" in d.text()


def test_coach_before_the_first_guidance(fonts):
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile"))
    assert "Step into the oval" in d.text() and d.meter[1].width == 0


# ---------------------------------------------------------------- countdown, capture, processing


@pytest.mark.parametrize("now,digit", [(0.1, "3"), (1.2, "2"), (2.5, "1")])
def test_countdown_digits(fonts, face_frame, now, digit):
    surf, d = draw(fonts, State(phase=Phase.COUNTDOWN, since=0.0, deadline=3.0), now=now, frame=face_frame)
    assert_text_drawn(surf, d, digit)
    assert d.texts[0][0] == digit


def test_capture_is_a_white_flash(fonts, face_frame):
    surf, d = draw(fonts, State(phase=Phase.CAPTURE), frame=face_frame)
    assert (pixels(surf) == 255).all() and d.texts == []


def test_processing_is_animated(fonts):
    st = State(phase=Phase.PROCESSING, since=0.0)
    s1, d1 = draw(fonts, st, now=0.0)
    s2, _ = draw(fonts, st, now=0.2)
    assert_text_drawn(s1, d1, "Developing your photo")
    assert (pixels(s1) != pixels(s2)).any()


# ---------------------------------------------------------------- review


def _previews():
    return SimpleNamespace(previews={
        "none": np.full((500, 400, 3), (200, 40, 40), np.uint8),
        "natural": np.full((500, 400, 3), (40, 200, 40), np.uint8),
        "polished": np.full((500, 400, 3), (40, 40, 200), np.uint8),
    })


@pytest.mark.parametrize("level", RETOUCH_LEVELS)
def test_review_shows_the_chosen_level(fonts, level):
    st = State(phase=Phase.REVIEW, photo=_previews(), retouch=level, since=0.0, deadline=30.0)
    surf, d = draw(fonts, st, retakes_left=2)
    colour = _previews().previews[level][0, 0]
    assert close_to(pixels(surf)[d.photo.centery, d.photo.centerx], colour, 2)
    assert d.photo.height <= Layout(1280, 720).review_photo().height
    for t in ("Keep this one?", "None", "Natural", "Polished", "Keep it", "Retake — hold (2 left)", "Deleted in 29 s unless you keep it"):
        assert_text_drawn(surf, d, t)
    pill = Layout(1280, 720).retouch_pills()[RETOUCH_LEVELS.index(level)]
    assert close_to(pixels(surf)[pill.centery, pill.left + pill.width // 10], theme.ACCENT, 5)


def test_review_no_retakes_left_and_saving(fonts):
    st = State(phase=Phase.REVIEW, photo=_previews(), publishing=True)
    _, d = draw(fonts, st, retakes_left=0)
    assert "No retakes left" in d.text() and "Saving" in d.text() and "Deleted in" not in d.text()


def test_review_level_not_rendered_yet(fonts):
    st = State(phase=Phase.REVIEW, photo=SimpleNamespace(previews={}), retouch="polished")
    _, d = draw(fonts, st)
    assert d.photo is None and "Keep this one?" in d.text()


# ---------------------------------------------------------------- share


def _decode(surf, rect):
    img = cv2.cvtColor(pixels(surf, rect.inflate(20, 20).clip(surf.get_rect())), cv2.COLOR_RGB2BGR)
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(img)
    return text


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (800, 480), (1920, 1080)])
def test_share_qr_decodes_to_the_photo_url_and_is_crisp(fonts, size):
    surf, d = draw(fonts, State(phase=Phase.SHARE, url=URL), size=size, expiry_days=7)
    rect, encoded = d.qr
    assert encoded == URL
    assert _decode(surf, rect) == URL
    region = pixels(surf, rect)
    assert set(np.unique(region)) <= {0, 255}  # crisp: no smoothing, no grey edges
    side = min(size)
    assert rect.width >= 0.55 * side  # as big as the screen allows: scanned from 1.5 m
    assert_text_drawn(surf, d, "Scan to download")
    assert_text_drawn(surf, d, "192.168.4.1:8080/p/")
    assert "Kept for 7 days" in d.text()


def test_share_with_wifi_labels_the_second_step(fonts):
    _, d = draw(fonts, State(phase=Phase.SHARE, url=URL), wifi_payload=WIFI, wifi_ssid="booth")
    assert "2. Download" in d.text()


def test_share_wifi_qr_joins_the_network(fonts):
    surf, d = draw(fonts, State(phase=Phase.SHARE_WIFI), wifi_payload=WIFI, wifi_ssid="booth")
    rect, encoded = d.qr
    assert _decode(surf, rect) == WIFI
    for t in ("1. Join the booth's Wi-Fi", "Network: booth", "2. Download"):
        assert_text_drawn(surf, d, t)


def test_goodbye_message(fonts):
    surf, d = draw(fonts, State(phase=Phase.GOODBYE, message="Thanks — see you next time"))
    assert_text_drawn(surf, d, "Thanks — see you next time")


# ---------------------------------------------------------------- every screen, every shape


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (480, 320)])
@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
def test_every_screen_fits_any_screen(fonts, face_frame, size, phase):
    st = State(phase=phase, look="smile", url=URL, guidance=G(), photo=_previews(),
               message="Thanks — see you next time", since=0.0, deadline=3.0)
    surf, d = draw(fonts, st, size=size, frame=face_frame, framing=FRAMING, wifi_payload=WIFI,
                   wifi_ssid="booth", retakes_left=1)
    bounds = surf.get_rect()
    for text, rect in d.texts:
        assert bounds.contains(rect), f"{phase.value} {size}: {text!r} at {rect} is off screen"
