"""The packages booth depends on are the ones it uses, pinned once, and the ones `booth doctor` checks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from booth.doctor import PACKAGES, check_packages
from booth.config import Config

REPO = Path(__file__).resolve().parent.parent
# Used without an import of ours: uvicorn picks them up by itself (pyproject.toml says why).
PICKED_UP_BY_UVICORN = {"httptools", "uvloop"}
# A dependency of mediapipe, pinned so that both cv2 packages carry one version (constraints.txt).
PINNED_FOR_OTHERS = {"opencv-contrib-python"}
# boto3's own dependencies, pinned with it so a Pi and a laptop resolve the same set (boto3 accepts
# only a narrow botocore range); scripts/check-pi-packages.sh checks each for aarch64 wheels.
PINNED_WITH_BOTO3 = {"botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "booth").rglob("*.py"):
        found |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", path.read_text(), re.M))
    return found


def test_every_runtime_dependency_is_used_and_checked_by_doctor() -> None:
    runtime = {_name(r) for r in _project()["dependencies"]}
    doctor = {dist: module for dist, module in PACKAGES}
    assert set(doctor) == runtime - PICKED_UP_BY_UVICORN
    imported = _imported_modules()
    unused = {dist for dist, module in doctor.items() if module not in imported}
    assert unused == set()
    for gone in ("fastapi", "python-multipart"):
        assert gone not in runtime


def test_constraints_pin_exactly_the_dependencies() -> None:
    project = _project()
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    assert set(pins) == wanted | PINNED_FOR_OTHERS | PINNED_WITH_BOTO3
    assert all(pins.values())


def test_doctor_names_the_web_stack_it_runs_on() -> None:
    detail = check_packages(Config()).detail
    for dist in ("starlette", "jinja2", "uvicorn"):
        assert re.search(rf"\b{dist} \d", detail), detail
    assert "fastapi" not in detail
