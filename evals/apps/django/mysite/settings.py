"""An existing Django site, as an agent finds it: its settings, urls and views (no database)."""

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "eval-only-django-key-not-a-real-secret-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES: dict = {}
