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


Pairs = tuple[tuple[bytes, bytes], ...]
_JSON = re.compile(rb"application/([\w.-]+\+)?json\s*(;|$)", re.IGNORECASE)


def _header_pairs(*, https: bool, extra_connect_src: tuple[str, ...] = (), json: bool = False) -> Pairs:
    """The headers as the raw ASGI byte pairs, built once: no per-request policy building."""
    hsts = secure.StrictTransportSecurity().max_age(63072000).include_subdomains() if https else None
    if json:
        headers = secure.Secure(
            csp=secure.ContentSecurityPolicy().default_src("'none'").frame_ancestors("'none'"),
            hsts=hsts,
            xcto=secure.XContentTypeOptions().nosniff(),
        ).headers
    else:
        headers = secure.Secure(
            csp=streamlit_csp(extra_connect_src=extra_connect_src),
            hsts=hsts,
            xfo=secure.XFrameOptions().sameorigin(),
            xcto=secure.XContentTypeOptions().nosniff(),
            referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
            permissions=secure.PermissionsPolicy().geolocation().microphone().camera(),
        ).headers
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


Named = tuple[Pairs, frozenset[bytes]]


def _header_sets(*, https: bool, extra_connect_src: tuple[str, ...]) -> tuple[Named, Named]:
    """(headers, their names) for pages and all that is not JSON, then for JSON."""
    pages = _header_pairs(https=https, extra_connect_src=extra_connect_src)
    json = _header_pairs(https=https, json=True)
    return (pages, frozenset(name for name, _ in pages)), (json, frozenset(name for name, _ in json))


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
        self._over_http = _header_sets(https=False, extra_connect_src=extra)
        self._over_https = _header_sets(https=True, extra_connect_src=extra)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The scheme is what uvicorn saw, or what a *trusted* proxy said it saw.
        https = scope.get("scheme") == "https"
        (for_pages, page_names), for_json = self._over_https if https else self._over_http
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                theirs = message.get("headers", ())
                json = any(name.lower() == b"content-type" and _JSON.match(value) for name, value in theirs)
                added, names = for_json if json else (for_pages, page_names)
                # A new list (the app may reuse its own); the app's copy of one of ours is replaced.
                if any(name.lower() in names for name, _ in theirs):
                    theirs = [(name, value) for name, value in theirs if name.lower() not in names]
                message = {**message, "headers": [*theirs, *added]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                headers = [*_PLAIN_TEXT, *for_pages]
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise


_PLAIN_TEXT = ((b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21"))
{%- endraw %}
