"""Set a cookie on the HTTP response, read it in the script with ``st.context.cookies``.

What it shows
    ``VisitorCookieMiddleware``, a pure-ASGI class, gives each browser a random
    ``visitor_id`` cookie (HttpOnly, SameSite=Lax) the first time it loads a page. The
    Streamlit websocket handshake that follows carries it, so the script reads it with
    ``st.context.cookies["visitor_id"]``. Other ``Set-Cookie`` headers are kept.

When to use it
    Per-browser values the server decides (a visitor id, a preference, an A/B bucket).
    A script cannot set cookies itself: it runs over the websocket, after the page's
    HTTP response is gone. For secrets, sign the value (see ``middleware_auth.py``).

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn middleware_cookies:app --lifespan on --port 8000
    streamlit run middleware_cookies.py

Open
    http://127.0.0.1:8000/  the dashboard shows "Visitor cookie: ..." from the second run on
"""

# --- part: begin ---
from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

VISITOR_COOKIE = "visitor_id"


class VisitorCookieMiddleware:
    """Issues a ``visitor_id`` cookie to HTTP clients that have none."""

    def __init__(self, app: ASGIApp, *, max_age_seconds: int = 365 * 24 * 60 * 60) -> None:
        self.app = app
        self.max_age_seconds = max_age_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._has_cookie(scope):
            await self.app(scope, receive, send)
            return
        value = secrets.token_urlsafe(12)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # append, not set: other Set-Cookie lines stay.
                headers.append(
                    "set-cookie",
                    f"{VISITOR_COOKIE}={value}; Path=/; Max-Age={self.max_age_seconds}; "
                    "HttpOnly; SameSite=Lax",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _has_cookie(scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header is the client's problem
                    continue
                if VISITOR_COOKIE in jar:
                    return True
        return False


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

app = st.App(
    Path(__file__).parent / "dashboard.py",
    middleware=[Middleware(VisitorCookieMiddleware)],
)
