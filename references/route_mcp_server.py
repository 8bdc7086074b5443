"""An MCP server (fastmcp, streamable HTTP) at ``/mcp/`` in the same process as Streamlit.

What it shows
    A ``FastMCP`` server with two tools, turned into an ASGI app with ``http_app()`` and
    mounted at ``/mcp``, with fastmcp's Host/Origin guard switched on (it is off by
    default): a ``Host`` outside ``allowed_hosts`` gets 421 (DNS rebinding) and a browser
    ``Origin`` other than the host's own gets 403, before any tool runs. Importing fastmcp
    takes about half a second of CPU, so ``MCPOnFirstRequest`` builds the app when the
    first ``/mcp/`` request comes (in a worker thread): neither start-up nor the dashboard
    pays for it, only that first agent request waits. Its lifespan (the session manager)
    must run: the first request enters it, and the ``lifespan=`` you give st.App (run
    after the Streamlit runtime has started) ends it at shutdown.

    The server is stateless (fastmcp's ``stateless_http=True``): each request carries all it
    needs, so any process answers any request of an agent. MCP clients keep no cookie, so a
    proxy's sticky cookie cannot bring them back to the process that opened a stateful
    session ("Session not found" behind a load balancer); stateless, several processes
    behind nginx or a Kubernetes Service need no affinity and no shared store for MCP. What
    a client gives up: no ``Mcp-Session-Id`` (and no per-session state between requests);
    no server-to-client requests (sampling, elicitation, roots), which need a session to
    answer into; no standalone ``GET`` stream (list-changed and resource-update
    notifications between calls); no resumability (``Last-Event-ID``). Tool calls, their
    results and the progress and log notifications sent while a call runs all work.

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

import asyncio
import gc
import logging
import statistics
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:  # fastmcp is imported where the server is built, off the start-up path
    from fastmcp import FastMCP
    from fastmcp.server.auth import AuthProvider

MCP_PATH = "/mcp"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
log = logging.getLogger(__name__)


def create_mcp(
    dashboard_data: Callable[[], list[dict[str, Any]]] | None = None, auth: AuthProvider | None = None
) -> FastMCP:
    """The MCP server and its tools; ``dashboard_data`` is the dashboard's own loader, ``auth``
    fastmcp's own token check (an OIDC ``RemoteAuthProvider``), if any."""
    from fastmcp import FastMCP

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
    """The streamable-HTTP app to mount at ``/mcp``, Host and Origin checked by fastmcp.

    Stateless: no MCP session lives in this process, so any process answers any request (an
    MCP client keeps no cookie for a proxy's affinity). The price: no server-to-client requests
    (sampling, elicitation) and no notifications outside a running call.
    """
    return mcp.http_app(
        path="/", stateless_http=True, host_origin_protection=True, allowed_hosts=list(allowed_hosts)
    )


class MCPOnFirstRequest:
    """The MCP app, built when the first request for it comes: importing fastmcp takes half a second.

    Neither start-up nor the dashboard waits for fastmcp: the first ``/mcp/`` request builds the
    app in a worker thread and runs the app's own lifespan (fastmcp's session manager) in a task
    that the parent's lifespan ends at shutdown. Run ``lifespan`` from the parent's (mounted apps
    get none).
    """

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build  # returns the app of ``mcp_http_app``; called once, in a thread
        self.app: Any = None
        self._stopping: asyncio.Event | None = None
        self._started: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def lifespan(self, _parent: Any) -> AsyncIterator[None]:
        self._stopping, self._started, self._task = asyncio.Event(), None, None
        try:
            yield
        finally:
            self._stopping.set()
            if self._task is not None:
                await self._task

    async def _serve(self, started: asyncio.Event, stopping: asyncio.Event) -> None:
        try:
            app = await asyncio.to_thread(self.build)
            gc.freeze()  # fastmcp lives as long as the process: keep it out of every later collection
            async with app.lifespan(app):
                self.app = app
                started.set()
                await stopping.wait()
        except Exception:
            log.exception("the MCP server did not start")  # /mcp/ answers 503
        finally:
            self.app = None
            started.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None and self._stopping is not None and not self._stopping.is_set():
            if self._started is None:  # the first request: build it, once
                self._started = asyncio.Event()
                self._task = asyncio.create_task(self._serve(self._started, self._stopping))
            await self._started.wait()
        if self.app is None:  # its lifespan never ran, or the build failed
            await JSONResponse({"error": "the MCP server is not running"}, 503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def combine_lifespans(
    *lifespans: Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any] | None]],
) -> Callable[[Any], AbstractAsyncContextManager[dict[str, Any]]]:
    """Enter ``lifespans`` in order, leave them in reverse, merge what they yield.

    fastmcp's ``combine_lifespans`` does the same; importing it imports all of fastmcp.
    """

    @asynccontextmanager
    async def combined(app: Any) -> AsyncIterator[dict[str, Any]]:
        state: dict[str, Any] = {}
        async with AsyncExitStack() as stack:
            for lifespan in lifespans:
                state.update(await stack.enter_async_context(lifespan(app)) or {})
            yield state

    return combined


def mcp_routes(mcp_app: ASGIApp) -> list[BaseRoute]:
    """``/mcp/`` for the MCP app, and ``/mcp`` redirecting there."""

    async def to_slash(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{MCP_PATH}/", 307)

    return [Route(MCP_PATH, to_slash, methods=["GET", "POST", "DELETE"]), Mount(MCP_PATH, app=mcp_app)]


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

mcp_server = MCPOnFirstRequest(lambda: mcp_http_app(create_mcp()))
app = st.App(
    Path(__file__).parent / "dashboard.py",
    routes=mcp_routes(mcp_server),
    lifespan=mcp_server.lifespan,
)
