"""Every page a user of a baked project is pointed to, in Chromium, for each parent with every
part on: the home page, the dashboard, /login, FastAPI's /docs and /redoc, Django's and
Flask's pages, a 404, and every same-site link on them. Zero CSP violations, page errors or
failed requests; every response carries the security headers; the start log is quiet."""

import os
from pathlib import Path

import httpx
import pytest

from tests.support import NOISY_START, crawl, free_port, serve, sign_in_browser
from tests.test_template.conftest import ALL_ON, AUTH_ENV

pytestmark = pytest.mark.live

MOUNTED = {"/": "Open the dashboard", "/dashboard/": "Endpoints", "/login": "Sign in"}
START_PAGES = {
    "fastapi": {**MOUNTED, "/docs": "/api/summary", "/redoc": "/api/summary"},
    "django": MOUNTED,
    "flask": MOUNTED,
    "streamlit": {"/": "Endpoints", "/login": "Sign in"},
}
# Followed from those pages: proof that the crawl did not stop at the start pages.
LINKED = {"/healthz", "/api/summary", "/robots.txt", "/sitemap.xml", "/manifest.json"}
# On every response; JSON answers carry the API policy instead of the page-only headers (X-Frame-Options...).
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options")
SCREENSHOTS = os.environ.get("CRAWL_SCREENSHOTS")  # a folder: docs/make_screenshots.py sets it


def screenshot_dashboard(page, url: str, target: Path) -> None:
    """The README's picture: the signed-in dashboard with live ticks and the warmed cache."""
    page.set_viewport_size({"width": 1280, "height": 1150})
    page.goto(url)
    ticks = "Number(f.contentDocument?.querySelector('[data-testid=live-seq]')?.textContent) >= 3"
    page.wait_for_function(f"() => [...document.querySelectorAll('iframe')].some(f => {ticks})")
    page.get_by_text("Warmed at start-up").wait_for()
    page.wait_for_timeout(1500)  # let the charts finish drawing
    page.screenshot(path=str(target))


@pytest.mark.parametrize(("parent", "on"), ALL_ON)
def test_every_page_renders_cleanly(page, tmp_path, installed_project, parent, on):
    project, python = installed_project(parent, on)
    port = free_port()
    uvicorn = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
               "--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers"]  # fmt: skip
    options = {"cwd": project, "ready_path": "/healthz", "env": AUTH_ENV, "log_dir": tmp_path}
    with serve(uvicorn, port=port, **options) as server:
        sign_in_browser(page, server.base_url)
        # Unknown paths under the Streamlit parent are Streamlit's: it shows the dashboard.
        not_found = None if parent == "streamlit" else "/no-such-page"
        result = crawl(
            page, server.base_url, START_PAGES[parent], not_found=not_found, required_headers=SECURITY_HEADERS
        )
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        with httpx.Client(base_url=server.base_url, cookies=cookies) as http:
            wrong_method = http.post("/healthz", headers={"Accept": "text/html"})
            api_miss = http.get("/api/no-such-route", headers={"Accept": "application/json"})
        if SCREENSHOTS:
            dashboard = "/" if parent == "streamlit" else "/dashboard/"
            screenshot_dashboard(page, server.base_url + dashboard, Path(SCREENSHOTS) / f"{parent}.png")
        log = server.log()

    assert result.problems == []
    linked = LINKED - {"/api/summary"} if parent == "streamlit" else LINKED
    assert set(result.visited) >= linked, result.visited
    if parent in ("django", "flask"):  # their catch-all mount answers it: their own 404 page
        assert wrong_method.status_code == 404 and "Not Found" in wrong_method.text
    else:
        assert wrong_method.status_code == 405 and "Method not allowed" in wrong_method.text
    assert "content-security-policy" in wrong_method.headers
    if parent == "fastapi":  # JSON for API clients
        assert api_miss.status_code == 404 and api_miss.json()["error"] == "Not found"
    noise = [line for line in log.splitlines() if any(word in line for word in NOISY_START)]
    assert noise == [], noise
