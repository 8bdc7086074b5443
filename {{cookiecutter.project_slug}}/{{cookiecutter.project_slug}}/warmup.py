"""Lifespan: warm Streamlit's caches once the runtime runs, keep state, shut down cleanly.

This module comes from references/core_lifespan_lifecycle.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
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
{%- endraw %}
