"""The Flask side: the home page and a JSON view, served through a2wsgi."""

from a2wsgi import WSGIMiddleware
from flask import Flask, jsonify

from {{ cookiecutter.project_slug }}.home import render_home

flask_app = Flask(__name__)


@flask_app.get("/")
def home() -> str:
    return render_home()


@flask_app.get("/api/summary")
def summary():
    values = [i * i for i in range(10)]
    return jsonify(count=len(values), total=sum(values), mean=sum(values) / len(values))


asgi_app = WSGIMiddleware(flask_app)  # what app.py mounts at /
