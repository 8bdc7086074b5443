"""This repository's own code is ruff-clean (the generated code is checked in the matrix)."""

import subprocess
import sys

from tests.support import ROOT

OWN_CODE = [
    *("references", "scripts", "tests", "tools", "hooks", "docs", "evals", "bench"),
    *("template_options.py", "local_extensions.py"),
]


def test_ruff_check():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *OWN_CODE], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    command = [sys.executable, "-m", "ruff", "format", "--check", *OWN_CODE]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
