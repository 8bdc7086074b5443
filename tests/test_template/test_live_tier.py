"""The live tier: a pairwise covering set of answers (every pair of option values appears in at
least one project), each served by real uvicorn and used in headless Chromium, with every
enabled part exercised for real."""

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
import websockets

from tests.support import (
    AUTH_ENV,
    TEST_USER,
    bake,
    collect_csp,
    combination_id,
    free_port,
    oidc_env,
    pairwise,
    rerun_with_slider,
    run_async,
    serve,
    sign_in_page,
    stream_handshake,
    uvicorn_command,
    wait_for_dashboard,
    wait_for_live_ticks,
    watch,
)

pytestmark = pytest.mark.live

PROJECT_NAME = "Pairwise Board"
PAIRWISE = pairwise()


async def call_mcp(url: str, cookie: str) -> tuple[set[str], float]:
    import fastmcp
    from fastmcp.client.transports import StreamableHttpTransport

    transport = StreamableHttpTransport(url, headers={"Cookie": cookie} if cookie else None)
    async with fastmcp.Client(transport) as client:
        names = {tool.name for tool in await client.list_tools()}
        return names, (await client.call_tool("add", {"a": 20, "b": 22})).data


@pytest.mark.parametrize("answers", PAIRWISE, ids=combination_id)
def test_pairwise_project_in_the_browser(page, tmp_path, answers, request):
    project = bake(tmp_path, project_name=PROJECT_NAME, **answers)
    dashboard = "/" if answers["parent"] == "streamlit" else "/dashboard/"
    port = free_port()
    oidc = answers["auth"] == "oidc"
    env = oidc_env(request.getfixturevalue("oidc_issuer"), f"http://127.0.0.1:{port}") if oidc else AUTH_ENV
    command = uvicorn_command("app:app", port)
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path) as server:
        base, ws_base = server.base_url, f"ws://127.0.0.1:{port}"
        cookie = ""
        if answers["auth"] != "none":
            with pytest.raises(websockets.InvalidStatus):
                run_async(stream_handshake(ws_base + dashboard + "_stcore/stream"))
        if oidc:  # the provider's own page (it loads a stylesheet from a CDN): watched from our pages on
            page.goto(base + dashboard)
            page.fill("input[name=sub]", TEST_USER)
            page.click("button[type=submit]:has-text('Authorize')")
            page.wait_for_url(base + dashboard)
        report = watch(page)
        page.goto(base + dashboard)
        if answers["auth"] == "password":
            sign_in_page(page)
        if answers["auth"] != "none":
            (session,) = [c for c in page.context.cookies() if c["name"] == "app_session"]
            cookie = f"app_session={session['value']}"
        wait_for_dashboard(page, PROJECT_NAME)
        rerun_with_slider(page)
        run_async(stream_handshake(ws_base + dashboard + "_stcore/stream", cookie))

        if answers["websocket"]:
            wait_for_live_ticks(page, 2)
        if answers["lifespan"]:
            page.get_by_text("Warmed at start-up").wait_for()
        if answers["mcp"] and not oidc:  # with oidc, MCP takes the provider's JWTs: test_oidc_parents.py
            names, total = run_async(call_mcp(base + "/mcp/", cookie))
            assert {"add", "describe"} <= names and total == 42
            assert ("dashboard_data" in names) == answers["lifespan"]
        http = httpx.Client(base_url=base, headers={"Cookie": cookie} if cookie else {})
        if answers["seo"]:
            assert "Sitemap: " in http.get("/robots.txt").text
            ET.fromstring(http.get("/sitemap.xml").content)
            assert json.loads(http.get("/manifest.json").text)["name"] == PROJECT_NAME
        if answers["ip_allowlist"]:
            assert http.get(dashboard, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 403
        if answers["security_headers"]:
            assert "sha256-" in http.get(dashboard).headers["content-security-policy"]

        page.wait_for_timeout(500)
        collect_csp(page, report)
        assert report.problems == []
