"""references/core_lifespan_lifecycle.py: the lifespan warms Streamlit's caches and publishes state."""

import time

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support import (
    ROOT,
    assert_clean,
    free_port,
    load_reference,
    open_dashboard,
    serve,
    uvicorn_command,
)


@pytest.mark.isolated
def test_lifespan_warms_caches_and_publishes_state():
    module = load_reference("core_lifespan_lifecycle")
    with TestClient(module.app) as client:
        state = client.get("/api/state").json()
        assert state["model_name"] == "demo-model" and state["rows"] == 4
        assert state["warmed_in_seconds"] >= 0.5  # the loaders really ran during start-up
        started = time.perf_counter()
        module.load_model()  # a cache hit now
        assert time.perf_counter() - started < 0.4


@pytest.mark.live
def test_lifespan_warms_before_first_visit_and_shuts_down_cleanly(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.core_lifespan_lifecycle:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        state = httpx.get(server.base_url + "/api/state").json()
        assert state["rows"] == 4
        report = open_dashboard(page, server.base_url + "/", "Warm caches")
        page.get_by_text("Model demo-model loaded at").wait_for()
        cache_ms = float(page.get_by_test_id("stMetricValue").inner_text())
        assert cache_ms < 100  # a cache hit; a cold load_model() alone sleeps 500 ms
        assert_clean(page, report)
    log = server.log()
    assert "caches warmed in" in log and "lifespan shut down cleanly" in log
