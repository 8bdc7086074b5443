"""What the auth guard costs in-process with each shared store: µs per signed-in request, no network.

Builds the generated project's FastAPI app (its routes) with and without the session cookie + auth
guard (``auth_middleware``), once on a ``MemoryStore`` and once on a ``RedisStore`` at ``--redis-url``
(the project's own ``app_state``), and calls each directly through ASGI with a signed-in
``GET /api/summary`` (the guard looks the session up: one store GET) and ``GET /healthz`` (open,
no session looked up; its handler pings the store). Variants are interleaved round by round.
Prints JSON: per path and variant, the median wall-clock µs and this process's CPU µs
(``time.process_time``) per request; with Redis the two differ by the round trip's wait.
Run from the baked project's directory with its environment (bench/figures/store_cost.py does).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path.cwd()))

from asgi_calls import session_cookie, time_calls
from bench_board.app_state import MemoryStore, RedisStore, SharedStore
from bench_board.auth import SESSION_COOKIE, AuthSettings, auth_middleware
from bench_board.fastapi_site import router
from bench_board.health import health_routes
from fastapi import FastAPI
from starlette.middleware import Middleware

PATHS = ("/healthz", "/api/summary")


def build(middleware: list[Middleware], store: SharedStore) -> FastAPI:
    app = FastAPI(routes=health_routes(store), middleware=middleware)
    app.include_router(router)
    return app


async def timed(app: FastAPI, path: str, count: int, cookie: bytes) -> tuple[float, float]:
    """(wall µs, CPU µs) per signed-in ``GET path`` over ``count`` calls."""
    cpu = time.process_time()
    wall = await time_calls(app, path, count, cookie)
    return wall, (time.process_time() - cpu) / count * 1e6


async def measure(redis_url: str, rounds: int, count: int) -> dict[str, dict[str, dict[str, float]]]:
    apps: dict[str, FastAPI] = {}
    cookies: dict[str, bytes] = {}
    for store_name, store in (("memory", MemoryStore()), ("Redis", RedisStore(redis_url))):
        auth = AuthSettings.from_env(store=store, namespace="bench_board")
        cookie = await session_cookie(auth, SESSION_COOKIE)
        for guard, middleware in (("no guard", []), ("auth guard", auth_middleware(auth))):
            name = f"{store_name}: {guard}"
            apps[name], cookies[name] = build(middleware, store), cookie
    for name, app in apps.items():  # warm every code path (and the Redis connection) once
        for path in PATHS:
            await timed(app, path, max(10, count // 10), cookies[name])
    samples = {path: {name: [] for name in apps} for path in PATHS}
    names = list(apps)
    for index in range(rounds):
        for path in PATHS:
            for name in names[index % len(names) :] + names[: index % len(names)]:
                samples[path][name].append(await timed(apps[name], path, count, cookies[name]))
    return {
        path: {
            name: {
                "wall_us": statistics.median(wall for wall, _ in values),
                "cpu_us": statistics.median(cpu for _, cpu in values),
            }
            for name, values in by_name.items()
        }
        for path, by_name in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.redis_url, args.rounds, args.count))))


if __name__ == "__main__":
    main()
