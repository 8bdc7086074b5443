#!/usr/bin/env python3
"""Streamlit's agent API and MCP endpoint answer only with a bearer token, as that user (st.user)."""

import asyncio
import os

import httpx
from _harness import Target, expect, main

USER = "alice@example.com"


def token() -> str:
    pairs = dict(pair.split("=", 1) for pair in os.environ.get("API_TOKENS", "").split(",") if "=" in pair)
    return pairs.get(USER) or "alice-test-token-0123456789abcdefghijklmnop"  # evals.json's value


def check(target: Target) -> None:
    auth = {"Authorization": f"Bearer {token()}"}
    expect(
        target.get("/_stcore/agent/openapi.json").status_code == 401, "the agent API answers without a token"
    )
    forged = httpx.post(
        target.url("/_stcore/agent/interact"), json={}, headers={"X-Authenticated-User": USER}
    )
    expect(forged.status_code == 401, "a forged identity header without a token got in")
    wrong = {"Authorization": "Bearer " + "x" * 40}
    expect(httpx.post(target.url("/_stcore/agent/interact"), json={}, headers=wrong).status_code == 401,
           "a wrong token got in")  # fmt: skip
    schema = target.get("/_stcore/agent/openapi.json", headers=auth)
    expect(schema.status_code == 200 and schema.json().get("openapi"), "no agent API description")
    snapshot = httpx.post(target.url("/_stcore/agent/interact"), json={}, headers=auth, timeout=60)
    expect(snapshot.status_code == 200, f"interact answered {snapshot.status_code}: {snapshot.text[:300]}")
    expect(USER in snapshot.text, "the app did not see the caller in st.user")
    spoof = {**auth, "X-Authenticated-User": "mallory@example.com"}
    again = httpx.post(target.url("/_stcore/agent/interact"), json={}, headers=spoof, timeout=60)
    expect("mallory" not in again.text, "the client's own identity header reached st.user")

    import fastmcp
    from fastmcp.client.transports import StreamableHttpTransport

    async def over_mcp() -> tuple[set[str], str]:
        transport = StreamableHttpTransport(target.url("/_stcore/agent/mcp"), headers=auth)
        async with fastmcp.Client(transport) as client:
            names = {tool.name for tool in await client.list_tools()}
            result = await client.call_tool("interact", {}, raise_on_error=False)
            return names, " ".join(getattr(part, "text", "") for part in result.content)

    names, text = asyncio.run(over_mcp())
    expect("interact" in names, f"the MCP endpoint has no interact tool: {names}")
    expect(USER in text, "over MCP, the app did not see the caller in st.user")


if __name__ == "__main__":
    main(__file__, check)
