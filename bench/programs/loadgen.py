"""Fallback HTTP load generator (when ``wrk`` is missing): keep-alive GETs from an async httpx client.

``--connections`` workers each send one request at a time for ``--seconds``; prints one JSON object
(requests, errors, req/s, p50/p99 latency in ms). Runs in its own process, apart from the server.
It is slower than wrk, so it saturates a fast route less: ratios measured with it are closer to 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def run(url: str, seconds: float, connections: int, header_lines: list[str]) -> dict:
    headers = dict(line.split(": ", 1) for line in header_lines)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        started = time.perf_counter()
        stop = started + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                sent = time.perf_counter()
                try:
                    response = await client.get(url)
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--header", action="append", default=[], help='"Name: value", repeatable')
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.seconds, args.connections, args.header))))


if __name__ == "__main__":
    main()
