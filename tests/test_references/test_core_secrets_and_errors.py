"""references/core_secrets_and_errors.py: secrets from the environment and the script error hook."""

import json

import httpx
import pytest
from starlette.testclient import TestClient

from tests.support import (
    ROOT,
    assert_clean,
    free_port,
    load_reference,
    open_dashboard,
    serve,
    uvicorn_command,
)


@pytest.mark.isolated
def test_secrets_and_error_hook_are_wired(monkeypatch):
    monkeypatch.setenv("SERVICE_API_TOKEN", "abc123")
    module = load_reference("core_secrets_and_errors")
    with TestClient(module.app) as client:
        assert client.get("/api/errors").json() == {"reported": 0, "types": []}
        import streamlit as st

        assert st.secrets["service"]["api_token"] == "abc123"
    assert module.report_script_error(RuntimeError("x")) is True
    assert module.REPORTED == ["RuntimeError"]


@pytest.mark.live
def test_secrets_and_script_error_hook(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.core_secrets_and_errors:app", port)
    env = {"SERVICE_API_TOKEN": "abc123"}
    with serve(command, cwd=ROOT, port=port, env=env, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", "Secrets and errors")
        page.get_by_text("token of 6 characters").wait_for()
        page.get_by_role("button", name="Raise an error").click()
        page.get_by_text("Something went wrong. The error has been reported.").wait_for()
        assert page.get_by_text("Traceback").count() == 0
        errors = json.loads(httpx.get(server.base_url + "/api/errors").text)
        assert errors == {"reported": 1, "types": ["RuntimeError"]}
        assert_clean(page, report)
