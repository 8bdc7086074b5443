"""Figures 1 and 2: what the guards cost under HTTP load, and ours against BaseHTTPMiddleware guards."""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness.load import LoadGenerator
from bench.harness.projects import ENV, Projects, log_in
from bench.harness.servers import free_port, serve, uvicorn_command
from bench.harness.stats import ratios, rotations, rounds_text
from bench.plan import TARGETS, Plan
from bench.report import Report, Row

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
ROUTES = ("/healthz", "/api/summary")
STREAM = "/dashboard/_stcore/stream"


@dataclass(frozen=True)
class AuthMode:
    """How a signed-in client is made for one way of signing in: the Cookie header value it sends."""

    name: str
    credentials: Callable[[str], str] | None  # base URL -> Cookie header; None: not in the template yet


# The hook for more modes: when the template grows OIDC or bearer tokens, give each a project (in
# bench/harness/projects.py) and a function here that returns what a signed-in client sends.
AUTH_MODES = (
    AuthMode("password", log_in),
    AuthMode("oidc", None),
    AuthMode("bearer", None),
)


def websocket_accepted(url: str, cookie: str = "") -> str:
    """Try a Streamlit websocket handshake; say what the server answered."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    headers = {"Cookie": cookie} if cookie else {}
    try:
        with connect(url, additional_headers=headers, subprotocols=["streamlit"], open_timeout=15):
            return "accepted"
    except InvalidStatus as refused:
        return f"refused ({refused.response.status_code})"


def measure(plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report) -> None:
    for mode in AUTH_MODES:
        if mode.credentials is None:
            report.note("1", f"{mode.name} mode: not measured (the template has no such mode yet).")
            continue
        measure_mode(mode, plan, projects, load, work, report)


def measure_mode(
    mode: AuthMode, plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report
) -> None:
    variants = {  # name: (project directory, uvicorn target and options)
        "bare": (projects.bare, ("app:app",)),
        "ours": (projects.guarded, ("app:app",)),
        "theirs": (projects.guarded, ("basehttp_app:app", "--app-dir", str(PROGRAMS))),
    }
    if mode.name != "password":  # programs/basehttp_app.py checks the password mode's cookie only
        del variants["theirs"]
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, (cwd, (target, *options)) in variants.items():
            port = free_port()
            command = uvicorn_command(target, port, *options)
            urls[name] = stack.enter_context(serve(command, cwd, port, "/healthz", work, ENV)).base_url
        cookie = mode.credentials(urls["ours"])
        for name, url in urls.items():  # every variant answers both routes for a signed-in client
            for route in ROUTES:
                response = httpx.get(url + route, headers={"Cookie": cookie}, timeout=10)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} {route}: {response.status_code}")
        if "theirs" in urls:
            note_websocket(urls, report)
        for url in urls.values() if plan.diagnostics else ():  # warm up every path before recording
            for route in ROUTES:
                load.run(url + route, 1, plan.connections, cookie)
        samples = {route: {name: [] for name in urls} for route in ROUTES}
        for order in rotations(list(urls), plan.http_reps):
            for route in ROUTES:
                for name in order:
                    result = load.run(urls[name] + route, plan.http_seconds, plan.connections, cookie)
                    if result.errors:
                        raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                    samples[route][name].append(result.rps)
    for route in ROUTES:
        got = samples[route]
        report.add(Row("1", f"Guard overhead ({mode.name} mode) `{route}`: req/s all guards ÷ none",
                       ratios(got["ours"], got["bare"]), TARGETS["guards"],
                       chart=f"1 guards/none\n{route}"))  # fmt: skip
        if "theirs" in got:
            report.add(Row("2", f"`{route}`: req/s ours ÷ BaseHTTPMiddleware",
                           ratios(got["ours"], got["theirs"]), TARGETS["basehttp"],
                           chart=f"2 ours/BaseHTTP\n{route}"))  # fmt: skip
        names = {"bare": "no guards", "ours": "ours", "theirs": "BaseHTTPMiddleware"}
        report.note(
            "1",
            f"{mode.name} mode, `{route}` per request, from the median req/s: "
            + ", ".join(
                f"{names[name]} {1e6 / statistics.median(values):.0f} µs" for name, values in got.items()
            )
            + f"; req/s per round ({' / '.join(names[name] for name in got)}): {rounds_text(got, 0)}.",
        )


def note_websocket(urls: dict[str, str], report: Report) -> None:
    """What each variant does with a request and a websocket that come without a cookie."""
    refused = {name: httpx.get(url + "/api/summary", timeout=10).status_code for name, url in urls.items()}
    sockets = {name: websocket_accepted(url.replace("http", "ws", 1) + STREAM) for name, url in urls.items()}
    report.note(
        "2",
        "Without a cookie, `GET /api/summary` answers: "
        + ", ".join(f"{name} {status}" for name, status in refused.items())
        + ". The Streamlit websocket `/dashboard/_stcore/stream` without a cookie: "
        + ", ".join(f"{name} **{state}**" for name, state in sockets.items())
        + ".",
        "**The BaseHTTPMiddleware variant leaves the websocket unguarded**: BaseHTTPMiddleware only "
        "sees `http` scopes, so its cookie check and IP check never run for Streamlit's websocket, "
        "and anyone who can reach the port can open a session and run the script. Ours checks "
        "`http` and `websocket` scopes alike.",
    )


def measure_single_guards(
    plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report
) -> None:
    """Diagnostic of figure 1: each guard alone, under the same HTTP load, against no guard."""
    variants = {
        "none": projects.bare,
        "security headers": projects.only_security_headers,
        "auth cookie": projects.only_auth,
        "IP allowlist": projects.only_ip_allowlist,
    }
    route = "/api/summary"
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, cwd in variants.items():
            port = free_port()
            command = uvicorn_command("app:app", port)
            urls[name] = stack.enter_context(serve(command, cwd, port, "/healthz", work, ENV)).base_url
        cookie = log_in(urls["auth cookie"])
        got: dict[str, list[float]] = {name: [] for name in urls}
        for order in rotations(list(urls), plan.single_guard_reps):
            for name in order:
                result = load.run(urls[name] + route, plan.http_seconds, plan.connections, cookie)
                if result.errors:
                    raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                got[name].append(result.rps)
    names = list(got)
    for name in names[1:]:
        report.add(Row("1", f"(diagnostic) `{route}` with only the {name} ÷ no guards",
                       ratios(got[name], got["none"])))  # fmt: skip
    report.note(
        "1",
        f"One guard at a time, `{route}` req/s per round ({' / '.join(names)}): {rounds_text(got, 0)}.",
        "Per request, from the medians: "
        + ", ".join(f"{name} {1e6 / statistics.median(got[name]):.0f} µs" for name in names)
        + ".",
    )
