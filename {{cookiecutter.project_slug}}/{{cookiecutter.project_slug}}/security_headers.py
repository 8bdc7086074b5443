"""Security headers that Streamlit's frontend really renders under.

This module comes from references/middleware_security_headers.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import secure
from secure.middleware import SecureASGIMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@cache
def streamlit_inline_script_hashes() -> tuple[str, ...]:
    """CSP sources for the inline scripts of the installed Streamlit ``index.html``."""
    import streamlit

    index_html = Path(streamlit.__file__).parent / "static" / "index.html"
    scripts = _INLINE_SCRIPT.findall(index_html.read_text(encoding="utf-8"))
    return tuple(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in scripts
    )


def streamlit_csp(*, extra_connect_src: tuple[str, ...] = ()) -> secure.ContentSecurityPolicy:
    """The tightest policy under which Streamlit renders with no violation."""
    return (
        secure.ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "'wasm-unsafe-eval'", *streamlit_inline_script_hashes())
        .style_src("'self'", "'unsafe-inline'")
        .img_src("'self'", "data:", "blob:")
        .font_src("'self'", "data:")
        .media_src("'self'", "data:", "blob:")
        .connect_src("'self'", *extra_connect_src)
        .worker_src("'self'", "blob:")
        .frame_src("'self'")
        .frame_ancestors("'self'")
        .object_src("'none'")
        .base_uri("'self'")
        .form_action("'self'")
        .manifest_src("'self'")
    )


def _headers(*, https: bool, extra_connect_src: tuple[str, ...] = ()) -> secure.Secure:
    return secure.Secure(
        csp=streamlit_csp(extra_connect_src=extra_connect_src),
        hsts=secure.StrictTransportSecurity().max_age(63072000).include_subdomains() if https else None,
        xfo=secure.XFrameOptions().sameorigin(),
        xcto=secure.XContentTypeOptions().nosniff(),
        referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
        permissions=secure.PermissionsPolicy().geolocation().microphone().camera(),
    )


class SecurityHeadersMiddleware:
    """Adds the security headers; HSTS only when the request arrived over https.

    Starlette answers an unhandled exception from outside every middleware, so that 500
    would go out bare: this middleware answers it itself (plain text, with the headers) and
    re-raises for the server's log, unless an inner middleware (an error page) already did.

    ``extra_connect_src`` lists other origins the page may fetch from or open websockets to
    (for example ``"wss://feed.example.com"``); by default only the page's own origin.
    """

    def __init__(self, app: ASGIApp, *, extra_connect_src: Iterable[str] = ()) -> None:
        self.app = app
        extra = tuple(extra_connect_src)
        self._over_http = SecureASGIMiddleware(app, secure=_headers(https=False, extra_connect_src=extra))
        self._over_https = SecureASGIMiddleware(app, secure=_headers(https=True, extra_connect_src=extra))
        server_error = PlainTextResponse("Internal Server Error", 500)
        self._error_over_http = SecureASGIMiddleware(
            server_error, secure=_headers(https=False, extra_connect_src=extra)
        )
        self._error_over_https = SecureASGIMiddleware(
            server_error, secure=_headers(https=True, extra_connect_src=extra)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The scheme is what uvicorn saw, or what a *trusted* proxy said it saw.
        over_https = scope.get("scheme") == "https"
        handler = self._over_https if over_https else self._over_http
        started = False

        async def note_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await handler(scope, receive, note_start)
        except Exception:
            if not started:
                error = self._error_over_https if over_https else self._error_over_http
                await error(scope, receive, send)
            raise
{%- endraw %}
