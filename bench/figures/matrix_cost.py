"""Figure 6: what verifying every combination of answers costs (tests/test_template/test_matrix.py)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from bench.harness.projects import ROOT, bake
from bench.matrix import combination_id, matrix_sample, matrix_space
from bench.plan import TARGETS, Plan
from bench.report import Report, Row

WORKERS = 2


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


def time_steps(sample: list[dict], work: Path) -> dict[str, list[float]]:
    """Bake and ruff again, apart, to split each combination's time (the smoke is the rest)."""
    steps: dict[str, list[float]] = {"bake": [], "ruff check + format": []}
    for answers in sample:
        started = time.perf_counter()
        project = bake(work / "matrix-steps" / combination_id(answers), project_slug="matrix_app", **answers)
        steps["bake"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for args in (["check", "-q", "."], ["format", "--check", "-q", "."]):
            subprocess.run(
                [sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, timeout=120
            )
        steps["ruff check + format"].append(time.perf_counter() - started)
    return steps


def measure(plan: Plan, work: Path, report: Report, full_matrix: bool) -> None:
    sample = matrix_sample(plan.matrix_sample)
    ids = [combination_id(answers) for answers in sample]
    node_ids = [f"tests/test_template/test_matrix.py::test_combination[{i}]" for i in ids]
    wall, cases = run_matrix_pytest(node_ids, work, [], timeout=900)
    if len(cases) != len(ids):
        raise RuntimeError(f"expected {len(ids)} combinations in the JUnit report, got {len(cases)}")
    per_combination = [float(case.get("time")) for case in cases]
    overhead = max(0.0, wall - sum(per_combination))
    steps = time_steps(sample, work)

    total = len(matrix_space())
    median = statistics.median(per_combination)
    extrapolated = overhead + total * median / WORKERS
    report.add(Row("6", "Matrix: seconds per combination (bake + ruff + in-process smoke)", per_combination,
                   unit=" s", short=f"6. {median:.2f} s per combination"))  # fmt: skip
    report.add(Row("6", f"Matrix: every combination ({total}) on {WORKERS} cores, extrapolated",
                   [extrapolated], TARGETS["matrix"], unit=" s", digits=0,
                   short=f"whole tier ≈ {extrapolated:.0f} s on {WORKERS} cores (extrapolated)"))  # fmt: skip
    bake_s, ruff_s = (statistics.median(v) for v in steps.values())
    report.note(
        "6",
        f"Sample: {', '.join(f'`{i}`' for i in ids)}.",
        f"`pytest` wall {wall:.1f} s for {len(ids)} combinations, of which {overhead:.1f} s is start-up "
        f"(imports, collection of all {total}) and the rest the combinations "
        f"({', '.join(f'{t:.2f}' for t in per_combination)} s).",
        f"Split of a combination (medians; bake and ruff timed again apart): bake {bake_s:.2f} s, "
        f"ruff check + format {ruff_s:.2f} s, in-process smoke and the fork "
        f"≈ {median - bake_s - ruff_s:.2f} s.",
        f"Extrapolation: start-up + {total} × median ÷ {WORKERS} workers (`pytest -n {WORKERS}`), "
        "assuming two workers on two cores scale perfectly; if anything else runs on the machine it "
        "will take longer.",
    )
    if full_matrix:
        wall_all, cases_all = run_matrix_pytest(
            ["tests/test_template/test_matrix.py"], work, ["-n", str(WORKERS)], timeout=4 * 3600
        )
        report.add(Row("6", f"Matrix: every combination on {WORKERS} cores, measured (`--full-matrix`)",
                       [wall_all], TARGETS["matrix"], unit=" s", digits=0,
                       short=f"measured {wall_all:.0f} s"))  # fmt: skip
        report.note(
            "6", f"Measured: {len(cases_all)} combinations in {wall_all:.0f} s with `pytest -n {WORKERS}`."
        )
    else:
        report.note("6", "The whole tier was not run this time (add `--full-matrix` to measure it).")
