{%- set c = cookiecutter -%}
"""One app for the whole run: Streamlit allows one runtime per process."""

import os

import pytest
{%- if c.__auth == "password" %}
from argon2 import PasswordHasher
{%- endif %}
from starlette.testclient import TestClient

{% if c.__auth == "password" -%}
# Test-only account and key, set before app.py reads them (cheap hash parameters: tests only).
TEST_USER, TEST_PASSWORD = "tester", "test-only password 0123"
os.environ["APP_USERS"] = f"{TEST_USER}:{PasswordHasher(time_cost=1, memory_cost=1024).hash(TEST_PASSWORD)}"
os.environ.setdefault("APP_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
{% endif -%}
{% if c.ip_allowlist -%}
os.environ.setdefault("ALLOWED_IPS", "127.0.0.1/32,::1/128")
{% endif -%}
# TestClient's websockets send Host: testserver; only allowed hosts are answered.
os.environ.setdefault("PUBLIC_BASE_URL", "http://testserver")

DASHBOARD = "{{ '/' if c.parent == 'streamlit' else '/dashboard/' }}"
# The in-process client's address; the allowlist sees it as the client's IP.
CLIENT = ("127.0.0.1", 50000)


@pytest.fixture(scope="session")
def app():
    from app import app

    return app


@pytest.fixture(scope="session")
def client(app):
    # Django checks the Host header, so talk to 127.0.0.1 like a local browser would.
    with TestClient(app, base_url="http://127.0.0.1", client=CLIENT, follow_redirects=False) as client:
        yield client


@pytest.fixture
def fresh_client(client):
    """The shared client with no cookies left over from another test."""
    client.cookies.clear()
    return client
{%- if c.__auth == "password" %}


@pytest.fixture
def signed_in(fresh_client):
    form = {"username": TEST_USER, "password": TEST_PASSWORD, "next": "/"}
    response = fresh_client.post("/login", data=form)
    assert response.status_code == 303
    return fresh_client
{%- endif %}
