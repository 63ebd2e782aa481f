"""The guest's language in the session (pure): chosen on attract, carried through, reset for the next guest."""

from __future__ import annotations

import pytest

from booth import session as s
from booth.session import LANGUAGE_IDLE_S, Action, Phase
from tests.test_session import Drive

LANGS = ("de", "en", "ja")


def test_the_first_language_is_the_default_and_one_language_offers_no_choice() -> None:
    d = Drive(languages=LANGS)
    assert d.state.language == "de"
    only = Drive()  # [display] languages = ["en"]: nothing to switch
    for action in (Action.LANGUAGE, Action.BACK, Action.NEXT, Action.PREV):
        only.press(action)
        assert only.state.language == "en" and only.phase is Phase.ATTRACT
    only.press(Action.LANGUAGE, 0)
    assert only.state.language == "en"


@pytest.mark.parametrize(("action", "index", "want"), [
    (Action.LANGUAGE, None, "en"),  # L or Tab: the next one
    (Action.BACK, None, "en"),  # the big button's long press: the next one
    (Action.NEXT, None, "en"),
    (Action.PREV, None, "ja"),  # round the list the other way
    (Action.LANGUAGE, 2, "ja"),  # a tap on its name
])
def test_one_press_or_tap_on_attract_switches(action: Action, index: int | None, want: str) -> None:
    d = Drive(languages=LANGS).press(action, index)
    assert d.phase is Phase.ATTRACT and d.state.language == want
    assert not d.of(s.SessionStarted)


def test_cycling_goes_round_and_a_tap_off_the_list_changes_nothing() -> None:
    d = Drive(languages=LANGS)
    seen = [d.press(Action.LANGUAGE).state.language for _ in range(4)]
    assert seen == ["en", "ja", "de", "en"]
    assert d.press(Action.LANGUAGE, 7).state.language == "en"
    assert d.press(Action.LANGUAGE, -1).state.language == "en"


def test_the_language_lasts_the_session_and_the_next_guest_starts_in_the_default() -> None:
    d = Drive(languages=LANGS).press(Action.LANGUAGE, 2)
    d.to_share()
    assert d.state.language == "ja"  # through choose, breathe, coach, capture, review, share
    d.press()  # done: goodbye
    assert d.phase is Phase.GOODBYE and d.state.language == "ja"  # "thanks" in the guest's own language
    d.tick(10.0)
    assert d.phase is Phase.ATTRACT and d.state.language == "de"


def test_a_guest_who_walks_away_leaves_the_default_behind() -> None:
    d = Drive(languages=LANGS, walkaway_s=6.0).press(Action.LANGUAGE, 1).to_breathe()
    d.tick(7.0)
    assert d.phase is Phase.GOODBYE
    d.tick(10.0)
    assert d.phase is Phase.ATTRACT and d.state.language == "de"


def test_stepping_back_to_attract_is_the_same_guest() -> None:
    d = Drive(languages=LANGS).press(Action.LANGUAGE, 2).to_choose()
    d.press(Action.BACK)
    assert d.phase is Phase.ATTRACT and d.state.language == "ja"


def test_a_choose_screen_left_alone_is_a_new_guest() -> None:
    d = Drive(languages=LANGS, choose_timeout_s=20.0, walkaway_s=100.0).press(Action.LANGUAGE, 2).to_choose()
    d.tick(21.0)
    assert d.phase is Phase.ATTRACT and d.state.language == "de"


def test_a_language_chosen_but_never_used_goes_back_after_a_while() -> None:
    d = Drive(languages=LANGS).press(Action.LANGUAGE, 2)
    d.tick(LANGUAGE_IDLE_S - 1.0)
    assert d.state.language == "ja"
    d.press(Action.LANGUAGE, 1).tick(LANGUAGE_IDLE_S - 1.0)  # each choice restarts the wait
    assert d.state.language == "en"
    d.tick(2.0)
    assert d.phase is Phase.ATTRACT and d.state.language == "de"


def test_settings_take_the_languages_from_the_config() -> None:
    from booth.config import config_from_dict

    config = config_from_dict({})
    config.display.languages = ["en"]
    assert s.Settings.from_config(config).languages == ("en",)
