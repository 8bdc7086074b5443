"""Figure 3: time to first render of a warm process, generated ÷ ``streamlit run``, in Chromium."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from bench.harness.projects import ENV, PROJECT_NAME, Projects, sign_in_page
from bench.harness.servers import (
    chromium,
    free_port,
    serve,
    streamlit_run_command,
    uvicorn_command,
    wait_for_dashboard,
)
from bench.harness.stats import interleave, ratios, rounds_text
from bench.plan import TARGETS, Plan
from bench.report import Report, Row


def measure(plan: Plan, projects: Projects, work: Path, report: Report) -> None:
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
            name: stack.enter_context(serve(command, cwd, ports[name], ready, work, ENV)).base_url
            for name, (command, cwd, ready) in servers.items()
        }
        browser = stack.enter_context(chromium())

        def visit(name: str, path: str, signed_in: bool) -> float:
            context = browser.new_context()  # a fresh profile: nothing cached, no cookie
            try:
                page = context.new_page()
                if signed_in:  # sign in first; only the navigation below is timed
                    sign_in_page(page, base[name], "/healthz")
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
        got = interleave({name: runs[name] for name in servers}, plan.browser_reps, plan.warmups)
    report.add(Row("3", "Time to first render, warm process: generated ÷ `streamlit run`",
                   ratios(got["generated"], got["plain"]), TARGETS["first_render"],
                   chart="3 first render\ngenerated/plain"))  # fmt: skip
    if "unguarded" in got:
        report.add(Row("3", "(diagnostic) the same without the three guards ÷ `streamlit run`",
                       ratios(got["unguarded"], got["plain"])))  # fmt: skip
    report.note(
        "3",
        "Seconds per round, generated (all parts on, signed in) / `streamlit run dashboard.py`"
        + (" / generated with all parts on but the three guards" if "unguarded" in got else "")
        + f": {rounds_text(got, 2)}.",
    )
