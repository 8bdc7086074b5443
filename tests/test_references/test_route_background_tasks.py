"""references/route_background_tasks.py: background tasks after the response."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
def test_background_task_runs_after_the_response():
    module = load_reference("route_background_tasks")
    with TestClient(module.app) as client:
        queued = client.post("/api/reports", params={"rows": 10})
        assert queued.status_code == 202 and queued.json()["status"] == "queued"
        # TestClient runs the background task before returning; a real server does it later.
        assert client.get(f"/api/reports/{queued.json()['id']}").json() == {"status": "done", "total": 45}
        assert client.post("/api/reports", params={"rows": "many"}).status_code == 422
        assert client.post("/api/reports", params={"rows": 0}).status_code == 422
        assert client.get("/api/reports/nope").status_code == 404


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "route_background_tasks", "/")
