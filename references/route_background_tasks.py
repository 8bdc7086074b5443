"""Background tasks: answer at once, finish the slow work after the response.

What it shows
    ``POST /api/reports`` returns ``202 Accepted`` with a report id straight away and
    runs the slow part as a Starlette ``BackgroundTask``; ``GET /api/reports/{id}``
    tells whether it is done.

When to use it
    Short fire-and-forget work (sending a mail, writing an audit record, rebuilding a
    cache) that must not hold the request. The task runs in this process after the
    response: it is lost if the process stops. Use a real queue for work that must
    survive a restart.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_background_tasks:app --lifespan on --port 8000
    streamlit run route_background_tasks.py

Try it
    curl -X POST 'http://127.0.0.1:8000/api/reports?rows=500'
    curl http://127.0.0.1:8000/api/reports/<id>
"""

import asyncio
import uuid
from pathlib import Path

import streamlit as st
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

REPORTS: dict[str, dict] = {}  # in-memory: one process, lost on restart


async def build_report(report_id: str, rows: int) -> None:
    await asyncio.sleep(0.3)  # stands in for the slow part
    REPORTS[report_id] = {"status": "done", "total": sum(range(rows))}


async def request_report(request: Request) -> JSONResponse:
    try:
        rows = int(request.query_params.get("rows", "100"))
    except ValueError:
        return JSONResponse({"error": "rows must be an integer"}, 422)
    if not 1 <= rows <= 1_000_000:
        return JSONResponse({"error": "rows must be between 1 and 1000000"}, 422)
    report_id = uuid.uuid4().hex
    REPORTS[report_id] = {"status": "queued"}
    task = BackgroundTask(build_report, report_id, rows)
    return JSONResponse({"id": report_id, "status": "queued"}, 202, background=task)


async def report_status(request: Request) -> JSONResponse:
    report = REPORTS.get(request.path_params["report_id"])
    if report is None:
        return JSONResponse({"error": "no such report"}, 404)
    return JSONResponse(report)


app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=[
        Route("/api/reports", request_report, methods=["POST"]),
        Route("/api/reports/{report_id}", report_status),
    ],
)
