"""Agents at the doors of a generated project with password auth: bearer tokens, never the login page.

A real ``fastmcp.Client(url, auth=token)`` lists and calls the tools under real uvicorn, and the
``dashboard_data`` tool returns what the dashboard charts (the same ``st.cache_data`` loader).
"""

import httpx
import pytest

from tests.conftest import AUTH_ENV, TEST_API_TOKEN
from tests.support import bake, free_port, run_async, serve, uvicorn_command

pytestmark = pytest.mark.live

# What warmup.load_reference_data returns: the bars of the dashboard's "Warmed at start-up" chart.
DASHBOARD_ROWS = [
    {"region": "north", "sales": 120},
    {"region": "south", "sales": 95},
    {"region": "east", "sales": 143},
    {"region": "west", "sales": 88},
]


async def use_tools(url: str, token: str) -> tuple[set[str], float, list]:
    import fastmcp

    async with fastmcp.Client(url, auth=token) as client:
        names = {tool.name for tool in await client.list_tools()}
        total = (await client.call_tool("add", {"a": 20, "b": 22})).data
        rows = (await client.call_tool("dashboard_data", {})).structured_content["result"]
        return names, total, rows


@pytest.mark.parametrize("parent", ["fastapi", "streamlit", "django"])
def test_agents_use_mcp_and_the_api_with_a_bearer_token(tmp_path, parent):
    answers = {"auth": "password", "mcp": True, "lifespan": True, "security_headers": True}
    project = bake(tmp_path, parent=parent, **answers)
    port = free_port()
    command = uvicorn_command("app:app", port)
    with serve(
        command, cwd=project, port=port, ready_path="/healthz", env=AUTH_ENV, log_dir=tmp_path
    ) as server:
        mcp_url = server.base_url + "/mcp/"
        names, total, rows = run_async(use_tools(mcp_url, TEST_API_TOKEN))
        assert {"add", "describe", "dashboard_data"} <= names and total == 42
        assert rows == DASHBOARD_ROWS  # agents see what people see

        initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
        headers = {"Accept": "application/json, text/event-stream"}
        signed_out = httpx.post(mcp_url, json=initialize, headers=headers)
        assert signed_out.status_code == 401 and signed_out.headers["www-authenticate"].startswith("Bearer")
        assert "<form" not in signed_out.text  # never the login page
        wrong = httpx.post(mcp_url, json=initialize, headers={**headers, "Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]
        with pytest.raises(Exception, match="error response|401"):  # the client is refused
            run_async(use_tools(mcp_url, "not-the-token"))
        if parent != "streamlit":
            bearer = {"Authorization": f"Bearer {TEST_API_TOKEN}"}
            assert httpx.get(server.base_url + "/api/summary", headers=bearer).status_code == 200
            assert httpx.get(server.base_url + "/api/summary").status_code == 401
            assert (
                httpx.get(server.base_url + "/dashboard/", headers=bearer).status_code == 303
            )  # pages: people
