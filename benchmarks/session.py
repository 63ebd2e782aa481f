"""How long a whole visit takes with the session of looks ([session] flow = "all"), and how many of
its looks the automatic trigger catches.

The real booth in this process (booth.app.build: the scripted subject, the real face model, the
analysis and capture workers, real pygame on SDL's dummy driver, a real gallery in a temporary
folder), run headless: the unattended hand presses start, lets the hand-overs run, presses the
button only when a look has not been caught after 15 s, and keeps every shot at the pick.

* ``median_s`` / ``worst_s``: a visit's length, from the start press to the QR on the share screen
  (what the guest waits through), over ``--visits`` visits (default 10; target: median <= 90 s);
* ``auto_share``: the share of looks taken by the automatic trigger rather than the button or the
  look's time running out (target >= 0.9);
* ``ratio``: median_s over the median length of a one-look visit (flow = "one", the smile chosen),
  measured in the same run (``--reference-visits``, default 5): what the two more looks cost.

    .venv/bin/python benchmarks/session.py [--visits 10] [--reference-visits 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from booth.app import App, Options, build  # noqa: E402
from booth.config import load_config  # noqa: E402
from booth.session import Phase, SessionStarted  # noqa: E402
from booth.ui.display import DisplayChoice  # noqa: E402


class Watch:
    """Follows one App's session: each visit's start press, its QR, and what took each look."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.started: float | None = None
        self.lengths: list[float] = []
        self.triggers: list[str] = []
        self._handle = app.handle
        app.handle = self.handle  # type: ignore[method-assign]
        self._dispatch = app.dispatch
        app.dispatch = self.dispatch  # type: ignore[method-assign]
        self._now = 0.0

    def dispatch(self, effects: Any) -> None:
        if any(isinstance(e, SessionStarted) for e in effects):
            self.started = self._now
        self._dispatch(effects)

    def handle(self, event: Any, now: float) -> None:
        self._now = now
        before = self.app.session.state
        self._handle(event, now)
        after = self.app.session.state
        if after.phase is Phase.CAPTURE and (before.phase is not Phase.CAPTURE or before.job != after.job):
            self.triggers.append(after.trigger)  # "auto" | "button" | "timeout"
        sharing = (Phase.SHARE, Phase.SHARE_WIFI)
        if after.phase in sharing and before.phase not in sharing and self.started is not None:
            self.lengths.append(now - self.started)
            self.started = None


def run_visits(flow: str, visits: int, data: Path) -> Watch:
    os.environ["BOOTH_DATA_DIR"] = str(data)
    config = load_config()
    config.session = replace(config.session, flow=flow, look="choose")
    options = Options(headless=True, sessions=visits, autopilot=True, max_run_s=60.0 + 150.0 * visits)
    app = build(config, camera_spec="scripted", options=options,
                display_choice=DisplayChoice("dummy", False, "benchmark"))
    watch = Watch(app)
    try:
        code = app.run()
    finally:
        app.camera.stop()
    if code != 0 or len(watch.lengths) < visits:
        raise SystemExit(f"flow={flow}: only {len(watch.lengths)} of {visits} visits reached the QR")
    return watch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--reference-visits", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.pop("BOOTH_CONFIG", None)  # the defaults, whatever the machine has
    with tempfile.TemporaryDirectory(prefix="booth-bench-") as tmp:
        looks = run_visits("all", args.visits, Path(tmp) / "all")
        one = run_visits("one", args.reference_visits, Path(tmp) / "one")
    median_s = statistics.median(looks.lengths)
    reference = statistics.median(one.lengths)
    auto = sum(1 for t in looks.triggers if t == "auto") / max(1, len(looks.triggers))
    by_trigger = {t: looks.triggers.count(t) for t in sorted(set(looks.triggers))}
    print(f"flow=all: {len(looks.lengths)} visits, lengths {[round(x, 1) for x in looks.lengths]} s; "
          f"looks taken by {by_trigger}")
    print(f"flow=one (reference): lengths {[round(x, 1) for x in one.lengths]} s")
    print(json.dumps({
        "median_s": round(median_s, 1), "worst_s": round(max(looks.lengths), 1), "auto_share": round(auto, 3),
        "looks": len(looks.triggers), "triggers": by_trigger, "visits": len(looks.lengths),
        "reference_median_s": round(reference, 1), "ratio": round(median_s / reference, 2),
        "target_median_s": 90, "target_auto_share": 0.9,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
