"""OIDC sign-in for every parent: a project baked with ``auth=oidc``, against a real provider on
loopback. In Chromium: the full redirect sign-in, the name from ``st.user``, the websocket,
``/mcp/`` with the provider's JWT, logout, the dead cookie."""

import httpx
import pytest
import websockets

from tests.support import bake, free_port, run_async, serve, uvicorn_command, wait_for_dashboard
from tests.test_references.test_middleware_auth_oidc import ALICE, id_token_of, oidc_env, provider  # noqa: F401

pytestmark = pytest.mark.live

PROJECT_NAME = "Oidc Board"


async def stream_handshake(url: str, cookie: str) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, subprotocols=["streamlit"]):
        pass


async def mcp_rows(url: str, token: str) -> list:
    import fastmcp

    async with fastmcp.Client(url, auth=token) as client:
        return (await client.call_tool("dashboard_data", {})).structured_content["result"]


@pytest.mark.parametrize("parent", ["fastapi", "streamlit", "django", "flask"])
def test_oidc_sign_in_for_every_parent(page, tmp_path, provider, parent):  # noqa: F811
    answers = {"auth": "oidc", "mcp": True, "lifespan": True, "security_headers": True}
    project = bake(tmp_path, project_name=PROJECT_NAME, parent=parent, **answers)
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    env = oidc_env(provider, port)
    with serve(uvicorn_command("app:app", port), cwd=project, port=port, ready_path="/healthz", env=env,
               log_dir=tmp_path) as server:  # fmt: skip
        base = server.base_url
        assert httpx.get(base + dashboard).status_code == 303  # to /login, then the provider
        page.goto(base + dashboard)
        page.fill("input[name=sub]", "alice")  # the provider's own form
        page.click("button[type=submit]:has-text('Authorize')")
        wait_for_dashboard(page, PROJECT_NAME)
        assert page.url == base + dashboard  # back where the visit started, under the mount
        page.get_by_text(f"Signed in as {ALICE.claims['name']}").wait_for()  # st.user

        (session,) = [c for c in page.context.cookies() if c["name"] == "app_session"]
        assert session["path"] == "/" and session["httpOnly"]
        cookie = f"app_session={session['value']}"
        stream = base.replace("http://", "ws://") + dashboard + "_stcore/stream"
        run_async(stream_handshake(stream, cookie))

        with httpx.Client(base_url=base) as client:
            token = id_token_of(client, provider)
        rows = run_async(mcp_rows(base + "/mcp/", token))
        assert rows[0] == {"region": "north", "sales": 120}  # the dashboard's cached data
        assert httpx.get(base + "/.well-known/oauth-protected-resource/mcp").status_code == 200
        assert httpx.post(base + "/mcp/", json={}).status_code == 401

        page.goto(base + "/logout")
        page.click("button[type=submit]")
        page.wait_for_url("**/end_session**")  # on to the provider's end-session
        with pytest.raises(websockets.InvalidStatus):
            run_async(stream_handshake(stream, cookie))
        assert httpx.get(base + dashboard, headers={"Cookie": cookie}).status_code == 303


@pytest.mark.parametrize("parent", ["fastapi", "flask"])
def test_the_oidc_projects_own_tests_pass_and_end(tmp_path, parent):
    """Plain `pytest` in a baked auth=oidc project: its provider runs in a thread of the test
    process, which must not keep that process alive once the tests are done."""
    import subprocess
    import sys

    answers = {"auth": "oidc", "mcp": True, "lifespan": True, "security_headers": True, "ip_allowlist": True}
    project = bake(tmp_path, project_name=PROJECT_NAME, parent=parent, **answers)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    try:
        own = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"the project's pytest did not end: {(error.stdout or b'')[-2000:]!r}")
    assert own.returncode == 0, own.stdout[-3000:] + own.stderr[-2000:]
    assert " passed" in own.stdout and "failed" not in own.stdout
