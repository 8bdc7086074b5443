{%- set c = cookiecutter -%}
"""The dashboard script through Streamlit's AppTest (no server, no browser)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from {{ c.project_slug }} import PROJECT_NAME

DASHBOARD = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def test_dashboard_shows_the_project_and_reruns_on_input():
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == PROJECT_NAME
    at.slider[0].set_value(7).run()
    assert any("Sum of 1..7 = 28" in md.value for md in at.markdown)
