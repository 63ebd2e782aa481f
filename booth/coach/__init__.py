"""The coach: expression metrics, the three looks, prompts and the trigger.

Pure: observations and time in, decisions out; nothing here reads the clock
or touches hardware, so every rule can be tested with made-up sequences.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from booth.coach.baseline import Baseline, BaselineCollector
    from booth.coach.coach import Coach, Guidance
    from booth.coach.framing import FRAMING_TARGET
    from booth.coach.looks import LOOK_INFO, LOOKS, LookResult, evaluate_look
    from booth.coach.metrics import Metrics, compute_metrics

# The package's names load their module on first use (PEP 562), so the words alone
# (``booth.coach.words``: the look names and prompts) can be imported by the photo server
# without the metrics' numpy and OpenCV in every web worker.
_HOME = {
    "Baseline": "baseline", "BaselineCollector": "baseline", "Coach": "coach", "Guidance": "coach",
    "FRAMING_TARGET": "framing", "LOOK_INFO": "looks", "LOOKS": "looks", "LookResult": "looks",
    "evaluate_look": "looks", "Metrics": "metrics", "compute_metrics": "metrics",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"booth.coach.{_HOME[name]}"), name)
    raise AttributeError(f"module 'booth.coach' has no attribute {name!r}")


__all__ = [
    "FRAMING_TARGET",
    "LOOKS",
    "LOOK_INFO",
    "Baseline",
    "BaselineCollector",
    "Coach",
    "Guidance",
    "LookResult",
    "Metrics",
    "compute_metrics",
    "evaluate_look",
]
