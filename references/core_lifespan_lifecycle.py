"""Lifespan: warm Streamlit's caches once the runtime runs, keep state, shut down cleanly.

What it shows
    st.App runs the ``lifespan=`` context manager *after* the Streamlit runtime has
    started, so ``st.cache_resource`` / ``st.cache_data`` functions called there fill the
    same caches the script uses: the first visitor does not wait for the load. The
    lifespan starts the warm-up as a background task and yields at once, so the server
    answers (and draws the dashboard) while the caches fill; a session that needs a loader
    sooner waits for that same call. ``warmup.status`` says "starting", then "ok" (or
    "failed"): what ``/healthz`` reports. The code after ``yield`` runs on shutdown.

When to use it
    Models, connection pools, reference tables: anything slow to load and shared by all
    sessions. When Streamlit is mounted in another framework, pass
    ``lifespan=st_app.lifespan()`` to that framework, or this never runs.

Files that come with it
    dashboard_warm.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn core_lifespan_lifecycle:app --lifespan on --port 8000
    streamlit run core_lifespan_lifecycle.py

Open
    http://127.0.0.1:8000/           the dashboard, reading the warmed cache
    http://127.0.0.1:8000/api/state  the warm-up: starting, then ok (and how long it took)
"""

# --- part: begin ---
from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from streamlit.logger import get_logger

# Streamlit's logger: its handler and level (INFO), one line per event under any server.
log = get_logger(__name__)


def cached_from_first_call(decorator: Callable[[Callable], Callable]) -> Callable[[Callable], Callable]:
    """Apply a Streamlit cache decorator on the function's first call, not at import.

    ``st.cache_data`` looks for Streamlit's runtime when it decorates and logs "No runtime
    found" when this module is imported before the runtime starts (``uvicorn app:app`` does);
    the first call comes from the lifespan or the script, when the runtime runs.
    """

    def wrap(function: Callable) -> Callable:
        decorated = functools.cache(lambda: decorator(function))

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            return decorated()(*args, **kwargs)

        call.clear = lambda: decorated().clear()  # type: ignore[attr-defined]
        return call

    return wrap


# show_spinner=False: the warm-up runs outside any script run, where a spinner has no page
# (Streamlit would log "missing ScriptRunContext"); after it, the script's calls are hits.
@cached_from_first_call(st.cache_resource(show_spinner=False))
def load_model() -> dict[str, Any]:
    """Stands in for a slow, shared resource (an ML model, a client, a pool)."""
    time.sleep(0.5)
    return {"name": "demo-model", "weights": [0.2, 0.5, 0.3], "loaded_at": time.time()}


@cached_from_first_call(st.cache_data(show_spinner=False))
def load_reference_data() -> list[dict[str, Any]]:
    """Stands in for a slow query whose result every session reads."""
    time.sleep(0.2)
    return [{"region": region, "sales": sales} for region, sales in
            [("north", 120), ("south", 95), ("east", 143), ("west", 88)]]  # fmt: skip


class Warmup:
    """How the start-up warm-up is going, for ``/healthz``: "starting", then "ok" or "failed"."""

    status = "starting"
    seconds: float | None = None  # how long it took, once done

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "seconds": self.seconds}


warmup = Warmup()


async def fill_caches() -> None:
    """Call the cached loaders once, side by side in worker threads (they block)."""
    started = time.perf_counter()
    try:
        await asyncio.gather(asyncio.to_thread(load_model), asyncio.to_thread(load_reference_data))
    except Exception:
        warmup.status = "failed"  # /healthz answers 503: a probe restarts the process
        log.exception("cache warm-up failed")
        return
    warmup.seconds = round(time.perf_counter() - started, 3)
    warmup.status = "ok"
    log.info("caches warmed in %.3fs", warmup.seconds)


@asynccontextmanager
async def warm_caches(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Warm the caches in the background, then clean up on shutdown.

    The server answers while the caches fill: the dashboard draws at once, and a session that
    calls a loader before the warm-up is done waits for that same call (Streamlit computes
    each cached value once, behind a lock), it never loads twice.
    """
    warmup.status, warmup.seconds = "starting", None
    task = asyncio.create_task(fill_caches())
    try:
        yield {"warmup": warmup}
    finally:
        task.cancel()  # a shutdown during the warm-up does not wait for it
        await asyncio.gather(task, return_exceptions=True)
        load_model.clear()  # release the resource; a real pool would close() here
        log.info("lifespan shut down cleanly")


# --- part: end ---

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

# The dashboard imports the cached functions as `core_lifespan_lifecycle`; under uvicorn
# this module is `references.core_lifespan_lifecycle`. One name means one cache key.
sys.modules.setdefault("core_lifespan_lifecycle", sys.modules[__name__])


async def state(request: Request) -> JSONResponse:
    return JSONResponse(warmup.as_dict())


app = st.App(
    Path(__file__).parent / "dashboard_warm.py",
    lifespan=warm_caches,
    routes=[Route("/api/state", state)],
)
