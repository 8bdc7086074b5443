{%- set c = cookiecutter -%}
{%- set pkg = c.project_slug -%}
{%- set mounted = c.parent != "streamlit" -%}
{%- set wsgi = c.parent in ["django", "flask"] -%}
{%- set dashboard_url = "/dashboard/" if mounted else "/" -%}
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
Run it with ``uvicorn app:app --no-proxy-headers``, ``streamlit run app.py`` or ``python app.py``.
"""

import os
from pathlib import Path

import streamlit as st
{%- if c.parent == "flask" %}
from a2wsgi import WSGIMiddleware
{%- endif %}
{%- if c.parent == "fastapi" %}
from fastapi import FastAPI
{%- endif %}
{%- if c.mcp and (mounted or c.lifespan) %}
from fastmcp.utilities.lifespan import combine_lifespans
{%- endif %}
{%- if wsgi %}
from starlette.applications import Starlette
{%- endif %}
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
{%- if wsgi %}
from starlette.routing import Mount
{%- endif %}

{% if c.seo or c.parent == "fastapi" -%}
from {{ pkg }} import {% if c.seo %}DESCRIPTION, {% endif %}PROJECT_NAME
{% endif -%}
{% if c.parent == "fastapi" -%}
from {{ pkg }}.api_docs import self_hosted_docs
{% endif -%}
{% if wsgi -%}
from {{ pkg }}.asgi_glue import http_only, slash_redirect
{% endif -%}
{% if c.auth_cookie -%}
from {{ pkg }}.auth import AuthSettings, auth_middleware, login_routes
{% endif -%}
{% if c.parent == "django" -%}
from {{ pkg }}.django_site import application as django_app
{% endif -%}
from {{ pkg }}.error_pages import ServerErrorPageMiddleware, http_error_page
{% if c.parent == "fastapi" -%}
from {{ pkg }}.fastapi_site import router as site_router
{% elif c.parent == "flask" -%}
from {{ pkg }}.flask_site import flask_app
{% endif -%}
from {{ pkg }}.health import health_routes
{% if c.ip_allowlist -%}
from {{ pkg }}.ip_allowlist import AllowlistSettings, IPAllowlistMiddleware
{% endif -%}
{% if c.websocket -%}
from {{ pkg }}.live_ticks import live_routes
{% endif -%}
{% if c.mcp -%}
from {{ pkg }}.mcp_tools import create_mcp, mcp_lifespan, mcp_routes
{% endif -%}
{% if c.security_headers -%}
from {{ pkg }}.security_headers import SecurityHeadersMiddleware
{% endif -%}
{% if c.seo -%}
from {{ pkg }}.seo import SiteInfo, seo_routes
{% endif -%}
{% if c.lifespan -%}
from {{ pkg }}.warmup import warm_caches
{% endif %}
HERE = Path(__file__).parent
{%- if c.auth_cookie %}
auth = AuthSettings.from_env()  # refuses to start without APP_PASSWORD and a strong APP_SECRET_KEY
{%- endif %}
{%- if c.mcp %}
mcp_app = create_mcp().http_app(path="/")
{%- endif %}
{%- if c.seo %}
site = SiteInfo.from_env(PROJECT_NAME, DESCRIPTION, pages=["/"{% if mounted %}, "/dashboard/"{% endif %}], start_url="{{ dashboard_url }}")
{%- endif %}
{%- if mounted %}
dashboard = st.App(HERE / "dashboard.py"{% if c.lifespan %}, lifespan=warm_caches{% endif %})
{%- endif %}

# Outermost first: headers on every answer, a readable 500 page for any raised exception,
# then who may connect, then who is signed in.
middleware = [
{%- if c.security_headers %}
    Middleware(SecurityHeadersMiddleware),
{%- endif %}
    Middleware(ServerErrorPageMiddleware),
{%- if c.ip_allowlist %}
    Middleware(IPAllowlistMiddleware, settings=AllowlistSettings.from_env()),
{%- endif %}
{%- if c.auth_cookie %}
    *auth_middleware(auth),
{%- endif %}
]
error_pages = {HTTPException: http_error_page}  # 404, 405...: HTML for browsers, JSON otherwise

routes = [
    *health_routes(),
{%- if c.auth_cookie %}
    *login_routes(auth),
{%- endif %}
{%- if c.seo %}
    *seo_routes(site),
{%- endif %}
{%- if c.mcp %}
    *mcp_routes(mcp_app),
{%- endif %}
{%- if c.websocket %}
    *live_routes(),
{%- endif %}
{%- if wsgi %}
    slash_redirect("/dashboard"),
    Mount("/dashboard", app=dashboard),
{%- if c.parent == "django" %}
    Mount("/", app=http_only(django_app)),  # last; Django's handler cannot take websockets
{%- else %}
    Mount("/", app=http_only(WSGIMiddleware(flask_app))),  # last; WSGI has no websockets
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
    lifespan=combine_lifespans(warm_caches, mcp_lifespan(mcp_app)),
{%- elif c.lifespan %}
    lifespan=warm_caches,
{%- elif c.mcp %}
    lifespan=mcp_lifespan(mcp_app),
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
    lifespan=combine_lifespans(dashboard.lifespan(), mcp_lifespan(mcp_app)),
{%- else %}
    lifespan=dashboard.lifespan(),
{%- endif %}
)
{%- if c.parent == "fastapi" %}
app.include_router(site_router)
self_hosted_docs(app)  # /docs and /redoc
app.mount("/dashboard", dashboard)  # FastAPI redirects /dashboard to /dashboard/
{%- endif %}
{%- endif %}

if __name__ == "__main__":  # python app.py
    port = int(os.environ.get("PORT", "8000"))
{%- if c.parent == "streamlit" %}
    app.run(config={"server.address": "127.0.0.1", "server.port": port})
{%- else %}
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, proxy_headers=False)
{%- endif %}
