"""The combination matrix of tests/test_template/test_matrix.py, as the benchmark samples it.

The combinations and their ids come from the one declaration of the options (template_options.py)
and the tests' ``combination_id``, so the sample names the very test cases the matrix runs.
"""

from __future__ import annotations

import random

import template_options
from tests.support import combination_id

__all__ = ["combination_id", "matrix_sample", "matrix_space"]


def matrix_space() -> list[dict]:
    """The combinations of tests/test_template/test_matrix.py (every valid answer of every question)."""
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
