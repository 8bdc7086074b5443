"""Programmatic secrets (``secrets=``) and a script-error hook (``on_script_error=``).

What it shows
    ``secrets=`` hands values read from the environment to ``st.secrets`` without a
    ``secrets.toml`` on disk (they override file secrets at the top level).
    ``on_script_error=`` is called with every uncaught exception of a script run or a
    widget callback: report it (Sentry, a log, a counter) and return ``True`` to replace
    Streamlit's traceback with your own message.

When to use it
    Secrets from a vault or the platform's environment; error monitoring; hiding
    tracebacks from end users.

Configuration (environment)
    SERVICE_API_TOKEN  an example secret (the dashboard shows only its length)

Files that come with it
    dashboard_secrets.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    SERVICE_API_TOKEN=abc123 uvicorn core_secrets_and_errors:app --lifespan on --port 8000
    SERVICE_API_TOKEN=abc123 streamlit run core_secrets_and_errors.py

Open
    http://127.0.0.1:8000/            press "Raise an error" to see the hook at work
    http://127.0.0.1:8000/api/errors  how many script errors were reported
"""

import logging
import os
from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger(__name__)
REPORTED: list[str] = []


def report_script_error(exc: Exception) -> bool:
    """Record the error, then show a friendly message instead of the traceback."""
    log.error("script error: %r", exc)
    REPORTED.append(type(exc).__name__)
    st.error("Something went wrong. The error has been reported.")
    return True


async def errors(request: Request) -> JSONResponse:
    return JSONResponse({"reported": len(REPORTED), "types": REPORTED[-10:]})


app = st.App(
    Path(__file__).parent / "dashboard_secrets.py",
    secrets={"service": {"name": "demo-service", "api_token": os.environ.get("SERVICE_API_TOKEN", "")}},
    on_script_error=report_script_error,
    routes=[Route("/api/errors", errors)],
)
