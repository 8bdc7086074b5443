"""Figure 7: what the shared store costs a signed-in request, memory against Redis, in the same run.

The guarded project (auth=password) is served twice by uvicorn as the README says, once with
``REDIS_URL`` empty (sessions in the process's memory) and once with ``REDIS_URL`` pointing at a
redis-server this figure starts (loopback, no persistence, stopped by PID). Each is signed in
through its own login form, then loaded by turns with the same signed-in requests; the server's
CPU time (its own /proc counters) over each run ÷ the requests answered is its CPU per request, so
load from other jobs changes the req/s of a run far more than its CPU per request. redis-server's
CPU time is counted apart, as the store's own share.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.harness.load import LoadGenerator
from bench.harness.projects import ENV, Projects, log_in
from bench.harness.servers import cpu_seconds, free_port, serve, uvicorn_command
from bench.harness.stats import ratios, rotations
from bench.plan import TARGETS, Plan
from bench.report import Report, Row
from tests.support import redis_server_missing, started_redis

STORE_GUARD = Path(__file__).resolve().parents[1] / "programs" / "store_guard.py"
ROUTES = ("/api/summary", "/healthz")
STORES = ("memory", "Redis")
WHY = {
    "/api/summary": "signed in: the guard looks the session up, one store GET",
    "/healthz": "open: no session looked up, but the handler pings the store",
}


def cpu_per_request(pid: int, requests: int, before: float) -> float:
    """µs of ``pid``'s CPU since ``before`` per request, once it has finished the run's last ones."""
    time.sleep(0.2)  # the load generator has closed its connections; let the server see it
    return (cpu_seconds(pid) - before) * 1e6 / max(1, requests)


def measure(plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report) -> None:
    if missing := redis_server_missing():
        raise RuntimeError(missing)
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(started_redis(work / "redis-store-cost"))
        urls, pids = {}, {}
        for name, url in zip(STORES, ("", redis.url), strict=True):
            port = free_port()
            env = {**ENV, "REDIS_URL": url}  # empty: memory, whatever the bench's environment says
            server = stack.enter_context(serve(uvicorn_command("app:app", port), projects.guarded, port,
                                               "/healthz", work, env))  # fmt: skip
            urls[name], pids[name] = server.base_url, server.process.pid
        cookies = {name: log_in(url) for name, url in urls.items()}  # each its own sign-in, in its store
        for name, url in urls.items():
            for route in ROUTES:
                response = httpx.get(url + route, headers={"Cookie": cookies[name]}, timeout=10)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} {route}: {response.status_code}")
        for name in STORES if plan.diagnostics else ():  # warm up every path first
            for route in ROUTES:
                load.run(urls[name] + route, 1, plan.connections, cookies[name])
        rps = {route: {name: [] for name in STORES} for route in ROUTES}
        server_us = {route: {name: [] for name in STORES} for route in ROUTES}
        redis_us = {route: {name: [] for name in STORES} for route in ROUTES}
        for order in rotations(list(STORES), plan.http_reps):
            for route in ROUTES:
                for name in order:
                    server_before, redis_before = cpu_seconds(pids[name]), cpu_seconds(redis.process.pid)
                    result = load.run(urls[name] + route, plan.http_seconds, plan.connections, cookies[name])
                    if result.errors:
                        raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                    server_us[route][name].append(cpu_per_request(pids[name], result.requests, server_before))
                    redis_us[route][name].append(
                        cpu_per_request(redis.process.pid, result.requests, redis_before)
                    )
                    rps[route][name].append(result.rps)
        in_process = guard_in_process(plan, projects, redis.url)
    for route in ROUTES:
        report_route(route, rps[route], server_us[route], redis_us[route], report)
    note_in_process(in_process, report)


def report_route(route: str, rps: dict[str, list[float]], server_us: dict[str, list[float]],
                 redis_us: dict[str, list[float]], report: Report) -> None:  # fmt: skip
    headline = route == "/api/summary"  # the signed-in request; /healthz is open (a diagnostic)
    prefix = "" if headline else "(diagnostic) "
    report.add(Row("7", f"{prefix}Store cost `{route}`: server CPU per request, Redis ÷ memory",
                   ratios(server_us["Redis"], server_us["memory"]),
                   TARGETS["store_cost"] if headline else None,
                   chart=f"7 store cost\n{route}" if headline else ""))  # fmt: skip
    for name in STORES:
        report.add(Row("7", f"Server CPU per request `{route}`, sessions in {name} (uvicorn's CPU time ÷ "
                            "requests)", server_us[name], unit=" µs", digits=0))  # fmt: skip
    report.add(Row("7", f"redis-server CPU per request `{route}` (its CPU time ÷ the requests of the "
                        "Redis runs)", redis_us["Redis"], unit=" µs", digits=0))  # fmt: skip
    total = [s + r for s, r in zip(server_us["Redis"], redis_us["Redis"], strict=True)]
    report.add(Row("7", f"(diagnostic) `{route}`: server + redis-server CPU per request, Redis ÷ memory",
                   ratios(total, server_us["memory"])))  # fmt: skip
    report.add(Row("7", f"(diagnostic) `{route}`: req/s Redis ÷ memory",
                   ratios(rps["Redis"], rps["memory"])))  # fmt: skip

    def rounds(values: dict[str, list[float]]) -> str:
        return "; ".join(f"{m:.0f} / {r:.0f}" for m, r in zip(values["memory"], values["Redis"], strict=True))

    report.note(
        "7",
        f"`{route}` ({WHY[route]}), per round (memory / Redis): server CPU µs per request "
        f"{rounds(server_us)}; redis-server CPU µs per request {rounds(redis_us)} (idle during the memory "
        f"runs: {statistics.median(redis_us['memory']):.1f} µs per request of theirs); req/s {rounds(rps)}.",
    )


def guard_in_process(plan: Plan, projects: Projects, redis_url: str) -> dict:
    """bench/programs/store_guard.py: the guard alone, in-process, with each store (a diagnostic)."""
    command = [sys.executable, str(STORE_GUARD), "--redis-url", redis_url,
               "--rounds", str(plan.layer_rounds), "--count", str(plan.layer_count)]  # fmt: skip
    done = subprocess.run(command, cwd=projects.guarded, env={**os.environ, **ENV, "REDIS_URL": ""},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"store_guard.py failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def note_in_process(costs: dict, report: Report) -> None:
    lines = [
        "In-process, no network, the table at the end of this section (`programs/store_guard.py`: the "
        "project's routes with and without the session cookie + auth guard, called through ASGI one request "
        "at a time, signed in): wall-clock µs per request, and the process's own CPU µs, which leaves out "
        "the wait for Redis's answer.",
        "| store: app | `/api/summary` wall µs | CPU µs | guard's CPU µs | `/healthz` wall µs | CPU µs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    summary, health = costs["/api/summary"], costs["/healthz"]
    for name, cost in summary.items():
        bare = summary[name.split(":")[0] + ": no guard"]["cpu_us"]
        added = f"{cost['cpu_us'] - bare:+.0f}" if name.endswith("auth guard") else "—"
        lines.append(f"| {name} | {cost['wall_us']:.0f} | {cost['cpu_us']:.0f} | {added} "
                     f"| {health[name]['wall_us']:.0f} | {health[name]['cpu_us']:.0f} |")  # fmt: skip
    report.note("7", *lines)
