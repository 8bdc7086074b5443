"""core_app_run.py: `python core_app_run.py` serves via App.run(); a missing script stops every start."""

import subprocess
import sys

import httpx
import pytest

from tests.conftest import load_reference
from tests.reference_copies import copy_alone, shell_env
from tests.support import free_port, serve


@pytest.mark.live
def test_python_launcher_serves_the_app(tmp_path):
    folder = copy_alone("core_app_run", tmp_path / "copy")
    port = free_port()
    command = [sys.executable, "core_app_run.py"]
    with serve(
        command, cwd=folder, port=port, ready_path="/healthz", env=shell_env(port), log_dir=tmp_path
    ) as server:
        assert httpx.get(server.base_url + "/healthz").json() == {"status": "ok"}
        assert '<div id="root">' in httpx.get(server.base_url + "/").text


@pytest.mark.parametrize(
    "command",
    [["core_app_run.py"], ["-m", "uvicorn", "core_app_run:app", "--lifespan", "on", "--port", "0"]],
    ids=["python", "uvicorn"],
)
def test_missing_script_fails_at_start(tmp_path, command):
    folder = copy_alone("core_app_run", tmp_path / "copy")
    (folder / "dashboard.py").unlink()
    result = subprocess.run(
        [sys.executable, *command], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Streamlit script not found" in result.stderr


@pytest.mark.isolated
def test_lifespan_on_a_standalone_app_refuses_to_serve():
    from starlette.testclient import TestClient

    module = load_reference("core_app_run")
    module.app.lifespan()  # hands the lifecycle to a parent that does not exist
    with pytest.raises(RuntimeError, match="standalone"), TestClient(module.app):
        pass


@pytest.mark.isolated
def test_debug_follows_app_debug(monkeypatch):
    monkeypatch.setenv("APP_DEBUG", "1")
    assert load_reference("core_app_run").app._debug is True
