"""Lifespan: warm Streamlit's caches once the runtime runs, keep state, shut down cleanly.

Derived from references/core_lifespan_lifecycle.py of st-asgi-template; that file explains
the pattern and is tested on its own. Edit there, then run tools/sync_parts.py.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st

log = logging.getLogger(__name__)


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


@asynccontextmanager
async def warm_caches(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Fill the caches in a worker thread (they block), publish state, then clean up."""
    started = time.perf_counter()
    model = await asyncio.to_thread(load_model)
    rows = await asyncio.to_thread(load_reference_data)
    warmed_in = round(time.perf_counter() - started, 3)
    log.warning("caches warmed in %.3fs", warmed_in)
    try:
        yield {"model_name": model["name"], "rows": len(rows), "warmed_in_seconds": warmed_in}
    finally:
        load_model.clear()  # release the resource; a real pool would close() here
        log.warning("lifespan shut down cleanly")
