"""An MCP server (fastmcp, streamable HTTP) at ``/mcp/`` in the same process as Streamlit.

What it shows
    A ``FastMCP`` server with two tools, turned into an ASGI app with ``http_app()`` and
    mounted at ``/mcp``, with fastmcp's Host/Origin guard switched on (it is off by
    default): a ``Host`` outside ``allowed_hosts`` gets 421 (DNS rebinding) and a browser
    ``Origin`` other than the host's own gets 403, before any tool runs. Its lifespan
    (the session manager) must run, so it is combined with st.App's own: st.App runs
    the ``lifespan=`` you give it after the Streamlit runtime has started, and that
    lifespan enters the MCP app's.

When to use it
    AI agents should call the same data functions the dashboard shows, over MCP: pass the
    dashboard's ``st.cache_data`` loader as ``create_mcp(dashboard_data=...)`` and agents
    read the very values people see (one cache serving both). Behind an auth guard, agents
    send ``Authorization: Bearer <token>`` (``fastmcp.Client(url, auth=token)``).

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_mcp_server:app --lifespan on --port 8000
    streamlit run route_mcp_server.py

Try it (a real MCP client)
    >>> import asyncio, fastmcp
    >>> async def main():
    ...     async with fastmcp.Client("http://127.0.0.1:8000/mcp/") as client:
    ...         print(await client.call_tool("add", {"a": 2, "b": 3}))
    >>> asyncio.run(main())
"""

# --- part: begin ---
from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastmcp import FastMCP
from fastmcp.server.auth import AuthProvider
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

MCP_PATH = "/mcp"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def create_mcp(
    dashboard_data: Callable[[], list[dict[str, Any]]] | None = None, auth: AuthProvider | None = None
) -> FastMCP:
    """The MCP server and its tools; ``dashboard_data`` is the dashboard's own loader, ``auth``
    fastmcp's own token check (an OIDC ``RemoteAuthProvider``), if any."""
    mcp = FastMCP("dashboard-tools", auth=auth)

    if dashboard_data is not None:

        @mcp.tool(name="dashboard_data")
        def read_dashboard_data() -> list[dict[str, Any]]:
            """The rows the dashboard charts: the same st.cache_data function, so the same values."""
            return dashboard_data()

    @mcp.tool
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    @mcp.tool
    def describe(values: list[float]) -> dict[str, float]:
        """Count, mean and spread of a list of numbers."""
        if not values:
            raise ValueError("values must not be empty")
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        return {"count": len(values), "mean": statistics.fmean(values), "stdev": spread}

    return mcp


def mcp_http_app(mcp: FastMCP, allowed_hosts: Sequence[str] = LOOPBACK_HOSTS) -> Any:
    """The streamable-HTTP app to mount at ``/mcp``, Host and Origin checked by fastmcp."""
    return mcp.http_app(path="/", host_origin_protection=True, allowed_hosts=list(allowed_hosts))


def mcp_routes(mcp_app: ASGIApp) -> list[BaseRoute]:
    """``/mcp/`` for the MCP app, and ``/mcp`` redirecting there."""

    async def to_slash(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{MCP_PATH}/", 307)

    return [Route(MCP_PATH, to_slash, methods=["GET", "POST", "DELETE"]), Mount(MCP_PATH, app=mcp_app)]


def mcp_lifespan(mcp_app: Any) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    """The MCP app's own lifespan, for the parent to run (mounted apps get none)."""
    return lambda _parent: mcp_app.lifespan(mcp_app)


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

mcp_app = mcp_http_app(create_mcp())
app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=mcp_routes(mcp_app),
    lifespan=mcp_lifespan(mcp_app),
)
