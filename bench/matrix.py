"""The combination matrix of tests/test_template/test_matrix.py, as the benchmark samples it.

Derived from cookiecutter.json (every choice list and every boolean); the one declaration of the
options will replace this derivation, and these three functions keep their behaviour.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def matrix_space() -> list[dict]:
    """The combinations of tests/test_template/test_matrix.py (every choice and boolean)."""
    context = json.loads((ROOT / "cookiecutter.json").read_text())
    space = {
        key: ([True, False] if isinstance(default, bool) else list(default))
        for key, default in context.items()
        if not key.startswith("_") and isinstance(default, bool | list)
    }
    return [dict(zip(space, values, strict=True)) for values in itertools.product(*space.values())]


def combination_id(answers: dict) -> str:  # as in test_matrix.py
    flags = "".join(key[:2] if value else "--" for key, value in answers.items() if isinstance(value, bool))
    return f"{answers['parent']}-{flags}"


def matrix_sample(count: int) -> list[dict]:
    """``count`` combinations spread over the parents, the same every run."""
    combos = matrix_space()
    by_parent: dict[str, list[dict]] = {}
    for answers in combos:
        by_parent.setdefault(answers["parent"], []).append(answers)
    rng = random.Random(1067)
    picks = [rng.sample(group, len(group)) for group in by_parent.values()]
    return [combo for round_ in zip(*picks, strict=True) for combo in round_][:count]
