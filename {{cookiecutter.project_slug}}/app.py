{%- set c = cookiecutter -%}
{%- set pkg = c.project_slug -%}
{%- set mounted = c.parent != "streamlit" -%}
{%- set wsgi = c.parent in ["django", "flask"] -%}
{%- set signed_in = c.__auth != "none" -%}
"""The composition root: every part of this project is wired together here, and only here.

{% if c.parent == "streamlit" -%}
Streamlit owns ``/``; the routes below sit beside it.
{%- elif c.parent == "fastapi" -%}
FastAPI owns ``/`` (docs at ``/docs``); the Streamlit dashboard is mounted at ``/dashboard/``.
{%- elif c.parent == "django" -%}
Django owns ``/``; the Streamlit dashboard is mounted at ``/dashboard/``.
{%- else -%}
Flask (through a2wsgi) owns ``/``; the Streamlit dashboard is mounted at ``/dashboard/``.
{%- endif %}
Run it with ``uvicorn app:app --http h11 --ws-per-message-deflate false --no-proxy-headers``
(h11 caps a request's headers; the websocket uncompressed, as Streamlit's own server sends it;
proxy trust comes from TRUSTED_PROXIES, not from uvicorn's flags), ``streamlit run app.py``
or ``python app.py``.
"""

import os
{%- if wsgi %}
from importlib import import_module
{%- endif %}
from pathlib import Path

import streamlit as st
from dotenv import load_dotenv
{%- if c.parent == "fastapi" %}
from fastapi import FastAPI
{%- endif %}
{%- if wsgi %}
from starlette.applications import Starlette
{%- endif %}
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
{%- if wsgi %}
from starlette.routing import Mount
{%- elif signed_in and c.parent == "streamlit" %}
from starlette.routing import Route
{%- endif %}
{%- set from_package = (["DASHBOARD_PATH"] if mounted else []) + (["DESCRIPTION"] if c.seo else []) + (["PROJECT_NAME"] if c.seo or c.parent == "fastapi" else []) %}

{% if from_package -%}
from {{ pkg }} import {{ from_package|join(", ") }}
{% endif -%}
{% if c.parent == "fastapi" -%}
from {{ pkg }}.api_docs import self_hosted_docs
{% endif -%}
{% if signed_in -%}
from {{ pkg }}.app_state import store_from_env
{% endif -%}
{% if wsgi -%}
from {{ pkg }}.asgi_glue import (
    ImportedOnFirstRequest,
    http_only,
    slash_redirect,
)
{% endif -%}
{% if c.__auth == "password" -%}
from {{ pkg }}.auth import AuthSettings, auth_middleware, login_routes
{% elif c.__auth == "oidc" -%}
from {{ pkg }}.auth_oidc import OIDCSettings, {% if c.mcp %}mcp_auth, {% endif %}oidc_middleware, oidc_routes
{% endif -%}
from {{ pkg }}.error_pages import ServerErrorPageMiddleware, http_error_page
{% if c.parent == "fastapi" -%}
from {{ pkg }}.fastapi_site import router as site_router
{% endif -%}
from {{ pkg }}.health import {% if c.ip_allowlist or signed_in %}HEALTH_PATH, {% endif %}health_routes
{% if c.ip_allowlist -%}
from {{ pkg }}.ip_allowlist import AllowlistSettings, IPAllowlistMiddleware
{% endif -%}
{% if c.websocket -%}
from {{ pkg }}.live_ticks import live_routes
{% endif -%}
from {{ pkg }}.logs import (
    announce_under_streamlit_run,
{%- if not mounted %}
    announce_url,
{%- endif %}
    configure_logging,
)
{% if c.mcp -%}
from {{ pkg }}.mcp_tools import (
    MCPOnFirstRequest,
{%- if mounted or c.lifespan %}
    combine_lifespans,
{%- endif %}
    create_mcp,
    mcp_http_app,
    mcp_routes,
)
{% endif -%}
{% if signed_in and (c.mcp or c.parent == "streamlit") -%}
from {{ pkg }}.roles import {{ ((["mcp_requires"] if c.mcp else []) + (["sign_in_events_json", "whoami"] if c.parent == "streamlit" else []))|join(", ") }}
{% endif -%}
{% if c.security_headers -%}
from {{ pkg }}.security_headers import SecurityHeadersMiddleware
{% endif -%}

{% if c.seo -%}
from {{ pkg }}.seo import {% if signed_in %}SEO_PATHS, {% endif %}SiteInfo, seo_routes
{% endif -%}
from {{ pkg }}.session_cost import freeze_startup_objects
from {{ pkg }}.trusted_host import (
    EdgeSettings,
    edge_guard_middleware,
    proxy_trust_middleware,
)
{% if c.lifespan -%}
from {{ pkg }}.warmup import {% if c.mcp %}load_reference_data, {% endif %}warm_caches
{% endif %}
HERE = Path(__file__).parent
# .env beside this file, read by every start (uvicorn, `streamlit run app.py`, `python app.py`) as
# `uvicorn --env-file` reads it (python-dotenv); a variable already set keeps its value.
load_dotenv(HERE / ".env", override=False)
configure_logging()  # before anything logs: one line per request
edge = EdgeSettings.from_env()  # PUBLIC_BASE_URL and TRUSTED_PROXIES, read once for every layer
{%- if signed_in %}
# Sessions, sign-in counts and events: this process's memory, or Valkey/Redis shared by every
# process when REDIS_URL is set (refuses to start, naming REDIS_URL, when it cannot be reached).
store = store_from_env()
{%- endif %}
{%- if c.__auth == "password" %}
# Refuses to start without APP_USERS and a strong APP_SECRET_KEY.
auth = AuthSettings.from_env(store=store, namespace="{{ pkg }}")
{%- elif c.__auth == "oidc" %}
# Refuses to start, with one line naming the variable, when OIDC_* or APP_SECRET_KEY is wrong or
# the provider cannot be reached (its discovery document is read once, here).
auth = OIDCSettings.from_env(store=store, namespace="{{ pkg }}")
{%- endif %}
{%- if c.mcp %}
{%- if c.__auth == "oidc" %}
# Agents bring the provider's JWTs; fastmcp checks them (JWKS, issuer, audience, expiry).
# The sign-in log is a tool only for tokens whose roles claim has admin.
mcp = create_mcp(
{%- if c.lifespan %}
    dashboard_data=load_reference_data,
{%- endif %}
    auth=mcp_auth(auth),
    sign_in_events=auth.events.latest,
    admin_only=mcp_requires("admin"),
)
# fastmcp's app is built when the first /mcp/ request comes: start-up does not wait for it.
mcp_server = MCPOnFirstRequest(lambda: mcp_http_app(mcp, edge.allowed_hosts))
{%- elif signed_in %}
# {% if c.lifespan %}Agents read the dashboard's own st.cache_data loader: they see what people see.
# {% endif %}The sign-in log is a tool only for tokens with the role admin (APP_ROLES). fastmcp is
# imported when the first /mcp/ request comes: start-up and the dashboard do not wait for it.
mcp_server = MCPOnFirstRequest(
    lambda: mcp_http_app(
        create_mcp(
{%- if c.lifespan %}
            dashboard_data=load_reference_data,
{%- endif %}
            sign_in_events=auth.events.latest,
            admin_only=mcp_requires("admin"),
        ),
        edge.allowed_hosts,
    )
)
{%- elif c.lifespan %}
# Agents read the dashboard's own st.cache_data loader: they see what people see. fastmcp is
# imported when the first /mcp/ request comes: start-up and the dashboard do not wait for it.
mcp_server = MCPOnFirstRequest(
    lambda: mcp_http_app(create_mcp(dashboard_data=load_reference_data), edge.allowed_hosts)
)
{%- else %}
# fastmcp is imported when the first /mcp/ request comes: start-up does not wait for it.
mcp_server = MCPOnFirstRequest(lambda: mcp_http_app(create_mcp(), edge.allowed_hosts))
{%- endif %}
{%- endif %}
{%- if c.seo %}
{%- if mounted %}
site = SiteInfo.from_env(
    PROJECT_NAME, DESCRIPTION, pages=["/", f"{DASHBOARD_PATH}/"], start_url=f"{DASHBOARD_PATH}/"
)
{%- else %}
site = SiteInfo.from_env(PROJECT_NAME, DESCRIPTION, pages=["/"], start_url="/")
{%- endif %}
{%- endif %}
{%- if signed_in %}
# Open signed out, for GET and HEAD only: health checks{% if c.seo %}, and what crawlers and browsers
# fetch without credentials{% endif %}. Everything else needs a session or a bearer token.
open_paths = [HEALTH_PATH{% if c.seo %}, *SEO_PATHS{% endif %}]
{%- endif %}
{%- if mounted %}
dashboard = st.App(HERE / "dashboard.py"{% if c.lifespan %}, lifespan=warm_caches{% endif %})
{%- endif %}
{%- if c.parent == "django" %}
# Django is imported and set up when the first request for it comes: start-up does not wait.
django_app = ImportedOnFirstRequest(
    lambda: import_module("{{ pkg }}.django_site").application,
)
{%- elif c.parent == "flask" %}
# Flask is imported when the first request for it comes: start-up does not wait.
flask_app = ImportedOnFirstRequest(
    lambda: import_module("{{ pkg }}.flask_site").asgi_app,
)
{%- endif %}

# Outermost first: the real client and scheme (from a trusted proxy only), headers on every
# answer, a readable 500 page for any raised exception, your host names only, then who may
# connect, then who is signed in.
middleware = [
    proxy_trust_middleware(edge),
{%- if c.security_headers %}
    Middleware(SecurityHeadersMiddleware),
{%- endif %}
    Middleware(ServerErrorPageMiddleware),
    *edge_guard_middleware(edge),
{%- if c.ip_allowlist %}
    Middleware(IPAllowlistMiddleware, settings=AllowlistSettings.from_env(), open_paths=[HEALTH_PATH]),
{%- endif %}
{%- if c.__auth == "password" %}
    *auth_middleware(auth, open_paths=open_paths),
{%- elif c.__auth == "oidc" %}
    *oidc_middleware(auth, open_paths=open_paths),  # the session cookie, then the guard
{%- endif %}
]
error_pages = {HTTPException: http_error_page}  # 404, 405...: HTML for browsers, JSON otherwise

routes = [
    *health_routes({% if signed_in %}store{% endif %}),
{%- if c.__auth == "password" %}
    *login_routes(auth),
{%- elif c.__auth == "oidc" %}
    *oidc_routes(auth),  # /login, /auth/callback, /logout, /signed-out
{%- if c.mcp %}
    *mcp.auth.get_well_known_routes(mcp_path="/mcp"),  # at the root, where MCP clients look
{%- endif %}
{%- endif %}
{%- if c.seo %}
    *seo_routes(site),
{%- endif %}
{%- if c.mcp %}
    *mcp_routes(mcp_server),
{%- endif %}
{%- if c.websocket %}
    *live_routes(),
{%- endif %}
{%- if signed_in and c.parent == "streamlit" %}
    Route("/api/whoami", whoami),  # name and roles, as the guard set them
    Route("/api/admin/events", sign_in_events_json(auth.admin)),  # role admin only
{%- endif %}
{%- if wsgi %}
    slash_redirect(DASHBOARD_PATH),
    Mount(DASHBOARD_PATH, app=dashboard),
{%- if c.parent == "django" %}
    Mount("/", app=http_only(django_app)),  # last; Django's handler cannot take websockets
{%- else %}
    Mount("/", app=http_only(flask_app)),  # last; WSGI has no websockets
{%- endif %}
{%- endif %}
]
{%- if c.parent == "streamlit" %}

app = st.App(
    HERE / "dashboard.py",
    routes=routes,
    middleware=middleware,
    exception_handlers=error_pages,
{%- if c.lifespan and c.mcp %}
    lifespan=combine_lifespans(warm_caches, mcp_server.lifespan),
{%- elif c.lifespan %}
    lifespan=warm_caches,
{%- elif c.mcp %}
    lifespan=mcp_server.lifespan,
{%- endif %}
)
{%- else %}

# The parent runs Streamlit's lifespan: a mounted st.App would otherwise start lazily
# and skip its own lifespan (the cache warm-up).
app = {{ "FastAPI" if c.parent == "fastapi" else "Starlette" }}(
{%- if c.parent == "fastapi" %}
    title=PROJECT_NAME,
    docs_url=None,  # self_hosted_docs below: no CDN, no inline script
    redoc_url=None,
{%- endif %}
    routes=routes,
    middleware=middleware,
    exception_handlers=error_pages,
{%- if c.mcp %}
    lifespan=combine_lifespans(dashboard.lifespan(), mcp_server.lifespan),
{%- else %}
    lifespan=dashboard.lifespan(),
{%- endif %}
)
{%- if c.parent == "fastapi" %}
app.include_router(site_router)
self_hosted_docs(app)  # /docs and /redoc, served from this project
app.mount(DASHBOARD_PATH, dashboard)  # FastAPI redirects DASHBOARD_PATH to DASHBOARD_PATH + "/"
{%- endif %}
{%- endif %}

freeze_startup_objects()  # last: what start-up built skips the collection after every script run
# `streamlit run app.py`: the URL only now, once every setting above was read
announce_under_streamlit_run(__name__, __file__, {% if mounted %}f"{DASHBOARD_PATH}/"{% else %}"/"{% endif %})

if __name__ == "__main__":  # python app.py
    port = int(os.environ.get("PORT", "8000"))
{%- if c.parent == "streamlit" %}
    announce_url(f"http://127.0.0.1:{port}/")
    app.run(config={"server.address": "127.0.0.1", "server.port": port})
{%- else %}
    import uvicorn

    uvicorn.run(
        app, host="127.0.0.1", port=port, http="h11", ws_per_message_deflate=False,
        proxy_headers=False, log_config=None,  # logs.py configures logging
    )  # fmt: skip
{%- endif %}
