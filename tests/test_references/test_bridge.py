"""Bridge references, in-process: lifespan state, MCP, SEO files, websocket, tasks, errors, secrets."""

import json
import time
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from tests.conftest import load_reference

pytestmark = pytest.mark.isolated


def test_lifespan_warms_caches_and_publishes_state():
    module = load_reference("core_lifespan_lifecycle")
    with TestClient(module.app) as client:
        state = client.get("/api/state").json()
        assert state["model_name"] == "demo-model" and state["rows"] == 4
        assert state["warmed_in_seconds"] >= 0.5  # the loaders really ran during start-up
        started = time.perf_counter()
        module.load_model()  # a cache hit now
        assert time.perf_counter() - started < 0.4


def test_mcp_is_mounted_with_a_redirect():
    module = load_reference("route_mcp_server")
    with TestClient(module.app, follow_redirects=False) as client:
        redirect = client.post("/mcp", json={})
        assert redirect.status_code == 307 and redirect.headers["location"] == "/mcp/"
        initialize = {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "test", "version": "1"}},
        }  # fmt: skip
        response = client.post(
            "/mcp/", json=initialize, headers={"Accept": "application/json, text/event-stream"}
        )
        assert response.status_code == 200
        assert "dashboard-tools" in response.text


def test_seo_files_are_valid_and_absolute(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dash.example.com/")
    module = load_reference("route_seo_metadata")
    with TestClient(module.app) as client:
        robots = client.get("/robots.txt")
        assert robots.headers["content-type"].startswith("text/plain")
        assert "Sitemap: https://dash.example.com/sitemap.xml" in robots.text
        assert "Disallow: /_stcore/" in robots.text
        sitemap = client.get("/sitemap.xml")
        assert sitemap.headers["content-type"] == "application/xml"
        root = ET.fromstring(sitemap.content)
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        assert [loc.text for loc in root.findall("s:url/s:loc", ns)] == ["https://dash.example.com/"]
        manifest = client.get("/manifest.json")
        assert manifest.headers["content-type"] == "application/manifest+json"
        data = json.loads(manifest.text)
        assert data["name"] == "st.App reference" and data["display"] == "standalone"


def test_seo_escapes_names_and_refuses_bad_base_url():
    from starlette.applications import Starlette

    from references.route_seo_metadata import SiteInfo, seo_routes

    site = SiteInfo.from_env('A & "B" <C>', "d", pages=("/", "/a?b=1&c=2"), environ={})
    with TestClient(Starlette(routes=seo_routes(site))) as client:
        locs = [e.text for e in ET.fromstring(client.get("/sitemap.xml").content).iter() if e.text]
        assert "http://localhost:8000/a?b=1&c=2" in locs
        assert client.get("/manifest.json").json()["name"] == 'A & "B" <C>'
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        SiteInfo.from_env("n", "d", environ={"PUBLIC_BASE_URL": "javascript:alert(1)"})


def test_websocket_stream_pushes_json_ticks_and_serves_the_widget():
    module = load_reference("route_websocket_stream")
    with TestClient(module.app) as client:
        with client.websocket_connect("/ws/live") as socket:
            first, second = socket.receive_json(), socket.receive_json()
        assert (first["seq"], second["seq"]) == (1, 2)
        assert isinstance(second["value"], float)
        widget = client.get("/widgets/live-ticks.html")
        assert '<script src="/widgets/live-ticks.js">' in widget.text
        assert "<script>" not in widget.text  # no inline script: the strict CSP allows it
        script = client.get("/widgets/live-ticks.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "/ws/live" in script.text


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


def test_secrets_and_error_hook_are_wired(monkeypatch):
    monkeypatch.setenv("SERVICE_API_TOKEN", "abc123")
    module = load_reference("core_secrets_and_errors")
    with TestClient(module.app) as client:
        assert client.get("/api/errors").json() == {"reported": 0, "types": []}
        import streamlit as st

        assert st.secrets["service"]["api_token"] == "abc123"
    assert module.report_script_error(RuntimeError("x")) is True
    assert module.REPORTED == ["RuntimeError"]
