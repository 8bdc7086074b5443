"""references/middleware_roles.py: roles from the identity, on pages, routes and MCP tools."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.support import (
    ROLES_ENV,
    ROOT,
    TEST_PASSWORD,
    TEST_USER,
    VIEWER,
    free_port,
    run_async,
    serve,
    stream_handshake,
    submit_login_form,
    uvicorn_command,
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("admin:mallory", "APP_ROLES: 'mallory' (role admin) is no account or token name"),
        ("admin:", "APP_ROLES: 'admin:' is not a role:name,name entry"),
        ("admin", "APP_ROLES: 'admin' is not a role:name,name entry"),
        ("admin:alice staff", "APP_ROLES: 'staff' is not a role:name,name entry"),
        ("admin:alice,,", None),
    ],
)
def test_role_settings_name_known_people_or_stop_the_start_in_one_line(text, message):
    from references.middleware_roles import RolesConfigError, roles_from_setting

    if message is None:
        assert roles_from_setting(text, ["alice"]) == {"alice": frozenset({"admin"})}
        return
    with pytest.raises(RolesConfigError) as refused:
        roles_from_setting(text, ["alice", "bob"])
    assert str(refused.value) == message


@pytest.mark.isolated
def test_settings_refuse_roles_for_unknown_names(auth_env):
    from references.middleware_auth import AuthSettings

    settings = AuthSettings.from_env({**ROLES_ENV})
    assert settings.roles == {TEST_USER: {"admin"}, "admin-bot": {"admin"}}
    with pytest.raises(SystemExit, match=r"^APP_ROLES: 'carol' \(role staff\)"):  # one line, no start
        AuthSettings.from_env({**ROLES_ENV, "APP_ROLES": "staff:carol"})


@pytest.mark.parametrize(
    ("claim", "roles"),
    [
        (["admin", "staff"], {"admin", "staff"}),
        ("admin staff", {"admin", "staff"}),
        ("admin, staff", {"admin", "staff"}),
        ("", set()),
        (None, set()),
        (["admin", "with space", "ctl\x00"], {"admin"}),  # what cannot travel in a header is left out
    ],
)
def test_roles_claims_of_every_documented_shape(claim, roles):
    from references.middleware_roles import roles_from_claim

    assert roles_from_claim(claim) == roles


@pytest.mark.parametrize("claim", [{"admin": True}, 7, ["admin", 1], True])
def test_a_roles_claim_of_the_wrong_type_grants_nothing(claim):
    from references.middleware_roles import roles_from_claim

    with pytest.raises(ValueError, match="the roles claim is a"):
        roles_from_claim(claim)


def sign_in(page, base: str, user: str) -> None:
    page.goto(base + "/login?next=/dashboard/")
    submit_login_form(page, TEST_PASSWORD, user)
    page.wait_for_url("**/dashboard/")


@pytest.mark.live
def test_pages_routes_and_sessions_by_role_in_the_browser(browser, tmp_path):
    port = free_port()
    command = uvicorn_command("middleware_roles:app", port)
    with serve(command, cwd=ROOT / "references", port=port, ready_path="/dashboard/_stcore/health",
               env=ROLES_ENV, log_dir=tmp_path) as server:  # fmt: skip
        base = server.base_url
        viewer = browser.new_context().new_page()
        sign_in(viewer, base, VIEWER)
        viewer.get_by_text(f"Signed in as {VIEWER}; roles: none.").wait_for()
        assert viewer.get_by_role("link", name="Admin").count() == 0  # not listed
        viewer.goto(base + "/dashboard/admin")  # the deep link
        viewer.get_by_role("heading", name="Not allowed").wait_for()
        assert viewer.get_by_text("Signed in now").count() == 0
        assert viewer.request.get(base + "/api/admin/events").status == 403
        assert viewer.request.get(base + "/api/whoami").json() == {"name": VIEWER, "roles": []}
        (cookie,) = [c["value"] for c in viewer.context.cookies() if c["name"] == "app_session"]

        admin = browser.new_context().new_page()
        sign_in(admin, base, TEST_USER)
        admin.get_by_role("link", name="Admin").click()
        admin.get_by_text("Signed in now").wait_for()
        admin.get_by_role("cell", name=VIEWER).first.wait_for()  # bob is signed in
        assert admin.request.get(base + "/api/whoami").json() == {"name": TEST_USER, "roles": ["admin"]}
        events = admin.request.get(base + "/api/admin/events").json()["events"]
        assert {(e["kind"], e["name"]) for e in events} >= {("sign-in", VIEWER), ("sign-in", TEST_USER)}
        admin.locator('[data-testid="stSelectbox"]').click()
        admin.get_by_role("option", name=VIEWER).click()
        admin.get_by_role("button", name="End their sessions").click()
        admin.get_by_text(re.compile(rf"Ended 1 session\(s\) of {VIEWER}")).wait_for()

        # bob's open dashboard stops at its next action: the guard closes its websocket, and the
        # browser's reconnections are refused (403) instead of running the Overview page
        refused = server.log().count('"WebSocket /dashboard/_stcore/stream" 403')
        viewer.get_by_role("link", name="Overview").click()
        deadline = time.monotonic() + 30
        while server.log().count('"WebSocket /dashboard/_stcore/stream" 403') == refused:
            assert time.monotonic() < deadline, "the open dashboard was not stopped"
            time.sleep(0.2)
        assert viewer.get_by_text(f"Signed in as {VIEWER}; roles").count() == 0
        # bob's captured cookie: refused on the page, the websocket and the API
        jar = {"app_session": cookie}
        assert httpx.get(base + "/dashboard/", cookies=jar).status_code == 303
        assert httpx.get(base + "/api/whoami", cookies=jar).status_code == 401
        with pytest.raises(Exception, match="403"):
            run_async(stream_handshake(base.replace("http", "ws") + "/dashboard/_stcore/stream",
                                       f"app_session={cookie}"))  # fmt: skip
        viewer.context.close()
        admin.context.close()
