"""The coach: expression metrics, the three looks, prompts and the trigger.

Pure: observations and time in, decisions out; nothing here reads the clock
or touches hardware, so every rule can be tested with made-up sequences.
"""

from __future__ import annotations

from booth.coach.baseline import Baseline, BaselineCollector
from booth.coach.coach import Coach, Guidance
from booth.coach.framing import FRAMING_TARGET
from booth.coach.looks import LOOK_INFO, LOOKS, LookResult, evaluate_look
from booth.coach.metrics import Metrics, compute_metrics

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
