"""Readable 404, 405 and 500 pages: HTML for browsers, JSON for API clients, no traceback.

What it shows
    ``http_error_page`` handles every ``HTTPException`` (unknown paths of your routes, wrong
    methods, your own ``raise HTTPException(404, ...)``) through ``exception_handlers=``.
    ``ServerErrorPageMiddleware`` answers an exception raised anywhere below it (your routes,
    mounted apps) with the 500 page and re-raises it, so the traceback goes to the server's
    log and never to the client. It is middleware, not an ``Exception`` handler, on purpose:
    Starlette answers a raised exception from *outside* every middleware, so that answer
    would lack the headers a security-headers middleware adds; placed inside that
    middleware, this page carries them.

When to use it
    Any app with custom routes or mounted apps. Unknown paths that no route of yours
    matches are answered by Streamlit's own page (the frontend shows its "page not
    found"), so these pages cover your routes' errors, not every URL.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_error_pages:app --lifespan on --port 8000
    streamlit run route_error_pages.py

Open
    http://127.0.0.1:8000/api/items/1    an item
    http://127.0.0.1:8000/api/items/99   the 404 page (JSON with Accept: application/json)
    http://127.0.0.1:8000/api/boom       the 500 page
"""

# --- part: begin ---
from __future__ import annotations

import html
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{title}</h1><p>{detail}</p><p><a href="/">Back to the home page</a></p></body></html>"""
_TITLES = {404: "Not found", 405: "Method not allowed", 500: "Something went wrong"}


def error_response(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """An HTML page for browsers; JSON for clients that ask for it (API clients, fetch)."""
    title = _TITLES.get(status) or HTTPStatus(status).phrase
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": title, "detail": detail}, status, headers=headers)
    page = _PAGE.format(title=html.escape(title), detail=html.escape(detail))
    return HTMLResponse(page, status, headers=headers)


async def http_error_page(request: Request, exc: Exception) -> Response:
    """``exception_handlers={HTTPException: http_error_page}``: every HTTP error, readable."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):  # no body allowed
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_response(request, exc.status_code, str(exc.detail), exc.headers)


class ServerErrorPageMiddleware:
    """Answers an unhandled exception with the 500 page, then re-raises it for the server's log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def note_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, note_start)
        except Exception:
            if not started:  # otherwise the client already has a status line; nothing to fix
                response = error_response(Request(scope), 500, "The error has been logged.")
                await response(scope, receive, send)
            raise


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.routing import Route  # noqa: E402

ITEMS = {1: "apple", 2: "banana", 3: "cherry"}


async def get_item(request: Request) -> JSONResponse:
    item_id = request.path_params["item_id"]
    if item_id not in ITEMS:
        raise HTTPException(404, f"There is no item {item_id}.")
    return JSONResponse({"id": item_id, "name": ITEMS[item_id]})


async def boom(request: Request) -> Response:
    raise RuntimeError("a bug in a route")


app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=[Route("/api/items/{item_id:int}", get_item), Route("/api/boom", boom)],
    middleware=[Middleware(ServerErrorPageMiddleware)],
    exception_handlers={HTTPException: http_error_page},
)
