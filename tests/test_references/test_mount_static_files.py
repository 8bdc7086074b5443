"""references/mount_static_files.py: a static folder served beside the dashboard."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    STREAMLIT_PAGE,
    assert_reference_renders,
    load_reference,
)


@pytest.mark.isolated
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


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "mount_static_files", "/")
