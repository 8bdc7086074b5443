"""FastAPI owns the root; Streamlit is mounted at ``/dashboard/``.

This module comes from references/mount_streamlit_as_subapp.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import html
from functools import cache
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

# FastAPI's default /docs and /redoc load Swagger UI and ReDoc from a CDN and start Swagger UI
# with an inline <script>: a strict Content-Security-Policy (and an offline network) blank them.
# Here the assets come from the fastapi-offline package and the start-up code is a served file.
DOCS_ASSETS = "/docs-assets"
_ASSETS_PACKAGE = ("fastapi_offline", "static")
# ReDoc's bundle always draws Redocly's logo from Redocly's CDN; a blank image keeps it offline.
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BLANK_IMAGE = b"data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{assets}/swagger-ui.css"><link rel="icon" href="{assets}/favicon.png">
</head><body><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-start.js" data-openapi-url="{openapi_url}"></script>
</body></html>"""
_SWAGGER_START = """SwaggerUIBundle({
  url: document.currentScript.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


@cache
def _offline_redoc_bundle() -> bytes:
    package, folder = _ASSETS_PACKAGE
    bundle = (files(package) / folder / "redoc.standalone.js").read_bytes()
    return bundle.replace(_REDOC_CDN_LOGO, _BLANK_IMAGE)


def self_hosted_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve Swagger UI and ReDoc from this process; create ``app`` with ``docs_url=None, redoc_url=None``."""

    def urls(request: Request) -> tuple[str, str]:
        root = request.scope.get("root_path", "")  # set when this app is mounted, e.g. at /api
        return root + DOCS_ASSETS, root + str(app.openapi_url)

    async def swagger_ui(request: Request) -> HTMLResponse:
        assets, openapi_url = urls(request)
        title, openapi_url = html.escape(f"{app.title} - Swagger UI"), html.escape(openapi_url)
        return HTMLResponse(_SWAGGER_PAGE.format(title=title, assets=assets, openapi_url=openapi_url))

    async def swagger_start(request: Request) -> Response:
        return Response(_SWAGGER_START, media_type="text/javascript")

    async def redoc(request: Request) -> HTMLResponse:
        assets, openapi_url = urls(request)
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )

    async def redoc_bundle(request: Request) -> Response:
        return Response(_offline_redoc_bundle(), media_type="text/javascript")

    # Registered before the static mount, so these two files are ours, the rest the package's.
    app.add_api_route(f"{DOCS_ASSETS}/swagger-start.js", swagger_start, include_in_schema=False)
    app.add_api_route(f"{DOCS_ASSETS}/redoc.standalone.js", redoc_bundle, include_in_schema=False)
    app.add_api_route(docs_url, swagger_ui, include_in_schema=False)
    app.add_api_route(redoc_url, redoc, include_in_schema=False)
    app.mount(DOCS_ASSETS, StaticFiles(packages=[_ASSETS_PACKAGE]), name="docs-assets")
{%- endraw %}
