"""Baked projects installed in fresh venvs, shared by the live checks and the crawl.

Baking and installing takes most of a live test's time, so each (parent, parts) project is
made once per run, whichever pytest-xdist worker asks first; the others wait for it.
"""

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import AUTH_ENV, PARENTS, all_parts, bake  # noqa: F401 (AUTH_ENV: for the crawl)

PROJECT_NAME = "Acme Sales Board"


def fresh_venv(project: Path) -> Path:
    """A new venv with the project installed from its own pyproject (uv, from its cache)."""
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(python), "-e", ".[test]"]
    subprocess.run(install, cwd=project, check=True)
    return python


def same_project(parent: str, on: bool):
    """A pytest.param for (parent, all parts on/off)."""
    return pytest.param(parent, on, id=f"{'all-on' if on else 'all-off'}-{parent}")


ALL_ON = [same_project(parent, True) for parent in PARENTS]


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


@pytest.fixture(scope="session")
def installed_project(tmp_path_factory):
    """``installed_project(parent, on)`` -> (project dir, its venv's python), made once per run."""
    basetemp = tmp_path_factory.getbasetemp()
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp  # this run's

    def get(parent: str, on: bool) -> tuple[Path, Path]:
        root = shared / f"baked-{parent}-{'on' if on else 'off'}"
        with exclusive(root.with_suffix(".lock")):
            if not (root / "ready").exists():
                root.mkdir(exist_ok=True)
                project = bake(root, project_name=PROJECT_NAME, parent=parent, **all_parts(on))
                fresh_venv(project)
                (root / "ready").write_text(str(project))
        project = Path((root / "ready").read_text())
        return project, project / ".venv" / "bin" / "python"

    return get
