"""Readable 404, 405 and 500 pages: HTML for browsers, JSON for API clients, no traceback.

This module comes from references/route_error_pages.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
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
{%- endraw %}
