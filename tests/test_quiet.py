"""mediapipe's start-up chatter stays off the booth's output; real lines written meanwhile do not."""

from __future__ import annotations

import subprocess
import sys

from booth.quiet import is_chatter, native_chatter_hidden
from booth_process import MODELS_DIR, booth_env, run_booth

# As mediapipe 1.2.2 prints them on every model load (copied from a terminal).
SEEN = [
    "WARNING: Logging before InitGoogle() is written to STDERR",
    "W0000 00:00:1796038884.121210    9140 face_landmarker_graph.cc:181] Sets FaceBlendshapesGraph acceleration "
    "to xnnpack by default.",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "W0000 00:00:1796038884.163806    9144 inference_feedback_manager.cc:121] Feedback manager requires a model "
    "with a single signature inference. Disabling support for feedback tensors.",
]


def test_loading_the_model_prints_nothing(faces_dir) -> None:
    result = run_booth("analyze", "--json", str(faces_dir / "london/neutral/004.jpg"),
                       env=booth_env(models=MODELS_DIR), timeout=120)
    assert result.returncode == 0
    assert result.stderr == ""


def test_what_is_not_chatter_still_reaches_stderr() -> None:
    """A real error from mediapipe, and a line another thread logs during the load, come through, in order."""
    assert all(is_chatter(line) for line in SEEN)
    chatter = ("\n".join(SEEN) + "\n").encode()
    script = f"""
import logging, os, sys
from booth.quiet import native_chatter_hidden
logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
with native_chatter_hidden():
    os.write(2, {chatter!r})
    os.write(2, b"E0000 00:00:1796038884.1 9144 graph.cc:12] could not open the model\\n")
    logging.getLogger("booth.camera").info("a line from another thread")
print("done", file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    debug = "".join(f"booth.mediapipe: {line}\n" for line in SEEN)  # kept for -v, as debug lines
    assert result.stderr == (debug + "E0000 00:00:1796038884.1 9144 graph.cc:12] could not open the model\n"
                             "booth.camera: a line from another thread\ndone\n")
