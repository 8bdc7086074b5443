"""The parts that the composition root (app.py) wires together, one concern per module."""

PROJECT_NAME = {{ cookiecutter.project_name|tojson }}
DESCRIPTION = {{ cookiecutter.description|tojson }}
