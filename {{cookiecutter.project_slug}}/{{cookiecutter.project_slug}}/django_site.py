"""The Django side: settings, one view and the URL conf, kept in one module.

In a real Django project keep your own settings module and point
``DJANGO_SETTINGS_MODULE`` at it instead of the ``settings.configure`` block below.
"""

import os
import secrets

import django
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from {{ cookiecutter.project_slug }}.home import render_home
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


urlpatterns = [path("", home), path("api/summary", summary)]
application = get_asgi_application()
