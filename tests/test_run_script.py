"""./run: --help, the Python version checked before a venv is made, a venv of another Python
rebuilt, and what it installs shown as it goes. (`./run test` is the suite itself; `./run demo`
is run by tests/test_docs.py.)"""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

FAKE_OLD_PYTHON = """#!/bin/sh
# Answers like a Python 3.9 would to ./run's two questions.
case "$2" in
  *"< (3, 11)"*) exit 1 ;;
  *) echo 3.9 ;;
esac
"""


def copy_of_run(tmp_path: Path, requirements: str) -> Path:
    shutil.copy(ROOT / "run", tmp_path / "run")
    (tmp_path / "requirements-dev.txt").write_text(requirements)
    return tmp_path


def run(repo: Path, *args: str, python: str = sys.executable) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), "PYTHON": python}
    return subprocess.run(["./run", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def fake_old_python(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    python = where / "python"
    python.write_text(FAKE_OLD_PYTHON)
    python.chmod(0o755)
    return python


def test_help_lists_every_command(tmp_path):
    result = run(copy_of_run(tmp_path, ""), "--help")
    assert result.returncode == 0
    for command in ("./run demo", "./run test", "./run setup", "CHROMIUM"):
        assert command in result.stdout
    assert run(tmp_path, "nonsense").returncode == 2


def test_too_old_python_is_refused_before_any_venv(tmp_path):
    repo = copy_of_run(tmp_path, "")
    result = run(repo, "setup", python=str(fake_old_python(tmp_path / "old")))
    assert result.returncode == 1 and "Python 3.9; this repository needs 3.11 or newer" in result.stderr
    assert not (repo / ".venv").exists()


def test_venv_of_another_python_is_rebuilt_and_installs_are_shown(tmp_path):
    repo = copy_of_run(tmp_path, "itsdangerous==2.2.0\n")
    fake_old_python(repo / ".venv" / "bin")
    result = run(repo, "setup")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv was made by Python 3.9" in result.stdout and "rebuilding it" in result.stdout
    assert "installing the test tools of requirements-dev.txt" in result.stdout
    assert "Successfully installed itsdangerous-2.2.0" in result.stdout
    check = [str(repo / ".venv" / "bin" / "python"), "-c", "import itsdangerous"]
    assert subprocess.run(check).returncode == 0
    again = run(repo, "setup")  # nothing changed: nothing to do, nothing said
    assert again.returncode == 0 and again.stdout == ""


def test_every_npm_package_dir_is_installed_from_the_npm_registry_only():
    """`./run setup` runs `npm ci` in each Node.js part of the tests; their lock files name no
    download host (npm's default registry then) and pin every package by its integrity hash."""
    import json
    import re

    run_script = (ROOT / "run").read_text()
    locks = sorted((ROOT / "tests").glob("*/package-lock.json"))
    assert {lock.parent.name for lock in locks} >= {"oidc_provider", "mcp_ts_client"}
    for lock in locks:
        folder = lock.parent.relative_to(ROOT).as_posix()
        assert re.search(rf"^\s*npm_setup {re.escape(folder)}\b", run_script, re.M), f"./run skips {folder}"
        packages = json.loads(lock.read_text())["packages"]
        hosts = {
            re.sub(r"^https?://([^/]+)/.*", r"\1", entry["resolved"])
            for entry in packages.values()
            if "resolved" in entry
        }
        assert hosts <= {"registry.npmjs.org"}, (folder, hosts)
        unpinned = [name for name, entry in packages.items() if name and "integrity" not in entry]
        assert unpinned == [], (folder, unpinned)
    assert '"@modelcontextprotocol/sdk": "1.32.2"' in (ROOT / "tests/mcp_ts_client/package.json").read_text()


def test_the_live_tests_system_packages_include_redis_server():
    need = (ROOT / "run").read_text().split("need_system_packages() {", 1)[1].split("\n}\n", 1)[0]
    for package in ("chromium", "nginx", "redis-server"):
        assert f"missing+=({package})" in need, package
