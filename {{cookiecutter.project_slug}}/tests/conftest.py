{%- set c = cookiecutter -%}
"""One app for the whole run: Streamlit allows one runtime per process."""

import os
{%- if c.__auth == "oidc" %}
import threading
from urllib.parse import parse_qs, urlsplit
{%- endif %}

{% if c.__auth == "oidc" -%}
import httpx
{% endif -%}
import pytest
{%- if c.__auth == "password" %}
from argon2 import PasswordHasher
{%- elif c.__auth == "oidc" %}
from oidc_provider_mock import User
from oidc_provider_mock import app as provider_app
{%- endif %}
from starlette.testclient import TestClient
{%- if c.__auth == "oidc" %}
from werkzeug.serving import make_server  # oidc-provider-mock's server (a Flask app)
{%- endif %}

{% if c.__auth == "password" -%}
# Test-only account and key, set before app.py reads them (cheap hash parameters: tests only).
TEST_USER, TEST_PASSWORD = "tester", "test-only password 0123"
os.environ["APP_USERS"] = f"{TEST_USER}:{PasswordHasher(time_cost=1, memory_cost=1024).hash(TEST_PASSWORD)}"
os.environ.setdefault("APP_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
{% elif c.__auth == "oidc" -%}
# A real OpenID provider on loopback (oidc-provider-mock, in a thread of this process), started
# before app.py reads its discovery document. Test-only client, secret and key.
TEST_USER = User(sub="tester", claims={"name": "Test User", "email": "tester@example.com"})
if "TEST_OIDC_PROVIDER" not in os.environ:  # pytest imports this file twice: one provider
    _provider = make_server("localhost", 0, provider_app(user_claims=[TEST_USER], require_nonce=True))
    # A daemon thread: it ends with the test run (a plain one would keep `pytest` from exiting).
    threading.Thread(target=_provider.serve_forever, daemon=True).start()
    os.environ["TEST_OIDC_PROVIDER"] = f"http://localhost:{_provider.server_port}"
PROVIDER = os.environ["TEST_OIDC_PROVIDER"]
CLIENT_ID, CLIENT_SECRET = "test-client", "test-only-client-secret"
os.environ.update(OIDC_ISSUER=PROVIDER, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET)
os.environ.pop("OIDC_AUDIENCE", None)  # the audience is the client id
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
{%- elif c.__auth == "oidc" %}


def sign_in(client, next_path: str = "/"):
    """The redirect sign-in, with the provider's form posted as TEST_USER; the callback's answer."""
    to_provider = client.get(f"/login?next={next_path}")
    assert to_provider.status_code == 302 and to_provider.headers["location"].startswith(PROVIDER)
    back = httpx.post(to_provider.headers["location"], data={"sub": TEST_USER.sub})
    callback = urlsplit(back.headers["location"])  # PUBLIC_BASE_URL + /auth/callback?code=...
    return client.get(f"{callback.path}?{callback.query}")


@pytest.fixture
def signed_in(fresh_client):
    assert sign_in(fresh_client).status_code == 303
    return fresh_client


@pytest.fixture(scope="session")
def agent_token():
    """A JWT the provider signed for this client (an ID token): what an agent sends as a bearer."""
    redirect_uri = "http://127.0.0.1/agent-callback"
    authorize = {"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code",
                 "scope": "openid profile email", "nonce": "n", "state": "s"}  # fmt: skip
    back = httpx.post(f"{PROVIDER}/oauth2/authorize", params=authorize, data={"sub": TEST_USER.sub})
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    token = httpx.post(f"{PROVIDER}/oauth2/token", data=grant, auth=(CLIENT_ID, CLIENT_SECRET))
    return token.json()["id_token"]
{%- endif %}
