"""Every page a reference points its reader to, crawled in Chromium: the pages of its *Open*
section, a 404 where the parent answers one, and every same-site link on them. Zero CSP
violations, page errors or failed requests (no CDN either: the browser has no network
beyond loopback), the expected text on each, and a start log without Streamlit's noise."""

import pytest

from tests.support import (
    AUTH_ENV,
    NOISY_START,
    ROOT,
    crawl,
    free_port,
    serve,
    sign_in_browser,
    uvicorn_command,
)

pytestmark = pytest.mark.live

HEADING = "st.App reference dashboard"
CASES = {
    # reference: (pages: path -> text it must show, 404 path or None, sign in first)
    "mount_fastapi": ({"/": HEADING, "/api/docs": "List Items", "/api/redoc": "List Items"}, None, False),
    "mount_streamlit_as_subapp": (
        {"/": "Open the dashboard", "/dashboard/": HEADING, "/docs": "/api/data", "/redoc": "/api/data"},
        "/no-such-page",
        False,
    ),
    "mount_django": ({"/": "Django home", "/dashboard/": HEADING}, "/no-such-page", False),
    "mount_flask": (
        {"/": "Flask home", "/dashboard/": HEADING, "/api/hello": "hello"},
        "/no-such-page",
        False,
    ),
    "mount_static_files": ({"/landing/": "A static site beside Streamlit", "/": HEADING}, None, False),
    "route_custom_endpoints": ({"/fragments/greeting/Ada": "Hello, Ada", "/api/data": "{"}, None, False),
    "route_error_pages": (
        {"/api/items/1": "apple", "/api/boom": "Something went wrong"},
        "/api/items/99",
        False,
    ),
    "middleware_security_headers": ({"/": HEADING, "/api/headers": "hint"}, None, False),
    "middleware_auth": ({"/login": "Sign in", "/": HEADING}, None, True),
    "core_lifespan_lifecycle": ({"/": "Warm caches", "/api/state": "status"}, None, False),
}
EXPECTED_ERRORS = {"route_error_pages": ("/api/boom",)}  # a 500 on purpose


@pytest.mark.parametrize("name", CASES)
def test_reference_pages_render_cleanly(page, tmp_path, name):
    pages, not_found, needs_sign_in = CASES[name]
    env = AUTH_ENV
    port = free_port()
    command = uvicorn_command(f"references.{name}:app", port)
    ready = "/login" if needs_sign_in else next(iter(pages))
    with serve(command, cwd=ROOT, port=port, ready_path=ready, env=env, log_dir=tmp_path) as server:
        if needs_sign_in:
            sign_in_browser(page, server.base_url)
        result = crawl(
            page, server.base_url, pages, not_found=not_found, expected_errors=EXPECTED_ERRORS.get(name, ())
        )
        log = server.log()
    assert result.problems == []
    noise = [line for line in log.splitlines() if any(word in line for word in NOISY_START)]
    assert noise == [], noise
