"""{{ cookiecutter.project_name }}: the parts the composition root (app.py) wires together."""

PROJECT_NAME = {{ cookiecutter.project_name|tojson }}
DESCRIPTION = {{ cookiecutter.description|tojson }}
