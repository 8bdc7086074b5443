"""references/mount_fastapi.py: FastAPI routes beside a dashboard at /."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    STREAMLIT_PAGE,
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
def test_mount_fastapi_serves_dashboard_at_root_and_api_under_api():
    module = load_reference("mount_fastapi")
    with TestClient(module.app) as client:
        assert STREAMLIT_PAGE in client.get("/").text
        assert client.get("/api/items").json() == {"items": ["apple", "banana", "cherry"]}
        assert client.post("/api/predict", params={"value": 2.5}).json() == {"value": 2.5, "doubled": 5.0}
        docs = client.get("/api/docs")
        assert docs.status_code == 200 and "swagger-ui" in docs.text
        assert "/items" in client.get("/api/openapi.json").json()["paths"]
        assert client.get("/_stcore/health").text == "ok"


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "mount_fastapi", "/")
