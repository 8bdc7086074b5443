"""ratios.png: the headline ratios, one panel per target, whiskers min–max."""

from __future__ import annotations

from pathlib import Path

from bench.report import Report, Row

PANEL_TITLES = {  # by the first line of a row's ``chart`` label
    "1 guards/none": "1. Guard overhead\nreq/s guarded ÷ none",
    "1 guards/none (oidc)": "1. Guard overhead, oidc\nreq/s guarded ÷ none",
    "1 guards/none (bearer)": "1. Guard overhead, bearer\nreq/s guarded ÷ none",
    "2 ours/BaseHTTP": "2. Ours vs BaseHTTPMiddleware\nreq/s ours ÷ theirs",
    "3 first render": "3. Time to first render\ngenerated ÷ streamlit run",
    "4 cold start": "4. Cold start to first render\ngenerated ÷ streamlit run",
    "5 capacity": "5. Sessions one process serves\ngenerated ÷ streamlit run",
    "5 scale-out": "5. Scale-out behind nginx\n2 processes ÷ 1",
    "7 store cost": "7. Shared store: server CPU\nper request, Redis ÷ memory",
    "7 scale-out": "7. Scale-out with Redis\n3 processes + nginx ÷ 1",
}
COLOURS = {"pass": "#2e7d32", "miss": "#c62828"}


def write_chart(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: dict[str, list[Row]] = {}
    for row in report.rows:
        if row.chart:
            panels.setdefault(row.chart.split("\n")[0], []).append(row)
    count = max(1, len(panels))
    fig, axes = plt.subplots(1, count, figsize=(3.1 * count, 4.8), squeeze=False)
    for ax, (panel, rows) in zip(axes[0], panels.items(), strict=False):
        draw_panel(ax, PANEL_TITLES.get(panel, panel), rows)
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


def draw_panel(ax, title: str, rows: list[Row]) -> None:
    measured = [bool(r.values) and not r.error for r in rows]
    medians = [r.median if ok else 0 for r, ok in zip(rows, measured, strict=True)]
    lows = [m - min(r.values) if ok else 0 for m, r, ok in zip(medians, rows, measured, strict=True)]
    highs = [max(r.values) - m if ok else 0 for m, r, ok in zip(medians, rows, measured, strict=True)]
    labels = [
        f"{r.chart.split(chr(10))[-1]}\n{m:.2f}: {r.result}" for r, m in zip(rows, medians, strict=True)
    ]
    ax.bar(
        labels, medians, yerr=[lows, highs], capsize=6,
        color=[COLOURS.get(r.result, "#9e9e9e") for r in rows], edgecolor="black", linewidth=0.6,
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
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    for tick, row in zip(ax.get_xticklabels(), rows, strict=True):
        tick.set_color(COLOURS.get(row.result, "black"))
