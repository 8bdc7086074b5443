"""Security headers that Streamlit's frontend really renders under.

What it shows
    A pure-ASGI middleware that adds a Content-Security-Policy, X-Frame-Options,
    X-Content-Type-Options, Referrer-Policy and Permissions-Policy to every HTTP
    response (a raised exception's 500 included: Starlette sends that one from outside
    every middleware, so this one answers it itself), and Strict-Transport-Security only
    when the request came over https. A JSON answer (an API's) is data, never a page: it
    gets ``nosniff`` and the policy OWASP advises for APIs, ``default-src 'none';
    frame-ancestors 'none'`` (the page-only headers would only cost bytes).
    The policy is written with the ``secure`` library's builders, turned into header
    bytes once at start-up; each response gets them appended (a same-named header from
    the app is replaced, others such as several ``Set-Cookie`` lines are kept).

When to use it
    Always, for anything reachable from a browser. ``default-src 'self'`` alone leaves
    Streamlit unstyled and blank: its page needs inline styles, ``wasm-unsafe-eval``,
    the hash of the one inline ``<script>`` in the installed ``index.html`` (computed
    here at start-up, so a Streamlit upgrade cannot silently break the page), data:
    fonts and images, and same-origin frames for components.

Files that come with it
    dashboard.py  .streamlit/config.toml
    The config's ``browser.gatherUsageStats = false`` is part of the zero-violation CSP:
    with usage stats on, the page calls Streamlit's metrics host and the browser reports
    violations. Under uvicorn only that file, beside the script, can turn them off.

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn middleware_security_headers:app --lifespan on --port 8000
    streamlit run middleware_security_headers.py

Open
    http://127.0.0.1:8000/            the dashboard, with every header on every response
    http://127.0.0.1:8000/api/headers a JSON route, to see the headers with curl -i
    http://127.0.0.1:8000/api/boom    a raised exception: a 500 with the same headers
"""

# --- part: begin ---
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


# --- part: end ---

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402


async def boom(request: Request) -> JSONResponse:
    raise RuntimeError("a bug in a route: the 500 still carries the headers")


async def echo_headers(request: Request) -> JSONResponse:
    response = JSONResponse({"hint": "look at this response's headers"})
    # Two cookies on one response: both must survive the middleware.
    response.set_cookie("first", "1")
    response.set_cookie("second", "2")
    return response


app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=[Route("/api/headers", echo_headers), Route("/api/boom", boom)],
    middleware=[Middleware(SecurityHeadersMiddleware)],
)
