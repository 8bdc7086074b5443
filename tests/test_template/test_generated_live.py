"""Each parent, all parts on and all off: the project's own tests in its own fresh venv, then
``uvicorn app:app`` and ``streamlit run app.py`` serving the dashboard in Chromium."""

import subprocess

import pytest

from tests.support import (
    NOISY_START,
    PARENTS,
    collect_csp,
    free_port,
    rerun_with_slider,
    serve,
    submit_login_form,
    wait_for_dashboard,
    watch,
)
from tests.test_template.conftest import AUTH_ENV, PROJECT_NAME, same_project

pytestmark = pytest.mark.live


def sign_in_if_needed(page, auth: bool) -> None:
    if auth:
        page.wait_for_url("**/login**")
        submit_login_form(page, AUTH_ENV["APP_PASSWORD"])


@pytest.mark.parametrize(("parent", "on"), [same_project(p, on) for on in (True, False) for p in PARENTS])
def test_generated_project_works_for_real(page, tmp_path, installed_project, parent, on):
    project, python = installed_project(parent, on)

    pytest_command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    own_tests = subprocess.run(pytest_command, cwd=project, capture_output=True, text=True)
    assert own_tests.returncode == 0, own_tests.stdout[-3000:] + own_tests.stderr[-2000:]

    env = AUTH_ENV if on else {}
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    uvicorn = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
               "--no-proxy-headers"]  # fmt: skip
    options = {"cwd": project, "ready_path": "/healthz", "env": env, "log_dir": tmp_path}
    with serve(uvicorn, port=port, **options) as server:
        report = watch(page)
        page.goto(server.base_url + dashboard)
        sign_in_if_needed(page, on)
        wait_for_dashboard(page, PROJECT_NAME)
        assert page.title() == PROJECT_NAME
        rerun_with_slider(page)
        if on:
            page.get_by_text("Signed in as admin").wait_for()
            ticks = "Number(f.contentDocument?.querySelector('[data-testid=live-seq]')?.textContent) >= 2"
            page.wait_for_function(f"() => [...document.querySelectorAll('iframe')].some(f => {ticks})")
            page.get_by_text("Warmed at start-up").wait_for()
        page.wait_for_timeout(500)
        collect_csp(page, report)
        assert report.problems == []
    assert quiet_start(server.log())

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
    assert quiet_start(srv.log())


def quiet_start(log: str) -> bool:
    """No "No runtime found" nor "missing ScriptRunContext" while the app started and warmed up."""
    return not [line for line in log.splitlines() if any(noise in line for noise in NOISY_START)]
