#!/usr/bin/env python3
"""Flask keeps /, Streamlit is at /dashboard/, and robots.txt/sitemap.xml use PUBLIC_BASE_URL."""

import xml.etree.ElementTree as ET

from _harness import Target, expect, is_streamlit_page, main

BASE = "https://dash.example.com"  # PUBLIC_BASE_URL in evals.json


def check(target: Target) -> None:
    home = target.get("/")
    expect(home.status_code == 200 and not is_streamlit_page(home), "/ is not Flask's page")
    expect(is_streamlit_page(target.get("/dashboard/")), "/dashboard/ is not the Streamlit page")
    robots = target.get("/robots.txt")
    expect(robots.status_code == 200, "no /robots.txt")
    expect(f"Sitemap: {BASE}/sitemap.xml" in robots.text, "robots.txt does not point at the absolute sitemap")
    sitemap = target.get("/sitemap.xml")
    locations = [node.text for node in ET.fromstring(sitemap.content).iter() if node.tag.endswith("loc")]
    expect(f"{BASE}/dashboard/" in locations, f"the sitemap does not list the dashboard: {locations}")


if __name__ == "__main__":
    main(__file__, check)
