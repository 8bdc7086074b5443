"""``python core_app_run.py``: ``App.run()``, ``debug=``, and failing at start when the script is missing.

What it shows
    ``app.run(config={...})`` starts the same embedded uvicorn server ``streamlit run``
    uses, from ``python core_app_run.py`` (or ``uv run``), taking config overrides such
    as ``server.port``; the module still serves ``uvicorn core_app_run:app``.
    ``debug=True`` (Starlette's debug mode) shows tracebacks in the 500 pages of *your*
    routes: for a developer's machine only, here behind ``APP_DEBUG=1``.

    A root st.App only looks for its script when the first ASGI message arrives. With
    ``--lifespan on`` that is start-up, and uvicorn exits (status 3) when the script is
    missing; with uvicorn's default (``auto``) it logs the error, keeps running and
    answers every request with a 500. So: always pass ``--lifespan on``, and check the
    path at import (``require_script`` below) so ``App.run()`` and every server fail at
    once with a clear message. A mounted st.App fails at import already:
    ``dashboard.lifespan()`` creates the runtime, which checks the script.

    Do not call ``lifespan()`` on a standalone (root) st.App: it hands the lifecycle to
    a parent, and the app then refuses to serve ("Cannot use App as standalone ASGI
    application after calling lifespan()"). It is only for ``FastAPI(lifespan=...)`` and
    other parents that mount it.

When to use it
    A launcher module people start with ``python``, ``uv run`` or ``uvx``; any app that
    should refuse to start rather than answer 500s.

Files that come with it
    dashboard.py  .streamlit/config.toml

Configuration (environment)
    PORT         port for ``python core_app_run.py`` (default 8501)
    APP_DEBUG=1  tracebacks in error pages (development only)

Run it (from the folder it is copied into; in this repository: ``cd references``)
    python core_app_run.py
    uvicorn core_app_run:app --lifespan on --port 8000   (the same app under uvicorn)

Open
    http://127.0.0.1:8501/          the dashboard
    http://127.0.0.1:8501/healthz   {"status": "ok"}
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def require_script(path: Path) -> Path:
    """The script's path, or an error now: st.App itself only looks at the first request."""
    if not path.is_file():
        raise FileNotFoundError(f"Streamlit script not found: {path}")
    return path


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = st.App(
    require_script(Path(__file__).parent / "dashboard.py"),
    routes=[Route("/healthz", healthz)],
    debug=os.environ.get("APP_DEBUG") == "1",
)

if __name__ == "__main__":
    app.run(config={"server.address": "127.0.0.1", "server.port": int(os.environ.get("PORT", "8501"))})
