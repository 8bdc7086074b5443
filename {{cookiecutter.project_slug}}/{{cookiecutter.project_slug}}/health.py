{%- set c = cookiecutter -%}
{% if c.lifespan -%}
"""``GET /healthz``: for load balancers and uptime checks; never behind auth or the allowlist.

It answers 200 as soon as the server serves, while the lifespan still warms the caches in the
background: ``{"status": "starting"}``, then ``{"status": "ok"}``. The dashboard is usable
meanwhile (a session that needs a cache sooner waits for that same load), so a readiness probe
sends traffic at once. A failed warm-up answers 503 ``{"status": "failed"}``: a liveness probe
restarts the process. To hold traffic until the caches are warm (several replicas behind a
rolling update), make the readiness probe an exec probe that wants ``"ok"`` in the body.
"""
{%- else -%}
"""``GET /healthz``: for load balancers and uptime checks; never behind auth or the allowlist."""
{%- endif %}
{%- set signed_in = c.__auth != "none" %}

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
{%- if c.lifespan or signed_in %}
{% endif %}
{%- if signed_in %}
from {{ c.project_slug }}.app_state import SharedStore, StoreUnavailable
{%- endif %}
{%- if c.lifespan %}
from {{ c.project_slug }}.warmup import warmup
{%- endif %}

HEALTH_PATH = "/healthz"
{%- if signed_in %}


def health_routes(store: SharedStore) -> list[Route]:
    """503 ``{"status": "degraded"}`` while the shared store (sessions, sign-in) is unreachable:
    every guarded request answers 503 then, so take the process out of rotation."""

    async def healthz(request: Request) -> JSONResponse:
        try:
            await store.ping()
        except StoreUnavailable:
            return JSONResponse({"status": "degraded"}, 503, headers={"Cache-Control": "no-store"})
{%- if c.lifespan %}
        code = 503 if warmup.status == "failed" else 200
        return JSONResponse({"status": warmup.status}, code, headers={"Cache-Control": "no-store"})
{%- else %}
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
{%- endif %}

    return [Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"])]
{%- else %}


async def healthz(request: Request) -> JSONResponse:
{%- if c.lifespan %}
    code = 503 if warmup.status == "failed" else 200
    return JSONResponse({"status": warmup.status}, code, headers={"Cache-Control": "no-store"})
{%- else %}
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
{%- endif %}


def health_routes() -> list[Route]:
    return [Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"])]
{%- endif %}
