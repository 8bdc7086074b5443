"""references/route_seo_metadata.py: robots.txt, sitemap.xml and manifest.json."""

import json
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from tests.support import (
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
def test_seo_files_are_valid_and_absolute(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dash.example.com/")
    module = load_reference("route_seo_metadata")
    with TestClient(module.app) as client:
        robots = client.get("/robots.txt")
        assert robots.headers["content-type"].startswith("text/plain")
        assert "Sitemap: https://dash.example.com/sitemap.xml" in robots.text
        assert "Disallow: /_stcore/" in robots.text
        sitemap = client.get("/sitemap.xml")
        assert sitemap.headers["content-type"] == "application/xml"
        root = ET.fromstring(sitemap.content)
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        assert [loc.text for loc in root.findall("s:url/s:loc", ns)] == ["https://dash.example.com/"]
        manifest = client.get("/manifest.json")
        assert manifest.headers["content-type"] == "application/manifest+json"
        data = json.loads(manifest.text)
        assert data["name"] == "st.App reference" and data["display"] == "standalone"


@pytest.mark.isolated
def test_seo_escapes_names_and_refuses_bad_base_url():
    from starlette.applications import Starlette

    from references.route_seo_metadata import SiteInfo, seo_routes

    site = SiteInfo.from_env('A & "B" <C>', "d", pages=("/", "/a?b=1&c=2"), environ={})
    with TestClient(Starlette(routes=seo_routes(site))) as client:
        locs = [e.text for e in ET.fromstring(client.get("/sitemap.xml").content).iter() if e.text]
        assert "http://localhost:8000/a?b=1&c=2" in locs
        assert client.get("/manifest.json").json()["name"] == 'A & "B" <C>'
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        SiteInfo.from_env("n", "d", environ={"PUBLIC_BASE_URL": "javascript:alert(1)"})


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "route_seo_metadata", "/")
