"""The photo server's answer to its own bugs and faults: a plain 500 page, and a log line without secrets.

Starlette's error handler sits outside every middleware, so its 500 carried
none of the security headers, and uvicorn then logged the exception's text,
which for a file error names the file: ``photos/<token>...``, a photo's key.
This middleware sits inside the security headers: it answers 500 itself and
logs where it failed (the exception's type and the code's file:line frames),
never the exception's message.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


def where(exc: BaseException) -> str:
    """``Type at file:line in function <- ...`` (innermost first), without the exception's message."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return f"{type(exc).__name__} at " + " <- ".join(
        f"{f.filename.rsplit('/booth/', 1)[-1]}:{f.lineno} in {f.name}" for f in reversed(frames))


class InternalErrors:
    """Turns an unhandled exception into ``page(request)`` with status 500 (or a closed connection once a response
    began)."""

    def __init__(self, app: ASGIApp, page: Callable[[Request], Response]) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 (every fault gets the same answer)
            log.error("internal error answering a %s request: %s", scope.get("method", "?"), where(exc))
            if not started:
                await self.page(Request(scope))(scope, receive, send)
