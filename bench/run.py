"""Benchmarks of the generated project, each figure a ratio measured side by side in one run.

    python bench/run.py                 # everything, about 8 minutes on 2 cores; writes bench/RESULTS.md
    python bench/run.py --quick         # tiny counts, a smoke run (about a minute)
    python bench/run.py --full-matrix   # also runs the whole exhaustive matrix tier (long)

See bench/README.md for what each figure means and how it is measured. Every server listens on
127.0.0.1 on a free port and is stopped by its process group; every loop is bounded in count and
time; the load generators (wrk, or bench/loadgen.py) and the websocket client (bench/sessions.py)
run in their own processes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

import template_options  # noqa: E402
from tests.support import (  # noqa: E402
    AUTH_ENV,
    TEST_PASSWORD,
    TEST_USER,
    Server,
    all_parts,
    bake,
    chromium,
    combination_id,
    free_port,
    serve,
    uvicorn_command,
    wait_for_dashboard,
)

PROJECT_NAME = "Bench Board"  # the dashboard's heading
SLUG = "bench_board"  # bench/basehttp_app.py and bench/layers.py import this package
ENV = {
    **AUTH_ENV,  # test-only values from tests/support.py
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}
ROUTES = ("/healthz", "/api/summary")
STREAM = "/dashboard/_stcore/stream"


@dataclass(frozen=True)
class Plan:
    """How much of everything: the full run, or the quick smoke run."""

    http_reps: int  # interleaved rounds of the three HTTP variants, per route
    http_seconds: float  # one load run
    connections: int  # concurrent keep-alive connections of the load generator
    browser_reps: int  # recorded rounds of time to first render
    cold_reps: int  # recorded rounds of cold starts
    warmups: int  # unrecorded runs before the recorded ones (browser, cold start)
    sessions: int  # concurrent Streamlit sessions
    storm_load_seconds: float  # HTTP load while the sessions run (and, before, with none)
    storm_deadline: float  # hard bound of the session storm
    matrix_sample: int  # combinations of the exhaustive tier timed
    layer_rounds: int
    layer_count: int
    diagnostics: bool = True  # the extra variants that explain figures 1, 3 and 4, and HTTP warm-ups
    single_guard_reps: int = 3  # rounds of the one-guard-at-a-time diagnostic of figure 1


FULL = Plan(
    http_reps=7, http_seconds=3, connections=32, browser_reps=7, cold_reps=7, warmups=1,
    sessions=200, storm_load_seconds=20, storm_deadline=55, matrix_sample=8, layer_rounds=7, layer_count=300,
)  # fmt: skip
QUICK = Plan(
    http_reps=1, http_seconds=1, connections=8, browser_reps=1, cold_reps=1, warmups=0,
    sessions=10, storm_load_seconds=2, storm_deadline=15, matrix_sample=1, layer_rounds=1, layer_count=30,
    diagnostics=False,
)  # fmt: skip


# --- results ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the summary table."""

    figure: str
    name: str
    values: list[float] = field(default_factory=list)
    goal: tuple[str, float] | None = None  # (">=", 0.85), ("<=", 1.10) ...; None: information only
    unit: str = ""  # "" for a ratio
    chart: str = ""  # its label in ratios.png; empty: not charted
    error: str = ""
    digits: int = 2
    short: str = ""  # its words in the footer of ratios.png (figures that are not ratios)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def result(self) -> str:
        if self.error:
            return "error"
        if not self.values:
            return "error"
        if self.goal is None:
            return "info"
        op, target = self.goal
        ok = self.median >= target if op == ">=" else self.median <= target
        return "pass" if ok else "miss"

    def target_text(self) -> str:
        if self.goal is None:
            return "—"
        op, target = self.goal
        return f"{'≥' if op == '>=' else '≤'} {target:g}{self.unit}"

    def fmt(self, value: float) -> str:
        return f"{value:,.{self.digits}f}{self.unit}"

    def spread_text(self) -> str:
        if len(self.values) < 2:
            return "—"
        return f"{self.fmt(min(self.values))} – {self.fmt(max(self.values))}"


@dataclass
class Report:
    plan_name: str
    rows: list[Row] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)
    phases: list[tuple[str, float]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def note(self, figure: str, *lines: str) -> None:
        self.details.setdefault(figure, []).extend(lines)


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def quartiles(values: list[float]) -> str:
    if len(values) < 4:
        return "—"
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f} – {q3:.2f}"


# --- processes ----------------------------------------------------------------------------


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def streamlit_run_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip


@contextlib.contextmanager
def served(command: list[str], cwd: Path, port: int, ready: str, work: Path) -> Iterator[Server]:
    """tests.support.serve with the bench's environment: started here, stopped by PID."""
    with serve(command, cwd=cwd, port=port, ready_path=ready, env=ENV, log_dir=work, timeout=120) as server:
        yield server


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence file descriptor 1 (cookiecutter's post-generation hook prints its next steps there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def log_in(base_url: str) -> str:
    """POST the password to /login; return the Cookie header value of the signed session."""
    form = {"username": TEST_USER, "password": TEST_PASSWORD}
    response = httpx.post(base_url + "/login", data=form, timeout=10)
    if response.status_code != 303 or "app_session" not in response.cookies:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
    return f"app_session={response.cookies['app_session']}"


def read_status_kib(pid: int, key: str) -> int:
    """VmRSS / VmHWM (peak RSS) of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


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


# --- load generation ----------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    timeouts: int = 0  # wrk leaves these out of its latency percentiles


class LoadGenerator:
    """wrk (one thread) when present, else bench/loadgen.py (async httpx); both in a subprocess."""

    def __init__(self, choice: str) -> None:
        self.wrk = shutil.which("wrk") if choice in ("auto", "wrk") else None
        if choice in ("auto", "wrk") and not self.wrk:
            self.wrk = install_wrk()
        if choice == "wrk" and not self.wrk:
            raise SystemExit("wrk is not installed and could not be installed (not root, or no apt-get)")
        if self.wrk:
            version = subprocess.run([self.wrk, "--version"], capture_output=True, text=True).stdout
            self.name = (version.strip().splitlines() or ["wrk"])[0].split(" Copyright")[0]
        else:
            self.name = f"bench/loadgen.py (async httpx {importlib.metadata.version('httpx')})"

    def run(self, url: str, seconds: float, connections: int, cookie: str = "") -> Load:
        if self.wrk:
            return self._wrk(url, seconds, connections, cookie)
        command = [
            sys.executable, str(BENCH / "loadgen.py"), "--url", url, "--seconds", str(seconds),
            "--connections", str(connections), "--cookie", cookie,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0:
            raise RuntimeError(f"loadgen failed: {done.stderr[-1500:]}")
        data = json.loads(done.stdout)
        return Load(data["rps"], data["p50_ms"], data["p99_ms"], data["requests"], data["errors"])

    def _wrk(self, url: str, seconds: float, connections: int, cookie: str) -> Load:
        command = [self.wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        command += ["--timeout", "10s", *(["-H", f"Cookie: {cookie}"] if cookie else []), url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        out = done.stdout
        if done.returncode != 0 or "Requests/sec" not in out:
            raise RuntimeError(f"wrk failed: {out[-1500:]} {done.stderr[-500:]}")
        errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors += int(non_2xx.group(1)) if non_2xx else 0
        timeouts = re.search(r"timeout (\d+)", out)
        return Load(
            rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            p50_ms=_wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            p99_ms=_wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            requests=int(re.search(r"(\d+) requests in", out).group(1)),
            errors=errors,
            timeouts=int(timeouts.group(1)) if timeouts else 0,
        )


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def install_wrk() -> str | None:
    """Debian's wrk, when we are root with apt-get; else None (the httpx fallback is used)."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    print("bench: installing Debian's wrk", file=sys.stderr)
    for step in ([install], [["apt-get", "update", "-qq"], install]):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            if all(
                subprocess.run(c, env=env, capture_output=True, timeout=300).returncode == 0 for c in step
            ):
                break
    return shutil.which("wrk")


# --- the projects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Projects:
    guarded: Path  # FastAPI parent, security headers + auth + allowlist (other answers default)
    bare: Path  # the same with the three guards off
    full: Path  # FastAPI parent, every part on
    full_unguarded: Path  # every part on but the three guards (diagnostics of figure 3)
    full_no_lifespan: Path  # every part on but the lifespan warm-up (diagnostics of figure 4)
    only_security_headers: Path  # one guard each (diagnostics of figure 1)
    only_auth: Path
    only_ip_allowlist: Path


GUARDS_ON = {"security_headers": True, "auth": "password", "ip_allowlist": True}
GUARDS_OFF = {"security_headers": False, "auth": "none", "ip_allowlist": False}


def bake_projects(work: Path) -> Projects:
    common = {"project_name": PROJECT_NAME, "project_slug": SLUG, "parent": "fastapi"}
    answers = {
        "guarded": dict(GUARDS_ON),
        "bare": dict(GUARDS_OFF),
        "full": all_parts(True),
        "full_unguarded": {**all_parts(True), **GUARDS_OFF},
        "full_no_lifespan": {**all_parts(True), "lifespan": False},
        **{f"only_{guard}": {**GUARDS_OFF, guard: GUARDS_ON[guard]} for guard in GUARDS_ON},
    }
    with quiet():
        return Projects(**{name: bake(work / name, **common, **more) for name, more in answers.items()})


# --- figures 1 and 2: guard overhead, and ours against BaseHTTPMiddleware ---------------------


def figure_guards(plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report) -> None:
    their_app = ("basehttp_app:app", "--app-dir", str(BENCH))
    variants = {  # name: (project directory, uvicorn target and options)
        "bare": (projects.bare, ("app:app",)),
        "ours": (projects.guarded, ("app:app",)),
        "theirs": (projects.guarded, their_app),
    }
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, (cwd, (target, *options)) in variants.items():
            port = free_port()
            command = uvicorn_command(target, port, *options)
            urls[name] = stack.enter_context(served(command, cwd, port, "/healthz", work)).base_url
        cookie = log_in(urls["ours"])
        for name, url in urls.items():  # every variant answers both routes for a signed-in client
            for route in ROUTES:
                response = httpx.get(url + route, headers={"Cookie": cookie}, timeout=10)
                if response.status_code != 200:
                    raise RuntimeError(f"{name} {route}: {response.status_code}")
        refused = {name: httpx.get(urls[name] + "/api/summary", timeout=10).status_code for name in urls}
        sockets = {name: websocket_accepted(urls[name].replace("http", "ws", 1) + STREAM) for name in urls}
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
        for url in urls.values() if plan.diagnostics else ():  # warm up every path before recording
            for route in ROUTES:
                load.run(url + route, 1, plan.connections, cookie)
        names = list(urls)
        samples = {route: {name: [] for name in names} for route in ROUTES}
        for rep in range(plan.http_reps):
            order = names[rep % 3 :] + names[: rep % 3]
            for route in ROUTES:
                for name in order:
                    result = load.run(urls[name] + route, plan.http_seconds, plan.connections, cookie)
                    if result.errors:
                        raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                    samples[route][name].append(result.rps)
    for route in ROUTES:
        got = samples[route]
        report.add(
            Row("1", f"Guard overhead `{route}`: req/s guarded ÷ no guards", ratios(got["ours"], got["bare"]),
                (">=", 0.85), chart=f"1 guards/none\n{route}")
        )  # fmt: skip
        report.add(
            Row("2", f"`{route}`: req/s ours ÷ BaseHTTPMiddleware", ratios(got["ours"], got["theirs"]),
                (">=", 2.0), chart=f"2 ours/BaseHTTP\n{route}")
        )  # fmt: skip
        medians = {name: statistics.median(values) for name, values in got.items()}
        report.note(
            "1",
            f"`{route}` per request, from the median req/s: no guards {1e6 / medians['bare']:.0f} µs, ours "
            f"{1e6 / medians['ours']:.0f} µs, BaseHTTPMiddleware {1e6 / medians['theirs']:.0f} µs.",
        )
        report.note(
            "1",
            f"`{route}` req/s per round (no guards / ours / BaseHTTPMiddleware): "
            + "; ".join(
                f"{a:,.0f} / {b:,.0f} / {c:,.0f}"
                for a, b, c in zip(got["bare"], got["ours"], got["theirs"], strict=True)
            ),
        )


def figure_single_guards(
    plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report
) -> None:
    """Diagnostic of figure 1: each guard alone, under the same HTTP load, against no guard."""
    variants = {
        "none": projects.bare,
        "security headers": projects.only_security_headers,
        "auth cookie": projects.only_auth,
        "IP allowlist": projects.only_ip_allowlist,
    }
    with contextlib.ExitStack() as stack:
        urls = {}
        for name, cwd in variants.items():
            port = free_port()
            urls[name] = stack.enter_context(
                served(uvicorn_command("app:app", port), cwd, port, "/healthz", work)
            ).base_url
        cookie = log_in(urls["auth cookie"])
        route = "/api/summary"
        names = list(urls)
        got: dict[str, list[float]] = {name: [] for name in names}
        for rep in range(plan.single_guard_reps):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                result = load.run(urls[name] + route, plan.http_seconds, plan.connections, cookie)
                if result.errors:
                    raise RuntimeError(f"{name} {route}: {result.errors} errors under load")
                got[name].append(result.rps)
    for name in names[1:]:
        report.add(
            Row(
                "1",
                f"(diagnostic) `{route}` with only the {name} ÷ no guards",
                ratios(got[name], got["none"]),
            )
        )
    report.note(
        "1",
        f"One guard at a time, `{route}` req/s per round ({' / '.join(names)}): {rounds_text(got, 0)}.",
        "Per request, from the medians: "
        + ", ".join(f"{name} {1e6 / statistics.median(got[name]):.0f} µs" for name in names)
        + ".",
    )


def figure_layers(plan: Plan, projects: Projects, report: Report) -> None:
    """Diagnostics for figures 1 and 2: each guard's own cost, in-process."""
    command = [
        sys.executable, str(BENCH / "layers.py"), "--rounds", str(plan.layer_rounds),
        "--count", str(plan.layer_count),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=projects.guarded, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"layers.py failed: {done.stderr[-2000:]}")
    costs = json.loads(done.stdout)
    health, summary = costs["/healthz"], costs["/api/summary"]
    lines = [
        "| app, signed in | `/healthz` µs per request | added | `/api/summary` µs per request | added |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {health[name]:.0f} | {health[name] - health['no guard']:+.0f} "
        f"| {summary[name]:.0f} | {summary[name] - summary['no guard']:+.0f} |"
        for name in summary
    ]
    report.note("layers", *lines)


# --- figure 3: time to first render ---------------------------------------------------------


def figure_first_render(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    ports = {"generated": free_port(), "plain": free_port(), "unguarded": free_port()}
    servers = {
        "generated": (uvicorn_command("app:app", ports["generated"]), projects.full, "/healthz"),
        "plain": (streamlit_run_command(ports["plain"]), projects.full, "/_stcore/health"),
        "unguarded": (uvicorn_command("app:app", ports["unguarded"]), projects.full_unguarded, "/healthz"),
    }
    if not plan.diagnostics:
        del servers["unguarded"]
    with contextlib.ExitStack() as stack:
        base = {
            name: stack.enter_context(served(command, cwd, ports[name], ready, work)).base_url
            for name, (command, cwd, ready) in servers.items()
        }
        browser = stack.enter_context(chromium())

        def visit(name: str, path: str, signed_in: bool) -> float:
            context = browser.new_context()  # a fresh profile: nothing cached, no cookie
            try:
                page = context.new_page()
                if signed_in:  # sign in first; only the navigation below is timed
                    page.goto(base[name] + "/login?next=/healthz")
                    page.fill("input[name=username]", TEST_USER)
                    page.fill("input[name=password]", TEST_PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_url("**/healthz", timeout=30_000)
                started = time.perf_counter()
                page.goto(base[name] + path, timeout=60_000)
                wait_for_dashboard(page, PROJECT_NAME)
                return time.perf_counter() - started
            finally:
                context.close()

        runs = {
            "generated": lambda: visit("generated", "/dashboard/", signed_in=True),
            "plain": lambda: visit("plain", "/", signed_in=False),
            "unguarded": lambda: visit("unguarded", "/dashboard/", signed_in=False),
        }
        if not plan.diagnostics:
            del runs["unguarded"]
        got = interleave(runs, plan.browser_reps, plan.warmups)
    report.add(
        Row("3", "Time to first render: generated ÷ `streamlit run`", ratios(got["generated"], got["plain"]),
            ("<=", 1.10), chart="3 first render\ngenerated/plain")
    )  # fmt: skip
    if "unguarded" in got:
        report.add(
            Row("3", "(diagnostic) the same without the three guards ÷ `streamlit run`",
                ratios(got["unguarded"], got["plain"]))
        )  # fmt: skip
    report.note(
        "3",
        "Seconds per round, generated (all parts on, signed in) / `streamlit run dashboard.py`"
        + (" / generated with all parts on but the three guards" if "unguarded" in got else "")
        + f": {rounds_text(got, 2)}.",
    )


def interleave(runs: dict[str, Callable[[], float]], reps: int, warmups: int) -> dict[str, list[float]]:
    """A B C A B C ...: ``warmups`` unrecorded rounds, then ``reps`` recorded rounds."""
    for _ in range(warmups):
        for run in runs.values():
            run()
    results: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(reps):
        for name, run in runs.items():
            results[name].append(run())
    return results


def rounds_text(got: dict[str, list[float]], digits: int) -> str:
    return "; ".join(
        " / ".join(f"{v:.{digits}f}" for v in values) for values in zip(*got.values(), strict=True)
    )


# --- figure 4: cold start -------------------------------------------------------------------


def cold_start(
    command: list[str], cwd: Path, port: int, ready: str, work: Path, timeout: float = 90
) -> float:
    """Seconds from starting the process to the first 200 on ``ready``; the process is then stopped."""
    url = f"http://127.0.0.1:{port}{ready}"
    with (work / f"cold-{port}.log").open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1", **ENV},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        with httpx.Client(timeout=2) as client:
            while time.perf_counter() - started < timeout:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} exited with {process.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(url).status_code == 200:
                        return time.perf_counter() - started
                time.sleep(0.02)
        raise TimeoutError(f"{command} not ready after {timeout}s")
    finally:
        stop_group(process)


def figure_cold_start(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    def generated(project: Path) -> Callable[[], float]:
        def start() -> float:
            port = free_port()
            return cold_start(uvicorn_command("app:app", port), project, port, "/healthz", work)

        return start

    def plain() -> float:
        port = free_port()
        return cold_start(streamlit_run_command(port), projects.full, port, "/_stcore/health", work)

    runs = {"generated": generated(projects.full), "plain": plain}
    if plan.diagnostics:
        runs["no_lifespan"] = generated(projects.full_no_lifespan)
    got = interleave(runs, plan.cold_reps, plan.warmups)
    report.add(
        Row("4", "Cold start to healthy: generated ÷ `streamlit run`", ratios(got["generated"], got["plain"]),
            ("<=", 1.20), chart="4 cold start\ngenerated/plain")
    )  # fmt: skip
    if "no_lifespan" in got:
        report.add(
            Row("4", "(diagnostic) the same without the lifespan warm-up ÷ `streamlit run`",
                ratios(got["no_lifespan"], got["plain"]))
        )  # fmt: skip
    imports = [import_seconds(projects.full) for _ in range(3 if plan.cold_reps > 1 else 1)]
    heaviest = import_breakdown(projects.full)
    report.note(
        "4",
        "Seconds per round, generated (all parts on) / `streamlit run dashboard.py`"
        + (" / generated without the lifespan part" if "no_lifespan" in got else "")
        + f": {rounds_text(got, 2)}.",
        f"Of the generated start, importing `app.py` alone (FastAPI, fastmcp, secure, st.App ...) "
        f"takes {statistics.median(imports):.2f} s (median of {len(imports)}, a fresh process each); the "
        "lifespan part's cache warm-up sleeps 0.7 s on purpose (stand-ins for loading a model and "
        "reference data), which `streamlit run` pays instead on the first page view. `streamlit run` answers "
        "`/_stcore/health` before it has imported or run the script.",
        "The heaviest imports of `app.py` (cumulative, one run of `python -X importtime`): "
        + ", ".join(f"`{name}` {seconds:.2f} s" for name, seconds in heaviest)
        + ".",
    )


def import_breakdown(project: Path, top: int = 6) -> list[tuple[str, float]]:
    """What ``import app`` spends its time on: its direct imports, by cumulative seconds (-X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import app"], cwd=project, env={**os.environ, **ENV},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    children = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        if len(name) - len(name.lstrip()) == 3:  # one level below ``app`` itself
            children.append((name.strip(), int(parts[1]) / 1e6))
    return sorted(children, key=lambda item: -item[1])[:top]


def import_seconds(project: Path) -> float:
    code = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, env={**os.environ, **ENV}, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"import app failed: {done.stderr[-1500:]}")
    return float(done.stdout.strip().splitlines()[-1])


# --- figure 5: concurrent sessions ----------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_sessions(
    plan: Plan, base: str, stream: str, cookie: str, sessions: int, hold: float
) -> subprocess.Popen:
    command = [
        sys.executable, str(BENCH / "sessions.py"), "--url", base.replace("http", "ws", 1) + stream,
        "--sessions", str(sessions), "--cookie", cookie, "--origin", base,
        "--deadline", str(plan.storm_deadline), "--hold", str(hold),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip


def sessions_result(process: subprocess.Popen, plan: Plan) -> dict:
    try:
        out, err = process.communicate(timeout=plan.storm_deadline + 30)
    finally:
        stop_group(process)
    if process.returncode != 0:
        raise RuntimeError(f"sessions.py failed: {err[-2000:]}")
    return json.loads(out)


@dataclass
class Storm:
    sessions: dict
    warm: dict
    idle: Load
    busy: Load
    rss_idle_kib: int
    peak_kib: int
    cpu_s: float
    healthy_after: bool

    @property
    def errors(self) -> int:
        return self.sessions["errors"] + self.busy.errors + (0 if self.healthy_after else 1)


def storm(plan: Plan, load: LoadGenerator, server: Server, stream: str, http_path: str, cookie: str) -> Storm:
    """Two warm-up sessions, an idle HTTP measurement, then N sessions at once under the same load."""
    base, pid = server.base_url, server.process.pid
    connections = min(plan.connections, 16)
    for _ in range(2):  # the first script run imports the chart libraries; the second is warm
        warm = sessions_result(run_sessions(plan, base, stream, cookie, 1, 0), plan)
        if warm["scripts_finished"] != 1:
            raise RuntimeError(f"a single session did not run the script: {warm}")
    load.run(base + http_path, 1, connections, cookie)
    idle = load.run(base + http_path, plan.storm_load_seconds, connections, cookie)
    rss_idle = read_status_kib(pid, "VmRSS")
    cpu_before = cpu_seconds(pid)
    process = run_sessions(plan, base, stream, cookie, plan.sessions, plan.storm_load_seconds + 1)
    try:
        busy = load.run(base + http_path, plan.storm_load_seconds, connections, cookie)
    finally:
        sessions = sessions_result(process, plan)
    cpu_used = cpu_seconds(pid) - cpu_before
    peak = read_status_kib(pid, "VmHWM")
    healthy = False
    with contextlib.suppress(httpx.HTTPError):
        healthy = httpx.get(base + http_path, headers={"Cookie": cookie}, timeout=30).status_code == 200
    return Storm(sessions, warm, idle, busy, rss_idle, peak, cpu_used, healthy)


def figure_sessions(plan: Plan, projects: Projects, load: LoadGenerator, work: Path, report: Report) -> None:
    port = free_port()
    n = plan.sessions
    connections = min(plan.connections, 16)
    with served(uvicorn_command("app:app", port), projects.full, port, "/healthz", work) as server:
        ours = storm(plan, load, server, STREAM, "/api/summary", log_in(server.base_url))
    plain = None
    if plan.diagnostics:  # the same storm on `streamlit run` (no guard, no API: its health route instead)
        port = free_port()
        with served(streamlit_run_command(port), projects.full, port, "/_stcore/health", work) as server:
            plain = storm(plan, load, server, "/_stcore/stream", "/_stcore/health", "")
    sessions, idle, busy, healthy_after = ours.sessions, ours.idle, ours.busy, ours.healthy_after
    rss_idle, peak_kib, cpu_used, warm = ours.rss_idle_kib, ours.peak_kib, ours.cpu_s, ours.warm
    bound = f"{plan.storm_deadline:g} s"
    finished, established = sessions["scripts_finished"], sessions["established"]
    rows = [
        Row(
            "5",
            f"{n} concurrent sessions + API load: errors (failed or not served within {bound})",
            [ours.errors],
            ("<=", 0),
            digits=0,
            short=f"5. errors {ours.errors} ({sessions['errors']} of {n} sessions, {busy.errors} HTTP)",
        ),
        Row(
            "5",
            f"{n} sessions: established (handshake through the auth guard + first ForwardMsg)",
            [established],
            digits=0,
            short=f"established {established}",
        ),
        Row(
            "5",
            f"{n} sessions: scripts run to the end within {bound}",
            [finished],
            digits=0,
            short=f"scripts finished {finished}",
        ),
        Row(
            "5",
            f"{n} sessions: API p50 latency of completed requests (idle {idle.p50_ms:.1f} ms)",
            [busy.p50_ms],
            unit=" ms",
            digits=1,
        ),
        Row(
            "5",
            f"{n} sessions: API p99 latency of completed requests (idle {idle.p99_ms:.1f} ms)",
            [busy.p99_ms],
            unit=" ms",
            digits=1,
            short=f"API p99 {busy.p99_ms:,.0f} ms (idle {idle.p99_ms:.0f})",
        ),
        Row(
            "5",
            f"{n} sessions: peak RSS of the server (idle {rss_idle / 1024:.0f} MiB)",
            [peak_kib / 1024],
            unit=" MiB",
            digits=0,
        ),
    ]
    if plain is not None:
        on_plain = f"(diagnostic) the same {n} sessions on `streamlit run`"
        rows += [
            Row("5", f"{on_plain}: errors", [plain.errors], digits=0),
            Row("5", f"{on_plain}: established", [plain.sessions["established"]], digits=0),
            Row("5", f"{on_plain}: scripts run to the end", [plain.sessions["scripts_finished"]], digits=0),
        ]
    for row in rows:
        report.add(row)

    def secs(key: str) -> str:
        value = sessions.get(key)
        return "—" if value is None else f"{value:.2f} s"

    report.note(
        "5",
        f"Sessions: {sessions['handshakes_ok']}/{n} handshakes accepted through the auth guard (logged-in "
        f"cookie), {sessions['established']}/{n} established (first ForwardMsg after the `rerun_script` "
        f"BackMsg), {sessions['scripts_finished']}/{n} scripts ran to `script_finished` within the {bound} "
        f"bound. Session errors: {sessions['errors']}"
        + "".join(f"; {count} {kind}" for kind, count in sessions["error_kinds"].items())
        + f". HTTP errors during the storm: {busy.errors}.",
        f"Handshake p50 {secs('handshake_p50_s')}, max {secs('handshake_max_s')}; last first ForwardMsg at "
        f"{secs('first_msg_max_s')}; script finished p50 {secs('script_p50_s')}, last "
        f"{secs('script_max_s')}; the storm lasted {secs('total_s')}.",
        f"Server CPU during the storm: {cpu_used:.1f} s. A single warm session, alone, takes "
        f"{warm['script_p50_s']:.2f} s from handshake to `script_finished`; Streamlit runs every "
        "session's script in a thread of the one server process, so under the GIL the scripts share "
        "one core and finish at about the same time.",
        f"API `GET /api/summary` ({connections} connections, {plan.storm_load_seconds:g} s each, signed in): "
        f"idle {idle.rps:,.0f} req/s, p50 {idle.p50_ms:.1f} ms, p99 {idle.p99_ms:.1f} ms; during the "
        f"sessions {busy.rps:,.0f} req/s, p50 {busy.p50_ms:.1f} ms, p99 {busy.p99_ms:.1f} ms, "
        f"{busy.errors} HTTP errors of which {busy.timeouts} timed out (10 s); p99 busy ÷ idle "
        f"{busy.p99_ms / idle.p99_ms:.1f}. wrk leaves timed-out requests out of its percentiles; the mean "
        f"latency implied by the throughput (connections ÷ req/s) is "
        f"{connections / max(busy.rps, 1e-3) * 1000:,.0f} ms during the sessions against "
        f"{connections / max(idle.rps, 1e-3) * 1000:.1f} ms idle.",
        f"Server RSS: {rss_idle / 1024:.0f} MiB idle (after one warm-up session and the idle load), peak "
        f"{peak_kib / 1024:.0f} MiB (VmHWM), {(peak_kib - rss_idle) / max(n, 1):.0f} KiB per session. "
        f"The API route after the storm: {'200' if healthy_after else 'FAILED'}.",
    )
    if plain is not None:
        kinds = "".join(f"; {count} {kind}" for kind, count in plain.sessions["error_kinds"].items())
        report.note(
            "5",
            f"Diagnostic, the same storm on `streamlit run dashboard.py` (no guard; its `/_stcore/health` "
            f"under the same HTTP load): {plain.sessions['handshakes_ok']}/{n} handshakes, "
            f"{plain.sessions['established']}/{n} established, {plain.sessions['scripts_finished']}/{n} "
            f"scripts finished within the bound; errors {plain.errors}{kinds}; a single warm session alone "
            f"{plain.warm['script_p50_s']:.2f} s; server CPU {plain.cpu_s:.1f} s; peak RSS "
            f"{plain.peak_kib / 1024:.0f} MiB (idle {plain.rss_idle_kib / 1024:.0f} MiB); health p99 "
            f"{plain.busy.p99_ms:,.0f} ms (idle {plain.idle.p99_ms:.1f} ms).",
        )


# --- figure 6: the exhaustive matrix --------------------------------------------------------


def matrix_space() -> list[dict]:
    """The combinations of tests/test_template/test_matrix.py (from template_options.py)."""
    return template_options.combinations()


def matrix_sample(count: int) -> list[dict]:
    """``count`` combinations spread over the parents, the same every run."""
    combos = matrix_space()
    by_parent: dict[str, list[dict]] = {}
    for answers in combos:
        by_parent.setdefault(answers["parent"], []).append(answers)
    rng = random.Random(1067)
    picks = [rng.sample(group, len(group)) for group in by_parent.values()]
    return [combo for round_ in zip(*picks, strict=True) for combo in round_][:count]


def run_matrix_pytest(
    node_ids: list[str], work: Path, extra: list[str], timeout: float
) -> tuple[float, list]:
    junit = work / f"matrix-{len(node_ids)}-{int(time.time())}.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, *extra, *node_ids], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"pytest exited {done.returncode}: {done.stdout[-2500:]}")
    cases = [
        case
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.get("name", "").startswith("test_combination")
    ]
    return wall, cases


def figure_matrix(plan: Plan, work: Path, report: Report, full_matrix: bool) -> None:
    sample = matrix_sample(plan.matrix_sample)
    ids = [combination_id(answers) for answers in sample]
    node_ids = [f"tests/test_template/test_matrix.py::test_combination[{i}]" for i in ids]
    wall, cases = run_matrix_pytest(node_ids, work, [], timeout=900)
    if len(cases) != len(ids):
        raise RuntimeError(f"expected {len(ids)} combinations in the JUnit report, got {len(cases)}")
    per_combination = [float(case.get("time")) for case in cases]
    overhead = max(0.0, wall - sum(per_combination))

    # The cheap steps again, apart, to split each combination's time (the smoke is the rest).
    steps = {"bake": [], "ruff check + format": []}
    for answers in sample:
        target = work / "matrix-steps" / combination_id(answers)
        started = time.perf_counter()
        with quiet():
            project = bake(target, project_slug="matrix_app", **answers)
        steps["bake"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for args in (["check", "-q", "."], ["format", "--check", "-q", "."]):
            subprocess.run(
                [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, timeout=120
            )
        steps["ruff check + format"].append(time.perf_counter() - started)

    total = len(matrix_space())
    workers = 2
    extrapolated = overhead + total * statistics.median(per_combination) / workers
    report.add(Row("6", "Matrix: seconds per combination (bake + ruff + in-process smoke)",
                   per_combination, unit=" s", digits=2,
                   short=f"   6. {statistics.median(per_combination):.2f} s per combination"))  # fmt: skip
    report.add(Row("6", f"Matrix: exhaustive tier ({total} combinations) on {workers} cores, extrapolated",
                   [extrapolated], unit=" s", digits=0,
                   short=f"whole tier ≈ {extrapolated:.0f} s on {workers} cores (extrapolated)"))  # fmt: skip
    bake_s, ruff_s = (statistics.median(v) for v in steps.values())
    smoke_s = statistics.median(per_combination) - bake_s - ruff_s
    report.note(
        "6",
        f"Sample: {', '.join(f'`{i}`' for i in ids)}.",
        f"`pytest` wall {wall:.1f} s for {len(ids)} combinations, of which {overhead:.1f} s is start-up "
        f"(imports, collection of all {total}) and the rest the combinations "
        f"({', '.join(f'{t:.2f}' for t in per_combination)} s).",
        f"Split of a combination (medians; bake and ruff timed again apart): bake {bake_s:.2f} s, "
        f"ruff check + format {ruff_s:.2f} s, in-process smoke and the fork ≈ {smoke_s:.2f} s.",
        f"Extrapolation: start-up + {total} × median ÷ {workers} workers (`pytest -n 2`), assuming two "
        "workers on two cores scale perfectly; if anything else runs on the machine it will take longer.",
    )
    if full_matrix:
        wall_all, cases_all = run_matrix_pytest(
            ["tests/test_template/test_matrix.py"], work, ["-n", str(workers)], timeout=4 * 3600
        )
        report.add(Row("6", f"Matrix: exhaustive tier on {workers} cores, measured (`--full-matrix`)",
                       [wall_all], unit=" s", digits=0, short=f"measured {wall_all:.0f} s"))  # fmt: skip
        report.note("6", f"Measured: {len(cases_all)} combinations in {wall_all:.0f} s with `pytest -n 2`.")
    else:
        report.note("6", "The whole tier was not run this time (add `--full-matrix` to measure it).")


# --- the report -----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    versions = {
        name: importlib.metadata.version(name) for name in ("streamlit", "starlette", "uvicorn", "fastapi")
    }
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "unknown",
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
    }


FIGURE_TITLES = {
    "1": "Guard overhead",
    "2": "Ours against BaseHTTPMiddleware guards",
    "layers": "Where the guard time goes (in-process, no network)",
    "3": "Time to first render",
    "4": "Cold start",
    "5": "Concurrent sessions",
    "6": "Matrix cost",
}


def write_markdown(report: Report, path: Path) -> None:
    meta = report.meta
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py{meta['args']}` on {meta['date']}; the whole run took "
        f"{meta['total']}. How each figure is measured: [README.md](README.md).",
        "",
    ]
    if report.plan_name == "quick":
        lines += ["> **Quick smoke run (`--quick`)**: tiny counts, the figures are not meaningful.", ""]
    if meta["loadgen"].startswith("bench/loadgen.py"):
        lines += [
            "> **wrk was missing**: the fallback httpx client is slower than the servers, so it does not "
            "saturate them and the ratios of figures 1 and 2 are squeezed toward 1. Install Debian's wrk.",
            "",
        ]
    lines += [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {meta['cpu']}, {meta['cores']} cores |",
        f"| RAM | {meta['ram']} |",
        f"| OS | {meta['os']} |",
        f"| Versions | Python {meta['python']}, Streamlit {meta['streamlit']}, "
        f"Starlette {meta['starlette']}, uvicorn {meta['uvicorn']}, FastAPI {meta['fastapi']} |",
        f"| Load generator | {meta['loadgen']} |",
        f"| Load average (1 min) at start → end | {meta['load']} (other jobs may share the machine; "
        "that is why every figure is a ratio of runs interleaved in this run) |",
        "",
        "## Summary",
        "",
        "| Figure | Target | Median | Spread (min – max) | IQR | Runs | Result |",
        "|---|---|---:|---|---|---:|---|",
    ]
    for row in report.rows:
        median = row.fmt(row.median) if row.values else "—"
        if row.error:
            median = "—"
        iqr = quartiles(row.values) if not row.unit else "—"
        lines.append(
            f"| {row.figure}. {row.name} | {row.target_text()} | {median} | {row.spread_text()} | {iqr} "
            f"| {len(row.values)} | {row.result} |"
        )
    misses = [row for row in report.rows if row.result == "miss"]
    errors = [row for row in report.rows if row.result == "error"]
    lines += [
        "",
        f"Targets met: {sum(r.result == 'pass' for r in report.rows)} of "
        f"{sum(r.goal is not None for r in report.rows)}; missed: "
        + (", ".join(f"{r.figure} ({r.name})" for r in misses) or "none")
        + (f"; errors: {', '.join(r.figure for r in errors)}" if errors else "")
        + ".",
        "",
        "![Headline ratios](ratios.png)",
        "",
        "## Details",
        "",
    ]
    for key, title in FIGURE_TITLES.items():
        notes = report.details.get(key, [])
        failures = [row for row in report.rows if row.figure == key and row.error]
        if not notes and not failures:
            continue
        label = f"{key}. {title}" if key[0].isdigit() else title
        lines += [f"### {label}", ""]
        for row in failures:
            lines += [f"**Error**: {row.error}", ""]
        table = [n for n in notes if n.startswith("|")]
        prose = [n for n in notes if not n.startswith("|")]
        lines += [f"- {n}" for n in prose]
        if prose:
            lines.append("")
        if table:
            lines += [*table, ""]
    lines += ["## Phases", "", "| Phase | Seconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds:.0f} |" for name, seconds in report.phases]
    lines.append("")
    path.write_text("\n".join(lines))


def write_chart(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups: dict[str, list[Row]] = {}
    for row in report.rows:
        if row.chart:
            groups.setdefault(row.figure, []).append(row)
    titles = {
        "1": "1. Guard overhead\nreq/s guarded ÷ none",
        "2": "2. Ours vs BaseHTTPMiddleware\nreq/s ours ÷ theirs",
        "3": "3. Time to first render\ngenerated ÷ streamlit run",
        "4": "4. Cold start\ngenerated ÷ streamlit run",
    }
    fig, axes = plt.subplots(1, max(1, len(groups)), figsize=(3.3 * max(1, len(groups)), 4.6), squeeze=False)
    for ax, (figure, rows) in zip(axes[0], groups.items(), strict=False):
        medians = [r.median if r.values and not r.error else 0 for r in rows]
        labels = [
            f"{r.chart.split(chr(10))[-1]}\n{m:.2f}: {r.result}" for r, m in zip(rows, medians, strict=True)
        ]
        lows = [
            m - min(r.values) if r.values and not r.error else 0 for m, r in zip(medians, rows, strict=True)
        ]
        highs = [
            max(r.values) - m if r.values and not r.error else 0 for m, r in zip(medians, rows, strict=True)
        ]
        colours = {"pass": "#2e7d32", "miss": "#c62828"}
        ax.bar(
            labels, medians, yerr=[lows, highs], capsize=6,
            color=[colours.get(r.result, "#9e9e9e") for r in rows], edgecolor="black", linewidth=0.6,
        )  # fmt: skip
        target = rows[0].goal[1] if rows[0].goal else None
        if target is not None:
            ax.axhline(target, color="black", linestyle="--", linewidth=1.2)
            ax.annotate(f"target {rows[0].target_text()}", (0.02, target), xycoords=("axes fraction", "data"),
                        xytext=(0, 3), textcoords="offset points", fontsize=9, ha="left",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})  # fmt: skip
        ax.axhline(1.0, color="#757575", linewidth=0.6)
        top = max([target or 0, *[m + h for m, h in zip(medians, highs, strict=True)]])
        ax.set_ylim(0, top * 1.25 + 0.05)
        ax.set_title(titles.get(figure, figure), fontsize=10)
        ax.tick_params(axis="x", labelsize=9)
        for tick, row in zip(ax.get_xticklabels(), rows, strict=True):
            tick.set_color(colours.get(row.result, "black"))
    fig.suptitle(
        f"st-asgi-template benchmarks ({report.plan_name} run, {report.meta['date']}): median ratio, "
        "whiskers min–max, dashed line = target",
        fontsize=10,
    )
    footer = [row.short for row in report.rows if row.short and not row.error]
    fig.text(0.01, 0.012, "Not ratios (see RESULTS.md): " + ", ".join(footer), fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the generated project (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run of every figure")
    parser.add_argument("--out", type=Path, default=BENCH, help="where RESULTS.md and ratios.png go")
    parser.add_argument(
        "--full-matrix", action="store_true", help="also run the whole exhaustive matrix tier"
    )
    parser.add_argument("--loadgen", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (projects, server logs)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="st-asgi-bench-"))
    report = Report("quick" if args.quick else "full")
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    failed = False

    def phase(name: str, figures: tuple[str, ...], step: Callable[[], None]) -> None:
        nonlocal failed
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        try:
            step()
        except Exception as error:
            failed = True
            traceback.print_exc()
            message = f"{type(error).__name__}: {error}".replace("\n", " ")[:600]
            for figure in figures:
                if not any(row.figure == figure for row in report.rows):
                    report.add(Row(figure, FIGURE_TITLES[figure], error=message))
                else:
                    report.note(figure, f"Error after partial results: {message}")
        report.phases.append((name, time.perf_counter() - begun))
        print(f"bench: {name} done in {report.phases[-1][1]:.0f} s", file=sys.stderr, flush=True)

    try:
        load = LoadGenerator(args.loadgen)
        projects = bake_projects(work)
        phase(
            "1+2 guards under HTTP load",
            ("1", "2"),
            lambda: figure_guards(plan, projects, load, work, report),
        )
        if plan.diagnostics:
            phase(
                "1 each guard alone", ("1",), lambda: figure_single_guards(plan, projects, load, work, report)
            )
        phase("guard layers in-process", ("1",), lambda: figure_layers(plan, projects, report))
        phase("3 time to first render", ("3",), lambda: figure_first_render(plan, projects, work, report))
        phase("4 cold start", ("4",), lambda: figure_cold_start(plan, projects, work, report))
        phase("5 concurrent sessions", ("5",), lambda: figure_sessions(plan, projects, load, work, report))
        phase("6 matrix cost", ("6",), lambda: figure_matrix(plan, work, report, args.full_matrix))
        total = time.perf_counter() - started
        options = " --quick" if args.quick else ""
        options += " --full-matrix" if args.full_matrix else ""
        options += f" --loadgen {args.loadgen}" if args.loadgen != "auto" else ""
        report.meta = {
            **machine(),
            "args": options,
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "total": f"{total / 60:.1f} min ({total:.0f} s)",
            "loadgen": f"{load.name}; {plan.connections} connections, {plan.http_seconds:g} s per run",
            "load": f"{load_start:.1f} → {os.getloadavg()[0]:.1f}",
        }
        write_markdown(report, args.out / "RESULTS.md")
        write_chart(report, args.out / "ratios.png")
        print(f"bench: wrote {args.out / 'RESULTS.md'} and {args.out / 'ratios.png'} in {total:.0f} s")
    finally:
        if args.keep:
            print(f"bench: work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
