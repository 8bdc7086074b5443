"""references/route_error_pages.py: custom error pages that leak nothing."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
def test_error_pages_are_custom_and_leak_nothing():
    module = load_reference("route_error_pages")
    with TestClient(module.app, raise_server_exceptions=False) as client:
        assert client.get("/api/items/1").json() == {"id": 1, "name": "apple"}
        missing = client.get("/api/items/99", headers={"Accept": "application/json"})
        assert missing.status_code == 404
        assert missing.json() == {"error": "Not found", "detail": "There is no item 99."}
        browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        page = client.get("/api/items/99", headers=browser)
        assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
        wrong_method = client.post("/api/items/1", headers=browser)
        assert wrong_method.status_code == 405 and "<h1>Method not allowed</h1>" in wrong_method.text
        assert wrong_method.headers["allow"] == "GET, HEAD"
        for accept in (browser, {"Accept": "application/json"}):
            boom = client.get("/api/boom", headers=accept)
            assert boom.status_code == 500 and "Something went wrong" in boom.text
            assert "RuntimeError" not in boom.text and "Traceback" not in boom.text
        assert client.get("/api/boom").json()["error"] == "Something went wrong"


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "route_error_pages", "/")
