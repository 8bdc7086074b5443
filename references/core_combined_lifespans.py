"""Combine lifespans: Streamlit's, fastmcp's and your own, with fastmcp's ``combine_lifespans``.

What it shows
    st.App takes one ``lifespan=``; an MCP app mounted at ``/mcp/`` has its own (its
    session manager must run) and you have yours (warm caches, open pools).
    ``combine_lifespans(a, b, ...)`` from ``fastmcp.utilities.lifespan`` enters them in
    order, leaves them in reverse, and merges the dicts they yield into ``app.state``.
    st.App starts the Streamlit runtime before it enters the combined lifespan, so
    ``open_resources`` can warm ``st.cache_data``. It imports the cached functions
    *inside* the lifespan (from ``lifespan_resources.py``), not at the top of this module:
    a cached function created before the runtime exists logs "No runtime found".

    When a parent owns ``/`` (FastAPI, a Starlette root), Streamlit's lifespan goes first
    in the same call, so the runtime is up before yours runs:
    ``FastAPI(lifespan=combine_lifespans(dashboard.lifespan(), open_resources, mcp_lifespan))``.

When to use it
    More than one thing needs start-up and shutdown: an MCP server plus a warm-up, a
    database pool plus a background consumer.

Files that come with it
    lifespan_resources.py  dashboard_resources.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn core_combined_lifespans:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/            the dashboard, reading warmed prices
    http://127.0.0.1:8000/api/state   what both lifespans put in app.state
    http://127.0.0.1:8000/mcp/        the MCP server (tool ``price``), for an MCP client
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from fastmcp import FastMCP
from fastmcp.utilities.lifespan import combine_lifespans
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


@asynccontextmanager
async def open_resources(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Your lifespan: warm the cache every session reads, release it on shutdown."""
    from lifespan_resources import load_prices  # after the runtime started: no "No runtime found"

    prices = await asyncio.to_thread(load_prices)
    try:
        yield {"products": len(prices)}
    finally:
        load_prices.clear()


mcp = FastMCP("prices")


@mcp.tool
def price(product: str) -> float:
    """The price of one product."""
    from lifespan_resources import load_prices

    return load_prices()[product]


mcp_app = mcp.http_app(path="/")


@asynccontextmanager
async def mcp_lifespan(app: Any) -> AsyncIterator[None]:
    """The mounted MCP app's own lifespan: mounted apps get none from the server."""
    async with mcp_app.lifespan(mcp_app):
        yield


async def state(request: Request) -> JSONResponse:
    return JSONResponse(app.state)


app = st.App(
    Path(__file__).parent / "dashboard_resources.py",
    routes=[Route("/api/state", state), Mount("/mcp", app=mcp_app)],
    lifespan=combine_lifespans(open_resources, mcp_lifespan),
)
