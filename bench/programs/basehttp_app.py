"""The generated FastAPI-parent project itself, its three guards swapped for the copied kind.

The three guards are Starlette ``BaseHTTPMiddleware`` subclasses written as in the upstream
docs' ``dispatch(request, call_next)`` examples: one sets the security headers on the
response, one verifies the session cookie, one checks the client address. Everything else is
the generated project's own ``app`` (package ``bench_board``, which bench/run.py bakes): its
routes, the dashboard and its lifespan, the edge layers around the guards (proxy trust, error
page, host and origin checks, body limit), the log line per request and the header values.
Its middleware list is edited before the first request builds the stack: in each place where
the project has a guard, this variant has the BaseHTTPMiddleware one, so only the guards differ.

Run from the baked project's directory (bench/run.py does):
    uvicorn basehttp_app:app --app-dir <repo>/bench/programs --no-proxy-headers

Note what this variant does NOT do, and the benchmark does not hide: ``BaseHTTPMiddleware``
only sees ``http`` scopes, so Streamlit's websocket (``/dashboard/_stcore/stream``) is
reachable with no cookie and from any address. bench/run.py checks that and reports it.
"""

from __future__ import annotations

import ipaddress
import json
import os
from base64 import b64decode

import app as generated  # the baked project's app.py (the current directory)
import itsdangerous
from bench_board.auth import SESSION_COOKIE, AuthGuardMiddleware
from bench_board.ip_allowlist import DEFAULT_ALLOWED_IPS, IPAllowlistMiddleware
from bench_board.security_headers import SecurityHeadersMiddleware
from bench_board.session_cookie import SessionCookieMiddleware
from fastapi import Request
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse

OPEN_PATHS = {"/healthz", "/login", "/logout"}
settings = generated.auth  # the project's own, read from the environment once
signer = itsdangerous.TimestampSigner(settings.secret_key)  # what SessionMiddleware signs with
allowed = [ipaddress.ip_network(n) for n in os.environ.get("ALLOWED_IPS", DEFAULT_ALLOWED_IPS).split(",")]


async def our_header_values(content_type: bytes) -> dict[str, str]:
    """The very values our SecurityHeadersMiddleware adds over http to a response of ``content_type``,
    read off one call through it (a page's, or the API policy of a JSON answer)."""
    added: dict[str, str] = {}

    async def empty(scope, receive, send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]}
        )
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            added.update((name.decode(), value.decode()) for name, value in message["headers"][1:])

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "", "headers": [(b"host", b"x")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    await SecurityHeadersMiddleware(empty)(scope, receive, send)
    return added


class SecurityHeaders(BaseHTTPMiddleware):
    values: tuple[dict[str, str], dict[str, str]] | None = None  # (page, JSON), read on the first request

    async def dispatch(self, request: Request, call_next):
        if SecurityHeaders.values is None:
            SecurityHeaders.values = (
                await our_header_values(b"text/html; charset=utf-8"),
                await our_header_values(b"application/json"),
            )
        response = await call_next(request)
        json = response.headers.get("content-type", "").startswith("application/json")
        response.headers.update(SecurityHeaders.values[json])
        return response


class IPCheck(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path not in OPEN_PATHS:
            host = request.client.host if request.client else ""
            if not any(ipaddress.ip_address(host) in network for network in allowed):
                return PlainTextResponse("Forbidden", status_code=403)
        return await call_next(request)


class CookieCheck(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        try:
            token = request.cookies[SESSION_COOKIE].encode()
            session = json.loads(b64decode(signer.unsign(token, max_age=settings.max_age_seconds)))
        except (KeyError, ValueError, itsdangerous.BadSignature):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if not session.get("sid"):  # the id our login minted (its store lives in the other process)
            return RedirectResponse("/login", status_code=303)
        request.state.session_id = session["sid"]
        return await call_next(request)


def swapped(middleware: list[Middleware]) -> list[Middleware]:
    """The project's middleware list with each guard replaced by its BaseHTTPMiddleware counterpart."""
    theirs = {SecurityHeadersMiddleware: SecurityHeaders, IPAllowlistMiddleware: IPCheck,
              SessionCookieMiddleware: CookieCheck}  # fmt: skip
    kept = [layer for layer in middleware if layer.cls is not AuthGuardMiddleware]  # CookieCheck does both
    return [Middleware(theirs[layer.cls]) if layer.cls in theirs else layer for layer in kept]


app = generated.app
if app.middleware_stack is not None:
    raise RuntimeError("the generated app already built its middleware stack")
guards = {SecurityHeadersMiddleware, IPAllowlistMiddleware, SessionCookieMiddleware, AuthGuardMiddleware}
if not guards <= {layer.cls for layer in app.user_middleware}:
    raise RuntimeError("the generated project lacks one of the three guards: bake it with them on")
app.user_middleware = swapped(app.user_middleware)
