"""references/mount_django.py: Django owns /, the dashboard is mounted at /dashboard/."""

import pytest

from tests.support import (
    assert_reference_renders,
    assert_streamlit_run_discovers_the_parent_app,
    assert_wsgi_parent_owns_root,
    load_reference,
)


@pytest.mark.isolated
def test_parent_owns_root_and_refuses_other_websockets():
    assert_wsgi_parent_owns_root(load_reference("mount_django"), "Django home")


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "mount_django", "/dashboard/")


@pytest.mark.live
def test_streamlit_run_discovers_the_parent_app(page, tmp_path):
    assert_streamlit_run_discovers_the_parent_app(page, tmp_path, "mount_django", "/dashboard/")
