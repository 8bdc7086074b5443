#!/usr/bin/env python3
"""An existing Flask app keeps its pages; a dashboard at /dashboard/ with security headers, a live
websocket at /ws/live, and robots.txt/sitemap.xml from PUBLIC_BASE_URL."""

import json

from _harness import (
    Target,
    browser_report,
    expect,
    is_streamlit_page,
    main,
    pages_untouched,
    websocket_messages,
    websocket_status,
)

BASE = "https://dash.example.com"  # PUBLIC_BASE_URL in evals.json


def check(target: Target) -> None:
    pages_untouched(target, {"/": "Welcome to the Shop", "/products.json": "tea"})
    dashboard = target.get("/dashboard/")
    expect(is_streamlit_page(dashboard), "/dashboard/ is not the Streamlit page")
    expect("content-security-policy" in dashboard.headers, "the dashboard has no CSP")
    expect(websocket_status(target.ws_url("/dashboard/_stcore/stream")) == 101, "the dashboard's websocket")
    ticks = [json.loads(message) for message in websocket_messages(target.ws_url("/ws/live"), 2)]
    expect(all({"seq", "value"} <= tick.keys() for tick in ticks), f"ticks without seq/value: {ticks}")
    expect(f"Sitemap: {BASE}/sitemap.xml" in target.get("/robots.txt").text, "robots.txt lacks the sitemap")
    report = browser_report(target.url("/dashboard/"), "h1")
    expect(not report["csp"], f"CSP violations: {report['csp']}")


if __name__ == "__main__":
    main(__file__, check)
