"""The results: rows of the summary table, notes per figure, and RESULTS.md."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.stats import quartiles

FIGURE_TITLES = {
    "1": "Guard overhead",
    "2": "Ours against BaseHTTPMiddleware guards",
    "layers": "Where the guard time goes (in-process, no network)",
    "3": "Time to first render",
    "4": "Cold start",
    "5": "Capacity",
    "6": "Matrix cost",
    "7": "Shared store: what it costs, and scale-out with it",
}


@dataclass
class Row:
    """One line of the summary table."""

    figure: str
    name: str
    values: list[float] = field(default_factory=list)
    goal: tuple[str, float] | None = None  # (">=", 0.9), ("<=", 1.2) ...; None: information only
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
        if self.error or not self.values:
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
    if meta["loadgen"].startswith("bench/programs/loadgen.py"):
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
        median = row.fmt(row.median) if row.values and not row.error else "—"
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
            lines += [f"**Error** ({row.name}): {row.error}", ""]
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


README_BEGIN, README_END = "<!-- bench: begin -->", "<!-- bench: end -->"


def readme_summary(report: Report) -> str:
    """The README's performance table: every targeted ratio and what a session costs, from this run."""
    lines = [
        f"From `python bench/run.py` on {report.meta['date']} ({report.meta['cores']} cores; every "
        "figure a ratio of runs made side by side; details in [bench/RESULTS.md](bench/RESULTS.md)):",
        "",
        "| Figure | Target | Measured (median) | Met |",
        "|---|---|---:|---|",
    ]
    for row in report.rows:
        costs = row.name.startswith(("CPU per session", "Memory per session")) and "(generated;" in row.name
        if (row.goal is None and not costs) or row.error or not row.values:
            continue
        met = {"pass": "yes", "miss": "no"}.get(row.result, "—")
        lines.append(f"| {row.figure}. {row.name} | {row.target_text()} | {row.fmt(row.median)} | {met} |")
    return "\n".join(lines)


def update_readme(readme: Path, report: Report) -> None:
    """Rewrite the README's section between the bench markers (the rest is left as it is)."""
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(README_BEGIN, 1)
    _, after = rest.split(README_END, 1)
    section = f"{README_BEGIN}\n{readme_summary(report)}\n{README_END}"
    readme.write_text(before + section + after, encoding="utf-8")
