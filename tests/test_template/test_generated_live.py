"""Each parent, all parts on and all off: the project's own tests in its own fresh venv, then
``uvicorn app:app`` and ``streamlit run app.py`` serving the dashboard in Chromium."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import (
    AUTH_ENV,
    PARENTS,
    TEST_USER,
    all_parts,
    bake,
    collect_csp,
    free_port,
    rerun_with_slider,
    serve,
    sign_in_page,
    wait_for_dashboard,
    wait_for_live_ticks,
    watch,
)

pytestmark = pytest.mark.live

PROJECT_NAME = "Acme Sales Board"


def fresh_venv(project: Path) -> Path:
    """A new venv with the project installed from its own pyproject (uv, from its cache)."""
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(python), "-e", ".[test]"]
    subprocess.run(install, cwd=project, check=True)
    return python


def sign_in_if_needed(page, auth: bool) -> None:
    if auth:
        sign_in_page(page)


@pytest.mark.parametrize("parent", PARENTS)
@pytest.mark.parametrize("on", [True, False], ids=["all-on", "all-off"])
def test_generated_project_works_for_real(page, tmp_path, parent, on):
    project = bake(tmp_path, project_name=PROJECT_NAME, parent=parent, **all_parts(on))
    python = fresh_venv(project)

    pytest_command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    own_tests = subprocess.run(pytest_command, cwd=project, capture_output=True, text=True)
    assert own_tests.returncode == 0, own_tests.stdout[-3000:] + own_tests.stderr[-2000:]

    env = AUTH_ENV if on else {}
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    uvicorn = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
               "--http", "h11", "--no-proxy-headers"]  # fmt: skip
    options = {"cwd": project, "ready_path": "/healthz", "env": env, "log_dir": tmp_path}
    with serve(uvicorn, port=port, **options) as server:
        report = watch(page)
        page.goto(server.base_url + dashboard)
        sign_in_if_needed(page, on)
        wait_for_dashboard(page, PROJECT_NAME)
        assert page.title() == PROJECT_NAME
        rerun_with_slider(page)
        if on:
            page.get_by_text(f"Signed in as {TEST_USER}").wait_for()
            wait_for_live_ticks(page, 2)
            page.get_by_text("Warmed at start-up").wait_for()
        page.wait_for_timeout(500)
        collect_csp(page, report)
        assert report.problems == []

    port = free_port()
    streamlit_run = [str(python), "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    with serve(
        streamlit_run, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path
    ) as srv:
        page.context.clear_cookies()
        page.goto(srv.base_url + dashboard)
        sign_in_if_needed(page, on)
        wait_for_dashboard(page, PROJECT_NAME)
