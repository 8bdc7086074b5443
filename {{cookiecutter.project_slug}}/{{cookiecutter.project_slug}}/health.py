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

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
{%- if c.lifespan %}

from {{ c.project_slug }}.warmup import warmup
{%- endif %}

HEALTH_PATH = "/healthz"


async def healthz(request: Request) -> JSONResponse:
{%- if c.lifespan %}
    code = 503 if warmup.status == "failed" else 200
    return JSONResponse({"status": warmup.status}, code, headers={"Cache-Control": "no-store"})
{%- else %}
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
{%- endif %}


def health_routes() -> list[Route]:
    return [Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"])]
