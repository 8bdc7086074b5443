#!/usr/bin/env python3
"""`python app.py` serves the app via App.run(); without its dashboard.py it refuses to start at all."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import Target, bin_path, expect, is_streamlit_page, main

START_LIMIT_SECONDS = 90


def refuses_to_start(project: Path, command: list[str]) -> bool:
    """True when ``command`` exits with a failure on its own (it is killed if it keeps serving)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
        (copy / "dashboard.py").unlink()
        env = {**os.environ, "PATH": bin_path(), "PORT": "0"}
        try:
            result = subprocess.run(
                command, cwd=copy, env=env, capture_output=True, timeout=START_LIMIT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return False
        return result.returncode != 0


def check(target: Target) -> None:
    expect(target.get("/healthz").json() == {"status": "ok"}, "/healthz does not answer")
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")
    expect((target.project / "dashboard.py").is_file(), "the project has no dashboard.py")
    run = [sys.executable, f"{target.module}.py"]
    expect(refuses_to_start(target.project, run), "without dashboard.py, `python app.py` still starts")
    served = [sys.executable, "-m", "uvicorn", f"{target.module}:app", "--port", "0", "--lifespan", "on"]
    expect(refuses_to_start(target.project, served), "without dashboard.py, uvicorn still starts")


if __name__ == "__main__":
    main(__file__, check)
