"""booth.web.limiter on real SQLite: the one sliding-window limit behind staff logins and short codes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from booth.web.auth import login_limiter
from booth.web.codes import code_limiter
from booth.web.limiter import Limit, Limiter
from booth.web.state import StateUnavailable


def limiter(path: Path, **kw: Limit) -> Limiter:
    return Limiter(path, "attempts", per_client=kw.get("per_client", Limit(3, 60.0)),
                   overall=kw.get("overall", Limit(5, 120.0)), what="test attempt")


def test_per_client_window_slides(tmp_path: Path) -> None:
    lim = limiter(tmp_path / "s.sqlite3")
    assert [lim.admit("a", now=100.0 + i)[1] is not None for i in range(4)] == [True, True, True, False]
    wait, ticket = lim.admit("a", now=110.0)
    assert ticket is None and wait == pytest.approx(100.0 + 60.0 - 110.0), "free again when the first leaves"
    assert lim.admit("b", now=110.0)[1] is not None, "another client is not held by a's count"
    assert lim.admit("a", now=160.5)[1] is not None


def test_a_client_over_its_limit_adds_nothing_to_the_overall_count(tmp_path: Path) -> None:
    lim = limiter(tmp_path / "s.sqlite3")
    for i in range(50):
        lim.admit("attacker", now=100.0 + i / 100)
    # 3 counted for the attacker, so the overall limit (5) still lets two others in, then refuses.
    assert [lim.admit(c, now=101.0)[1] is not None for c in ("x", "y", "z")] == [True, True, False]


def test_refund_hands_back_one_forget_all_of_a_client(tmp_path: Path) -> None:
    lim = limiter(tmp_path / "s.sqlite3")
    tickets = [lim.admit("a", now=100.0)[1] for _ in range(3)]
    assert lim.admit("a", now=100.0)[1] is None
    lim.refund(tickets[0])
    assert lim.admit("a", now=100.0)[1] is not None and lim.admit("a", now=100.0)[1] is None
    lim.forget("a")
    assert all(lim.admit("a", now=100.0)[1] is not None for _ in range(3))


def test_workers_racing_never_pass_more_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    workers = [limiter(path, per_client=Limit(7, 600.0), overall=Limit(100, 600.0)) for _ in range(4)]
    admitted: list[int] = []
    start = threading.Barrier(len(workers) * 5)

    def guess(lim: Limiter) -> None:
        start.wait()
        if lim.admit("one")[1] is not None:
            admitted.append(1)

    threads = [threading.Thread(target=guess, args=(w,)) for w in workers for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 7


def test_the_old_rows_go_and_the_tables_stay_apart(tmp_path: Path) -> None:
    path = tmp_path / "web-state.sqlite3"
    logins, codes = login_limiter(path), code_limiter(path)
    assert logins.admit("a", now=1000.0)[1] is not None and codes.admit("a", now=1000.0)[1] is not None
    codes.admit("b", now=1000.0 + 3600.0 + 1)  # past the codes' longer window: a's row goes
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT client FROM code_lookups").fetchall() == [("b",)]
        assert db.execute("SELECT client FROM failures").fetchall() == [("a",)]


def test_a_state_that_cannot_be_written_refuses(tmp_path: Path) -> None:
    lim = limiter(tmp_path / "s.sqlite3")
    lim.close()
    with pytest.raises(StateUnavailable, match="cannot count the test attempt"):
        lim.admit("a")
