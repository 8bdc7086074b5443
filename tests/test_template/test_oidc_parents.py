"""OIDC sign-in for every parent, with the template's own parts, against a real provider on loopback.

The generator does not ask ``auth=oidc`` yet, so each test bakes a password-mode project (for its
dashboard and ``trustedUserHeaders``), adds the template's ``auth_oidc.py`` and writes the composition
root an ``auth=oidc`` answer needs (``APP_OIDC`` below). In Chromium: the full redirect sign-in, the
name from ``st.user``, the websocket, ``/mcp/`` with the provider's JWT, logout, the dead cookie.
"""

import shutil

import httpx
import pytest
import websockets

from tests.support import ROOT, bake, free_port, run_async, serve, uvicorn_command, wait_for_dashboard
from tests.test_references.test_middleware_auth_oidc import ALICE, id_token_of, oidc_env, provider  # noqa: F401

pytestmark = pytest.mark.live

PROJECT_NAME = "Oidc Board"
PACKAGE_TEMPLATE = ROOT / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}"
IMPORTS = """from pathlib import Path

import streamlit as st
from fastmcp.utilities.lifespan import combine_lifespans
from starlette.middleware import Middleware

from oidc_board.auth_oidc import OIDCSettings, mcp_auth, oidc_middleware, oidc_routes
from oidc_board.health import health_routes
from oidc_board.mcp_tools import create_mcp, mcp_lifespan, mcp_routes
from oidc_board.security_headers import SecurityHeadersMiddleware
from oidc_board.warmup import load_reference_data, warm_caches
"""
COMMON = """
HERE = Path(__file__).parent
auth = OIDCSettings.from_env()  # stops with one line naming the variable when a setting is wrong
mcp = create_mcp(dashboard_data=load_reference_data, auth=mcp_auth(auth))
mcp_app = mcp.http_app(path="/")
middleware = [Middleware(SecurityHeadersMiddleware), *oidc_middleware(auth)]
routes = [
    *health_routes(),
    *oidc_routes(auth),
    *mcp.auth.get_well_known_routes(mcp_path="/mcp"),  # at the root, where MCP clients look
    *mcp_routes(mcp_app),
]
"""
APP_OIDC = {
    "streamlit": IMPORTS + COMMON + """
app = st.App(HERE / "dashboard.py", routes=routes, middleware=middleware,
             lifespan=combine_lifespans(warm_caches, mcp_lifespan(mcp_app)))
""",
    "fastapi": "from fastapi import FastAPI\n" + IMPORTS
    + "from oidc_board.fastapi_site import router as site_router\n" + COMMON + """
dashboard = st.App(HERE / "dashboard.py", lifespan=warm_caches)
app = FastAPI(routes=routes, middleware=middleware,
              lifespan=combine_lifespans(dashboard.lifespan(), mcp_lifespan(mcp_app)))
app.include_router(site_router)
app.mount("/dashboard", dashboard)
""",
    "django": IMPORTS + "from starlette.applications import Starlette\nfrom starlette.routing import Mount\n"
    "from oidc_board.asgi_glue import http_only, slash_redirect\n"
    "from oidc_board.django_site import application as django_app\n" + COMMON + """
dashboard = st.App(HERE / "dashboard.py", lifespan=warm_caches)
routes += [slash_redirect("/dashboard"), Mount("/dashboard", app=dashboard),
           Mount("/", app=http_only(django_app))]
app = Starlette(routes=routes, middleware=middleware,
                lifespan=combine_lifespans(dashboard.lifespan(), mcp_lifespan(mcp_app)))
""",
    "flask": IMPORTS + "from a2wsgi import WSGIMiddleware\nfrom starlette.applications import Starlette\n"
    "from starlette.routing import Mount\nfrom oidc_board.asgi_glue import http_only, slash_redirect\n"
    "from oidc_board.flask_site import flask_app\n" + COMMON + """
dashboard = st.App(HERE / "dashboard.py", lifespan=warm_caches)
routes += [slash_redirect("/dashboard"), Mount("/dashboard", app=dashboard),
           Mount("/", app=http_only(WSGIMiddleware(flask_app)))]
app = Starlette(routes=routes, middleware=middleware,
                lifespan=combine_lifespans(dashboard.lifespan(), mcp_lifespan(mcp_app)))
""",
}  # fmt: skip


async def stream_handshake(url: str, cookie: str) -> None:
    async with websockets.connect(url, additional_headers={"Cookie": cookie}, subprotocols=["streamlit"]):
        pass


async def mcp_rows(url: str, token: str) -> list:
    import fastmcp

    async with fastmcp.Client(url, auth=token) as client:
        return (await client.call_tool("dashboard_data", {})).structured_content["result"]


@pytest.mark.parametrize("parent", ["fastapi", "streamlit", "django", "flask"])
def test_oidc_sign_in_for_every_parent(page, tmp_path, provider, parent):  # noqa: F811
    answers = {"auth_cookie": True, "mcp": True, "lifespan": True, "security_headers": True}
    project = bake(tmp_path, project_name=PROJECT_NAME, parent=parent, **answers)
    shutil.copy(PACKAGE_TEMPLATE / "auth_oidc.py", project / "oidc_board" / "auth_oidc.py")
    (project / "app_oidc.py").write_text(APP_OIDC[parent])
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    env = oidc_env(provider, port)
    with serve(uvicorn_command("app_oidc:app", port), cwd=project, port=port, ready_path="/healthz", env=env,
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
