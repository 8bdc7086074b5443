"""Every reference runs when copied alone into an empty folder and started by its docstring's command."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest

from tests.reference_copies import (
    REFERENCES,
    command_on_port,
    companion_files,
    copy_alone,
    open_paths,
    pattern_modules,
    run_command,
    sections,
    shell_env,
)
from tests.support import TEST_SECRET_KEY, free_port, serve

NAMES = pattern_modules()


def test_there_are_references():
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_docstring_lists_existing_files(name):
    files = companion_files(name)
    assert files, f"{name}.py: no 'Files that come with it' section"
    missing = [relative for relative in files if not (REFERENCES / relative).exists()]
    assert not missing, f"{name}.py lists missing files: {missing}"
    assert any(f.endswith(".streamlit/config.toml") for f in files), f"{name}.py: no .streamlit/config.toml"


@pytest.mark.parametrize("name", NAMES)
def test_run_command_works_from_the_copy_folder(name):
    command = run_command(name)
    assert "references" not in command, command
    starts_uvicorn = re.search(rf"(^|\s)uvicorn {name}:app --lifespan on\b", command)
    starts_python = re.search(rf"(^|\s)python {name}\.py\b", command)
    assert starts_uvicorn or starts_python, f"{name}.py: first command {command!r}"
    assert "Run it" in sections(name)


# What a person types when a command asks (`python middleware_auth.py hash alice` reads a password).
TYPED = "a passphrase typed for the copy-alone test"


@contextlib.contextmanager
def local_settings(name: str, folder, port: int):
    """The ``.env`` a command with ``--env-file .env`` expects; OIDC gets a real provider on loopback."""
    if name != "middleware_auth_oidc":
        yield
        return
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as provider:
        (folder / ".env").write_text(
            f"OIDC_ISSUER=http://localhost:{provider.server_port}\nOIDC_CLIENT_ID=st-app\n"
            f"OIDC_CLIENT_SECRET=test-only-client-secret\nPUBLIC_BASE_URL=http://127.0.0.1:{port}\n"
            f"APP_SECRET_KEY={TEST_SECRET_KEY}\n"
        )
        yield


@pytest.mark.live
@pytest.mark.parametrize("name", NAMES)
def test_reference_runs_copied_alone(name, tmp_path):
    folder = copy_alone(name, tmp_path / "empty")
    path = (open_paths(name) or ["/"])[0]
    port = free_port()
    bash, flag, command = command_on_port(name, port)
    command = [bash, flag, f"printf '%s\\n' '{TYPED}' | {{ {command}; }}"]  # stdin: what a person types
    with (
        local_settings(name, folder, port),
        serve(
            command, cwd=folder, port=port, ready_path=path, env=shell_env(port), log_dir=tmp_path
        ) as server,
    ):
        answer = httpx.get(server.base_url + path, follow_redirects=True, timeout=30)
        assert answer.status_code == 200, (path, answer.status_code, server.log())
        assert server.process.poll() is None
