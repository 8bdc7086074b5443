{%- set signed_in = cookiecutter.__auth != "none" -%}
"""The Django side: settings, {% if signed_in %}its views{% else %}one view{% endif %} and the URL conf, kept in one module.

In a real Django project keep your own settings module and point
``DJANGO_SETTINGS_MODULE`` at it instead of the ``settings.configure`` block below.
"""

{% if signed_in -%}
import functools
{% endif -%}
import os
import secrets
{%- if signed_in %}
from collections.abc import Callable
from typing import Any
{%- endif %}

import django
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

{% if signed_in -%}
from {{ cookiecutter.project_slug }}.app_state import SignInAdmin, StoreUnavailable
{% endif -%}
from {{ cookiecutter.project_slug }}.home import render_home
{%- if signed_in %}
from {{ cookiecutter.project_slug }}.roles import forbidden_body, roles_in
{%- endif %}
from {{ cookiecutter.project_slug }}.trusted_host import EdgeSettings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        # Django signs nothing here (no sessions, no CSRF forms); a per-process key is enough.
        SECRET_KEY=os.environ.get("APP_SECRET_KEY") or secrets.token_urlsafe(48),
        ALLOWED_HOSTS=list(EdgeSettings.from_env().allowed_hosts),  # the same names as app.py
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    )
    django.setup()


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_home())


def summary(request: HttpRequest) -> JsonResponse:
    values = [i * i for i in range(10)]
    return JsonResponse({"count": len(values), "total": sum(values), "mean": sum(values) / len(values)})


{%- if signed_in %}


def requires_role(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``@requires_role("admin")`` on a view: 403 without the role (JSON, or a page for browsers)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role in roles_in(request.headers):  # set by the guard in app.py, never by the client
                return view(request, *args, **kwargs)
            body, kind = forbidden_body(request.headers.get("accept", ""), role)
            return HttpResponse(body, status=403, content_type=kind)

        return guarded

    return decorate


def whoami(request: HttpRequest) -> JsonResponse:
    """Who is asking, as the guard set it: a signed-in person or an agent's token, and their roles."""
    name = request.headers.get("x-forwarded-user", "")
    return JsonResponse({"name": name, "roles": sorted(roles_in(request.headers))})


@requires_role("admin")
def sign_in_events(request: HttpRequest) -> JsonResponse:
    """The latest sign-ins, failures, sign-outs and token uses (role admin)."""
    admin = SignInAdmin.of("{{ cookiecutter.project_slug }}")  # app.py's sessions and events
    try:
        events = admin.latest_events_now(100)
    except StoreUnavailable:
        return JsonResponse({"detail": "The sign-in store is unavailable."}, status=503)
    return JsonResponse({"events": events})


urlpatterns = [
    path("", home),
    path("api/summary", summary),
    path("api/whoami", whoami),
    path("api/admin/events", sign_in_events),
]
{%- else %}


urlpatterns = [path("", home), path("api/summary", summary)]
{%- endif %}
application = get_asgi_application()
