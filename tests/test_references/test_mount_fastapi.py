"""Skeleton references, in-process: who owns the root, and what answers where."""

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import load_reference

pytestmark = pytest.mark.isolated  # one st.App (one Streamlit runtime) per process

STREAMLIT_PAGE = "<title>Streamlit</title>"


def test_mount_fastapi_serves_dashboard_at_root_and_api_under_api():
    module = load_reference("mount_fastapi")
    with TestClient(module.app) as client:
        assert STREAMLIT_PAGE in client.get("/").text
        assert client.get("/api/items").json() == {"items": ["apple", "banana", "cherry"]}
        assert client.post("/api/predict", params={"value": 2.5}).json() == {"value": 2.5, "doubled": 5.0}
        docs = client.get("/api/docs")
        assert docs.status_code == 200 and "swagger-ui" in docs.text
        assert "/items" in client.get("/api/openapi.json").json()["paths"]
        assert client.get("/_stcore/health").text == "ok"


def test_mount_streamlit_as_subapp_keeps_fastapi_at_root():
    module = load_reference("mount_streamlit_as_subapp")
    with TestClient(module.app, follow_redirects=False) as client:
        home = client.get("/")
        assert home.status_code == 200 and "API home" in home.text
        redirect = client.get("/dashboard")
        assert redirect.status_code == 307 and redirect.headers["location"].endswith("/dashboard/")
        assert STREAMLIT_PAGE in client.get("/dashboard/").text
        assert client.get("/dashboard/_stcore/health").text == "ok"
        assert client.get("/api/data").json() == {"data": [1, 2, 3]}
        assert client.get("/docs").status_code == 200


def test_route_custom_endpoints_answer_json_and_escaped_html():
    module = load_reference("route_custom_endpoints")
    with TestClient(module.app) as client:
        assert client.get("/api/health").json() == {"status": "healthy", "service": "streamlit-app"}
        assert client.get("/api/data").json()["count"] == 3
        fragment = client.get("/fragments/greeting/<img src=x onerror=alert(1)>")
        assert fragment.headers["content-type"].startswith("text/html")
        assert "<img" not in fragment.text and "&lt;img src=x onerror=alert(1)&gt;" in fragment.text


def test_reserved_streamlit_paths_are_refused():
    import streamlit as st
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from tests.support import ROOT

    async def handler(request):
        return PlainTextResponse("mine")

    with pytest.raises(ValueError, match="reserved"):
        st.App(ROOT / "references" / "dashboard.py", routes=[Route("/_stcore/mine", handler)])


def test_mount_static_files_serves_the_folder():
    module = load_reference("mount_static_files")
    with TestClient(module.app, follow_redirects=False) as client:
        assert client.get("/landing").headers["location"] == "/landing/"
        index = client.get("/landing/")
        assert index.status_code == 200 and "A static site beside Streamlit" in index.text
        css = client.get("/landing/style.css")
        assert css.headers["content-type"].startswith("text/css")
        assert client.get("/landing/missing.css").status_code == 404
        assert STREAMLIT_PAGE in client.get("/").text


@pytest.mark.parametrize(
    ("name", "home_text"), [("mount_django", "Django home"), ("mount_flask", "Flask home")]
)
def test_wsgi_style_parents_own_root_and_refuse_websockets(name, home_text):
    module = load_reference(name)
    # Django checks the Host header against ALLOWED_HOSTS.
    with TestClient(module.app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert home_text in client.get("/").text
        assert client.get("/dashboard").headers["location"] == "/dashboard/"
        assert STREAMLIT_PAGE in client.get("/dashboard/").text
        assert client.get("/dashboard/_stcore/health").text == "ok"
        # A websocket that is not Streamlit's must be refused, not crash the parent.
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/some/socket"):
            pass


def test_flask_json_view():
    module = load_reference("mount_flask")
    with TestClient(module.app) as client:
        assert client.get("/api/hello").json() == {"message": "Hello from Flask"}
