"""This repository's own code is ruff-clean (the generated code is checked in the matrix), with the
commands CONTRIBUTING.md gives, run as written at the repository's root."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

RUFF_COMMAND = re.compile(r"`(\.venv/bin/ruff [^`]+)`")


def contributing_ruff_commands() -> list[str]:
    return RUFF_COMMAND.findall((ROOT / "CONTRIBUTING.md").read_text())


def run_as_written(command: str) -> subprocess.CompletedProcess:
    ruff = str(Path(sys.executable).parent / "ruff")  # .venv/bin/ruff of whichever venv runs the tests
    argv = [ruff, *shlex.split(command)[1:]]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)


def test_contributing_gives_a_check_and_a_format_command_for_the_whole_repository():
    commands = contributing_ruff_commands()
    assert ".venv/bin/ruff check ." in commands and ".venv/bin/ruff format --check ." in commands


def test_ruff_commands_of_contributing_pass():
    for command in contributing_ruff_commands():
        result = run_as_written(command)
        assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"


def test_bare_ruff_reads_only_this_repositorys_configuration():
    # The template's pyproject.toml is Jinja, not TOML: ruff must not look into that folder.
    result = run_as_written(".venv/bin/ruff check --show-files .")
    assert result.returncode == 0, result.stderr
    assert "{{cookiecutter.project_slug}}" not in result.stdout and "references/" in result.stdout
