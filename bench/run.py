"""Benchmarks of the generated project, each figure a ratio measured side by side in one run.

    python bench/run.py                 # everything (about 25 minutes on 2 cores); writes bench/RESULTS.md
    python bench/run.py --quick         # tiny counts, a smoke run (a minute or two)
    python bench/run.py --full-matrix   # also runs the whole exhaustive matrix tier (long)
    python bench/run.py --only cold_start   # one figure (a module of bench/figures/), may repeat

What each figure means and how it is measured: bench/README.md. The measurements live in
bench/figures/, what they share in bench/harness/, the programs that run in processes of their
own in bench/programs/, the table in bench/report.py and the chart in bench/chart.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the package ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench.chart import write_chart  # noqa: E402
from bench.figures import (  # noqa: E402
    capacity,
    cold_start,
    first_render,
    guards,
    layers,
    matrix_cost,
    store_cost,
    store_scale_out,
)
from bench.harness.load import LoadGenerator  # noqa: E402
from bench.harness.projects import bake_projects  # noqa: E402
from bench.plan import FULL, QUICK  # noqa: E402
from bench.report import FIGURE_TITLES, Report, Row, machine, update_readme, write_markdown  # noqa: E402

BENCH = ROOT / "bench"
FIGURES = (
    "guards", "layers", "first_render", "cold_start", "capacity", "matrix_cost",
    "store_cost", "store_scale_out",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the generated project (see bench/README.md).")
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run of every figure")
    parser.add_argument("--out", type=Path, default=BENCH, help="where RESULTS.md and ratios.png go")
    parser.add_argument(
        "--full-matrix", action="store_true", help="also run the whole exhaustive matrix tier"
    )
    parser.add_argument("--loadgen", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (projects, server logs)")
    parser.add_argument("--only", action="append", choices=FIGURES, help="run this figure only (repeatable)")
    args = parser.parse_args(argv)
    only = set(args.only or FIGURES)
    plan = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="st-asgi-bench-"))
    report = Report("quick" if args.quick else "full")
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    failed = False

    def phase(name: str, figures: tuple[str, ...], step: Callable[[], None]) -> None:
        """Run one measurement; a failure becomes an error row (or a note), and the run goes on."""
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
        if "guards" in only:
            phase(
                "1+2 guards under HTTP load",
                ("1", "2"),
                lambda: guards.measure(plan, projects, load, work, report),
            )
            if plan.diagnostics:
                phase("1 each guard alone", ("1",),
                      lambda: guards.measure_single_guards(plan, projects, load, work, report))  # fmt: skip
        if "layers" in only:
            phase("guard layers in-process", ("1",), lambda: layers.measure(plan, projects, report))
        if "first_render" in only:
            phase(
                "3 time to first render", ("3",), lambda: first_render.measure(plan, projects, work, report)
            )
        if "cold_start" in only:
            phase("4 cold start", ("4",), lambda: cold_start.measure(plan, projects, work, report))
        if "capacity" in only:
            phase("5 capacity", ("5",), lambda: capacity.measure(plan, projects, work, report))
        if "matrix_cost" in only:
            phase("6 matrix cost", ("6",), lambda: matrix_cost.measure(plan, work, report, args.full_matrix))
        if "store_cost" in only:
            phase("7 store cost per request", ("7",),
                  lambda: store_cost.measure(plan, projects, load, work, report))  # fmt: skip
        if "store_scale_out" in only:
            phase("7 scale-out with the store", ("7",),
                  lambda: store_scale_out.measure(plan, projects, work, report))  # fmt: skip
        total = time.perf_counter() - started
        options = " --quick" if args.quick else ""
        options += " --full-matrix" if args.full_matrix else ""
        options += f" --loadgen {args.loadgen}" if args.loadgen != "auto" else ""
        options += "".join(f" --only {name}" for name in args.only or ())
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
        if args.out == BENCH and not args.quick and not args.only:  # the README quotes a full run only
            update_readme(ROOT / "README.md", report)
        print(f"bench: wrote {args.out / 'RESULTS.md'} and {args.out / 'ratios.png'} in {total:.0f} s")
    finally:
        if args.keep:
            print(f"bench: work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
