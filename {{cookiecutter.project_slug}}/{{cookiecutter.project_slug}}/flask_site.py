{%- set signed_in = cookiecutter.__auth != "none" -%}
"""The Flask side: the home page and {% if signed_in %}its JSON views{% else %}a JSON view{% endif %}, served through a2wsgi."""

{% if signed_in -%}
import functools
from collections.abc import Callable
from typing import Any

{% endif -%}
from a2wsgi import WSGIMiddleware
from flask import Flask, jsonify{% if signed_in %}, request{% endif %}

{% if signed_in -%}
from {{ cookiecutter.project_slug }}.app_state import SignInAdmin, StoreUnavailable
{% endif -%}
from {{ cookiecutter.project_slug }}.home import render_home
{%- if signed_in %}
from {{ cookiecutter.project_slug }}.roles import forbidden_body, roles_in
{%- endif %}

flask_app = Flask(__name__)


@flask_app.get("/")
def home() -> str:
    return render_home()


@flask_app.get("/api/summary")
def summary():
    values = [i * i for i in range(10)]
    return jsonify(count=len(values), total=sum(values), mean=sum(values) / len(values))


{%- if signed_in %}


def requires_role(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@requires_role("admin")`` below ``@flask_app.get``: 403 without the role (JSON, or a page)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if role in roles_in(request.headers):  # set by the guard in app.py, never by the client
                return view(*args, **kwargs)
            body, kind = forbidden_body(request.headers.get("accept", ""), role)
            return body, 403, {"Content-Type": kind}

        return guarded

    return decorate


@flask_app.get("/api/whoami")
def whoami():
    """Who is asking, as the guard set it: a signed-in person or an agent's token, and their roles."""
    return jsonify(name=request.headers.get("x-forwarded-user", ""), roles=sorted(roles_in(request.headers)))


@flask_app.get("/api/admin/events")
@requires_role("admin")
def sign_in_events():
    """The latest sign-ins, failures, sign-outs and token uses (role admin)."""
    admin = SignInAdmin.of("{{ cookiecutter.project_slug }}")  # app.py's sessions and events
    try:
        return jsonify(events=admin.latest_events_now(100))
    except StoreUnavailable:
        return jsonify(detail="The sign-in store is unavailable."), 503
{%- endif %}


asgi_app = WSGIMiddleware(flask_app)  # what app.py mounts at /
