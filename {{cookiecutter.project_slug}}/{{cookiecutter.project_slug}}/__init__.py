"""The parts that the composition root (app.py) wires together, one concern per module."""

PROJECT_NAME = {{ cookiecutter.project_name|tojson }}
DESCRIPTION = {{ cookiecutter.description|tojson }}
{%- if cookiecutter.parent != "streamlit" %}
# Where the parent mounts the dashboard; Streamlit serves it at DASHBOARD_PATH + "/".
DASHBOARD_PATH = "/dashboard"
{%- endif %}
