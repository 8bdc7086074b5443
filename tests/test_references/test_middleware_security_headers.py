"""references/middleware_security_headers.py: a CSP Streamlit renders under, and the other headers."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
import streamlit
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.support import (
    REFERENCE_HEADING,
    ROOT,
    assert_reference_renders,
    collect_csp,
    free_port,
    load_reference,
    rerun_with_slider,
    serve,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)


def installed_inline_script_hash() -> str:
    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def first_asset(index_html: str) -> str:
    return "/" + re.search(r'src="\./(static/js/[^"]+)"', index_html).group(1)


@pytest.mark.isolated
def test_extra_connect_sources_are_a_constructor_argument():
    from references.middleware_security_headers import SecurityHeadersMiddleware

    async def ok(request: Request) -> Response:
        return HTMLResponse("<p>ok</p>")

    def connect_src(**options) -> str:
        app = Starlette(
            routes=[Route("/", ok)], middleware=[Middleware(SecurityHeadersMiddleware, **options)]
        )
        with TestClient(app) as client:
            csp = client.get("/").headers["content-security-policy"]
        return next(part.strip() for part in csp.split(";") if part.strip().startswith("connect-src"))

    assert connect_src() == "connect-src 'self'"
    assert (
        connect_src(extra_connect_src=["wss://feed.example.com"])
        == "connect-src 'self' wss://feed.example.com"
    )


@pytest.mark.isolated
def test_every_response_carries_the_policy_and_hsts_only_over_https():
    module = load_reference("middleware_security_headers")
    with TestClient(module.app, raise_server_exceptions=False) as client:
        index = client.get("/")
        paths = ["/", "/_stcore/health", "/favicon.png", first_asset(index.text)]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            csp = response.headers["content-security-policy"]
            assert installed_inline_script_hash() in csp, path
            assert "'wasm-unsafe-eval'" in csp and "frame-ancestors 'self'" in csp
            assert response.headers["x-frame-options"] == "SAMEORIGIN"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "camera=()" in response.headers["permissions-policy"]
            assert "strict-transport-security" not in response.headers, path
        api = client.get("/api/headers")  # JSON is data, never a page: the policy OWASP advises for APIs
        assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert api.headers["x-content-type-options"] == "nosniff"
        assert not {"x-frame-options", "referrer-policy", "permissions-policy"} & api.headers.keys()
        cookies = api.headers.get_list("set-cookie")
        assert sorted(c.split(";")[0] for c in cookies) == ["first=1", "second=2"]
        hsts = client.get("https://testserver/api/headers").headers["strict-transport-security"]
        assert hsts.startswith("max-age=63072000")
        for url in ("http://testserver/api/boom", "https://testserver/api/boom"):
            crash = client.get(url)  # a raised exception: Starlette's 500 is outside all middleware
            assert crash.status_code == 500 and crash.text == "Internal Server Error"
            assert installed_inline_script_hash() in crash.headers["content-security-policy"]
            assert crash.headers["x-frame-options"] == "SAMEORIGIN"
            assert ("strict-transport-security" in crash.headers) == url.startswith("https")


@pytest.mark.isolated
def test_json_answers_get_the_api_policy_and_an_apps_own_header_of_ours_is_replaced():
    from references.middleware_security_headers import SecurityHeadersMiddleware

    async def answer(request: Request) -> Response:
        kind = request.query_params["type"]
        return Response("{}", headers={"content-type": kind, "X-Content-Type-Options": "mine"})

    app = Starlette(routes=[Route("/", answer)], middleware=[Middleware(SecurityHeadersMiddleware)])
    with TestClient(app) as client:
        for kind, is_json in [("application/json", True), ("application/problem+json; charset=utf-8", True),
                              ("Application/JSON", True), ("text/html; charset=utf-8", False),
                              ("application/jsonp", False), ("text/plain", False)]:  # fmt: skip
            headers = client.get("/", params={"type": kind}).headers
            assert ("'wasm-unsafe-eval'" not in headers["content-security-policy"]) == is_json, kind
            assert ("x-frame-options" in headers) != is_json, kind
            assert headers.get_list("x-content-type-options") == ["nosniff"], kind


@pytest.mark.live
def test_security_headers_page_has_zero_csp_violations(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_security_headers:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        response = page.goto(server.base_url + "/")
        report = watch(page)
        page.reload()
        assert "sha256-" in response.headers["content-security-policy"]
        wait_for_dashboard(page, REFERENCE_HEADING)
        rerun_with_slider(page)
        page.wait_for_timeout(1000)
        collect_csp(page, report)
        assert report.csp_violations == [] and report.problems == []


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "middleware_security_headers", "/")
