"""What a session costs under st.App: ``gc.freeze()``, no collection per run, no watcher, no compression.

What it shows
    After every script run Streamlit does two things whose cost grows with everything the
    process holds, not with your script:

    - a full garbage collection (``runner.postScriptGC``), which walks every object the
      imports created — FastAPI, pydantic, fastmcp, Django add hundreds of thousands, and
      the first run adds what Streamlit's elements import (pandas, numpy, pyarrow);
    - with the file watcher on (``server.fileWatcherType``, on by default), a scan of every
      module in ``sys.modules``, resolving each one's path, to decide what to watch.

    A parent app imports far more than a bare script, so under ``streamlit run`` defaults a
    session of a mounted dashboard costs several times the CPU of the same script alone
    (bench/README.md, figure 5, measured it: most of a trivial session's CPU went there).
    The three settings here cut that cost to a fraction, and a fourth its memory:

    - ``freeze_startup_objects()`` at the end of the module that builds the app: objects
      that exist after start-up live as long as the process, so ``gc.freeze()`` moves them
      out of every later collection.
    - ``postScriptGC = false`` under ``[runner]`` in ``.streamlit/config.toml``: what the
      first run imports is not frozen, and collecting it after every run was most of a
      session's CPU (about 90,000 objects, ~17 ms a run, in the generated project's
      dashboard). Python's own generational collector still frees cycles as it always does;
      turn the option back on for a script that leaves large cycles behind each run.
    - ``fileWatcherType = "none"`` under ``[server]`` (the file sits beside the script and is
      read under uvicorn too): a deployed app does not rerun when its source changes. While
      developing, ``uvicorn app:app --reload`` restarts on every change, or run
      ``streamlit run core_session_cost.py --server.fileWatcherType auto``.
    - ``--ws-per-message-deflate false`` on the uvicorn command: uvicorn compresses websockets
      by default and every browser asks for it, so each open session holds a compressor
      (about 0.2 MiB). Streamlit's own server sends uncompressed
      (``server.enableWebsocketCompression``, off by default; uvicorn never reads it).

When to use it
    Every deployed app; the more the process imports, the more it saves.

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn core_session_cost:app --lifespan on --port 8000 --ws-per-message-deflate false

Open
    http://127.0.0.1:8000/          the dashboard
    http://127.0.0.1:8000/healthz   {"status": "ok", "frozen_objects": ..., "full_collections": ...}
"""

# --- part: begin ---
from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Keep everything created so far out of later garbage collections; return how many.

    Call it once, after the imports and the app are built (and again after anything big
    is imported later). Every full collection skips frozen objects: Python's own, and
    Streamlit's after each script run if ``runner.postScriptGC`` is on.

    No ``gc.collect()`` first: it would walk all those objects (about 40 ms of the start-up,
    in the path of the first request) to find a few dozen garbage ones, which stay frozen.
    """
    gc.freeze()
    return gc.get_freeze_count()


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "status": "ok",
            "frozen_objects": gc.get_freeze_count(),
            "full_collections": gc.get_stats()[2]["collections"],  # Streamlit's after a run, or Python's
        }
    )


app = st.App(Path(__file__).parent / "dashboard.py", routes=[Route("/healthz", healthz)])
freeze_startup_objects()  # last: everything above lives as long as the process
