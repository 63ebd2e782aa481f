"""mediapipe's start-up chatter, kept off the booth's output.

Creating a FaceLandmarker makes mediapipe's C++ side (absl logging and
TensorFlow Lite) write straight to file descriptor 2: "Logging before
InitGoogle()", ``W0000 …`` lines, "Created TensorFlow Lite XNNPACK
delegate". Python's logging cannot reach those writes and absl reads no
environment variable to quiet them (GLOG_minloglevel hides the ``W`` lines
but not the other two), so while the model loads fd 2 points at a temporary
file. Afterwards the known chatter goes to the debug log, and anything else
(a real error, or a line another thread logged meanwhile) is written to
stderr as it came: nothing is lost, only delayed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

log = logging.getLogger("booth.mediapipe")

# Each pattern is one line mediapipe 0.10–1.x prints on every model load, as seen on stderr.
CHATTER = re.compile(
    r"WARNING: Logging before InitGoogle\(\) is written to STDERR"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w.-]+:\d+\] .*"  # absl INFO/WARNING; E and F lines are kept
    r"|INFO: Created TensorFlow Lite XNNPACK delegate for CPU\."
)

_lock = threading.Lock()  # fd 2 is one per process: one redirection at a time


def is_chatter(line: str) -> bool:
    return CHATTER.fullmatch(line.rstrip("\r\n")) is not None


@contextlib.contextmanager
def native_chatter_hidden() -> Iterator[None]:
    """Run the body with fd 2 captured; then pass on what is not chatter."""
    with _lock, tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all: nothing to keep clean
            yield
            return
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            _pass_on(captured.read().decode("utf-8", "replace"))


def _pass_on(text: str) -> None:
    """Each captured line, in the order it came: chatter to the debug log, the rest to stderr."""
    for line in text.splitlines(keepends=True):
        if is_chatter(line):
            log.debug("%s", line.rstrip())
        else:
            sys.stderr.write(line)
            sys.stderr.flush()
