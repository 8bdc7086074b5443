"""Password login with a signed session cookie, guarding the page AND Streamlit's websocket.

What it shows
    Starlette's ``SessionMiddleware`` (itsdangerous-signed, HttpOnly, SameSite=Lax,
    Secure over https, expiring) holds the signed-in state; ``AuthGuardMiddleware``, a
    pure-ASGI class, checks it on every ``http`` and ``websocket`` scope, so
    ``/_stcore/stream``, ``/_stcore/upload_file``, ``/media`` and ``/component`` are
    closed too. Only ``/healthz``, ``/login`` and ``/logout`` are open. The guard passes
    the user to the script as the ``X-Authenticated-User`` header (any such header sent
    by a client is dropped), which the dashboard reads with ``st.context.headers``.

When to use it
    One shared password in front of an internal tool. A guard written with
    ``BaseHTTPMiddleware`` never sees websocket scopes: an unauthenticated client could
    open ``/_stcore/stream`` and run the app. This one cannot be bypassed that way.

Configuration (environment)
    APP_PASSWORD     the password (compared in constant time)
    APP_SECRET_KEY   signs the cookie; at least 32 bytes, e.g.
                     ``python -c "import secrets; print(secrets.token_urlsafe(48))"``
    APP_DEV_MODE=1   only for local trials: generates a throwaway key (and password if
                     unset) and says so loudly on stderr
    PUBLIC_BASE_URL  when it starts with https://, the cookie is marked Secure

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    APP_PASSWORD=change-me APP_SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))") \\
        uvicorn middleware_auth:app --lifespan on --port 8000
    (same variables) streamlit run middleware_auth.py

Open
    http://127.0.0.1:8000/        redirects to /login until you sign in
    http://127.0.0.1:8000/logout  signs out
"""

# --- part: begin ---
from __future__ import annotations

import hmac
import html
import os
import secrets
import sys
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

SESSION_COOKIE = "app_session"
USER_HEADER = b"x-authenticated-user"
# Where the guard hands our session to the routes below it: Streamlit runs its own
# SessionMiddleware inside yours and replaces scope["session"] with *its* session.
SESSION_SCOPE_KEY = "auth_session"
USER_NAME = "admin"
MIN_SECRET_KEY_BYTES = 32
LOGIN_PATHS = ("/login", "/logout")
OPEN_PATHS = frozenset({"/healthz", *LOGIN_PATHS})


class AuthConfigError(ValueError):
    """The auth settings are missing or too weak to start safely."""


@dataclass(frozen=True)
class AuthSettings:
    password: str
    secret_key: str
    https_only: bool = False
    max_age_seconds: int = 8 * 60 * 60

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AuthSettings:
        """Read APP_PASSWORD and APP_SECRET_KEY; refuse to start without them."""
        dev_mode = environ.get("APP_DEV_MODE") == "1"
        password = environ.get("APP_PASSWORD", "")
        secret_key = environ.get("APP_SECRET_KEY", "")
        if not password:
            if not dev_mode:
                raise AuthConfigError("APP_PASSWORD is not set: auth is on and needs a password.")
            password = secrets.token_urlsafe(12)
            _warn(f"APP_DEV_MODE=1: generated a throwaway password: {password}")
        if len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
            if not dev_mode:
                problem = "is not set" if not secret_key else "is shorter than 32 bytes"
                raise AuthConfigError(
                    f"APP_SECRET_KEY {problem}. Generate one with: "
                    'python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            secret_key = secrets.token_urlsafe(48)
            _warn("APP_DEV_MODE=1: generated a throwaway APP_SECRET_KEY; sessions end on restart.")
        https_only = environ.get("PUBLIC_BASE_URL", "").startswith("https://")
        return cls(password=password, secret_key=secret_key, https_only=https_only)


def _warn(message: str) -> None:
    print(f"\n*** WARNING (development only) *** {message}\n", file=sys.stderr, flush=True)


class LoginRateLimiter:
    """At most ``max_failures`` failed logins per client address in ``window_seconds``."""

    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and time.monotonic() - failures[0] > self.window_seconds:
            failures.popleft()
        return failures

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= self.max_failures

    def record_failure(self, client: str) -> None:
        self._recent(client).append(time.monotonic())
        if len(self._failures) > 10_000:  # bound memory under a spray of addresses
            self._failures.clear()


class AuthGuardMiddleware:
    """Lets a scope through only with a signed-in session; runs inside SessionMiddleware."""

    def __init__(self, app: ASGIApp, *, open_paths: Sequence[str] = tuple(OPEN_PATHS)) -> None:
        self.app = app
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        session = scope["session"]  # set by the SessionMiddleware around this guard
        user = session.get("user")
        # A client's own user header is dropped; the scope is copied so apps below
        # cannot swap the session dict that SessionMiddleware writes back.
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != USER_HEADER]
        if isinstance(user, str) and user:
            headers.append((USER_HEADER, user.encode("latin-1", "replace")))
        inner = {**scope, "headers": headers, SESSION_SCOPE_KEY: session}
        if user or scope["path"] in self.open_paths:
            await self.app(inner, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        elif scope["method"] in ("GET", "HEAD"):
            target = scope["path"] + (
                f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else ""
            )
            await RedirectResponse(f"/login?next={quote(target)}", 303)(scope, receive, send)
        else:
            await PlainTextResponse("Sign in first.", 401)(scope, receive, send)


_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; }}
form {{ display: grid; gap: .75rem; min-width: 18rem; }}
input, button {{ font-size: 1rem; padding: .5rem; }}
.error {{ color: #b00020; }}
</style></head>
<body><form method="post" action="/login">
<h1>Sign in</h1>{error}
<label>Password <input type="password" name="password" autofocus required></label>
<input type="hidden" name="next" value="{next}">
<button type="submit">Sign in</button>
</form></body></html>"""


def _safe_next(value: str) -> str:
    """Only same-site paths, so /login cannot be used as an open redirect."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_page(next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = _LOGIN_PAGE.format(error=error_html, next=html.escape(_safe_next(next_path)))
    return HTMLResponse(body, status, headers={"Cache-Control": "no-store"})


def login_routes(settings: AuthSettings, limiter: LoginRateLimiter | None = None) -> list[Route]:
    """``/login`` (GET form, POST password) and ``/logout``."""
    limiter = limiter or LoginRateLimiter()
    expected = settings.password.encode()

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return _login_page(request.query_params.get("next", "/"))
        client = request.client.host if request.client else "unknown"
        if limiter.blocked(client):
            return _login_page("/", "Too many attempts. Wait a minute.", 429)
        body = await request.body()
        form = parse_qs(body[:4096].decode("utf-8", "replace"))
        given = form.get("password", [""])[0].encode()
        next_path = _safe_next(form.get("next", ["/"])[0])
        if not hmac.compare_digest(given, expected):
            limiter.record_failure(client)
            return _login_page(next_path, "Wrong password.", 401)
        session = request.scope[SESSION_SCOPE_KEY]
        session.clear()
        session["user"] = USER_NAME
        return RedirectResponse(next_path, 303)

    async def logout(request: Request) -> Response:
        request.scope[SESSION_SCOPE_KEY].clear()
        return RedirectResponse("/login", 303)

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET", "POST"]),
    ]


def auth_middleware(settings: AuthSettings, *, open_paths: Iterable[str] = ("/healthz",)) -> list[Middleware]:
    """The session cookie, then the guard that reads it (outermost first).

    ``open_paths`` (health checks) stay reachable signed out, besides the login pages.
    """
    return [
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=settings.max_age_seconds,
            same_site="lax",
            https_only=settings.https_only,
        ),
        Middleware(AuthGuardMiddleware, open_paths=(*open_paths, *LOGIN_PATHS)),
    ]


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

settings = AuthSettings.from_env()

app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=login_routes(settings),
    middleware=auth_middleware(settings),
)
