"""Where the guard overhead goes: microseconds per request of each guard, in-process (no network).

Builds the generated project's FastAPI app (its routes) with one guard at a time, then all three,
ours and the BaseHTTPMiddleware ones of bench/basehttp_app.py, and calls each app directly through
ASGI with signed-in ``GET /healthz`` and ``GET /api/summary``. Variants are interleaved round by
round; the median per variant is printed as JSON. Run from the baked project's directory (bench/run.py does).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path.cwd()))

import basehttp_app
import h11
from asgi_calls import session_cookie, time_calls
from bench_board.auth import SESSION_COOKIE, AuthSettings, auth_middleware
from bench_board.fastapi_site import router
from bench_board.health import health_routes
from bench_board.ip_allowlist import AllowlistSettings, IPAllowlistMiddleware
from bench_board.security_headers import SecurityHeadersMiddleware
from fastapi import FastAPI
from starlette.middleware import Middleware

PATHS = ("/healthz", "/api/summary")


def build(middleware: list[Middleware]) -> FastAPI:
    app = FastAPI(routes=health_routes(), middleware=middleware)
    app.include_router(router)
    return app


def variants(auth: AuthSettings) -> dict[str, FastAPI]:
    headers = Middleware(SecurityHeadersMiddleware)
    allowlist = Middleware(IPAllowlistMiddleware, settings=AllowlistSettings.from_env())
    copied = (basehttp_app.SecurityHeaders, basehttp_app.IPCheck, basehttp_app.CookieCheck)
    theirs = [layer for layer in basehttp_app.app.user_middleware if layer.cls in copied]  # in that order
    return {
        "no guard": build([]),
        "ours: security headers": build([headers]),
        "ours: IP allowlist": build([allowlist]),
        "ours: session cookie + auth guard": build(auth_middleware(auth)),
        "ours: all three": build([headers, allowlist, *auth_middleware(auth)]),
        "BaseHTTPMiddleware: security headers": build(theirs[:1]),
        "BaseHTTPMiddleware: IP check": build(theirs[1:2]),
        "BaseHTTPMiddleware: cookie check": build(theirs[2:3]),
        "BaseHTTPMiddleware: all three": build(theirs),
    }


async def measure(rounds: int, count: int) -> dict[str, dict[str, float]]:
    auth = AuthSettings.from_env()
    apps = variants(auth)
    cookie = await session_cookie(auth, SESSION_COOKIE)
    samples = {path: {name: [] for name in apps} for path in PATHS}
    for app in apps.values():  # warm every code path once
        for path in PATHS:
            await time_calls(app, path, max(10, count // 10), cookie)
    names = list(apps)
    for index in range(rounds):
        for path in PATHS:
            for name in names[index % len(names) :] + names[: index % len(names)]:
                samples[path][name].append(await time_calls(apps[name], path, count, cookie))
    return {
        path: {name: statistics.median(values) for name, values in by_name.items()}
        for path, by_name in samples.items()
    }


async def security_header_pairs(content_type: bytes) -> list[tuple[bytes, bytes]]:
    """The headers SecurityHeadersMiddleware adds to a response of ``content_type``, seen from outside it."""
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]}
        )

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "scheme": "http", "path": "/", "headers": []}
    await SecurityHeadersMiddleware(app)(scope, None, send)
    return list(sent[0]["headers"][1:])


def h11_head_cost(page: list[tuple[bytes, bytes]], json: list[tuple[bytes, bytes]], rounds: int,
                  count: int) -> dict[str, float]:  # fmt: skip
    """µs for h11 (uvicorn --http h11) to accept a request and write a JSON response's head, without
    security headers, with a page's and with a JSON answer's."""
    base = [(b"content-length", b"15"), (b"content-type", b"application/json")]

    def once(headers: list[tuple[bytes, bytes]]) -> None:
        connection = h11.Connection(h11.SERVER)
        connection.receive_data(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        connection.next_event()
        connection.send(h11.Response(status_code=200, headers=headers))

    variants = {"without": base, "page": base + page, "json": base + json}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    calls = count * 10
    for _ in range(rounds):
        for name, headers in variants.items():
            samples[name].append(timeit.timeit(lambda h=headers: once(h), number=calls) / calls * 1e6)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return medians | {"page_headers": len(page), "json_headers": len(json)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    costs = asyncio.run(measure(args.rounds, args.count))
    page = asyncio.run(security_header_pairs(b"text/html; charset=utf-8"))
    json_answer = asyncio.run(security_header_pairs(b"application/json"))
    costs["h11"] = h11_head_cost(page, json_answer, args.rounds, args.count)
    print(json.dumps(costs))


if __name__ == "__main__":
    main()
