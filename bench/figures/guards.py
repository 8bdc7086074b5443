"""Figures 1 and 2: what the guards cost under HTTP load, and ours against BaseHTTPMiddleware guards."""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness.load import LoadGenerator
from bench.harness.projects import ENV, Projects, log_in, oidc_log_in
from bench.harness.servers import free_port, serve, uvicorn_command
from bench.harness.stats import ratios, rotations, rounds_text
from bench.plan import TARGETS, Plan
from bench.report import Report, Row
from tests.support import TEST_API_TOKEN, oidc_env, oidc_provider

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
ROUTES = ("/healthz", "/api/summary")
STREAM = "/dashboard/_stcore/stream"


@dataclass(frozen=True)
class AuthMode:
    """One way of signing in: the server it is measured on and what a signed-in client sends."""

    name: str
    server: str  # a key of the servers ``measure`` starts
    header: Callable[[str], str]  # that server's base URL -> the header line a signed-in client sends


# Every mode runs in the same interleaved rotation, against the same server without guards.
AUTH_MODES = (
    AuthMode("password", "ours", lambda url: f"Cookie: {log_in(url)}"),
    AuthMode("oidc", "ours_oidc", lambda url: f"Cookie: {oidc_log_in(url)}"),  # a real provider's sign-in
    AuthMode("bearer", "ours", lambda url: f"Authorization: Bearer {TEST_API_TOKEN}"),  # an agent's token
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
    """Figures 1 and 2: no guards, ours in each sign-in mode and BaseHTTPMiddleware's, one rotation."""
    with contextlib.ExitStack() as stack:
        issuer = stack.enter_context(oidc_provider())
        servers = {  # name: (project directory, uvicorn target and options, environment)
            "bare": (projects.bare, ("app:app",), ENV),
            "ours": (projects.guarded, ("app:app",), ENV),
            "ours_oidc": (projects.guarded_oidc, ("app:app",), ENV),
            # programs/basehttp_app.py checks the password mode's cookie only
            "theirs": (projects.guarded, ("basehttp_app:app", "--app-dir", str(PROGRAMS)), ENV),
        }
        urls = {}
        for name, (cwd, (target, *options), env) in servers.items():
            port = free_port()
            if name == "ours_oidc":  # its callback comes back to this address
                env = {**env, **oidc_env(issuer, f"http://127.0.0.1:{port}")}
            command = uvicorn_command(target, port, *options)
            urls[name] = stack.enter_context(serve(command, cwd, port, "/healthz", work, env)).base_url
        signed_in = {mode.name: mode.header(urls[mode.server]) for mode in AUTH_MODES}
        clients = {  # variant: (base URL, the header line it sends); bare and theirs get the cookie
            "bare": (urls["bare"], signed_in["password"]),
            **{mode.name: (urls[mode.server], signed_in[mode.name]) for mode in AUTH_MODES},
            "theirs": (urls["theirs"], signed_in["password"]),
        }
        for name, (url, header) in clients.items():  # every variant answers both routes when signed in
            for route in ROUTES:
                response = httpx.get(url + route, headers=[tuple(header.split(": ", 1))], timeout=10)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} {route}: {response.status_code}")
        note_websocket({name: urls[name] for name in ("bare", "ours", "theirs")}, report)
        for url, header in clients.values() if plan.diagnostics else ():  # warm up every path first
            for route in ROUTES:
                load.run(url + route, 1, plan.connections, header=header)
        samples = {route: {name: [] for name in clients} for route in ROUTES}
        for order in rotations(list(clients), plan.http_reps):
            for route in ROUTES:
                for name in order:
                    url, header = clients[name]
                    result = load.run(url + route, plan.http_seconds, plan.connections, header=header)
                    if result.errors:
                        raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                    samples[route][name].append(result.rps)
    for route in ROUTES:
        report_route(route, samples[route], report)


def report_route(route: str, got: dict[str, list[float]], report: Report) -> None:
    for mode in AUTH_MODES:
        # the password mode's panel keeps its label; the other modes get one panel each
        panel = "1 guards/none" + ("" if mode.name == "password" else f" ({mode.name})")
        report.add(Row("1", f"Guard overhead ({mode.name} mode) `{route}`: req/s all guards ÷ none",
                       ratios(got[mode.name], got["bare"]), TARGETS["guards"],
                       chart=f"{panel}\n{route}"))  # fmt: skip
    report.add(Row("2", f"`{route}`: req/s ours ÷ BaseHTTPMiddleware",
                   ratios(got["password"], got["theirs"]), TARGETS["basehttp"],
                   chart=f"2 ours/BaseHTTP\n{route}"))  # fmt: skip
    # What ours would score if its guards cost nothing: the route and the server cost the same on
    # both sides, so past this ceiling no guard code can take the ratio.
    report.add(Row("2", f"(diagnostic) `{route}`: the ceiling, req/s no guards ÷ BaseHTTPMiddleware",
                   ratios(got["bare"], got["theirs"])))  # fmt: skip
    names = {"bare": "no guards", "password": "ours (password cookie)", "oidc": "ours (oidc cookie)",
             "bearer": "ours (bearer token)", "theirs": "BaseHTTPMiddleware"}  # fmt: skip
    report.note(
        "1",
        f"`{route}` per request, from the median req/s: "
        + ", ".join(f"{names[name]} {1e6 / statistics.median(values):.0f} µs" for name, values in got.items())
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
