"""references/middleware_cookies.py: a cookie set by middleware reaches the Streamlit page."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.support import (
    REFERENCE_HEADING,
    ROOT,
    assert_clean,
    free_port,
    load_reference,
    open_dashboard,
    serve,
    uvicorn_command,
)


@pytest.mark.isolated
def test_visitor_cookie_is_set_once_and_other_cookies_survive():
    from references.middleware_cookies import VisitorCookieMiddleware

    async def page(request: Request) -> Response:
        response = JSONResponse({"visitor": request.cookies.get("visitor_id")})
        response.set_cookie("theme", "dark")
        return response

    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(VisitorCookieMiddleware)])
    with TestClient(app) as client:
        first = client.get("/")
        cookies = first.headers.get_list("set-cookie")
        assert any(c.startswith("theme=dark") for c in cookies)
        (visitor,) = [c for c in cookies if c.startswith("visitor_id=")]
        assert "HttpOnly" in visitor and "SameSite=Lax" in visitor
        second = client.get("/")
        assert second.json()["visitor"] == visitor.split(";")[0].split("=", 1)[1]
        assert not any(c.startswith("visitor_id=") for c in second.headers.get_list("set-cookie"))


@pytest.mark.isolated
def test_cookie_reference_sets_cookie_on_the_streamlit_page():
    module = load_reference("middleware_cookies")
    with TestClient(module.app) as client:
        assert "visitor_id=" in client.get("/").headers["set-cookie"]


@pytest.mark.live
def test_cookie_set_by_middleware_reaches_st_context(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_cookies:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", REFERENCE_HEADING)
        (cookie,) = [c for c in page.context.cookies() if c["name"] == "visitor_id"]
        page.get_by_text(f"Visitor cookie: {cookie['value']}").wait_for()
        assert_clean(page, report)
