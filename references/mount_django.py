"""Django owns ``/``; Streamlit is mounted at ``/dashboard/``; websockets never reach Django.

What it shows
    A Starlette root app (which ``streamlit run`` discovers as ``app``) routing
    ``/dashboard/`` to st.App and everything else to Django's ASGI handler. Django's
    handler fails on websocket scopes, so ``http_only()`` closes any websocket that is
    not Streamlit's before Django sees it. Streamlit's runtime and lifespan are driven
    by ``lifespan=dashboard.lifespan()``; ``/dashboard`` redirects to ``/dashboard/``.
    The whole Django project (settings, one view, urls) fits in this file.
    ``ImportedOnFirstRequest`` builds Django's handler when the first request for it
    comes (in your project, import and set up Django there): start-up does not wait.

When to use it
    An existing Django site that wants a dashboard page. In your project, keep your
    settings module and replace the ``settings.configure`` block with
    ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")``.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn mount_django:app --lifespan on --port 8000
    streamlit run mount_django.py

Open
    http://127.0.0.1:8000/             Django's home view
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

import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

import django  # noqa: E402
import streamlit as st  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(48),  # no sessions here; use your real settings
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    )
    django.setup()


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse('<h1>Django home</h1><p><a href="/dashboard/">Open the dashboard</a></p>')


urlpatterns = [path("", home)]

dashboard = st.App(Path(__file__).parent / "dashboard.py")
app = Starlette(
    routes=[
        slash_redirect("/dashboard"),
        Mount("/dashboard", app=dashboard),
        Mount("/", app=http_only(ImportedOnFirstRequest(get_asgi_application))),
    ],
    lifespan=dashboard.lifespan(),
)
