"""references/route_mcp_server.py: an MCP server mounted at /mcp/."""

import contextlib
import json

import httpx
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
        # Stateless: no MCP session lives in this process, so none is handed out.
        assert "mcp-session-id" not in response.headers


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


MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}


def rpc(base_url: str, method: str, params: dict, id_: int | None = 1) -> httpx.Response:
    """One JSON-RPC message to ``base_url/mcp/``, with no session id and no cookie."""
    message = {"jsonrpc": "2.0", "method": method, "params": params, **({"id": id_} if id_ else {})}
    return httpx.post(base_url + "/mcp/", json=message, headers=MCP_HEADERS, timeout=30)


def sse_result(response: httpx.Response) -> dict:
    """The JSON-RPC message of a streamable-HTTP answer (one SSE event or plain JSON)."""
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    data = [
        line.removeprefix("data:").strip() for line in response.text.splitlines() if line.startswith("data:")
    ]
    return json.loads(data[-1])


@pytest.mark.live
def test_a_second_process_answers_what_the_first_began(tmp_path):
    """Initialize on one process, list and call on another: stateless, nothing to find again."""
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        first, second = (
            stack.enter_context(
                serve(
                    uvicorn_command("references.route_mcp_server:app", port),
                    cwd=ROOT,
                    port=port,
                    log_dir=tmp_path,
                )
            )  # fmt: skip
            for port in ports
        )
        initialize = {"protocolVersion": "2025-06-18", "capabilities": {},
                      "clientInfo": {"name": "test", "version": "1"}}  # fmt: skip
        opened = rpc(first.base_url, "initialize", initialize)
        assert opened.status_code == 200, opened.text
        assert sse_result(opened)["result"]["serverInfo"]["name"] == "dashboard-tools"
        assert "mcp-session-id" not in opened.headers
        assert rpc(second.base_url, "notifications/initialized", {}, id_=None).status_code == 202
        tools = sse_result(rpc(second.base_url, "tools/list", {}, id_=2))["result"]["tools"]
        assert {tool["name"] for tool in tools} == {"add", "describe"}
        called = sse_result(
            rpc(second.base_url, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}}, 3)
        )
        assert called["result"]["structuredContent"] == {"result": 5}, called
