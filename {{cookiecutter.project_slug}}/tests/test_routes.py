{%- set c = cookiecutter -%}
"""The URL map, in-process: every route of the enabled parts answers as documented."""
{%- if c.seo or c.parent == "fastapi" or c.lifespan %}
{% if c.seo %}
import json
{%- endif %}
{%- if c.parent == "fastapi" %}
import re
{%- endif %}
{%- if c.lifespan %}
import time
{%- endif %}
{%- if c.seo %}
import xml.etree.ElementTree as ET
{%- endif %}
{%- endif %}

from tests.conftest import {% if c.parent != "streamlit" %}CLIENT, {% endif %}DASHBOARD
{%- if c.__auth != "none" %}

CLIENT_FIXTURE = "signed_in"
{%- else %}

CLIENT_FIXTURE = "fresh_client"
{%- endif %}


def test_healthz_is_always_open(fresh_client):
    response = fresh_client.get("/healthz")
{%- if c.lifespan %}
    # "starting" while the lifespan warms the caches in the background, then "ok".
    assert response.status_code == 200 and response.json()["status"] in ("starting", "ok")
    for _ in range(300):
        if fresh_client.get("/healthz").json()["status"] != "starting":
            break
        time.sleep(0.1)
    assert fresh_client.get("/healthz").json() == {"status": "ok"}
{%- else %}
    assert response.status_code == 200 and response.json() == {"status": "ok"}
{%- endif %}


def test_dashboard_page_is_served(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    page = client.get(DASHBOARD)
    assert page.status_code == 200 and "<title>Streamlit</title>" in page.text
{%- if c.parent != "streamlit" %}
    assert client.get("/dashboard").headers["location"].endswith("/dashboard/")
{%- endif %}
{%- if c.parent != "streamlit" %}


def test_parent_home_and_json_route(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    assert "Open the dashboard" in client.get("/").text
    assert client.get("/api/summary").json() == {"count": 10, "total": 285, "mean": 28.5}
{%- endif %}
{%- if c.parent == "fastapi" %}


def test_api_docs_are_served_from_the_project(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        assert "https://" not in page, path  # no CDN
        assert "<script>" not in page, path  # no inline script for the policy to refuse
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', page):
            assert client.get(asset).status_code == 200, asset
    assert b"cdn.redoc.ly" not in client.get("/docs-assets/redoc.standalone.js").content
{%- endif %}


def test_errors_are_readable_pages_or_json(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    browser = {"Accept": "text/html,*/*;q=0.8"}
{%- if c.parent in ["django", "flask"] %}
    # Paths outside the routes of app.py are {{ "Django" if c.parent == "django" else "Flask" }}'s: its own 404 page.
    missing = client.get("/no-such-page", headers=browser)
    assert missing.status_code == 404 and "Not Found" in missing.text
{%- else %}
    wrong_method = client.post("/healthz", headers=browser)
    assert wrong_method.status_code == 405 and "<h1>Method not allowed</h1>" in wrong_method.text
    api_client = {"Accept": "application/json"}
    assert client.post("/healthz", headers=api_client).json()["error"] == "Method not allowed"
{%- endif %}
{%- if c.parent == "fastapi" %}
    assert "<h1>Not found</h1>" in client.get("/no-such-page", headers=browser).text
    assert client.get("/api/nothing-here").json() == {"error": "Not found", "detail": "Not Found"}
{%- endif %}
{%- if c.security_headers %}
    assert "content-security-policy" in {{ "missing" if c.parent in ["django", "flask"] else "wrong_method" }}.headers
{%- endif %}
{%- if c.parent != "streamlit" %}


def test_a_crash_is_a_readable_500_without_the_traceback(app, request):
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def crash(request):
        raise RuntimeError("a bug in a route")

    shared = request.getfixturevalue(CLIENT_FIXTURE)
    app.router.routes.insert(0, Route("/crash-for-test", crash))
    try:
        # Not used as a context manager: the shared client has started the app already.
        raw = TestClient(app, base_url="http://127.0.0.1", client=CLIENT, raise_server_exceptions=False)
        raw.cookies = shared.cookies
        page = raw.get("/crash-for-test", headers={"Accept": "text/html"})
    finally:
        app.router.routes.pop(0)
    assert page.status_code == 500 and "Something went wrong" in page.text
    assert "RuntimeError" not in page.text and "Traceback" not in page.text
{%- if c.security_headers %}
    assert "content-security-policy" in page.headers  # Starlette's own 500 would lack it
{%- endif %}
{%- endif %}
{%- if c.security_headers %}


def test_security_headers_on_page_and_api(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    page = client.get(DASHBOARD).headers
    assert "script-src 'self' 'wasm-unsafe-eval' 'sha256-" in page["content-security-policy"]
    assert page["x-frame-options"] == "SAMEORIGIN"
    api = client.get("/healthz").headers  # JSON is data, never a page: the policy for APIs
    assert api["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    for headers in (page, api):
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers  # plain http
{%- endif %}
{%- if c.ip_allowlist %}


def test_allowlist_refuses_spoofed_forwarding_headers(fresh_client):
    assert fresh_client.get(DASHBOARD, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403
    assert fresh_client.get("/healthz", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
{%- endif %}
{%- if c.seo %}


def test_seo_files_are_valid(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").text
    ET.fromstring(client.get("/sitemap.xml").content)
    assert json.loads(client.get("/manifest.json").text)["start_url"] == DASHBOARD
{%- endif %}
{%- if c.mcp %}


def test_mcp_endpoint_answers_initialize(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    assert client.get("/mcp").headers["location"] == "/mcp/"
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
{%- if c.__auth == "oidc" %}
    accept["Authorization"] = f"Bearer {request.getfixturevalue('agent_token')}"  # agents: no cookie
{%- endif %}
    response = client.post("/mcp/", json=initialize, headers=accept)
    assert response.status_code == 200 and "dashboard-tools" in response.text
{%- endif %}
{%- if c.websocket %}


def test_live_ticks_stream(request):
    client = request.getfixturevalue(CLIENT_FIXTURE)
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    with client.websocket_connect("/ws/live", headers={"cookie": cookies}) as socket:
        assert socket.receive_json()["seq"] == 1
    assert client.get("/widgets/live-ticks.html").status_code == 200
{%- endif %}
