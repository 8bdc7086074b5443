"""references/mount_flask.py: Flask owns /, the dashboard is mounted at /dashboard/."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    assert_reference_renders,
    assert_wsgi_parent_owns_root,
    load_reference,
)


@pytest.mark.isolated
def test_parent_owns_root_and_refuses_other_websockets():
    assert_wsgi_parent_owns_root(load_reference("mount_flask"), "Flask home")


@pytest.mark.isolated
def test_flask_json_view():
    module = load_reference("mount_flask")
    with TestClient(module.app) as client:
        assert client.get("/api/hello").json() == {"message": "Hello from Flask"}


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "mount_flask", "/dashboard/")
