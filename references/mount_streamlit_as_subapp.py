"""FastAPI owns the root; Streamlit is mounted at ``/dashboard/``.

What it shows
    ``FastAPI(lifespan=dashboard.lifespan())`` plus ``app.mount("/dashboard", dashboard)``.
    The lifespan matters: without it, a mounted st.App starts Streamlit lazily on the
    first request and silently skips any ``lifespan=`` you gave it. FastAPI redirects
    ``/dashboard`` to ``/dashboard/``. Do not set ``server.baseUrlPath`` when mounting.

When to use it
    The API is the product; the dashboard is an add-on for people.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn mount_streamlit_as_subapp:app --lifespan on --port 8000
    streamlit run mount_streamlit_as_subapp.py   (discovers the FastAPI `app`)

Open
    http://127.0.0.1:8000/             FastAPI's home page
    http://127.0.0.1:8000/dashboard/   the dashboard
    http://127.0.0.1:8000/docs         FastAPI's docs
"""

from pathlib import Path

import streamlit as st
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

dashboard = st.App(Path(__file__).parent / "dashboard.py")
app = FastAPI(title="API with a dashboard", lifespan=dashboard.lifespan())


@app.get("/", response_class=HTMLResponse)
async def home() -> str:
    return (
        '<h1>API home</h1><p><a href="/dashboard/">Open the dashboard</a> · <a href="/docs">API docs</a></p>'
    )


@app.get("/api/data")
async def data() -> dict[str, list[int]]:
    return {"data": [1, 2, 3]}


app.mount("/dashboard", dashboard)
