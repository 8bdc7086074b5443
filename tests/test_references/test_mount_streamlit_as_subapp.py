"""references/mount_streamlit_as_subapp.py: FastAPI owns /, the dashboard is a sub-app at /dashboard/."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    STREAMLIT_PAGE,
    assert_reference_renders,
    assert_streamlit_run_discovers_the_parent_app,
    load_reference,
)


@pytest.mark.isolated
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


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "mount_streamlit_as_subapp", "/dashboard/")


@pytest.mark.live
def test_streamlit_run_discovers_the_parent_app(page, tmp_path):
    assert_streamlit_run_discovers_the_parent_app(page, tmp_path, "mount_streamlit_as_subapp", "/dashboard/")
