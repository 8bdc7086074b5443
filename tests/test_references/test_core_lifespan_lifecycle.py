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
        # The lifespan yields before the caches are warm: the server answers meanwhile.
        assert client.get("/api/state").json() == {"status": "starting", "seconds": None}
        state = wait_until_warm(client.get)
        assert state["seconds"] >= 0.5  # the loaders really ran during start-up
        started = time.perf_counter()
        module.load_model()  # a cache hit now
        assert time.perf_counter() - started < 0.4


@pytest.mark.live
def test_lifespan_warms_before_first_visit_and_shuts_down_cleanly(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.core_lifespan_lifecycle:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        assert wait_until_warm(lambda path: httpx.get(server.base_url + path))["status"] == "ok"
        report = open_dashboard(page, server.base_url + "/", "Warm caches")
        page.get_by_text("Model demo-model loaded at").wait_for()
        cache_ms = float(page.get_by_test_id("stMetricValue").inner_text())
        assert cache_ms < 100  # a cache hit; a cold load_model() alone sleeps 500 ms
        assert_clean(page, report)
    log = server.log()
    assert "caches warmed in" in log and "lifespan shut down cleanly" in log


def wait_until_warm(get) -> dict:
    """Poll ``/api/state`` until the background warm-up has finished; its last answer."""
    for _ in range(300):
        state = get("/api/state").json()
        if state["status"] != "starting":
            return state
        time.sleep(0.1)
    raise AssertionError(f"still warming: {state}")


@pytest.mark.isolated
def test_a_failed_warm_up_is_reported_not_fatal():
    module = load_reference("core_lifespan_lifecycle")

    def broken() -> None:
        raise ConnectionError("the model store is down")

    module.load_reference_data = broken  # what fill_caches calls
    with TestClient(module.app) as client:
        assert wait_until_warm(client.get)["status"] == "failed"
        assert client.get("/").status_code == 200  # the server still answers
