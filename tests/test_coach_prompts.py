"""PromptBoard: prompts appear and go with a delay, never flicker, at most two, most important first."""

from __future__ import annotations

from booth.coach.prompts import PromptBoard, PromptItem


def item(key: str, met: bool, text: str | None = None, required: bool = True) -> PromptItem:
    return PromptItem(key, text or key.title(), met, required)


def play(board: PromptBoard, frames: list[tuple[float, list[PromptItem]]]) -> dict[float, tuple[str, ...]]:
    return {t: board.update(t, items) for t, items in frames}


def test_a_prompt_waits_then_stays_until_its_target_has_held():
    board = PromptBoard(show_after=0.5, clear_after=0.5)
    frames = [(i / 10, [item("smile", met=i >= 12)]) for i in range(25)]
    shown = play(board, frames)
    assert shown[0.4] == () and shown[0.5] == ("Smile",)
    assert shown[1.6] == ("Smile",) and shown[1.7] == ()  # met from 1.2, held 0.5 s at 1.7


def test_a_wobbling_target_shows_a_steady_prompt():
    board = PromptBoard(show_after=0.5, clear_after=0.5)
    frames = [(i / 10, [item("smile", met=bool(i % 2))]) for i in range(30)]
    shown = play(board, frames)
    assert [shown[i / 10] for i in range(6)] == [()] * 6  # shows at the first miss after 0.5 s
    assert {shown[i / 10] for i in range(6, 30)} == {("Smile",)}


def test_at_most_two_most_important_first_and_soft_ones_only_alone():
    board = PromptBoard(show_after=0.0, clear_after=0.0, max_shown=2)
    items = [item("a", False), item("b", True), item("c", False), item("d", False), item("e", False, required=False)]
    assert board.update(0.0, items) == ("A", "C")
    only_soft = [item("a", True), item("c", True), item("d", True), item("e", False, required=False)]
    assert board.update(0.1, only_soft) == ("E",)


def test_the_words_stay_fixed_while_shown_and_the_same_words_show_once():
    board = PromptBoard(show_after=0.0, clear_after=0.3)
    assert board.update(0.0, [item("smile", False, "Smile!"), item("pitch", False, "Face the camera"),
                              item("yaw", False, "Face the camera")]) == ("Smile!", "Face the camera")
    assert board.update(0.1, [item("smile", False, "A bit bigger smile")]) == ("Smile!", "Face the camera")


def test_prompts_nobody_asks_about_any_more_fade_like_met_ones():
    board = PromptBoard(show_after=0.0, clear_after=0.5, show_after_by_key={"face": 1.0})
    assert board.update(0.0, [item("closer", False)]) == ("Closer",)
    assert board.update(0.1, [item("face", False, "Step into the frame")]) == ("Closer",)
    assert board.update(0.6, [item("face", False, "Step into the frame")]) == ()
    assert board.update(1.1, [item("face", False, "Step into the frame")]) == ("Step into the frame",)
    board.reset()
    assert board.shown() == ()


def test_a_prompt_stays_first_long_enough_to_be_acted_on():
    """A more important target slipping does not take the screen from a prompt just shown and still
    missed until it has been up ``min_shown``; once its own target holds, it goes at once as before."""
    board = PromptBoard(show_after=0.0, clear_after=0.0, max_shown=1, min_shown=1.5)
    assert board.update(0.0, [item("gaze", False), item("smile", False)]) == ("Gaze",)
    assert board.update(1.0, [item("gaze", True), item("smile", False)]) == ("Smile",)
    # The gaze slips again 0.4 s later: the smile prompt stays until it has been up 1.5 s ...
    assert board.update(1.4, [item("gaze", False), item("smile", False)]) == ("Smile",)
    assert board.update(2.4, [item("gaze", False), item("smile", False)]) == ("Smile",)
    # ... then the more important one comes back first.
    assert board.update(2.5, [item("gaze", False), item("smile", False)]) == ("Gaze",)
    # A prompt whose own target holds gives way at once.
    assert board.update(2.6, [item("gaze", True), item("smile", False)]) == ("Smile",)
    assert board.update(2.7, [item("gaze", False), item("smile", True)]) == ("Gaze",)
    # Without the hold (min_shown 0) the same wobble swaps the words every frame it crosses.
    board = PromptBoard(show_after=0.0, clear_after=0.0, max_shown=1, min_shown=0.0)
    board.update(0.0, [item("gaze", True), item("smile", False)])
    assert board.update(0.1, [item("gaze", False), item("smile", False)]) == ("Gaze",)


def test_a_soft_prompt_gives_way_to_a_required_one_at_once():
    board = PromptBoard(show_after=0.0, clear_after=0.0, max_shown=1, min_shown=1.5)
    assert board.update(0.0, [item("a", True), item("eyes", False, required=False)]) == ("Eyes",)
    assert board.update(0.1, [item("a", False), item("eyes", False, required=False)]) == ("A",)
