"""HTML rendering: Jinja2 with autoescape and its i18n extension, the stylesheet inlined (see headers.py).

One environment serves every request, so the words' language is never in
it: each render gets the request's own ``gettext``/``ngettext`` in its
context (Jinja2 looks a name up in the render's context before the
environment's globals; none are installed there, so a page rendered without
a language fails loudly rather than silently in English). They are
"newstyle": they fill ``%(name)s`` placeholders and escape what they fill in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.responses import HTMLResponse

from booth.durations import span
from booth.i18n import Translator
from booth.net import LANG_PARAM
from booth.web.language import PageLanguage, clock_text, date_text

HERE = Path(__file__).resolve().parent
CSS = (HERE / "static" / "booth.css").read_text(encoding="utf-8")

__all__ = ["CSS", "ENV", "date_text", "kept", "render", "render_text"]


def kept(days: float) -> dict[str, Any]:
    """How long photos are kept, for the templates' sentences that say it (kept.html): each sentence
    is written for its unit, days or hours, and counted with the language's own plural forms."""
    unit, n = span(days)
    return {"keep_unit": unit, "keep_n": n}


@jinja2.pass_context
def _clock(context: jinja2.runtime.Context, ts: float) -> str:
    return clock_text(ts, context["page_lang"])


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True  # a paragraph's line breaks are not part of its message
    env.filters["clock"] = _clock
    return env


ENV = _env()


def _gettext(tr: Translator) -> Any:
    """The newstyle ``gettext`` for one language (jinja2.ext's own makers are private, so written here)."""

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str, **fields: Any) -> str:
        text = tr.catalogue.gettext(message)
        return (Markup(text) if context.eval_ctx.autoescape else text) % fields

    return gettext


def _ngettext(tr: Translator) -> Any:
    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int, **fields: Any) -> str:
        fields.setdefault("num", n)
        text = tr.catalogue.ngettext(singular, plural, n)
        return (Markup(text) if context.eval_ctx.autoescape else text) % fields

    return ngettext


def render_text(name: str, lang: PageLanguage, **context: Any) -> str:
    """The page ``name`` in ``lang``; ``switcher=False`` leaves the language links out (a page a POST answers)."""
    context.setdefault("title", lang.tr("Photo booth"))
    context.setdefault("wide", False)
    context.setdefault("switcher", True)
    return ENV.get_template(name).render(css=CSS, page_lang=lang, lang_param=LANG_PARAM, gettext=_gettext(lang.tr),
                                         ngettext=_ngettext(lang.tr), **context)


def render(name: str, lang: PageLanguage, *, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    return HTMLResponse(render_text(name, lang, **context), status_code=status, headers=headers)
