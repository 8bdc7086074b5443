"""references/route_mcp_server.py: an MCP server mounted at /mcp/."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    ROOT,
    assert_reference_renders,
    free_port,
    load_reference,
    run_async,
    serve,
    uvicorn_command,
)


@pytest.mark.isolated
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


@pytest.mark.live
def test_mcp_client_lists_and_calls_tools(tmp_path):
    import fastmcp

    port = free_port()
    command = uvicorn_command("references.route_mcp_server:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:

        async def use_tools():
            async with fastmcp.Client(server.base_url + "/mcp/") as client:
                names = {tool.name for tool in await client.list_tools()}
                added = await client.call_tool("add", {"a": 2, "b": 3})
                described = await client.call_tool("describe", {"values": [1, 2, 3]})
                return names, added.data, described.data

        names, added, described = run_async(use_tools())
        assert names == {"add", "describe"}
        assert added == 5
        assert described["count"] == 3 and described["mean"] == 2


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "route_mcp_server", "/")
