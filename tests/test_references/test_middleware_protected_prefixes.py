"""middleware_protected_prefixes.py: the parent guards every door under /dashboard/, / stays public."""

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.reference_copies import copy_alone, shell_env
from tests.support import (
    TEST_PASSWORD,
    TEST_SECRET_KEY,
    collect_csp,
    free_port,
    load_reference,
    rerun_with_slider,
    serve,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)


@pytest.fixture
def prefix_env(monkeypatch) -> None:
    """This reference keeps the shared-password login short; the prefix guard is its point."""
    monkeypatch.setenv("APP_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("APP_SECRET_KEY", TEST_SECRET_KEY)


@pytest.mark.isolated
def test_dashboard_prefix_is_guarded_and_login_lives_on_the_parent(prefix_env):
    module = load_reference("middleware_protected_prefixes")
    with TestClient(module.app, follow_redirects=False) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/public").json() == {"status": "public"}
        for door in (
            "/dashboard/",
            "/dashboard/_stcore/health",
            "/dashboard/_stcore/host-config",
            "/dashboard",
        ):
            answer = client.get(door)
            assert answer.status_code == 303 and answer.headers["location"] == "/login", door
        assert client.get("/login").status_code == 200  # where the guard sends people exists
        assert client.post("/dashboard/_stcore/upload_file/x/y").status_code == 401
        stream = "/dashboard/_stcore/stream"
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(stream):
            pass
        assert refused.value.code == 1008

        assert client.post("/login", data={"password": "wrong"}).status_code == 401
        signed_in = client.post("/login", data={"password": TEST_PASSWORD})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/dashboard/"
        assert client.get("/dashboard/_stcore/health").text == "ok"
        assert '<div id="root">' in client.get("/dashboard/").text
        with client.websocket_connect("/dashboard/_stcore/stream", subprotocols=["streamlit"]):
            pass
        client.post("/logout")
        assert client.get("/dashboard/").status_code == 303


@pytest.mark.isolated
def test_prefix_match_stops_at_the_segment_boundary(prefix_env):
    module = load_reference("middleware_protected_prefixes")
    guard = module.ProtectedPrefixGuard(app=None, prefixes=["/dashboard/"])
    assert guard._protected("/dashboard") and guard._protected("/dashboard/_stcore/stream")
    assert not guard._protected("/dashboards") and not guard._protected("/")


@pytest.mark.isolated
def test_refuses_to_start_without_settings(monkeypatch):
    monkeypatch.delenv("APP_PASSWORD", raising=False)
    with pytest.raises(RuntimeError, match="APP_PASSWORD"):
        load_reference("middleware_protected_prefixes")


@pytest.mark.live
def test_browser_signs_in_at_the_parent_and_uses_the_mounted_dashboard(page, tmp_path):
    folder = copy_alone("middleware_protected_prefixes", tmp_path / "copy")
    port = free_port()
    env = {**shell_env(port), "APP_PASSWORD": TEST_PASSWORD, "APP_SECRET_KEY": TEST_SECRET_KEY}
    command = uvicorn_command("middleware_protected_prefixes:app", port, "--lifespan", "on")
    with serve(command, cwd=folder, port=port, ready_path="/", env=env, log_dir=tmp_path) as server:
        report = watch(page)
        page.goto(server.base_url + "/dashboard/")
        assert page.url == server.base_url + "/login"
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        wait_for_dashboard(page, "st.App reference dashboard")
        assert page.url == server.base_url + "/dashboard/"
        rerun_with_slider(page)  # the websocket under /dashboard/_stcore/stream carries the rerun
        collect_csp(page, report)
        assert report.problems == []
