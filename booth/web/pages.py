"""HTML rendering: Jinja2 with autoescape, the stylesheet inlined (see headers.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jinja2
from starlette.responses import HTMLResponse

HERE = Path(__file__).resolve().parent
CSS = (HERE / "static" / "booth.css").read_text(encoding="utf-8")


def _clock(ts: float) -> str:
    return time.strftime("%H:%M", time.localtime(ts))


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )
    env.filters["clock"] = _clock
    return env


ENV = _env()


def date_text(ts: float) -> str:
    return time.strftime("%A %-d %B at %H:%M", time.localtime(ts))


def render_text(name: str, **context: Any) -> str:
    context.setdefault("title", "Photo booth")
    context.setdefault("wide", False)
    return ENV.get_template(name).render(css=CSS, **context)


def render(name: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_text(name, **context), status_code=status, headers=headers)
