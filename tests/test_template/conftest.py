"""Baked projects installed in fresh venvs, shared by the live checks and the crawl.

Baking and installing takes most of a live test's time, so each (parent, parts) project is
made once per test process; ``same_project`` puts the tests that share one in the same
xdist group, hence the same process.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, TEST_SECRET_KEY
from tests.support import PARENTS, all_parts, bake

PROJECT_NAME = "Acme Sales Board"
AUTH_ENV = {"APP_PASSWORD": TEST_PASSWORD, "APP_SECRET_KEY": TEST_SECRET_KEY}


def fresh_venv(project: Path) -> Path:
    """A new venv with the project installed from its own pyproject (uv, from its cache)."""
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(python), "-e", ".[test]"]
    subprocess.run(install, cwd=project, check=True)
    return python


def same_project(parent: str, on: bool):
    """A pytest.param for (parent, all parts on/off), grouped with the other tests of that project."""
    state = "all-on" if on else "all-off"
    group = pytest.mark.xdist_group(f"{parent}-{state}")
    return pytest.param(parent, on, id=f"{state}-{parent}", marks=group)


ALL_ON = [same_project(parent, True) for parent in PARENTS]


def submit_login_form(page) -> None:
    """Fill in and send the login form the page shows (the one place that knows that form)."""
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/login")
    submit_login_form(page)
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="session")
def installed_project(tmp_path_factory):
    """``installed_project(parent, on)`` -> (project dir, its venv's python), made once per process."""
    made: dict[tuple[str, bool], tuple[Path, Path]] = {}

    def get(parent: str, on: bool) -> tuple[Path, Path]:
        if (parent, on) not in made:
            root = tmp_path_factory.mktemp(f"{parent}-{'on' if on else 'off'}")
            project = bake(root, project_name=PROJECT_NAME, parent=parent, **all_parts(on))
            made[parent, on] = project, fresh_venv(project)
        return made[parent, on]

    return get
