"""A folder served as a website under ``/landing/``, beside the dashboard.

What it shows
    ``Mount("/landing", app=StaticFiles(directory=..., html=True))``: ``index.html`` for
    the folder, other files by name, a 404 for the rest. The directory is built from
    ``Path(__file__).parent``, so it works from any working directory. ``/landing``
    redirects to ``/landing/`` (Streamlit's page would otherwise answer it).

When to use it
    A marketing page, docs, or generated reports next to the app. Do not mount at
    ``/static``: Streamlit's own assets live there (the path is reserved).

Files that come with it
    dashboard.py  landing_site/  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn mount_static_files:app --lifespan on --port 8000
    streamlit run mount_static_files.py

Open
    http://127.0.0.1:8000/landing/   the static site
    http://127.0.0.1:8000/           the dashboard
"""

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent


async def landing_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse("/landing/", 307)


app = st.App(
    HERE / "dashboard.py",
    routes=[
        Route("/landing", landing_redirect),
        Mount("/landing", app=StaticFiles(directory=HERE / "landing_site", html=True)),
    ],
)
