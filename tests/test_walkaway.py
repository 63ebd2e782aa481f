"""A guest who walks away from the review screen: the photo is not kept, so it is published nowhere.

The real App (scripted subject, real analysis, real photo pipeline, real
gallery) runs sessions with a hand that does everything but press "keep" on
the review screen; a real `booth web` serves the same data folder all along.
While the photo is on the review screen it is on disk (staged) but the phone
page answers 404 and the staff export holds no photo; when the review times
out it is deleted. The next guest keeps theirs: only that one is published.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from booth.session import Input, Phase, State
from booth_process import fast_config
from faults import check_gallery, run_while, wait_for_screen
from test_web_support import STAFF_PASSWORD, start_web

URL_PREFIX = "http://booth.test/p/"


class WalksAwayOnce:
    """The booth's own hand, except that the first guest leaves the review screen without a word."""

    def __init__(self, hand: Any) -> None:
        self.hand = hand
        self.walked_away = False

    def next_input(self, state: State, now: float) -> Input | None:
        if state.phase is Phase.REVIEW and state.number == 1:
            self.walked_away = True
            return None
        return self.hand.next_input(state, now)


def _export_jpegs(web) -> list[str]:
    with web.client() as c:
        assert c.post("/staff/login", data={"password": STAFF_PASSWORD}).status_code == 303
        r = c.get("/staff/export.zip")
        assert r.status_code == 200
    return [n for n in zipfile.ZipFile(io.BytesIO(r.content)).namelist() if n.endswith(".jpg")]


def test_a_walk_away_from_review_publishes_nothing(tmp_path: Path, model_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from booth.app import Options, build
    from booth.config import load_config

    caplog.set_level("INFO", logger="booth.capture")
    data = tmp_path / "data"
    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config(session={"review_timeout_s": 4.0}, web={"public_url": "http://booth.test"}))
    web = start_web(data, workers=1)
    monkeypatch.setenv("BOOTH_DATA_DIR", str(data))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    # The scripted subject stands in for an event's guest here: its photos are judged as an event's
    # (exported on the staff page), not kept apart as a demo's (tests/test_demo_photos.py covers those).
    monkeypatch.setattr("booth.demo.is_demo_camera", lambda name: False)
    app = build(load_config(conf), camera_spec="scripted",
                options=Options(headless=True, sessions=1, autopilot=True, max_run_s=400.0))
    assert app.autopilot is not None
    app.autopilot = hand = WalksAwayOnce(app.autopilot)
    seen: dict[str, Any] = {}

    def fault() -> None:
        state = lambda: app.session.state  # noqa: E731
        wait_for_screen(app, lambda: state().phase is Phase.REVIEW, 240, "the review screen")
        token = state().token
        assert token is not None
        staged = sorted(p.name for p in (data / "staging").iterdir())
        assert staged == [f"{token}.original.jpg", f"{token}.retouched.jpg"]  # developed, on disk
        with web.client() as c:  # ... and published nowhere
            assert c.get(f"/p/{token}").status_code == 404
            assert c.get(f"/p/{token}/photo.jpg").status_code == 404
        assert _export_jpegs(web) == []
        assert list((data / "photos").iterdir()) == []
        wait_for_screen(app, lambda: state().number == 2, 60, "the next session after the walk-away")
        seen["token"] = token
        seen["staging_after"] = list((data / "staging").iterdir())

    code = run_while(app, fault)
    assert code == 0 and hand.walked_away
    assert app.started == 2 and app.completed == 1  # the first guest kept nothing, the second kept theirs
    token = seen["token"]
    assert not [p for p in seen["staging_after"] if p.name.startswith(token)]
    try:
        live = check_gallery(data)
        assert [r.token for r in live] == [u.removeprefix(URL_PREFIX) for u in app.urls]
        assert token not in {r.token for r in live}
        assert not any(token in p.name for p in data.rglob("*"))  # not kept aside in quarantine either
        with web.client() as c:
            assert c.get(f"/p/{token}").status_code == 404
            assert c.get(f"/p/{live[0].token}/photo.jpg").status_code == 200
        assert len(_export_jpegs(web)) == 2  # the kept photo: original and retouched
    finally:
        web.stop()
    said = [r.getMessage() for r in caplog.records]
    assert "photo not kept: deleted" in said and any(m.startswith("photo saved: kept by the guest") for m in said)
