#!/usr/bin/env python3
"""Streamlit owns /, a FastAPI app answers under /api with its docs at /api/docs."""

from _harness import Target, expect, is_streamlit_page, main


def check(target: Target) -> None:
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")
    expect(target.get("/_stcore/health").text == "ok", "Streamlit's health check")
    expect(target.get("/api/docs").status_code == 200, "/api/docs is missing")
    schema = target.get("/api/openapi.json")
    expect(schema.status_code == 200 and schema.json().get("paths"), "/api/openapi.json lists no paths")
    expect(any(path.startswith("/items") for path in schema.json()["paths"]), "no /api/items endpoint")
    items = target.get("/api/items")
    expect(items.status_code == 200 and isinstance(items.json(), dict | list), "/api/items is not JSON")


if __name__ == "__main__":
    main(__file__, check)
