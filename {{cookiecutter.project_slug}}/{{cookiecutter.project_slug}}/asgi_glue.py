"""{{ cookiecutter.parent|capitalize }} owns ``/``; Streamlit is mounted at ``/dashboard/``; websockets never reach {{ cookiecutter.parent|capitalize }}.

This module comes from references/mount_{{ cookiecutter.parent }}.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
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
{%- endraw %}
