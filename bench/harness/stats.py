"""Interleaving and the few statistics every figure uses."""

from __future__ import annotations

import statistics
from collections.abc import Callable


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


def rotations(names: list[str], reps: int) -> list[list[str]]:
    """A B C, B C A, C A B, ...: each variant is first in turn (load from elsewhere hits all alike)."""
    return [names[rep % len(names) :] + names[: rep % len(names)] for rep in range(reps)]


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def quartiles(values: list[float]) -> str:
    if len(values) < 4:
        return "—"
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f} – {q3:.2f}"


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (``q`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rounds_text(got: dict[str, list[float]], digits: int) -> str:
    return "; ".join(
        " / ".join(f"{v:.{digits}f}" for v in values) for values in zip(*got.values(), strict=True)
    )
