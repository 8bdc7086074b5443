"""Roles in baked projects, for every parent: a viewer and an admin in Chromium, agents over MCP.

A viewer's navigation has no "Admin", the deep link shows "not allowed" and nothing of the admin
page, ``/api/admin/events`` is 403 (never the login page); an admin sees the viewer signed in and
ends their sessions with the button, after which the viewer's captured cookie is refused on page,
websocket and API. A viewer's token neither lists nor calls the MCP tool ``sign_in_events``; an
admin's token lists and calls it.
"""

from __future__ import annotations

import re

import httpx
import pytest
import websockets

from tests.support import (
    ADMIN_TOKEN,
    ROLES_ENV,
    TEST_API_TOKEN,
    TEST_PASSWORD,
    TEST_USER,
    VIEWER,
    bake,
    free_port,
    run_async,
    serve,
    stream_handshake,
    submit_login_form,
    uvicorn_command,
    wait_for_dashboard,
)

pytestmark = pytest.mark.live

TITLE = "Roles Board"


async def mcp_tools_and_events(url: str, token: str) -> tuple[list[str], object]:
    import fastmcp
    from fastmcp.exceptions import ToolError

    async with fastmcp.Client(url, auth=token) as client:
        names = [tool.name for tool in await client.list_tools()]
        try:
            events = (await client.call_tool("sign_in_events", {"count": 20})).structured_content["result"]
        except ToolError as refused:
            events = refused
    return names, events


def signed_in_page(browser, base: str, dashboard: str, user: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/login?next={dashboard}")
    submit_login_form(page, TEST_PASSWORD, user)
    wait_for_dashboard(page, TITLE)
    page.get_by_text(f"Signed in as {user}").wait_for()
    return page


@pytest.mark.parametrize("parent", ["fastapi", "streamlit", "django", "flask"])
def test_viewer_and_admin_on_every_door(browser, tmp_path, parent):
    project = bake(tmp_path, project_name=TITLE, parent=parent, auth="password", mcp=True, lifespan=False)
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    with serve(uvicorn_command("app:app", port), cwd=project, port=port, ready_path="/healthz",
               env=ROLES_ENV, log_dir=tmp_path) as server:  # fmt: skip
        base = server.base_url
        viewer = signed_in_page(browser, base, dashboard, VIEWER)
        viewer.get_by_role("link", name="Overview").wait_for()  # the navigation is drawn...
        assert viewer.get_by_role("link", name="Admin").count() == 0  # ...without "Admin"
        viewer.goto(base + dashboard + "admin")  # the deep link
        viewer.get_by_role("heading", name="Not allowed").wait_for()
        assert viewer.get_by_text("Signed in now").count() == 0
        forbidden = viewer.request.get(base + "/api/admin/events")
        assert forbidden.status == 403 and "needs the role 'admin'" in forbidden.text()
        shown = viewer.goto(base + "/api/admin/events")  # a browser gets the readable page
        assert shown.status == 403 and "/login" not in viewer.url
        assert viewer.request.get(base + "/api/whoami").json() == {"name": VIEWER, "roles": []}
        (cookie,) = [c["value"] for c in viewer.context.cookies() if c["name"] == "app_session"]

        admin = signed_in_page(browser, base, dashboard, TEST_USER)
        assert admin.request.get(base + "/api/whoami").json() == {"name": TEST_USER, "roles": ["admin"]}
        events = admin.request.get(base + "/api/admin/events").json()["events"]
        assert ("sign-in", VIEWER) in {(e["kind"], e["name"]) for e in events}
        admin.get_by_role("link", name="Admin").click()
        admin.get_by_text("Signed in now").wait_for()
        admin.get_by_role("cell", name=VIEWER).first.wait_for()  # the viewer is listed
        admin.locator('[data-testid="stSelectbox"]').click()
        admin.get_by_role("option", name=VIEWER).click()
        admin.get_by_role("button", name="End their sessions").click()
        admin.get_by_text(re.compile(rf"Ended 1 session\(s\) of {VIEWER}")).wait_for()

        jar = {"app_session": cookie}
        assert httpx.get(base + dashboard, cookies=jar).status_code == 303  # to /login
        assert httpx.get(base + "/api/whoami", cookies=jar).status_code == 401
        stream = base.replace("http://", "ws://") + dashboard + "_stcore/stream"
        with pytest.raises(websockets.InvalidStatus):
            run_async(stream_handshake(stream, f"app_session={cookie}"))

        names, refused = run_async(mcp_tools_and_events(base + "/mcp/", TEST_API_TOKEN))
        assert "add" in names and "sign_in_events" not in names
        assert isinstance(refused, Exception)
        names, events = run_async(mcp_tools_and_events(base + "/mcp/", ADMIN_TOKEN))
        assert "sign_in_events" in names
        assert ("ended", VIEWER) in {(e["kind"], e["name"]) for e in events}
        assert any(e["kind"] == "token" and e["name"] == "admin-bot" for e in events)
        viewer.context.close()
        admin.context.close()


def provider_sign_in(browser, url: str, sub: str):
    page = browser.new_context().new_page()
    page.goto(url)
    page.fill("input[name=sub]", sub)  # the provider's own form
    page.click("button[type=submit]:has-text('Authorize')")
    return page


def test_oidc_roles_come_from_the_providers_claim(browser, tmp_path):
    from oidc_provider_mock import User, run_server_in_thread

    from tests.support import oidc_env

    people = [
        User(sub="alice", claims={"name": "Alice", "groups": ["admin", "staff"]}),
        User(sub="bob", claims={"name": "Bob", "groups": "staff"}),
        User(sub="mallory", claims={"name": "Mallory", "groups": {"admin": True}}),  # the wrong type
    ]
    project = bake(tmp_path, project_name=TITLE, auth="oidc", lifespan=False)
    port = free_port()
    with run_server_in_thread(user_claims=people, require_nonce=True) as provider:
        env = oidc_env(f"http://localhost:{provider.server_port}", f"http://127.0.0.1:{port}")
        with serve(uvicorn_command("app:app", port), cwd=project, port=port, ready_path="/healthz",
                   env=env, log_dir=tmp_path) as server:  # fmt: skip
            base = server.base_url
            viewer = provider_sign_in(browser, base + "/dashboard/", "bob")
            wait_for_dashboard(viewer, TITLE)
            viewer.get_by_role("link", name="Overview").wait_for()
            assert viewer.get_by_role("link", name="Admin").count() == 0
            assert viewer.request.get(base + "/api/whoami").json() == {"name": "Bob", "roles": ["staff"]}
            assert viewer.request.get(base + "/api/admin/events").status == 403
            viewer.goto(base + "/dashboard/admin")
            viewer.get_by_role("heading", name="Not allowed").wait_for()

            admin = provider_sign_in(browser, base + "/dashboard/", "alice")
            wait_for_dashboard(admin, TITLE)
            admin.get_by_role("link", name="Admin").click()
            admin.get_by_role("cell", name="Bob").first.wait_for()
            roles = admin.request.get(base + "/api/whoami").json()["roles"]
            assert roles == ["admin", "staff"]

            refused = provider_sign_in(browser, base + "/dashboard/", "mallory")
            refused.get_by_role("heading", name="Sign-in failed").wait_for()
            assert "OIDC_ROLES_CLAIM" in refused.content()
            assert not [
                c for c in refused.context.cookies() if c["name"] == "app_session" and "sid" in c["value"]
            ]
            for page in (viewer, admin, refused):
                page.context.close()
