"""robots.txt, sitemap.xml and a web-app manifest.json, served beside Streamlit.

What it shows
    ``seo_routes()`` returns three Starlette routes whose bodies are built with real
    serializers (``xml.etree`` and ``json``), so any page path or name is escaped
    correctly. URLs are absolute, from ``PUBLIC_BASE_URL``.

When to use it
    A public dashboard that search engines should index (or be told not to index
    ``/_stcore/``), or one that should install as a PWA.

Configuration (environment)
    PUBLIC_BASE_URL  the site's public origin, e.g. https://dash.example.com
                     (default http://localhost:8000)

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_seo_metadata:app --lifespan on --port 8000
    streamlit run route_seo_metadata.py

Open
    http://127.0.0.1:8000/robots.txt
    http://127.0.0.1:8000/sitemap.xml
    http://127.0.0.1:8000/manifest.json
"""

# --- part: begin ---
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Crawlers and browsers fetch these without credentials: a sign-in guard leaves them open.
SEO_PATHS = ("/robots.txt", "/sitemap.xml", "/manifest.json")


@dataclass(frozen=True)
class SiteInfo:
    name: str
    description: str
    base_url: str = "http://localhost:8000"
    pages: Sequence[str] = ("/",)
    start_url: str = "/"

    @classmethod
    def from_env(cls, name: str, description: str, *, pages: Sequence[str] = ("/",),
                 start_url: str = "/", environ: Mapping[str, str] = os.environ) -> SiteInfo:  # fmt: skip
        base_url = environ.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"PUBLIC_BASE_URL: {base_url!r} must start with http:// or https://")
        return cls(name, description, base_url, tuple(pages), start_url)


def seo_routes(site: SiteInfo) -> list[Route]:
    """``/robots.txt``, ``/sitemap.xml`` and ``/manifest.json`` for ``site``."""

    async def robots(request: Request) -> Response:
        lines = ["User-agent: *", "Allow: /", "Disallow: /_stcore/",
                 f"Sitemap: {site.base_url}/sitemap.xml", ""]  # fmt: skip
        return PlainTextResponse("\n".join(lines))

    async def sitemap(request: Request) -> Response:
        urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
        for page in site.pages:
            ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = site.base_url + page
        body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
        return Response(body, media_type="application/xml")

    async def manifest(request: Request) -> Response:
        return JSONResponse(
            {
                "name": site.name,
                "short_name": site.name[:12],
                "description": site.description,
                "start_url": site.start_url,
                "scope": "/",
                "display": "standalone",
                "background_color": "#ffffff",
                "theme_color": "#ff4b4b",
                "icons": [
                    {
                        "src": f"{site.start_url.rstrip('/')}/favicon.png",
                        "sizes": "256x256",
                        "type": "image/png",
                    }
                ],  # fmt: skip
            },
            media_type="application/manifest+json",
        )

    robots_path, sitemap_path, manifest_path = SEO_PATHS
    return [
        Route(robots_path, robots),
        Route(sitemap_path, sitemap),
        Route(manifest_path, manifest),
    ]


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

site = SiteInfo.from_env("st.App reference", "A Streamlit dashboard with SEO metadata.")
app = st.App(Path(__file__).parent / "dashboard.py", routes=seo_routes(site))
