"""The FastAPI side: the home page and the JSON API (its docs are at /docs and /redoc)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from {{ cookiecutter.project_slug }}.home import render_home

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home() -> str:
    return render_home((("/docs", "API docs"), ("/redoc", "API docs in ReDoc")))


@router.get("/api/summary")
async def summary() -> dict[str, float | int]:
    """A small JSON route: what the dashboard's numbers add up to."""
    values = [i * i for i in range(10)]
    return {"count": len(values), "total": sum(values), "mean": sum(values) / len(values)}
