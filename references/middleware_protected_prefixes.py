"""Guard a MOUNTED dashboard: the parent protects ``/dashboard/`` and all its doors, ``/`` stays public.

What it shows
    FastAPI owns ``/`` (public home, ``/api/public``) and mounts Streamlit at
    ``/dashboard/``. The guard sits on the *parent* (``FastAPI(middleware=...)``), not in
    ``st.App(middleware=...)``, and knows protected *prefixes*, not only open paths:
    everything under ``/dashboard`` needs a signed-in session, which covers the page,
    ``/dashboard/_stcore/stream`` (the websocket that runs the script),
    ``/dashboard/_stcore/upload_file``, ``/dashboard/media`` and ``/dashboard/component``.
    Signed out, a page request is sent to the parent's ``/login``, other
    methods get 401, a websocket handshake is refused. ``ProtectedPrefixGuard`` is pure
    ASGI, so it sees the websocket (``BaseHTTPMiddleware`` would not).

    Why not ``st.App(middleware=[guard])``: that guard only runs for paths the mount
    hands to Streamlit, and it would send ``/dashboard/`` to ``/login``, a route it
    cannot see: the login page has to live on the parent, and so does the guard.

When to use it
    A parent (FastAPI, Starlette root for Django/Flask) owns ``/`` and some of it is
    public, but the dashboard is for signed-in people. For a Starlette root, pass the
    same two ``Middleware`` entries to ``Starlette(middleware=...)``.

Files that come with it
    dashboard.py  .streamlit/config.toml

Configuration (environment)
    APP_PASSWORD     the shared password (compared in constant time)
    APP_SECRET_KEY   signs the session cookie; at least 32 bytes

Run it (from the folder it is copied into; in this repository: ``cd references``)
    APP_PASSWORD=change-me APP_SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))") \\
        uvicorn middleware_protected_prefixes:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/             public home
    http://127.0.0.1:8000/dashboard/   sends you to /login first, then back to the dashboard
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

DASHBOARD_PREFIX = "/dashboard"
MIN_SECRET_KEY_BYTES = 32


class ProtectedPrefixGuard:
    """Requires ``scope["session"]["user"]`` for every path under the protected prefixes."""

    def __init__(self, app: ASGIApp, *, prefixes: Sequence[str], login_path: str = "/login") -> None:
        self.app = app
        self.prefixes = tuple(prefix.rstrip("/") for prefix in prefixes)
        self.login_path = login_path

    def _protected(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # scope["session"] is set by the SessionMiddleware around this guard.
        if (
            scope["type"] not in ("http", "websocket")
            or not self._protected(scope["path"])
            or scope["session"].get("user")
        ):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        elif scope["method"] in ("GET", "HEAD"):
            await RedirectResponse(self.login_path, 303)(scope, receive, send)
        else:
            await PlainTextResponse("Sign in first.", 401)(scope, receive, send)


def _setting(name: str, min_bytes: int = 1) -> str:
    value = os.environ.get(name, "")
    if len(value.encode()) < min_bytes:
        raise RuntimeError(f"{name} must be set (at least {min_bytes} bytes)")
    return value


PASSWORD = _setting("APP_PASSWORD")
dashboard = st.App(Path(__file__).parent / "dashboard.py")
app = FastAPI(
    title="Public API, private dashboard",
    lifespan=dashboard.lifespan(),
    middleware=[  # outermost first: the session, then the guard that reads it
        Middleware(SessionMiddleware, secret_key=_setting("APP_SECRET_KEY", MIN_SECRET_KEY_BYTES),
                   session_cookie="dashboard_session", same_site="lax", max_age=8 * 60 * 60),
        Middleware(ProtectedPrefixGuard, prefixes=[DASHBOARD_PREFIX]),
    ],
)  # fmt: skip


@app.get("/", response_class=HTMLResponse)
async def home() -> str:
    return '<h1>Public home</h1><p><a href="/dashboard/">Dashboard</a> (sign-in required)</p>'


@app.get("/api/public")
async def public() -> dict[str, str]:
    return {"status": "public"}


@app.get("/login", response_class=HTMLResponse)
async def login_form() -> str:
    return (
        '<form method="post" action="/login"><h1>Sign in</h1>'
        '<label>Password <input type="password" name="password" autofocus required></label>'
        '<button type="submit">Sign in</button></form>'
    )


@app.post("/login")
async def login(request: Request, password: str = Form(...)):
    if not hmac.compare_digest(password.encode(), PASSWORD.encode()):
        return PlainTextResponse("Wrong password.", 401)
    request.session["user"] = "admin"
    return RedirectResponse(DASHBOARD_PREFIX + "/", 303)


@app.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/", 303)


app.mount(DASHBOARD_PREFIX, dashboard)  # FastAPI redirects /dashboard to /dashboard/
