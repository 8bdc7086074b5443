{%- set signed_in = cookiecutter.__auth != "none" -%}
"""The FastAPI side: the home page and the JSON API (its docs are at /docs and /redoc)."""

from fastapi import APIRouter{% if signed_in %}, Depends, HTTPException, Request{% endif %}
from fastapi.responses import HTMLResponse

{% if signed_in -%}
from {{ cookiecutter.project_slug }}.app_state import SignInAdmin, StoreUnavailable
{% endif -%}
from {{ cookiecutter.project_slug }}.home import render_home
{%- if signed_in %}
from {{ cookiecutter.project_slug }}.roles import fastapi_requires, roles_in
{%- endif %}

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home() -> str:
    return render_home((("/docs", "API docs"), ("/redoc", "API docs in ReDoc")))


@router.get("/api/summary")
async def summary() -> dict[str, float | int]:
    """A small JSON route: what the dashboard's numbers add up to."""
    values = [i * i for i in range(10)]
    return {"count": len(values), "total": sum(values), "mean": sum(values) / len(values)}
{%- if signed_in %}


@router.get("/api/whoami")
async def whoami(request: Request) -> dict[str, str | list[str]]:
    """Who is asking, as the guard set it: a signed-in person or an agent's token, and their roles."""
    return {"name": request.headers.get("x-forwarded-user", ""), "roles": sorted(roles_in(request.headers))}


@router.get("/api/admin/events", dependencies=[Depends(fastapi_requires("admin"))])
async def sign_in_events() -> dict[str, list[dict]]:
    """The latest sign-ins, failures, sign-outs and token uses (role admin)."""
    admin = SignInAdmin.of("{{ cookiecutter.project_slug }}")  # app.py's sessions and events
    try:
        return {"events": await admin.events.latest(100)}
    except StoreUnavailable:
        raise HTTPException(503, "The sign-in store is unavailable.") from None
{%- endif %}
