"""Keep Streamlit's ``/_stcore/metrics`` private: only a scraper with the token gets it.

What it shows
    Streamlit answers ``GET /_stcore/metrics`` (OpenMetrics: sessions, cache sizes,
    and, with ``server.unsafeMetricsUserAttributes``, user attributes in plaintext) to
    anyone. ``PrivateMetricsMiddleware``, a pure-ASGI class, answers 404 there unless the
    request carries ``Authorization: Bearer $METRICS_TOKEN`` (a Prometheus scrape job
    sends it with ``authorization: {credentials: ...}``). It matches any path ending in
    ``/_stcore/metrics``, so it also covers a mounted dashboard
    (``/dashboard/_stcore/metrics``) when placed on the parent. The page is untouched.

When to use it
    Any deployment reachable by people you do not run: the endpoint is open by default.
    Without ``METRICS_TOKEN`` set, the metrics are closed to everyone.

Files that come with it
    dashboard.py  .streamlit/config.toml

Configuration (environment)
    METRICS_TOKEN  the scrape token (at least 32 characters); unset = metrics closed

Run it (from the folder it is copied into; in this repository: ``cd references``)
    METRICS_TOKEN=$(python -c "import secrets; print(secrets.token_urlsafe(32))") \\
        uvicorn middleware_private_metrics:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/                 the dashboard, as usual
    http://127.0.0.1:8000/_stcore/metrics  404 without the token;
    curl -H "Authorization: Bearer $METRICS_TOKEN" http://127.0.0.1:8000/_stcore/metrics
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

METRICS_SUFFIX = "/_stcore/metrics"
MIN_TOKEN_LENGTH = 32


class PrivateMetricsMiddleware:
    """404 for ``.../_stcore/metrics`` unless the bearer token matches; everything else passes."""

    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        if token is not None and len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"METRICS_TOKEN must be at least {MIN_TOKEN_LENGTH} characters")
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    def _allowed(self, scope: Scope) -> bool:
        given = next((v for k, v in scope["headers"] if k.lower() == b"authorization"), b"")
        return self.expected is not None and hmac.compare_digest(given, self.expected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and path.endswith(METRICS_SUFFIX) and not self._allowed(scope):
            await PlainTextResponse("Not Found", 404)(scope, receive, send)  # says nothing is there
            return
        await self.app(scope, receive, send)


app = st.App(
    Path(__file__).parent / "dashboard.py",
    middleware=[Middleware(PrivateMetricsMiddleware, token=os.environ.get("METRICS_TOKEN") or None)],
)
