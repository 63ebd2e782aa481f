#!/usr/bin/env python3
"""Accuracy of `booth analyze` on the labelled face photos (../shared/faces).

Runs the real command (``python -m booth analyze``) as a user would, then
reports:

- per look and per label (neutral / smiling), how often the look is ready:
  without a baseline over every photo, and with ``--baseline`` (each London
  person's smiling and neutral photo judged against their own neutral photo);
- eye contact on the front-facing London photos (all look into the lens);
- pupil error against the hand-marked pupils in labels.csv, as a fraction of
  the labelled inter-pupil distance.

The last line is one JSON object with every figure. Results on the London
set must credit: DeBruine, L. & Jones, B. (2017). Face Research Lab London
Set. figshare. doi:10.6084/m9.figshare.5047666.v5

Usage: scripts/accuracy.py [--faces DIR] [--booth CMD]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shlex
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FACES = Path(os.environ.get("BOOTH_FACES_DIR", REPO.parent / "shared" / "faces"))
LOOKS = ("smile", "serious", "contemplative")
PUPIL_TOLERANCE = 0.05  # of the inter-pupil distance


def booth_command(explicit: str | None) -> list[str]:
    if explicit:
        return shlex.split(explicit)
    venv = REPO / ".venv" / "bin" / "python"
    return [str(venv if venv.exists() else sys.executable), "-m", "booth"]


def run_analyze(cmd: list[str], files: list[Path], baseline: Path | None = None) -> dict[str, dict]:
    """{file: JSON object} from one `booth analyze` run."""
    args = [*cmd, "analyze", "--json"]
    if baseline is not None:
        args += ["--baseline", str(baseline)]
    args += [str(f) for f in files]
    env = {**os.environ, "BOOTH_MODELS_DIR": os.environ.get("BOOTH_MODELS_DIR", str(REPO / ".models"))}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"booth analyze failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    out = {}
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        out[obj["file"]] = obj
    if len(out) != len(files):
        raise SystemExit(f"booth analyze printed {len(out)} lines for {len(files)} files")
    return out


def rate(flags: Iterable[bool]) -> dict[str, float | int]:
    flags = list(flags)
    n = len(flags)
    k = sum(flags)
    return {"ready": k, "of": n, "rate": round(k / n, 4) if n else float("nan")}


def ready_table(results: dict[str, dict], labels: dict[str, dict]) -> dict[str, dict[str, dict]]:
    """{look: {label: rate}} over the given results."""
    table: dict[str, dict[str, dict]] = {}
    for look in LOOKS:
        by_label: dict[str, list[bool]] = defaultdict(list)
        for file, obj in results.items():
            label = labels[file]["expression"]
            by_label[label].append(bool(obj.get("face")) and obj["looks"][look]["ready"])
        table[look] = {label: rate(flags) for label, flags in sorted(by_label.items())}
    return table


def misses(results: dict[str, dict], labels: dict[str, dict], look: str, label: str, want: bool) -> list[str]:
    """Files (as named in labels.csv) where the look's readiness is not what the label wants."""
    return sorted(
        labels[f]["file"]
        for f, obj in results.items()
        if labels[f]["expression"] == label and (bool(obj.get("face")) and obj["looks"][look]["ready"]) != want
    )


def pupil_errors(results: dict[str, dict], labels: dict[str, dict]) -> dict[str, float]:
    errors = {}
    for file, obj in results.items():
        lab = labels[file]
        if not lab["pupil_imgleft_x"]:
            continue
        truth = [(float(lab["pupil_imgleft_x"]), float(lab["pupil_imgleft_y"])),
                 (float(lab["pupil_imgright_x"]), float(lab["pupil_imgright_y"]))]
        ipd = math.dist(*truth)
        if not obj.get("face"):
            errors[file] = float("inf")
            continue
        errors[file] = max(math.dist(p, t) for p, t in zip(obj["pupils"], truth)) / ipd
    return errors


def print_table(title: str, table: dict[str, dict[str, dict]]) -> None:
    print(f"\n{title}")
    for look, by_label in table.items():
        cells = "  ".join(f"{label}: {r['ready']}/{r['of']} = {100 * r['rate']:5.1f} %" for label, r in by_label.items())
        print(f"  {look:14s} {cells}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES, help="folder with labels.csv")
    parser.add_argument("--booth", help="the booth command (default: the venv's python -m booth)")
    args = parser.parse_args(argv)
    faces: Path = args.faces.resolve()
    cmd = booth_command(args.booth)
    with (faces / "labels.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    labels = {str(faces / r["file"]): r for r in rows}
    files = [faces / r["file"] for r in rows]

    plain = run_analyze(cmd, files)
    with_base: dict[str, dict] = {}
    london = sorted({r["person"] for r in rows if r["set"] == "london"})
    for person in london:
        mine = [r for r in rows if r["person"] == person]
        neutral = next(faces / r["file"] for r in mine if r["expression"] == "neutral")
        with_base.update(run_analyze(cmd, [faces / r["file"] for r in mine], baseline=neutral))

    table_plain = ready_table(plain, labels)
    table_base = ready_table(with_base, labels)
    front = [f for f, r in labels.items() if r["set"] == "london"]
    contact = rate(bool(plain[f].get("face")) and plain[f]["eye_contact"] >= 0.5 for f in front)
    smile_flag = {
        label: rate(bool(plain[f].get("face")) and plain[f]["smile"] >= 0.5 for f in front if labels[f]["expression"] == label)
        for label in ("neutral", "smiling")
    }
    errors = pupil_errors(plain, labels)
    finite = sorted(e for e in errors.values() if math.isfinite(e))
    pupils = {
        "within_5pct": rate(e <= PUPIL_TOLERANCE for e in errors.values()),
        "median": round(finite[len(finite) // 2], 4) if finite else None,
        "max": round(max(errors.values()), 4) if errors else None,
    }
    faces_found = rate(bool(o.get("face")) for o in plain.values())

    print("booth analyze on", faces)
    print(f"faces found: {faces_found['ready']}/{faces_found['of']}")
    print_table("Look ready, no baseline (every photo):", table_plain)
    print_table("Look ready, --baseline = the person's own neutral photo (London):", table_base)
    print(f"\nEye contact >= 0.5 on front-facing London photos: {contact['ready']}/{contact['of']}"
          f" = {100 * contact['rate']:.1f} %")
    print(f"Smile metric >= 0.5 (London, no baseline): neutral {smile_flag['neutral']['rate'] * 100:.1f} %, "
          f"smiling {smile_flag['smiling']['rate'] * 100:.1f} %")
    print(f"Pupils within 5 % of the inter-pupil distance: {pupils['within_5pct']['ready']}/"
          f"{pupils['within_5pct']['of']} = {100 * pupils['within_5pct']['rate']:.1f} %"
          f" (median {pupils['median']}, worst {pupils['max']})")
    miss = {
        "smile_not_ready_on_smiling": misses(plain, labels, "smile", "smiling", True),
        "smile_ready_on_neutral": misses(plain, labels, "smile", "neutral", False),
        "smile_not_ready_on_smiling_with_baseline": misses(with_base, labels, "smile", "smiling", True),
        "serious_not_ready_on_neutral": misses(plain, labels, "serious", "neutral", True),
        "serious_ready_on_smiling": misses(plain, labels, "serious", "smiling", False),
    }
    print("\nMisses (look at these photos: the London labels are noisy, see the faces README):")
    for key, items in miss.items():
        print(f"  {key}: {', '.join(items) if items else '-'}")
    print("\nLondon set: DeBruine, L. & Jones, B. (2017). Face Research Lab London Set. figshare. "
          "doi:10.6084/m9.figshare.5047666.v5")
    print(json.dumps({
        "faces_found": faces_found,
        "ready": table_plain,
        "ready_with_baseline": table_base,
        "eye_contact_front": contact,
        "smile_metric": smile_flag,
        "pupils": pupils,
        "misses": miss,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
