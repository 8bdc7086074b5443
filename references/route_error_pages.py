"""Custom 404 and 500 pages through st.App's ``exception_handlers=``.

What it shows
    Handlers keyed by status code (404) and by exception class (``Exception`` → 500)
    turn errors raised by your routes into branded pages: JSON for API clients that ask
    for it, HTML otherwise. Tracebacks stay in the server log, never in the response.

When to use it
    Any app with custom routes. Note: unknown paths that are not under one of your
    routes are answered by Streamlit's own page (the frontend shows its "page not
    found"), so these handlers cover your routes' errors, not every URL.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_error_pages:app --lifespan on --port 8000
    streamlit run route_error_pages.py

Open
    http://127.0.0.1:8000/api/items/1    an item
    http://127.0.0.1:8000/api/items/99   the custom 404
    http://127.0.0.1:8000/api/boom       the custom 500
"""

import html
from pathlib import Path

import streamlit as st
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

ITEMS = {1: "apple", 2: "banana", 3: "cherry"}
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{detail}</p><p><a href="/">Back to the dashboard</a></p></body></html>"""


def _error(request: Request, status: int, title: str, detail: str) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": title, "detail": detail}, status)
    body = _PAGE.format(title=html.escape(title), detail=html.escape(detail))
    return HTMLResponse(body, status)


async def not_found(request: Request, exc: HTTPException) -> Response:
    return _error(request, 404, "Not found", str(exc.detail))


async def server_error(request: Request, exc: Exception) -> Response:
    # The exception is logged by the server; the client sees no internals.
    return _error(request, 500, "Something went wrong", "The error has been logged.")


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
    exception_handlers={404: not_found, Exception: server_error},
)
