"""Flask (through a2wsgi) owns ``/``; Streamlit is mounted at ``/dashboard/``.

What it shows
    A Starlette root app (which ``streamlit run`` discovers as ``app``) routing
    ``/dashboard/`` to st.App and everything else to Flask, adapted to ASGI by
    ``a2wsgi.WSGIMiddleware`` (Starlette's own WSGIMiddleware is deprecated). WSGI has
    no websockets, so ``http_only()`` refuses them. Streamlit's runtime is driven by
    ``lifespan=dashboard.lifespan()``; ``/dashboard`` redirects to ``/dashboard/``.
    ``ImportedOnFirstRequest`` builds the Flask side when the first request for it comes
    (in your project, import your Flask app there): start-up does not wait for it.

When to use it
    An existing Flask app that wants a dashboard page without a second server.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn mount_flask:app --lifespan on --port 8000
    streamlit run mount_flask.py

Open
    http://127.0.0.1:8000/             Flask's home view
    http://127.0.0.1:8000/api/hello    a Flask JSON view
    http://127.0.0.1:8000/dashboard/   the dashboard
"""

# --- part: begin ---
from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send


def http_only(app: ASGIApp) -> ASGIApp:
    """Wrap a WSGI-style app (Django, Flask) so websocket scopes are refused, not crash it."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})
            return
        await app(scope, receive, send)

    return guarded


class ImportedOnFirstRequest:
    """An app that is slow to import (Django's set-up, Flask: about a tenth of a second), imported
    when the first request for it comes, in a worker thread: start-up and the dashboard do not
    wait for it. ``load`` imports and returns the ASGI app; it runs once (again if it raised)."""

    def __init__(self, load: Callable[[], ASGIApp]) -> None:
        self.load = load
        self.app: ASGIApp | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> ASGIApp:
        with self._lock:  # concurrent first requests: one import
            if self.app is None:
                self.app = self.load()
                gc.freeze()  # what the import made lives as long as the process: out of every collection
            return self.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app or await asyncio.to_thread(self._loaded)
        await app(scope, receive, send)


def slash_redirect(path: str) -> Route:
    """``/dashboard`` → ``/dashboard/``: a catch-all parent would otherwise answer it."""

    async def redirect(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{path}/{query}", 307)

    return Route(path, redirect)


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from a2wsgi import WSGIMiddleware  # noqa: E402
from flask import Flask, jsonify  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402

flask_app = Flask(__name__)


@flask_app.get("/")
def home() -> str:
    return '<h1>Flask home</h1><p><a href="/dashboard/">Open the dashboard</a></p>'


@flask_app.get("/api/hello")
def hello():
    return jsonify(message="Hello from Flask")


dashboard = st.App(Path(__file__).parent / "dashboard.py")
app = Starlette(
    routes=[
        slash_redirect("/dashboard"),
        Mount("/dashboard", app=dashboard),
        Mount("/", app=http_only(ImportedOnFirstRequest(lambda: WSGIMiddleware(flask_app)))),
    ],
    lifespan=dashboard.lifespan(),
)
