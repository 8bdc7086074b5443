"""The benchmark command runs end to end (``--quick``: tiny counts). No timing is asserted here:
the figures themselves live in bench/RESULTS.md, written by a full ``python bench/run.py``."""

import re
import subprocess
import sys

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.live

FIGURES = ("1", "2", "3", "4", "5", "6", "7")
TARGETED = (  # issue 15's figures: a row each in the summary, with its target
    "1. Guard overhead (password mode) `/healthz`",
    "2. `/api/summary`: req/s ours ÷ BaseHTTPMiddleware",
    "3. Time to first render, warm process",
    "4. Cold start, process start → first render in Chromium",
    "5. Capacity, trivial script",
    "5. Capacity, generated dashboard",
    "5. Scale-out behind the shipped nginx recipe",
    "6. Matrix: every combination",
    "7. Store cost `/api/summary`: server CPU per request, Redis ÷ memory",  # issue 25's
    "7. Scale-out with the shared store",
)
REPORTED = (
    "5. Memory per session, generated dashboard",
    "7. Server CPU per request `/api/summary`, sessions in Redis",
    "7. redis-server CPU per request `/api/summary`",
)


def test_quick_bench_writes_results_with_all_seven_figures_and_a_chart(tmp_path):
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]

    results = (tmp_path / "RESULTS.md").read_text()
    summary = results.split("## Summary", 1)[1].split("## Details", 1)[0]
    assert "| Figure | Target | Median | Spread (min – max) | IQR | Runs | Result |" in summary
    rows = re.findall(r"^\| (\d)\. .+\| (pass|miss|info) \|$", summary, flags=re.MULTILINE)
    assert {figure for figure, _ in rows} == set(FIGURES), summary
    assert "| error |" not in summary
    lines = summary.splitlines()
    for name in TARGETED:
        assert any(line.startswith(f"| {name}") and re.search(r"\| [≥≤] \d", line) for line in lines), name
    for name in REPORTED:
        assert any(line.startswith(f"| {name}") for line in lines), name
    for heading in ("## Machine", "Streamlit ", "Starlette ", "uvicorn ", "FastAPI ", "cores"):
        assert heading in results
    assert "leaves the websocket unguarded" in results

    chart = (tmp_path / "ratios.png").read_bytes()
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 10_000
