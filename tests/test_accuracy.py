"""scripts/accuracy.py end to end on a small labelled folder (links to the shared photos, in tmp)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_accuracy_script_reports_ready_rates_and_pupil_error(faces_subset: Callable[..., Path]):
    faces = faces_subset({"london-004", "london-140", "lisa-person"}, skip={"lisa/lisa3.jpg"})
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "accuracy.py"), "--faces", str(faces)],
                          capture_output=True, text=True, timeout=240, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "Face Research Lab London Set" in proc.stdout
    assert report["faces_found"] == {"ready": 7, "of": 7, "rate": 1.0}
    smile = report["ready"]["smile"]
    assert smile["neutral"]["of"] == 5 and smile["smiling"]["of"] == 2  # 2 London + 3 lisa neutral
    # The targets (scripts/robustness.py TARGETS), not today's answers: 004 smiles broadly (a clear
    # smile: ready, target >= 97 %), 140 only subtly (no target without a baseline: an engine that
    # finds it passes too; with a baseline it must, target >= 90 %); no neutral face is ready (<= 1 %).
    missed = report["misses"]["smile_not_ready_on_smiling"]
    assert set(missed) <= {"london/smiling/140.jpg"}, missed
    assert smile["smiling"]["ready"] == smile["smiling"]["of"] - len(missed)  # the report agrees with itself
    assert smile["neutral"]["ready"] == 0 and report["misses"]["smile_ready_on_neutral"] == []
    assert report["ready_with_baseline"]["smile"]["smiling"] == {"ready": 2, "of": 2, "rate": 1.0}
    assert report["ready_with_baseline"]["smile"]["neutral"]["ready"] == 0
    pupils = report["pupils"]
    assert pupils["within_5pct"]["of"] == 5 and pupils["within_5pct"]["ready"] == 5  # 2 London + 3 lisa marked
    assert 0 < pupils["median"] <= pupils["max"] < 0.05
    assert report["eye_contact_front"] == {"ready": 4, "of": 4, "rate": 1.0}
