#!/usr/bin/env python3
"""robots.txt, sitemap.xml and manifest.json with absolute URLs from PUBLIC_BASE_URL, beside the dashboard."""

import xml.etree.ElementTree as ET

from _harness import Target, expect, is_streamlit_page, main

BASE = "https://dash.example.com"  # PUBLIC_BASE_URL in evals.json


def check(target: Target) -> None:
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")
    robots = target.get("/robots.txt")
    expect(robots.headers.get("content-type", "").startswith("text/plain"), "robots.txt is not text/plain")
    expect(f"Sitemap: {BASE}/sitemap.xml" in robots.text, "robots.txt does not point at the sitemap")
    sitemap = target.get("/sitemap.xml")
    expect("xml" in sitemap.headers.get("content-type", ""), "sitemap.xml is not XML")
    locations = [node.text for node in ET.fromstring(sitemap.content).iter() if node.tag.endswith("loc")]
    expect(
        locations and all(loc.startswith(BASE) for loc in locations), f"relative sitemap URLs: {locations}"
    )
    manifest = target.get("/manifest.json").json()
    expect(manifest.get("name") and manifest.get("start_url"), f"manifest lacks name/start_url: {manifest}")


if __name__ == "__main__":
    main(__file__, check)
