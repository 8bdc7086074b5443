"""Figure 4: cold start as a user feels it, process start → first dashboard render in Chromium.

Generated (all parts on) ÷ ``streamlit run dashboard.py``; the lifespan's warm-up is read from the
server's log line "caches warmed in ...s" and reported apart.

The generated project asks for a password and keeps its sessions in memory, so no cookie can be
made before its process starts: each start signs in anew, inside the timer. The headline signs in
over HTTP (the server's share: the login page, argon2, the session) and hands the cookie to the
browser; a diagnostic signs in through the login form in Chromium, as a person would (two more
page loads and the typing), which ``streamlit run`` has no counterpart for.
"""

from __future__ import annotations

import functools
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness.projects import ENV, PROJECT_NAME, Projects, log_in, sign_in_page
from bench.harness.servers import (
    chromium,
    free_port,
    start,
    stop_group,
    streamlit_run_command,
    uvicorn_command,
    wait_for_dashboard,
    wait_ready,
)
from bench.harness.stats import interleave, ratios, rounds_text
from bench.plan import TARGETS, Plan
from bench.report import Report, Row

WARMED = re.compile(r"caches warmed in ([\d.]+)s")


@dataclass
class ColdStart:
    healthy_s: float  # process start → first 200 on its health route
    render_s: float  # process start → the dashboard's heading drawn in Chromium
    login_s: float  # of which signing in (over HTTP, or the login form in the browser)
    warmup_s: float | None  # what the lifespan logged, when it did


def cold_start(browser, command: Callable[[int], list[str]], cwd: Path, health: str, page_path: str,
               sign_in: str | None, work: Path) -> ColdStart:  # fmt: skip
    """Start the server, poll its health route every 20 ms, then open the dashboard in a fresh context.

    ``sign_in``: None (no sign-in), "http" (the harness signs in, the browser gets the cookie) or
    "form" (the browser fills the login form).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / f"cold-{port}.log"
    # The browser tab and the harness's HTTP client are ready before the process starts, as a
    # person's browser is: a new tab's renderer would otherwise compete for the 2 cores with
    # the server's start (and its argon2 check), a new client build a TLS context in the timer.
    context = browser.new_context()
    page = context.new_page()
    page.goto("about:blank")
    client = httpx.Client(timeout=10)
    time.sleep(0.5)  # the new tab's renderer settles
    started = time.perf_counter()
    process = start(command(port), cwd, log_path, ENV)
    try:
        healthy = wait_ready(base + health, process, timeout=120) - started
        login, signing_in = 0.0, time.perf_counter()
        if sign_in == "form":
            sign_in_page(page, base, page_path)
            login = time.perf_counter() - signing_in
        else:
            if sign_in == "http":
                cookies = [pair.split("=", 1) for pair in log_in(base, client).split("; ")]
                context.add_cookies([{"name": name, "value": value, "url": base} for name, value in cookies])
                login = time.perf_counter() - signing_in
            page.goto(base + page_path, timeout=60_000)
        wait_for_dashboard(page, PROJECT_NAME)
        rendered = time.perf_counter() - started
    finally:
        client.close()
        context.close()
        stop_group(process)
    warmed = WARMED.search(log_path.read_text(errors="replace"))
    return ColdStart(healthy, rendered, login, float(warmed.group(1)) if warmed else None)


def measure(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
    with chromium() as browser:
        starts: dict[str, list[ColdStart]] = {}

        def generated(name: str, project: Path, sign_in: str = "http") -> Callable[[], float]:
            def run() -> float:
                command = functools.partial(uvicorn_command, "app:app")
                result = cold_start(browser, command, project, "/healthz", "/dashboard/", sign_in, work)
                starts.setdefault(name, []).append(result)
                return result.render_s

            return run

        def plain() -> float:
            result = cold_start(
                browser, streamlit_run_command, projects.full, "/_stcore/health", "/", None, work
            )
            starts.setdefault("plain", []).append(result)
            return result.render_s

        runs = {"generated": generated("generated", projects.full), "plain": plain}
        if plan.diagnostics:
            runs["login_form"] = generated("login_form", projects.full, "form")
            runs["no_lifespan"] = generated("no_lifespan", projects.full_no_lifespan)
        got = interleave(runs, plan.cold_reps, plan.warmups)
    recorded = {name: values[-plan.cold_reps :] for name, values in starts.items()}  # the warm-ups dropped
    healthy = {name: [s.healthy_s for s in values] for name, values in recorded.items()}
    logins = [s.login_s for s in recorded["generated"]]
    report.add(Row("4", "Cold start, process start → first render in Chromium: generated ÷ `streamlit run`",
                   ratios(got["generated"], got["plain"]), TARGETS["cold_start"],
                   chart="4 cold start\ngenerated/plain"))  # fmt: skip
    report.add(Row("4", "(diagnostic) process start → healthy: generated ÷ `streamlit run`",
                   ratios(healthy["generated"], healthy["plain"])))  # fmt: skip
    unsigned = [s.render_s - s.login_s for s in recorded["generated"]]
    report.add(Row("4", "(diagnostic) the same, its sign-in's time taken out: generated ÷ `streamlit run`",
                   ratios(unsigned, got["plain"])))  # fmt: skip
    warmups = [s.warmup_s for s in recorded["generated"] if s.warmup_s is not None]
    if warmups:
        report.add(Row("4", "Lifespan warm-up of the generated project (its own log line)", warmups,
                       unit=" s", short=f"4. warm-up {statistics.median(warmups):.2f} s"))  # fmt: skip
    else:
        report.note(
            "4", "The generated project logged no `caches warmed in ...s`: no warm-up time to report."
        )
    if "login_form" in got:
        report.add(Row("4", "(diagnostic) signed in through the login form in Chromium ÷ `streamlit run`",
                       ratios(got["login_form"], got["plain"])))  # fmt: skip
    if "no_lifespan" in got:
        report.add(Row("4", "(diagnostic) the same without the lifespan part ÷ `streamlit run`",
                       ratios(got["no_lifespan"], got["plain"])))  # fmt: skip
    imports = [import_seconds(projects.full) for _ in range(3 if plan.cold_reps > 1 else 1)]
    heaviest = import_breakdown(projects.full)
    report.note(
        "4",
        "Seconds to first render per round, generated (all parts on; signed in over HTTP, the cookie handed "
        "to the browser) / `streamlit run dashboard.py`"
        + (" / generated, signed in through the login form in Chromium" if "login_form" in got else "")
        + (" / generated without the lifespan part" if "no_lifespan" in got else "")
        + f": {rounds_text(got, 2)}. To healthy: {rounds_text(healthy, 2)}. Of the generated start, signing "
        f"in took {statistics.median(logins):.2f} s (median)"
        + (
            f"; through the login form {statistics.median(s.login_s for s in recorded['login_form']):.2f} s"
            if "login_form" in recorded
            else ""
        )
        + ". The generated project keeps its sessions in memory: a restart signs everyone out, so every "
        "start includes a sign-in; `streamlit run` asks for none.",
        f"Importing `app.py` alone takes {statistics.median(imports):.2f} s (median of {len(imports)}, "
        "a fresh process each). The heaviest imports (cumulative, one run of `python -X importtime`): "
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
