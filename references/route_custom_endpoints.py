"""Plain Starlette routes beside Streamlit: JSON, an HTML fragment, path parameters.

What it shows
    ``st.App(routes=[Route(...), ...])`` with async handlers returning ``JSONResponse``
    and ``HTMLResponse``. No FastAPI: no validation layer and no OpenAPI docs, and
    nothing more to install. Routes under ``/_stcore/``, ``/media/``, ``/component/``
    and ``/static/`` are Streamlit's and are refused with a ValueError.

When to use it
    A handful of endpoints (health, a data feed, an embed snippet).

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_custom_endpoints:app --lifespan on --port 8000
    streamlit run route_custom_endpoints.py

Open
    http://127.0.0.1:8000/api/health
    http://127.0.0.1:8000/api/data
    http://127.0.0.1:8000/fragments/greeting/Ada
"""

import html
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "healthy", "service": "streamlit-app"})


async def data(request: Request) -> JSONResponse:
    items = ["apple", "banana", "cherry"]
    return JSONResponse({"items": items, "count": len(items)})


async def greeting(request: Request) -> HTMLResponse:
    name = html.escape(request.path_params["name"])  # never echo input unescaped
    return HTMLResponse(f'<p class="greeting">Hello, <strong>{name}</strong>!</p>')


app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=[
        Route("/api/health", health),
        Route("/api/data", data),
        Route("/fragments/greeting/{name}", greeting),
    ],
)
