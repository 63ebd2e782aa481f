"""`booth analyze`: the JSON-lines contract (--json), the readable default and the exit status,
through the real command and in process."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.analyze import analyze
from booth.config import CoachConfig
from booth_process import MODELS_DIR, booth_env, run_booth

FACE_KEYS = {"file", "face", "box", "pupils", "pose", "smile", "genuine", "eyes_open", "eye_contact", "looks"}


@pytest.fixture()
def odd_files(tmp_path: Path) -> dict[str, Path]:
    grey = tmp_path / "grey.png"
    cv2.imwrite(str(grey), np.full((240, 320, 3), 128, np.uint8))
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    return {"grey": grey, "text": text, "empty": empty, "missing": tmp_path / "missing.jpg", "dir": tmp_path}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_booth("analyze", *args, env=booth_env(models=MODELS_DIR), timeout=120)


def test_cli_prints_one_line_per_file_in_order_and_goes_on_after_bad_ones(faces_dir, odd_files):
    files = [faces_dir / "london/smiling/004.jpg", odd_files["text"], odd_files["missing"], odd_files["grey"],
             odd_files["empty"], odd_files["dir"], faces_dir / "london/neutral/004.jpg"]
    proc = run_cli("--json", *map(str, files))
    # every file answered, and the exit status says some could not be read
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "booth analyze: 4 of 7 file(s) could not be read"
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [d["file"] for d in lines] == [str(f) for f in files]
    smile, text, missing, grey, empty, folder, neutral = lines
    for d in (text, missing, empty, folder):
        assert d["face"] is False and isinstance(d["error"], str) and d["error"]
    assert grey == {"file": str(odd_files["grey"]), "face": False}
    for d in (smile, neutral):
        assert set(d) == FACE_KEYS and d["face"] is True
        assert len(d["box"]) == 4 and all(isinstance(v, float) for v in d["box"])
        (lx, ly), (rx, ry) = d["pupils"]
        assert lx < rx  # image-left first
        assert set(d["pose"]) == {"yaw", "pitch", "roll"}
        for key in ("smile", "genuine", "eyes_open", "eye_contact"):
            assert 0.0 <= d[key] <= 1.0
        assert set(d["looks"]) == {"smile", "serious", "contemplative"}
        for look in d["looks"].values():
            assert set(look) == {"score", "ready", "advice"}
            assert 0.0 <= look["score"] <= 1.0 and isinstance(look["ready"], bool)
            assert all(isinstance(a, str) for a in look["advice"])
    assert smile["smile"] >= 0.5 > neutral["smile"]
    assert smile["looks"]["smile"]["ready"] and not neutral["looks"]["smile"]["ready"]
    assert neutral["looks"]["serious"]["ready"] and not smile["looks"]["serious"]["ready"]
    assert neutral["looks"]["smile"]["advice"][0] == "Smile!"


def test_cli_baseline_reveals_a_subtle_smile(faces_dir):
    subtle, rest = faces_dir / "london/smiling/140.jpg", faces_dir / "london/neutral/140.jpg"
    alone = json.loads(run_cli("--json", str(subtle)).stdout)
    proc = run_cli("--json", "--baseline", str(rest), str(subtle), str(rest))
    assert proc.returncode == 0, proc.stderr
    judged, itself = (json.loads(line) for line in proc.stdout.splitlines())
    assert not alone["looks"]["smile"]["ready"] and alone["smile"] < 0.5
    assert judged["looks"]["smile"]["ready"] and judged["smile"] >= 0.5
    assert not itself["looks"]["smile"]["ready"] and itself["smile"] < 0.5


def test_unusable_baseline_is_an_error_and_nothing_is_judged(model_path, faces_dir, odd_files):
    """Judging without the baseline asked for would quietly give other answers: stop instead."""
    out, err = io.StringIO(), io.StringIO()
    code = analyze([str(faces_dir / "london/smiling/004.jpg")], model_path, CoachConfig(),
                   baseline_file=str(odd_files["grey"]), out=out, err=err)
    assert code == 2 and out.getvalue() == ""
    assert err.getvalue() == f"booth analyze: baseline {odd_files['grey']}: no face found; " \
                             "give a neutral photo of the same person\n"
    proc = run_cli("--json", "--baseline", str(odd_files["missing"]), str(faces_dir / "london/smiling/004.jpg"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines()[-1] == f"booth analyze: baseline {odd_files['missing']}: file not found"


def test_without_json_the_answer_is_readable_text(faces_dir, odd_files):
    smile = faces_dir / "london/smiling/004.jpg"
    proc = run_cli(str(smile), str(odd_files["grey"]), str(odd_files["text"]))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{smile}: smile 0.9") and "eye contact" in lines[0]
    assert [line.split()[:3] for line in lines[1:4]] == [["smile", lines[1].split()[1], "ready"],
                                                         ["serious", lines[2].split()[1], "not"],
                                                         ["contemplative", lines[3].split()[1], "not"]]
    assert lines[4:] == [f"{odd_files['grey']}: no face found",
                         f"{odd_files['text']}: cannot read: not an image (or an unsupported format)"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])


def test_big_photos_are_downscaled_but_answer_in_their_own_pixels(model_path, faces_dir, tmp_path):
    image = cv2.imread(str(faces_dir / "london/neutral/007.jpg"))
    big = tmp_path / "big.png"
    cv2.imwrite(str(big), cv2.resize(image, (2400, 2400), interpolation=cv2.INTER_CUBIC))
    out = io.StringIO()
    analyze([str(faces_dir / "london/neutral/007.jpg"), str(big)], model_path, CoachConfig(), out=out)
    small, large = (json.loads(line) for line in out.getvalue().splitlines())
    for (sx, sy), (bx, by) in zip(small["pupils"], large["pupils"]):
        assert abs(bx / 3 - sx) < 3 and abs(by / 3 - sy) < 3
    assert large["looks"]["serious"]["ready"] == small["looks"]["serious"]["ready"]


def test_strength_setting_reaches_analyze(model_path, faces_dir):
    def smile_ready(strength: str) -> bool:
        out = io.StringIO()
        analyze([str(faces_dir / "london/smiling/007.jpg")], model_path, CoachConfig(smile_strength=strength), out=out)
        return json.loads(out.getvalue())["looks"]["smile"]["ready"]

    assert smile_ready("clear") and not smile_ready("big")


def _png_bomb(path: Path, side: int) -> Path:
    """A valid PNG header claiming side x side pixels, a few hundred bytes on disk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\0" * 4096, 9))
                     + chunk(b"IEND", b""))
    return path


def test_image_bombs_get_a_clear_error_and_the_run_goes_on(faces_dir, tmp_path):
    huge = _png_bomb(tmp_path / "huge.png", 100_000)  # over OpenCV's own limit (2^30 pixels)
    big = _png_bomb(tmp_path / "big.png", 12_000)  # under both libraries' limits: 432 MB to decode
    face = faces_dir / "london/smiling/004.jpg"
    proc = run_cli("--json", str(huge), str(big), str(face))
    assert proc.returncode == 1, proc.stderr  # the run goes on; the status says files could not be read
    first, second, third = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["error"] == "too large to analyse: over 100 megapixels (decoding it could exhaust memory)"
    assert second["error"] == ("too large to analyse: 12000 x 12000 pixels; at most 100 megapixels "
                               "(decoding it could exhaust memory)")
    for line in (first, second):
        assert line["face"] is False and "Assertion" not in line["error"] and "cv2" not in line["error"]
    assert third["face"] is True
