"""scripts/accuracy.py end to end on a small labelled folder (links to the shared photos, in tmp)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_accuracy_script_reports_ready_rates_and_pupil_error(faces_dir: Path, tmp_path: Path):
    keep = {"london-004", "london-140", "lisa-person"}
    with (faces_dir / "labels.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["person"] in keep and r["file"] != "lisa/lisa3.jpg"]
        fields = reader.fieldnames
    for r in rows:
        link = tmp_path / r["file"]
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(faces_dir / r["file"])
    with (tmp_path / "labels.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)

    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "accuracy.py"), "--faces", str(tmp_path)],
                          capture_output=True, text=True, timeout=240, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "Face Research Lab London Set" in proc.stdout
    assert report["faces_found"] == {"ready": 7, "of": 7, "rate": 1.0}
    smile = report["ready"]["smile"]
    assert smile["neutral"]["of"] == 5 and smile["smiling"]["of"] == 2  # 2 London + 3 lisa neutral
    # 004 smiles broadly, 140 only subtly: without a baseline one of two, with it both.
    assert smile["smiling"]["ready"] == 1 and smile["neutral"]["ready"] == 0
    assert report["ready_with_baseline"]["smile"]["smiling"] == {"ready": 2, "of": 2, "rate": 1.0}
    assert report["ready_with_baseline"]["smile"]["neutral"]["ready"] == 0
    assert report["misses"]["smile_not_ready_on_smiling"] == ["london/smiling/140.jpg"]
    pupils = report["pupils"]
    assert pupils["within_5pct"]["of"] == 5 and pupils["within_5pct"]["ready"] == 5  # 2 London + 3 lisa marked
    assert 0 < pupils["median"] <= pupils["max"] < 0.05
    assert report["eye_contact_front"] == {"ready": 4, "of": 4, "rate": 1.0}
