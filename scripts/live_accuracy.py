#!/usr/bin/env python3
"""Live accuracy: one scripted session per person of a face folder, through the real coach.

For every person with a neutral and a smiling photo in the folder's
labels.csv: a smile session, and a serious session (the serious look on
their neutral face). Each session is what the booth does live, on a
simulated clock: the scripted subject (booth.camera.subject: a modelled
guest drawn by seed, who walks in, follows prompts after a human delay,
blinks, sometimes does the wrong look first) drawn by booth.camera.scene,
the real face model in VIDEO mode, the breathing screen's baseline, then the
coach until its trigger fires or the autopilot's button press (15 s, as in
``booth run --headless``) would take the shot instead.

Prints, per look: the share of sessions whose shot the automatic trigger
took, the time from "coach" to the trigger (median, 90th percentile, max),
and the prompts shown (how many sessions saw each). The last line is one
JSON object with every figure. Results on the London set must credit:
DeBruine, L. & Jones, B. (2017). Face Research Lab London Set. figshare.
doi:10.6084/m9.figshare.5047666.v5

Usage: scripts/live_accuracy.py [--faces DIR] [--seed N] [--people A,B,...] [--looks smile,serious]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from booth.camera.scene import Scene  # noqa: E402
from booth.camera.view import same_aspect  # noqa: E402
from booth.camera.scripted import find_photos, find_pupils, load_rgb, measure_pupils, mesh_finder  # noqa: E402
from booth.camera.subject import SubjectScript, person_seed  # noqa: E402
from booth.coach import BaselineCollector, Coach  # noqa: E402
from booth.coach.geometry import Rig  # noqa: E402
from booth.coach.subject import SubjectTracker  # noqa: E402
from booth.config import Config  # noqa: E402
from booth.models import require_model  # noqa: E402
from booth.session import Action, Analysed, Cue, Event, Input, Phase, Settings, initial, step  # noqa: E402
from booth.ui.display import DEFAULT_SIZE  # noqa: E402
from booth.vision import FaceAnalyzer  # noqa: E402

DEFAULT_FACES = Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces"))
MODELS = Path(os.environ.get("BOOTH_MODELS_DIR", REPO / ".models"))
FPS = 15.0  # analysed frames a second (a Pi 5 does about this many; the loop here is not paced)
PRESS_AFTER_S = 15.0  # booth run --headless: the autopilot presses the button after this long
LOOKS = ("smile", "serious")


@dataclass
class Outcome:
    person: str
    look: str
    auto: bool  # the coach's trigger took the shot
    coach_s: float  # coach screen to the shot (trigger or button)
    prompts: list[str] = field(default_factory=list)  # each prompt as it appeared, in order
    guest: str = ""
    smile: float = 0.0  # the subject's biggest smile (booth.camera.subject: 1 = their smiling photo, 2 = the most)


def people(faces: Path) -> list[str]:
    """Everyone with both a neutral and a smiling photo, in labels.csv order."""
    seen: dict[str, set[str]] = {}
    with (faces / "labels.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            seen.setdefault(row["person"], set()).add(row["expression"])
    return [p for p, e in seen.items() if {"neutral", "smiling"} <= e]


def make_scene(faces: Path, person: str) -> Scene:
    neutral, smiling = find_photos(faces, person)
    image = load_rgb(neutral)
    pupils = find_pupils(faces, neutral) or measure_pupils(image, MODELS, neutral)
    with mesh_finder(MODELS) as find_face:  # one image-mode face model for both photos, closed after
        return Scene(image, load_rgb(smiling), pupils, find_face=find_face)


def session(scene: Scene, person: str, look: str, config: Config, model: Path, *, seed: int = 0,
            fps: float = FPS) -> Outcome:
    """One session, as the booth runs it (timings from config: walk in, the breathing screen, then coach)."""
    # The preview as `booth run --headless` has it: cut to the screen's shape (booth.camera.view).
    size = same_aspect((config.camera.preview_width, config.camera.preview_height), DEFAULT_SIZE)
    rig = replace(Rig.from_config(config.camera), aspect=size[0] / size[1])
    script = SubjectScript(config.scripted, 0.0, rig=rig, seed=person_seed(seed, person))
    dt = 1.0 / fps
    out = Outcome(person, look, False, PRESS_AFTER_S, guest=script.guest.name)
    with FaceAnalyzer(model, mode="video") as analyzer:
        t = 0.0

        tracker = SubjectTracker()

        def frame() -> object:
            nonlocal t
            t += dt
            pose = script.at(t)
            out.smile = max(out.smile, pose.smile)
            faces = analyzer.detect_all(scene.render(pose, size), t)
            return tracker.update(faces, analyzer.onlookers).subject

        t = script.settled_at  # walking in: the attract screen only looks for a face
        # The breathing screen as the session runs it (booth.session): its clock runs only with
        # the face seen, it asks a guest it cannot see to step in (cued to the script), and the
        # walk-away rule ends a session nobody shows up for (missed, at 0 s).
        settings = replace(Settings.from_config(config), look=look, flow="one")  # this one look, as flow = "one"
        state = initial(t, settings).state
        state = step(state, Analysed(frame() is not None), t, settings).state  # attract looks for a face ...
        collector = BaselineCollector()
        event: Event = Input(Action.MAIN)  # ... and the guest presses the button: breathe
        while True:
            tr = step(state, event, t, settings)
            state = tr.state
            for e in tr.effects:
                if isinstance(e, Cue) and e.state == "breathe":
                    script.cue(e.state, e.look, t, e.prompts)
                    out.prompts += list(e.prompts)
            if state.phase is not Phase.BREATHE:
                break
            obs = frame()
            collector.add(obs)
            event = Analysed(obs is not None)
        if state.phase is not Phase.COACH:
            out.coach_s = 0.0
            return out
        coach = Coach(config.coach, look, collector.result())
        script.cue("coach", look, t)
        start, shown = t, ()
        while t - start < PRESS_AFTER_S:
            g = coach.update(frame(), t)
            if g.prompts != shown:
                shown = g.prompts
                out.prompts += list(shown)
                script.cue("coach", look, t, shown)
            if g.fire:
                out.auto, out.coach_s = True, round(t - start, 2)
                break
    return out


def summary(outcomes: list[Outcome]) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for look in sorted({o.look for o in outcomes}, key=lambda lk: LOOKS.index(lk) if lk in LOOKS else 9):
        mine = [o for o in outcomes if o.look == look]
        times = sorted(o.coach_s for o in mine if o.auto)
        seen = Counter(p for o in mine for p in set(o.prompts))
        table[look] = {
            "sessions": len(mine),
            "auto": sum(o.auto for o in mine),
            "auto_share": round(sum(o.auto for o in mine) / len(mine), 4),
            "coach_to_trigger_s": {
                "median": round(statistics.median(times), 2) if times else None,
                "p90": round(times[min(len(times) - 1, int(0.9 * len(times)))], 2) if times else None,
                "max": times[-1] if times else None,
            },
            "prompts": dict(seen.most_common()),
            "missed": [o.person for o in mine if not o.auto],
            "guests": dict(Counter(o.guest for o in mine)),
            # sessions where the subject, asked again, smiled bigger than their smiling photo
            "smiled_bigger": sum(o.smile > 1.0 for o in mine),
        }
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faces", type=Path, default=DEFAULT_FACES)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--people", default="", help="comma-separated; default everyone with both photos")
    ap.add_argument("--looks", default=",".join(LOOKS))
    ap.add_argument("--verbose", action="store_true", help="one line per session")
    args = ap.parse_args(argv)
    model = require_model(MODELS)
    config = Config()
    config.scripted = replace(config.scripted, faces_dir=str(args.faces))
    who = args.people.split(",") if args.people else people(args.faces)
    outcomes = []
    for person in who:
        scene = make_scene(args.faces, person)
        for look in args.looks.split(","):
            o = session(scene, person, look, config, model, seed=args.seed)
            outcomes.append(o)
            if args.verbose:
                print(f"{person:12} {look:8} {o.guest:10} {'auto' if o.auto else 'BUTTON':6} {o.coach_s:5.2f}s "
                      f"smile {o.smile:.2f} "
                      f"{' > '.join(o.prompts)}", flush=True)
    table = summary(outcomes)
    for look, row in table.items():
        ct = row["coach_to_trigger_s"]
        print(f"{look}: trigger took {row['auto']}/{row['sessions']} ({100 * row['auto_share']:.0f} %); "
              f"coach to trigger median {ct['median']} s, p90 {ct['p90']} s, max {ct['max']} s")
        print("  prompts (sessions that saw each): " + ", ".join(f"{k!r} {v}" for k, v in row["prompts"].items()))
        if row["smiled_bigger"]:
            print(f"  smiled bigger than their photo when asked again: {row['smiled_bigger']}")
        if row["missed"]:
            print(f"  button took: {', '.join(row['missed'])}")
    print(json.dumps({"faces": str(args.faces), "seed": args.seed, "looks": table}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
