"""Diagnostic of figures 1 and 2: each guard's own cost, in-process (bench/programs/layers.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.harness.projects import ENV, Projects
from bench.plan import Plan
from bench.report import Report

LAYERS = Path(__file__).resolve().parents[1] / "programs" / "layers.py"


def measure(plan: Plan, projects: Projects, report: Report) -> None:
    command = [
        sys.executable,
        str(LAYERS),
        "--rounds",
        str(plan.layer_rounds),
        "--count",
        str(plan.layer_count),
    ]
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
    h11 = costs["h11"]
    lines.insert(0, (
        f"Over HTTP, uvicorn's h11 also writes each header: accepting a request and writing a response "
        f"head takes {h11['without']:.1f} µs, {h11['json']:.1f} µs with the {h11['json_headers']:.0f} "
        f"security headers of a JSON answer (+{h11['json'] - h11['without']:.1f} µs, on top of the "
        f"in-process figures below), {h11['page']:.1f} µs with the {h11['page_headers']:.0f} of a page "
        f"(+{h11['page'] - h11['without']:.1f} µs)."
    ))  # fmt: skip
    report.note("layers", *lines)
