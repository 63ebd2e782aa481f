"""Security headers on every response, as a plain ASGI middleware (no per-request objects).

The pages carry no scripts at all; the one inline stylesheet is allowed by
its hash, so the policy can say ``default-src 'none'``. No referrer ever
leaves a page, because the page URL is the photo's only key.
"""

from __future__ import annotations

import base64
import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*inline_css: str) -> str:
    """The pages' policy: only the inline stylesheets given here (by hash) may style them."""
    digests = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
                       for css in inline_css if css)
    return ("default-src 'none'; img-src 'self'; style-src " + digests + "; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class SecurityHeaders:
    """Adds the fixed headers; sets Cache-Control: private where a route set none."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.fixed = [
            (b"content-security-policy", csp.encode()),
            (b"referrer-policy", b"no-referrer"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"private, no-cache"))
                headers.extend(self.fixed)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
