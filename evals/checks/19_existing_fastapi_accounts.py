#!/usr/bin/env python3
"""An existing FastAPI service keeps / and /items, and its own lifespan still runs; /dashboard/ is for
named accounts (APP_USERS); agents reach /mcp/ with an API token (APP_API_TOKENS)."""

from _harness import Target, expect, guarded_dashboard, main, mcp_tool_names, pages_untouched

USER, PASSWORD = "alice", "correct horse battery staple"  # APP_USERS in evals.json
TOKEN = "eval-agent-token-0123456789abcdefghijklmnop"  # its SHA-256 is in APP_API_TOKENS


def check(target: Target) -> None:
    pages_untouched(target, {"/": '"service":"inventory"', "/items": '"loaded":true'})  # its lifespan ran
    guarded_dashboard(target, "/dashboard/", USER, PASSWORD)
    expect(target.get("/mcp/").status_code == 401, "/mcp/ answers without a bearer token")
    expect("add" in mcp_tool_names(target.url("/mcp/"), TOKEN), "the agent's token does not reach the tools")


if __name__ == "__main__":
    main(__file__, check)
