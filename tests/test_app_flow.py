"""`booth run` on its defaults ([session] flow = "all"), for real: three headless visits, each coached
through the three looks, every shot kept at the pick, one printed page URL per visit that serves all three.

The real command with the scripted subject, the real face model, real pygame on SDL's dummy
driver, a real gallery, and the real `booth web` answering each printed visit page.
"""

from __future__ import annotations

import re
import urllib.request

from booth.gallery import Gallery
from booth.session import FLOW_ORDER
from booth_process import booth_env, run_booth, screens_by_session, start_web

VISIT_LINE = re.compile(r"^http://[^\s/]+/v/([A-Za-z0-9_-]{24})$")


def test_three_visits_of_three_looks_each_reachable_from_one_url(tmp_path, model_path):
    # No config at all: the session of looks is what a booth does out of the box.
    shots = tmp_path / "shots"
    env = booth_env(data=tmp_path / "data", models=model_path.parent)
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "3", "--screenshots", str(shots),
                    env=env, timeout=420)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3 and all(VISIT_LINE.match(line) for line in lines), run.stdout  # one URL per visit
    visits = [VISIT_LINE.match(line).group(1) for line in lines]
    assert len(set(visits)) == 3

    screens = screens_by_session(shots)
    for n in (1, 2, 3):
        seen = screens[n]
        assert seen[:3] == ["attract", "breathe", "coach"], seen  # no look to choose
        assert seen.count("handover") == 2 and seen.count("pick") == 1 and "review" not in seen, seen
        assert seen[-3:] == ["pick", "share", "goodbye"], seen
        assert seen.count("processing") == 3

    with Gallery(tmp_path / "data") as gallery:
        tokens = {}
        for visit in visits:
            records = gallery.visit_photos(visit)
            assert sorted(r.look for r in records) == sorted(FLOW_ORDER), (visit, records)
            tokens[visit] = {r.token for r in records}
            for record in records:
                assert gallery.path(record, "retouched").stat().st_size > 10_000
    # Nothing left staged: every shot was kept and published.
    staged = [p for p in (tmp_path / "data" / "staging").rglob("*") if p.is_file() and p.suffix == ".jpg"]
    assert staged == [], staged

    web = start_web(env, tmp_path / "web.log")
    try:
        for visit in visits:
            with urllib.request.urlopen(f"{web.base}/v/{visit}", timeout=10) as page:
                assert page.status == 200
                html = page.read().decode()
            for token in tokens[visit]:
                assert f"p/{token}/download" in html
            others = set().union(*(tokens[v] for v in visits if v != visit))
            assert not any(token in html for token in others)  # never another guest's photo
    finally:
        web.stop()


def test_the_unattended_hand_keeps_all_at_the_pick_once():
    from booth.controls import Autopilot
    from booth.session import Action, Phase, State

    hand = Autopilot(pause_s=1.0)
    pick = State(phase=Phase.PICK, since=10.0, keeps=(True, True, True))
    assert hand.next_input(pick, 10.5) is None  # a beat first
    assert hand.next_input(pick, 11.0).action is Action.MAIN  # every shot is kept at first: keep all
    assert hand.next_input(State(phase=Phase.PICK, since=10.0, publishing=True), 20.0) is None
    assert hand.next_input(State(phase=Phase.HANDOVER, since=10.0), 20.0) is None  # the hand-over runs out
