"""A/B of the guards' own code, in-process: two baked projects' guard modules side by side.

For tuning the guards (issue 15, figure 1): bake the same answers (security headers, password
sign-in, IP allowlist) from two versions of the template, then

    python bench/programs/guards_ab.py A_PROJECT B_PROJECT [--rounds 9 --count 2000]

with ``AUTH_ENV`` of tests/support.py in the environment. Each project's ``security_headers``,
``auth`` and ``ip_allowlist`` modules are loaded from its files under names of their own, so both
versions live in one process; one FastAPI app with the same routes is built per variant (no guard,
each guard alone, all three) and called directly through ASGI with a signed-in ``GET /healthz``
and ``GET /api/summary``, variants interleaved round by round. Prints, per path, the median
microseconds per request and the in-process throughput ratio all three ÷ no guard of each side.
Nothing is asserted: a diagnostic for a quiet machine, its ratios only compared side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware import Middleware

sys.path.insert(0, str(Path(__file__).resolve().parent))

from asgi_calls import session_cookie, time_calls

PATHS = ("/healthz", "/api/summary")


def load(project: Path, module: str, tag: str):
    package = next(p for p in project.iterdir() if (p / "__init__.py").exists())
    spec = importlib.util.spec_from_file_location(f"{tag}_{module}", package / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


async def side(project: Path, tag: str, build) -> tuple[dict[str, FastAPI], bytes]:
    headers_mod, auth_mod, allow_mod = (
        load(project, m, tag) for m in ("security_headers", "auth", "ip_allowlist")
    )
    auth = auth_mod.AuthSettings.from_env()
    headers = Middleware(headers_mod.SecurityHeadersMiddleware)
    allow = Middleware(allow_mod.IPAllowlistMiddleware, settings=allow_mod.AllowlistSettings.from_env())
    apps = {
        f"{tag}: security headers": build([headers]),
        f"{tag}: IP allowlist": build([allow]),
        f"{tag}: auth": build(auth_mod.auth_middleware(auth)),
        f"{tag}: all three": build([headers, allow, *auth_mod.auth_middleware(auth)]),
    }
    return apps, await session_cookie(auth, auth_mod.SESSION_COOKIE)


async def measure(a: Path, b: Path, rounds: int, count: int) -> dict:
    sys.path.insert(0, str(a))  # the routes (the same in both): the A project's package
    from bench_board.app_state import MemoryStore
    from bench_board.fastapi_site import router
    from bench_board.health import health_routes

    def build(middleware: list[Middleware]) -> FastAPI:
        app = FastAPI(routes=health_routes(MemoryStore()), middleware=middleware)
        app.include_router(router)
        return app

    apps_a, cookie_a = await side(a, "A", build)
    apps_b, cookie_b = await side(b, "B", build)
    apps = {"no guard": build([]), **apps_a, **apps_b}
    cookies = {name: cookie_b if name.startswith("B:") else cookie_a for name in apps}
    names = list(apps)
    samples = {path: {name: [] for name in names} for path in PATHS}
    for name in names:  # warm every code path
        for path in PATHS:
            await time_calls(apps[name], path, max(20, count // 10), cookies[name])
    for index in range(rounds):
        for path in PATHS:
            for name in names[index % len(names) :] + names[: index % len(names)]:
                samples[path][name].append(await time_calls(apps[name], path, count, cookies[name]))
    result = {}
    for path, by_name in samples.items():
        medians = {name: round(statistics.median(values), 2) for name, values in by_name.items()}
        bare = by_name["no guard"]
        ratios = {  # throughput all three ÷ no guard, per round (the same round's pair)
            tag: round(
                statistics.median(n / g for n, g in zip(bare, by_name[f"{tag}: all three"], strict=True)), 3
            )
            for tag in ("A", "B")
        }
        result[path] = {"us_per_request": medians, "all_three_over_none": ratios}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.a, args.b, args.rounds, args.count)), indent=1))


if __name__ == "__main__":
    main()
