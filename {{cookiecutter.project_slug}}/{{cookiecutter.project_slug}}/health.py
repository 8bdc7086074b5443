"""``GET /healthz``: for load balancers and uptime checks; never behind auth or the allowlist."""

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

HEALTH_PATH = "/healthz"


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


def health_routes() -> list[Route]:
    return [Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"])]
