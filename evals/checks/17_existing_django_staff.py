#!/usr/bin/env python3
"""An existing Django site keeps its public pages; staff sign in to /dashboard/ (STAFF_USERS) and see
their name; an agent reaches /mcp/ with the plain AGENT_TOKEN; a CSP the dashboard renders under."""

import os

from _harness import (
    Target,
    expect,
    guarded_dashboard,
    main,
    mcp_tool_names,
    pages_untouched,
    signed_in_as,
    websocket_status,
)

USER, PASSWORD = "alice", "correct horse battery staple"  # STAFF_USERS in evals.json
TOKEN = os.environ.get("EVAL_AGENT_TOKEN") or "eval-agent-token-0123456789abcdefghijklmnop"  # AGENT_TOKEN


def check(target: Target) -> None:
    pages_untouched(target, {"/": "Welcome to My Site", "/about/": "About My Site"})
    client = guarded_dashboard(target, "/dashboard/", USER, PASSWORD)
    expect("content-security-policy" in client.get("/dashboard/").headers, "the dashboard has no CSP")
    expect(target.get("/mcp/").status_code == 401, "/mcp/ answers without a bearer token")
    expect("add" in mcp_tool_names(target.url("/mcp/"), TOKEN), "the agent's token does not reach the tools")
    expect(websocket_status(target.ws_url("/about/"), subprotocols=()) != 101, "Django accepted a websocket")
    signed_in_as(target, "/dashboard/", client, USER)


if __name__ == "__main__":
    main(__file__, check)
