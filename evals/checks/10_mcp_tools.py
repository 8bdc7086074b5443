#!/usr/bin/env python3
"""A real MCP client lists the tools at /mcp/ and calls add(2, 3); the dashboard still answers."""

import asyncio

from _harness import Target, expect, is_streamlit_page, main


def check(target: Target) -> None:
    import fastmcp

    async def use() -> tuple[set[str], object]:
        async with fastmcp.Client(target.url("/mcp/")) as client:
            names = {tool.name for tool in await client.list_tools()}
            return names, (await client.call_tool("add", {"a": 2, "b": 3})).data

    names, added = asyncio.run(use())
    expect("add" in names, f"no `add` tool: {names}")
    expect(added == 5, f"add(2, 3) returned {added!r}")
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")


if __name__ == "__main__":
    main(__file__, check)
