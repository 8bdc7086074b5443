#!/usr/bin/env python3
"""Both lifespans run: the MCP session manager (a real client calls price) and the user's warm-up."""

import asyncio

from _harness import Target, expect, main


def check(target: Target) -> None:
    import fastmcp

    async def price() -> object:
        async with fastmcp.Client(target.url("/mcp/")) as client:
            return (await client.call_tool("price", {"product": "apple"})).data

    expect(asyncio.run(price()) == 1.2, "the MCP tool price(apple) is not 1.2")
    expect(target.get("/api/state").json().get("products") == 3, "the user's lifespan did not run")


if __name__ == "__main__":
    main(__file__, check)
