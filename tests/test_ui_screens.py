"""Each screen drawn by real pygame (dummy video driver) and checked in its pixels.

The frame comes from a real face photo; texts are checked both in the
renderer's record and in the pixels under it; the share screen's QR is read
back with OpenCV's detector.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace

import cv2
import numpy as np
import pygame
import pytest

from booth.codes import short_code
from booth.coach.words import STEP_INTO_FRAME
from booth.session import RETOUCH_LEVELS, Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.guide import guide
from booth.ui.screens import HOLD_IT, TIP_S, TIPS, Renderer, Scene
from booth.ui.words import BUTTON, KEYBOARD, TOUCH, words_for

URL = "http://192.168.4.1:8080/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
WIFI = "WIFI:T:WPA;S:booth;P:s3cret\\;pass;;"
GUIDE = guide((640, 480), "4:5")  # the centred crop: no face seen


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
    # A fraction of a day in whole hours (booth.durations.span): a plural rule counts whole numbers.
    _, d = draw(fonts, State(), expiry_days=1.5)
    assert "deleted after 36 hours." in d.text()


def test_attract_says_tap_when_that_is_the_way(fonts):
    surf, d = draw(fonts, State(), words=TOUCH)
    assert_text_drawn(surf, d, "Tap the screen to start")


def test_attract_camera_down_says_so_instead_of_the_start_hint(fonts, face_frame):
    st = State(camera_ok=False, camera_message="Camera unavailable — retrying")
    surf, d = draw(fonts, st, frame=face_frame)
    assert_text_drawn(surf, d, "Camera unavailable — retrying")
    assert "Press the button" not in d.text() and d.preview is None
    # Like the disk-full screen: staff are asked for, and no posing tip while nobody can pose.
    assert_text_drawn(surf, d, "Please tell a member of staff")
    assert not any(tip in d.text() for tip in TIPS)
    r = d.find("Camera unavailable")
    around = pixels(surf, Layout(1280, 720).inner()).reshape(-1, 3).astype(int)
    assert (np.abs(around - theme.FAULT).max(axis=1) <= 2).sum() > 500  # the red frame of the fault panel


def test_attract_disk_full_pauses_captures_on_screen(fonts, face_frame):
    surf, d = draw(fonts, State(disk_ok=False), frame=face_frame)
    assert_text_drawn(surf, d, "storage is full")
    assert_text_drawn(surf, d, "Please tell a member of staff")
    assert "Press the button" not in d.text()
    assert not any(tip in d.text() for tip in TIPS)


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
    _, d = draw(fonts, State(phase=Phase.CHOOSE, scanning=False), words=KEYBOARD)
    assert "Pick a look with the arrows, then press space" in d.text() and "‹ Back" in d.text()
    _, d = draw(fonts, State(phase=Phase.CHOOSE), touch=False)
    assert "‹ Back" not in d.text()


def _words_only(d, allowed: set[str]) -> set[str]:
    """The action words a screen used, beside those of its own controls."""
    vocabulary = {"press", "hold", "tap", "space", "esc", "arrows", "button"}
    used = {w.strip(".,—()").lower() for t, _ in d.texts for w in t.split()}
    return (used & vocabulary) - allowed


@pytest.mark.parametrize("scanning", [True, False])
def test_choose_and_review_speak_the_touch_booths_language(fonts, scanning):
    _, d = draw(fonts, State(phase=Phase.CHOOSE, scanning=scanning), words=TOUCH)
    assert "Tap the look you want" in d.text()
    assert _words_only(d, {"tap"}) == set(), d.text()  # no "press", no "hold" on a touch screen
    st = State(phase=Phase.REVIEW, photo=_previews(), since=0.0, deadline=30.0)
    surf, d = draw(fonts, st, retakes_left=2, words=TOUCH)
    assert_text_drawn(surf, d, "Keep it")
    assert_text_drawn(surf, d, "Retake (2 left)")
    assert _words_only(d, {"tap"}) == set(), d.text()


def test_choose_and_review_speak_the_keyboard_booths_language(fonts):
    _, d = draw(fonts, State(phase=Phase.CHOOSE), words=KEYBOARD)
    assert "Press space when your look lights up" in d.text()
    assert _words_only(d, {"press", "space", "arrows"}) == set(), d.text()
    st = State(phase=Phase.REVIEW, photo=_previews(), since=0.0, deadline=30.0)
    surf, d = draw(fonts, st, retakes_left=1, words=KEYBOARD)
    assert_text_drawn(surf, d, "Keep it — space")
    assert_text_drawn(surf, d, "Retake — Esc (1 left)")
    assert _words_only(d, {"press", "space", "esc"}) == set(), d.text()


def test_share_wifi_step_speaks_each_booths_language(fonts):
    for words, needle in ((BUTTON, "press the button"), (TOUCH, "tap the screen"), (KEYBOARD, "press space")):
        _, d = draw(fonts, State(phase=Phase.SHARE_WIFI), words=words, wifi_payload=WIFI, wifi_ssid="booth")
        assert f"Then {needle} for 2. Download" in d.text()


def test_words_follow_the_controls_that_work():
    assert words_for(button=True, touch=True, keyboard=True) is BUTTON
    assert words_for(button=False, touch=True, keyboard=True) is TOUCH
    assert words_for(button=False, touch=False, keyboard=True) is KEYBOARD


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


def test_breathe_asks_a_missing_face_to_step_in_and_holds_the_breath(fonts):
    # One second breathed, then the face was lost: the session asks, the breath waits.
    st = State(phase=Phase.BREATHE, since=0.0, deadline=6.0, breathed=1.0, counted_at=3.0,
               breathe_prompts=(STEP_INTO_FRAME,))
    s1, d1 = draw(fonts, st, now=3.0)
    s2, d2 = draw(fonts, st, now=4.5)
    assert_text_drawn(s1, d1, STEP_INTO_FRAME)
    assert "Breathe in" not in d1.text() and "and out" not in d1.text()
    assert np.array_equal(pixels(s1), pixels(s2))  # the circle stands still until the face is back
    back = replace(st, breathe_prompts=())
    s3, d3 = draw(fonts, back, now=4.5)
    assert "and out" in d3.text() and STEP_INTO_FRAME not in d3.text()  # 1 + 1.5 of 4 s: breathing out


# ---------------------------------------------------------------- coach


def test_coach_preview_guide_prompts_and_meter(fonts, face_frame):
    st = State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.4))
    surf, d = draw(fonts, st, frame=face_frame, guide=GUIDE,
                   look_info={"smile": ("Smile", "")})
    assert d.preview is not None
    assert_text_drawn(surf, d, "Chin down a touch")
    assert "Relax your shoulders" not in d.text()  # the one thing to do now, never a list
    assert_text_drawn(surf, d, "Smile")
    track, fill = d.meter
    assert fill.width / track.width == pytest.approx(0.4, abs=0.01)
    row = pixels(surf)[track.centery, track.left + 10:track.right - 10]
    lit = np.all(np.abs(row.astype(int) - theme.ACCENT) <= 8, axis=1).mean()
    assert lit == pytest.approx(0.4, abs=0.05)
    # The framing guide: the head's place in the crop, mirrored into the cropped preview.
    g = d.guide
    img_w, img_h = 640, 480
    x0, y0, cw, ch = 0, 60, 640, 360
    head = GUIDE.head
    want_x = (head[0] * img_w - x0) / cw * 1280
    want_w = head[2] * img_w / cw * 1280
    assert g.left == pytest.approx(1280 - want_x - want_w, abs=2)
    assert g.top == pytest.approx((head[1] * img_h - y0) / ch * 720, abs=2)
    assert close_to(pixels(surf)[g.centery, g.left + 2], theme.ACCENT, 40)


@pytest.mark.parametrize("readiness", [0.0, 0.25, 0.75, 1.0])
def test_meter_fill_is_proportional(fonts, readiness):
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=readiness)))
    track, fill = d.meter
    assert fill.width == round(track.width * readiness)


def test_coach_ready_turns_green(fonts, face_frame):
    surf, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.9, ready=True)),
                   frame=face_frame, guide=GUIDE)
    track, fill = d.meter
    assert close_to(pixels(surf)[track.centery, track.left + fill.width // 2], theme.READY, 8)
    assert "Hold it" in d.text()


def _top_line(d) -> str:
    top = Layout(1280, 720).top_band()
    lines = [t for t, r in d.texts if top.contains(r) and t != "‹ Back"]
    assert len(lines) == 1, lines  # one voice at the top
    return lines[0]


def test_coach_says_one_thing_at_a_time(fonts, face_frame):
    # Ready, with the automatic trigger: the top line says hold it, and nothing contradicts it.
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.9, ready=True, prompts=())),
                frame=face_frame, guide=GUIDE)
    assert _top_line(d) == HOLD_IT
    assert "Look into the lens" not in d.text()
    # Ready without the automatic trigger: nothing will happen by itself, so no "hold it".
    for words in (BUTTON, TOUCH, KEYBOARD):
        _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(readiness=0.9, ready=True, prompts=())),
                    frame=face_frame, guide=GUIDE, auto_trigger=False, words=words)
        assert _top_line(d) == words.take_now and "Hold it" not in d.text()
    # Not ready: the most important prompt, alone.
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G()), frame=face_frame, guide=GUIDE)
    assert _top_line(d) == "Chin down a touch"
    # A face and nothing to fix, not ready yet: no "Look into the lens" filler.
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(prompts=())), frame=face_frame, guide=GUIDE)
    assert "Look into the lens" not in d.text() and "Hold it" not in d.text()


def test_coach_before_the_first_guidance(fonts):
    _, d = draw(fonts, State(phase=Phase.COACH, look="smile"))
    assert "Step into the frame" in d.text() and d.meter[1].width == 0


def _framed(face_frame, faces_dir):
    """The same person further from the camera: the head a third of the frame's height."""
    rgb = cv2.cvtColor(cv2.imread(str(faces_dir / "london/smiling/004.jpg")), cv2.COLOR_BGR2RGB)
    small = cv2.resize(rgb, (320, 320), interpolation=cv2.INTER_AREA)
    img = cv2.copyMakeBorder(small, 100, 60, 160, 160, cv2.BORDER_REPLICATE)
    return SimpleNamespace(image=np.ascontiguousarray(img), index=8)


def _observe(model_path, frame):
    from booth.photo.face import FaceGeometry
    from booth.vision import FaceAnalyzer

    with FaceAnalyzer(model_path, mode="image") as analyzer:
        obs = analyzer.detect(frame.image)
    assert obs is not None
    return obs, FaceGeometry.from_landmarks(obs.landmarks, (640, 480))


def _inside(oval, x, y) -> float:
    """(x, y) in image pixels against the oval on screen: <= 1 inside (16:9 crop of 640x480, mirrored)."""
    sx, sy = 1280 - x / 640 * 1280, (y - 60) / 360 * 720
    return ((sx - oval.centerx) / (oval.width / 2)) ** 2 + ((sy - oval.centery) / (oval.height / 2)) ** 2


def test_coach_guide_is_the_photos_crop_and_holds_the_whole_head(fonts, face_frame, faces_dir, model_path):
    """The oval is where the headshot crop puts the head: the real face's chin and crown are inside it."""
    from booth.photo.crop import headshot_crop

    frame = _framed(face_frame, faces_dir)
    obs, face = _observe(model_path, frame)
    g = guide((640, 480), "4:5", obs)
    crop = headshot_crop((640, 480), face, "4:5")
    assert crop.rules_kept and g.face and g.fits
    assert g.crop == pytest.approx((crop.x / 640, crop.y / 480, crop.w / 640, crop.h / 480))
    surf, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(ready=True)), frame=frame, guide=g)
    assert d.crop.width / d.crop.height == pytest.approx(4 / 5, abs=0.02)  # the photo's own shape
    oval = d.guide
    for point in (face.chin, face.crown):
        assert _inside(oval, *point) <= 1.05, (point, oval)  # inside (the line is a few pixels wide)
    chin_y = (face.chin[1] - 60) / 360 * 720
    assert abs(chin_y - oval.bottom) < 0.08 * oval.height  # the oval ends at the chin, not at the mouth
    assert close_to(pixels(surf)[oval.centery, oval.left + 2], theme.READY, 40)  # ready: green


def test_coach_guide_never_green_around_half_a_head(fonts, face_frame, model_path):
    """Too close for the crop's rules: the chin is outside the oval, and the oval stays amber even if ready."""
    obs, face = _observe(model_path, face_frame)
    g = guide((640, 480), "4:5", obs)
    assert g.face and not g.fits
    surf, d = draw(fonts, State(phase=Phase.COACH, look="smile", guidance=G(ready=True)), frame=face_frame, guide=g)
    assert _inside(d.guide, *face.chin) > 1.2
    assert close_to(pixels(surf)[d.guide.centery, d.guide.left + 2], theme.ACCENT, 40)


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
    for t in ("Keep this one?", "None", "Natural", "Polished", "Keep it", "Retake — hold (2 left)", "Deleted in 29 seconds unless you keep it"):
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
    # No 24 look-alike characters to copy: the short code, at the address the phone can type.
    code = short_code("Xk3v9QpL2mZt7RbN4wYc1A_-")
    assert_text_drawn(surf, d, f"192.168.4.1:8080/{code[:4]}-{code[4:]}")
    assert "/p/" not in d.text() and "Xk3v9QpL" not in d.text()
    assert "Kept for 7 days" in d.text()


VISIT = "Vq8Ld2KxW9sTn4Rb7YcM1a-_"


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (800, 480)])
def test_share_of_a_visit_shows_the_visits_short_code(fonts, size):
    """The session of looks shares the visit's page: the QR holds it, and the typeable address is the
    visit's short code (booth web leads it to /v/<visit>), never the 24 characters."""
    url = f"http://192.168.4.1:8080/v/{VISIT}"
    surf, d = draw(fonts, State(phase=Phase.SHARE, url=url), size=size, expiry_days=7)
    assert d.qr[1] == url and _decode(surf, d.qr[0]) == url
    code = short_code(VISIT)
    assert_text_drawn(surf, d, f"or type 192.168.4.1:8080/{code[:4]}-{code[4:]}")
    assert "/v/" not in d.text() and VISIT[:8] not in d.text()


def test_typeable_url_reads_photo_and_visit_pages_only():
    from booth.ui.screens import typeable_url

    code = short_code(VISIT)
    assert typeable_url(f"http://10.42.0.1/v/{VISIT}") == f"10.42.0.1/{code[:4]}-{code[4:]}"
    assert typeable_url(f"https://booth.example/a/b/p/{VISIT}") == f"booth.example/a/b/{code[:4]}-{code[4:]}"
    assert typeable_url("http://10.42.0.1/x/" + VISIT) == "10.42.0.1/x/" + VISIT  # not a page: as it is
    assert typeable_url("http://10.42.0.1/v/") == "10.42.0.1/v/"
    assert typeable_url(f"http://10.42.0.1/v/{VISIT}?lang=de") == f"10.42.0.1/{code[:4]}-{code[4:]}"


def test_share_with_wifi_labels_the_second_step(fonts):
    _, d = draw(fonts, State(phase=Phase.SHARE, url=URL), wifi_payload=WIFI, wifi_ssid="booth")
    assert "2. Download" in d.text()


def test_share_wifi_qr_joins_the_network(fonts):
    surf, d = draw(fonts, State(phase=Phase.SHARE_WIFI), wifi_payload=WIFI, wifi_ssid="booth")
    rect, encoded = d.qr
    assert _decode(surf, rect) == WIFI
    for t in ("1. Join the booth's Wi-Fi", "Network: booth", "2. Download"):
        assert_text_drawn(surf, d, t)


CLOUD_URL = "https://photos.example.com/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
LOCAL = "http://10.42.0.1"


def _decode_qr(surf, rect):
    """Decoded from the code itself (its quiet zone is part of it), else with the screen around it.

    OpenCV's detector misses some codes at some sizes with a dark border around them (this
    CLOUD_URL at 656 px, say), which says nothing about the code: both crops are tried.
    """
    img = cv2.cvtColor(pixels(surf, rect), cv2.COLOR_RGB2BGR)
    return cv2.QRCodeDetector().detectAndDecode(img)[0] or _decode(surf, rect)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (1920, 1080)])
def test_cloud_share_offers_the_booths_own_address_beside_the_cloud_qr(fonts, size):
    token = CLOUD_URL.rsplit("/", 1)[1]
    surf, d = draw(fonts, State(phase=Phase.SHARE, url=CLOUD_URL, token=token), size=size, local_base=LOCAL)
    (main, main_text), (second, second_text) = d.qrs
    assert d.qr == (main, main_text) and main_text == CLOUD_URL and second_text == f"{LOCAL}/p/{token}"
    assert _decode_qr(surf, main) == CLOUD_URL and _decode_qr(surf, second) == f"{LOCAL}/p/{token}"
    assert main.width > second.width and not main.colliderect(second)
    code = short_code(token)
    for t in ("Scan to download", "No signal? On the booth's Wi-Fi, scan this:",
              f"or type 10.42.0.1/{code[:4]}-{code[4:]}", "Done"):
        assert_text_drawn(surf, d, t)
    assert "photos.example.com/" + code[:4] not in d.text(), "the cloud server has no short codes"


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)])
def test_cloud_share_with_the_booths_wifi_shows_both_ways(fonts, size):
    token = CLOUD_URL.rsplit("/", 1)[1]
    state = State(phase=Phase.SHARE, url=CLOUD_URL, token=token)
    surf, d = draw(fonts, state, size=size, local_base=LOCAL, wifi_payload=WIFI, wifi_ssid="booth")
    assert [text for _, text in d.qrs] == [CLOUD_URL] and _decode_qr(surf, d.qr[0]) == CLOUD_URL
    for t in ("Scan to download", "Works on mobile data", "No signal? Press the button for the booth's Wi-Fi",
              "No signal?"):
        assert_text_drawn(surf, d, t)
    # The way with no signal: join the booth's Wi-Fi, then its own download QR.
    surf, d = draw(fonts, replace(state, phase=Phase.SHARE_WIFI), size=size, local_base=LOCAL,
                   wifi_payload=WIFI, wifi_ssid="booth")
    (join, join_text), (local, local_text) = d.qrs
    assert join_text == WIFI and _decode_qr(surf, join) == WIFI
    assert local_text == f"{LOCAL}/p/{token}" and _decode_qr(surf, local) == local_text
    for t in ("1. Join the booth's Wi-Fi", "Network: booth", "2. Then scan this to download"):
        assert_text_drawn(surf, d, t)
    assert CLOUD_URL not in [text for _, text in d.qrs]


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)])
def test_cloud_share_of_a_visit_offers_the_visit_at_the_booths_own_address(fonts, size):
    """The session of looks with [cloud]: no photo token in the state, the cloud's visit page in the main
    QR; the way with no signal is the same visit on the booth's own address, with its short code."""
    cloud = f"https://photos.example.com/v/{VISIT}"
    local = f"{LOCAL}/v/{VISIT}"
    code = short_code(VISIT)
    surf, d = draw(fonts, State(phase=Phase.SHARE, url=cloud), size=size, local_base=LOCAL)
    assert [text for _, text in d.qrs] == [cloud, local]
    assert _decode_qr(surf, d.qrs[0][0]) == cloud and _decode_qr(surf, d.qrs[1][0]) == local
    assert_text_drawn(surf, d, f"or type 10.42.0.1/{code[:4]}-{code[4:]}")
    surf, d = draw(fonts, State(phase=Phase.SHARE_WIFI, url=cloud), size=size, local_base=LOCAL,
                   wifi_payload=WIFI, wifi_ssid="booth")
    assert [text for _, text in d.qrs] == [WIFI, local] and _decode_qr(surf, d.qrs[1][0]) == local
    for t in ("1. Join the booth's Wi-Fi", "2. Then scan this to download", f"10.42.0.1/{code[:4]}-{code[4:]}"):
        assert_text_drawn(surf, d, t)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (480, 320)])
@pytest.mark.parametrize("phase", [Phase.SHARE, Phase.SHARE_WIFI], ids=lambda p: p.value)
@pytest.mark.parametrize("wifi", [WIFI, ""], ids=["wifi", "no-wifi"])
def test_cloud_share_screens_fit_any_screen(fonts, size, phase, wifi):
    token = CLOUD_URL.rsplit("/", 1)[1]
    surf, d = draw(fonts, State(phase=phase, url=CLOUD_URL, token=token), size=size, local_base=LOCAL,
                   wifi_payload=wifi, wifi_ssid="booth" if wifi else "")
    bounds = surf.get_rect()
    for text, rect in d.texts:
        assert bounds.contains(rect), f"{phase.value} {size}: {text!r} at {rect} is off screen"
    for rect, text in d.qrs:
        assert bounds.contains(rect), f"{phase.value} {size}: the QR of {text!r} at {rect} is off screen"
    for (a, _), (b, _) in zip(d.qrs, d.qrs[1:]):
        assert not a.colliderect(b)


def test_goodbye_message(fonts):
    surf, d = draw(fonts, State(phase=Phase.GOODBYE, message="Thanks — see you next time"))
    assert_text_drawn(surf, d, "Thanks — see you next time")


# ---------------------------------------------------------------- every screen, every shape


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (480, 320)])
@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
def test_every_screen_fits_any_screen(fonts, face_frame, size, phase):
    st = State(phase=phase, look="smile", url=URL, guidance=G(), photo=_previews(),
               message="Thanks — see you next time", since=0.0, deadline=3.0)
    surf, d = draw(fonts, st, size=size, frame=face_frame, guide=GUIDE, wifi_payload=WIFI,
                   wifi_ssid="booth", retakes_left=1)
    bounds = surf.get_rect()
    for text, rect in d.texts:
        assert bounds.contains(rect), f"{phase.value} {size}: {text!r} at {rect} is off screen"
