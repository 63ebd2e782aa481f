"""Every screen in every language fits: real pygame (dummy driver) at 1280x720, 800x480 and a portrait 1080x1920.

Each frame's record says, for every text drawn, the box it was given, what
its lines covered and the size it got (Drawn.fits), and every message the
screen asked the guest's language for (Drawn.asked). A frame fails when a
text spills out of its box or is drawn below the two-metre minimum
(theme.MIN_PX), or when a message has no translation in the catalogue.

Languages: English, every catalogue the repository ships, and two
pseudo-languages made from the code's own extracted words (tests/pseudo_locale.py):
"fi", every message accented and 40 % longer (German and Finnish run 30-40 %
over English), and "ja", every message in full-width letters without spaces,
drawn by the CJK font, so lines must break between characters. In the
pseudo-languages every text that is a message must come out accented or
full-width: a text drawn without the translator shows up as plain English.
Screenshots of the German and Japanese screens (and of the pseudo-languages)
are kept in test-artifacts/languages/.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pygame
import pytest

from booth import i18n
from booth.coach import words as W
from booth.event import Event
from booth.session import CAMERA_RETRYING, FLOW_ORDER, RETOUCH_LEVELS, SORRY_CAMERA, SORRY_PAUSED, SORRY_PHOTO, \
    THANKS, Phase, Shot, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import Renderer, Scene
from booth.ui.screens.painter import NO_START, UNSPACED
from booth.ui.words import BUTTON, KEYBOARD, TOUCH, TIP_S, TIPS
from tests.pseudo_locale import extract, fullwidth, write_pseudo

SIZES = [(1280, 720), (800, 480), (1080, 1920)]
URL = "http://192.168.4.1:8080/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
CLOUD_URL = "https://photos.example.com/p/Xk3v9QpL2mZt7RbN4wYc1A_-"
WIFI = "WIFI:T:WPA;S:Photo booth;P:s3cret;;"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # as tests/test_web_support.py keeps them
PSEUDO_MARK = re.compile(r"[À-ɏḀ-ỿ\uff01-\uff5e]")  # accented Latin, or full-width forms
# Prompts the coach can show on the coach screen's top line (the longest decides the layout).
PROMPTS = [v for k, v in vars(W).items() if k.isupper() and isinstance(v, str)] + list(W.LOOK_AWAY.values())


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config(languages=("en", "ja"))


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory) -> Path:
    """A locale folder with the two pseudo-languages, made from the words the code marks now."""
    root = tmp_path_factory.mktemp("pseudo-locale")
    pot = extract(root / "booth.pot")
    write_pseudo(pot, root, "fi")
    write_pseudo(pot, root, "ja", fullwidth)
    return root


def languages() -> list[tuple[str, str]]:
    """(code, where): English, every shipped catalogue, and the two pseudo-languages."""
    shipped = [(code, "shipped") for code in i18n.available()]
    return shipped + [("fi", "pseudo"), ("ja", "pseudo")]


def shots() -> tuple[Shot, ...]:
    out = []
    for i, look in enumerate(FLOW_ORDER):
        previews = {level: np.full((500, 400, 3), 60 + 40 * i, np.uint8) for level in RETOUCH_LEVELS}
        out.append(Shot(look, f"t{i}", f"http://b/p/t{i}", SimpleNamespace(previews=previews), "auto"))
    return tuple(out)


def scenes(code: str, offered: tuple[str, ...]):
    """(name, State, Scene options) for every screen and the variants whose words differ."""
    photo = SimpleNamespace(previews={level: np.full((600, 480, 3), 128, np.uint8) for level in RETOUCH_LEVELS})
    st = dict(language=code, since=0.0)
    live = dict(deadline=40.0)
    event = Event(name="Sommerfest der Stadtwerke Düsseldorf", welcome="Willkommen!")
    for words in (BUTTON, TOUCH, KEYBOARD):
        k = words.kind
        touch = k == "touch"
        opts = dict(words=words, touch=touch, languages=offered)
        for i in range(len(TIPS)):
            yield f"attract-{k}-tip{i}", State(**st), dict(opts, now=i * TIP_S + 0.5)
        yield f"attract-{k}-event", State(**st), dict(opts, event=event)
        yield f"choose-{k}", State(phase=Phase.CHOOSE, **st, **live), opts
        yield f"choose-{k}-steered", State(phase=Phase.CHOOSE, scanning=False, **st, **live), opts
        yield f"coach-{k}-hold", State(phase=Phase.COACH, look="smile", guidance=_g(ready=True), **st, **live), opts
        yield f"coach-{k}-flow", State(phase=Phase.COACH, look="contemplative", guidance=_g(), **st, **live), \
            dict(opts, flow="all")
        yield f"coach-{k}-manual", State(phase=Phase.COACH, look="serious", guidance=_g(ready=True), **st, **live), \
            dict(opts, auto_trigger=False)
        yield f"review-{k}", State(phase=Phase.REVIEW, photo=photo, retouch="natural", **st, **live), \
            dict(opts, retakes_left=2)
        yield f"review-{k}-last", State(phase=Phase.REVIEW, photo=photo, **st, **live), dict(opts, retakes_left=1)
        for look in FLOW_ORDER[1:]:
            yield f"handover-{k}-{look}", State(phase=Phase.HANDOVER, look=look, shots=shots()[:1], keeps=(True,),
                                                **st, **live), opts
        yield f"pick-{k}", State(phase=Phase.PICK, shots=shots(), keeps=(True, False, True), retouch="polished",
                                 **st, **live), dict(opts, retakes_left=2)
        yield f"pick-{k}-all", State(phase=Phase.PICK, shots=shots(), keeps=(True, True, True), **st, **live), \
            dict(opts, retakes_left=1)
        yield f"pick-{k}-none", State(phase=Phase.PICK, shots=shots(), keeps=(False, False, False), refused=True,
                                      **st, **live), opts
        share = State(phase=Phase.SHARE, url=URL, token="Xk3v9QpL2mZt7RbN4wYc1A_-", **st, **live)
        yield f"share-{k}", share, opts
        yield f"share-{k}-wifi", share, dict(opts, wifi_payload=WIFI, wifi_ssid="Photo booth")
        cloud = State(phase=Phase.SHARE, url=CLOUD_URL, token="Xk3v9QpL2mZt7RbN4wYc1A_-", **st, **live)
        yield f"share-{k}-cloud", cloud, dict(opts, local_base="http://192.168.4.1:8080")
        yield f"share-{k}-cloud-wifi", cloud, dict(opts, local_base="http://192.168.4.1:8080", wifi_payload=WIFI,
                                                   wifi_ssid="Photo booth")
        wifi = State(phase=Phase.SHARE_WIFI, url=URL, token="Xk3v9QpL2mZt7RbN4wYc1A_-", **st, **live)
        yield f"wifi-{k}", wifi, dict(opts, wifi_payload=WIFI, wifi_ssid="Photo booth")
        yield f"wifi-{k}-cloud", wifi, dict(opts, wifi_payload=WIFI, wifi_ssid="Photo booth",
                                            local_base="http://192.168.4.1:8080")
    opts = dict(words=BUTTON, touch=True, languages=offered)
    yield "attract-camera-lost", State(camera_ok=False, camera_message=CAMERA_RETRYING, **st), opts
    yield "attract-disk-full", State(disk_ok=False, **st), opts
    for i, prompt in enumerate(PROMPTS):
        yield f"coach-prompt{i}", State(phase=Phase.COACH, look="smile", guidance=_g(prompt=prompt), **st, **live), \
            opts
    yield "coach-nobody", State(phase=Phase.COACH, look="smile", guidance=_g(face=False, prompt=None), **st,
                                **live), opts
    yield "coach-stay", State(phase=Phase.COACH, look="smile", guidance=_g(prompt=None), **st, **live), opts
    yield "breathe-calm", State(phase=Phase.BREATHE, look="smile", **st, **live), opts
    yield "breathe-out", State(phase=Phase.BREATHE, look="smile", breathed=2.5, **st, **live), opts
    yield "breathe-asking", State(phase=Phase.BREATHE, look="smile", breathe_prompts=(W.STEP_INTO_FRAME,), **st,
                                  **live), opts
    yield "countdown", State(phase=Phase.COUNTDOWN, look="smile", **st, deadline=3.0), opts
    for i in range(3):
        yield f"processing-{i}", State(phase=Phase.PROCESSING, **st, **live), dict(opts, now=0.2 + 1.5 * i)
    yield "review-saving", State(phase=Phase.REVIEW, photo=photo, publishing=True, **st, **live), opts
    yield "pick-saving", State(phase=Phase.PICK, shots=shots(), keeps=(True, True, True), publishing=True, **st,
                               **live), opts
    for i, message in enumerate((THANKS, SORRY_CAMERA, SORRY_PHOTO, SORRY_PAUSED)):
        yield f"goodbye-{i}", State(phase=Phase.GOODBYE, message=message, **st, **live), opts


def _g(ready: bool = False, face: bool = True, prompt: str | None = W.SMILE_EYES) -> SimpleNamespace:
    return SimpleNamespace(face=face, fire=False, readiness=0.9 if ready else 0.4, ready=ready,
                           prompts=(prompt,) if prompt else ())


# Whose screenshots are kept: German and Japanese, and the two pseudo-languages.
KEEP = {("de", "shipped"): "german", ("ja", "shipped"): "japanese", ("fi", "pseudo"): "long-pseudo",
        ("ja", "pseudo"): "fullwidth-pseudo"}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("code", "where"), languages(), ids=lambda v: v)
def test_every_screen_fits_in_every_language(fonts, pseudo, code, where, size):
    locale_dir = pseudo if where == "pseudo" else i18n.LOCALE_DIR
    tr = i18n.translator(code, locale_dir)
    offered = tuple(dict.fromkeys(("en", code, "ja", "de", "el", "ru", "zh", "ko")))  # names in four scripts
    renderer = Renderer(Layout(*size), fonts)
    keep = KEEP.get((code, where))
    problems: list[str] = []
    frames = 0
    for name, state, opts in scenes(code, offered):
        now = opts.pop("now", 1.0)
        surf = pygame.Surface(size)
        d = renderer.draw(surf, Scene(state, now, locale_dir=locale_dir, **opts))
        frames += 1
        assert len(d.fits) == len(d.texts)
        for fit in d.fits:
            where_ = f"{name} {size[0]}x{size[1]} {code}: {fit.text!r}"
            if not fit.box.contains(fit.bounds):
                problems.append(f"{where_} spills out of its box ({fit.bounds} not in {fit.box}, {fit.px} px)")
            if fit.px < theme.MIN_PX:
                problems.append(f"{where_} drawn at {fit.px} px, below the {theme.MIN_PX} px minimum")
            if fit.broken and not fit.verbatim and fit.language not in UNSPACED:
                problems.append(f"{where_} has a word cut across lines ({fit.box.width} px wide, {fit.px} px)")
            if fit.language in UNSPACED and any(row[:1] in NO_START for row in fit.rows[1:]):
                problems.append(f"{where_} starts a line with what kinsoku forbids: {'|'.join(fit.rows)}")
            if where == "pseudo" and not fit.verbatim and not fit.text.isdigit() and not PSEUDO_MARK.search(fit.text):
                problems.append(f"{where_} was not translated (drawn as it is, not through the catalogue)")
        problems += [f"{name} {code}: no translation of {m!r}" for m in d.asked if not tr.has(m)]
        if keep and (size == (1280, 720) or name.startswith(("attract-button-tip0", "pick-touch", "share-touch"))):
            folder = ARTIFACTS / "languages" / keep
            folder.mkdir(parents=True, exist_ok=True)
            pygame.image.save(surf, str(folder / f"{size[0]}x{size[1]}-{name}.png"))
    assert frames > 100
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_the_pseudo_languages_really_are_longer_and_cjk(fonts, pseudo):
    """What makes the test above mean something: the long pseudo-language is 40 % longer than English in
    pixels too, and the CJK one is drawn by the CJK font, wider still."""
    long, cjk = i18n.translator("fi", pseudo), i18n.translator("ja", pseudo)
    en_font, cjk_font = fonts.get(40), fonts.get(40, language="ja")
    for message in ("Press the button", TIPS[0], BUTTON.handover_next):
        english = en_font.size(message)[0]
        assert en_font.size(long(message))[0] >= 1.3 * english
        assert cjk_font.size(cjk(message))[0] >= 1.3 * english
        assert " " not in cjk(message) and cjk_font.name.startswith("Noto Sans CJK")


def test_a_text_drawn_past_the_translator_is_caught(fonts, pseudo):
    """The checks above fail for the faults they look for: untranslated text, an unmarked message, a spill."""
    from booth.ui.screens.painter import Painter

    renderer = Renderer(Layout(800, 480), fonts)
    d = renderer.draw(pygame.Surface((800, 480)), Scene(State(language="fi"), 1.0, locale_dir=pseudo))
    painter: Painter = renderer.painter
    surf = pygame.Surface((800, 480))
    painter.text(surf, d, "Plain English", pygame.Rect(0, 0, 400, 100), theme.BODY)
    assert not PSEUDO_MARK.search(d.fits[-1].text) and not d.fits[-1].verbatim
    painter.tr("A message nobody marked")
    assert not i18n.translator("fi", pseudo).has(d.asked[-1])
    painter.text(surf, d, "A very long sentence that cannot fit " * 6, pygame.Rect(0, 0, 200, 20), theme.TITLE)
    assert not d.fits[-1].fits


def test_attract_offers_each_language_by_its_own_name_the_guests_lit(fonts, pseudo):
    size = (1280, 720)
    L = Layout(*size)
    offered = ("en", "ja", "el")
    surf = pygame.Surface(size)
    d = Renderer(L, fonts).draw(surf, Scene(State(language="ja"), 1.0, languages=offered, locale_dir=pseudo))
    assert [code for code, _ in d.languages] == list(offered)
    assert [cell for _, cell in d.languages] == L.language_cells(3)  # where a tap picks it (hit_test)
    names = {fit.text: fit for fit in d.fits if fit.verbatim}
    assert {"English", "日本語", "Ελληνικά"} <= set(names)
    assert names["日本語"].language == "ja" and names["Ελληνικά"].language == "el"  # each in its own script's font
    px = pygame.surfarray.array3d(surf).transpose(1, 0, 2)
    cells = dict(d.languages)
    lit, unlit = cells["ja"], cells["en"]
    def has_accent(cell: pygame.Rect) -> bool:
        patch = px[cell.top:cell.bottom, cell.left:cell.right].reshape(-1, 3).astype(int)
        return bool((np.abs(patch - np.array(theme.ACCENT)).sum(axis=1) < 30).mean() > 0.3)
    assert has_accent(lit) and not has_accent(unlit)
    # The bottom band with the hint and the tip sits above the names.
    hint = next(fit for fit in d.fits if fit.text == i18n.translator("ja", pseudo)(BUTTON.start))
    assert hint.bounds.bottom <= L.language_strip(3).top
    one = Renderer(L, fonts).draw(pygame.Surface(size), Scene(State(), 1.0))
    assert one.languages == [] and "English" not in one.text()  # one language: nothing to choose


def test_the_qr_opens_the_page_in_the_language_the_guest_chose(fonts, pseudo):
    token = "Xk3v9QpL2mZt7RbN4wYc1A_-"
    offered = ("en", "ja")
    def qr_of(language: str, **opts) -> list[str]:
        st = State(phase=Phase.SHARE, url=URL, token=token, language=language, since=0.0, deadline=40.0)
        d = Renderer(Layout(1280, 720), fonts).draw(pygame.Surface((1280, 720)),
                                                    Scene(st, 1.0, languages=offered, locale_dir=pseudo, **opts))
        return [text for _, text in d.qrs]
    assert qr_of("ja") == [URL + "?lang=ja"]
    assert qr_of("en") == [URL]  # the booth's first language: the phone's own wins on the page
    assert qr_of("ja", local_base="http://192.168.4.1:8080") == [
        URL + "?lang=ja", "http://192.168.4.1:8080/p/" + token + "?lang=ja"]
