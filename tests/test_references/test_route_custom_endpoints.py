"""references/route_custom_endpoints.py: custom endpoints beside Streamlit's own routes."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    ROOT,
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
def test_route_custom_endpoints_answer_json_and_escaped_html():
    module = load_reference("route_custom_endpoints")
    with TestClient(module.app) as client:
        assert client.get("/api/health").json() == {"status": "healthy", "service": "streamlit-app"}
        assert client.get("/api/data").json()["count"] == 3
        fragment = client.get("/fragments/greeting/<img src=x onerror=alert(1)>")
        assert fragment.headers["content-type"].startswith("text/html")
        assert "<img" not in fragment.text and "&lt;img src=x onerror=alert(1)&gt;" in fragment.text


@pytest.mark.isolated
def test_reserved_streamlit_paths_are_refused():
    import streamlit as st
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def handler(request):
        return PlainTextResponse("mine")

    with pytest.raises(ValueError, match="reserved"):
        st.App(ROOT / "references" / "dashboard.py", routes=[Route("/_stcore/mine", handler)])


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "route_custom_endpoints", "/")
