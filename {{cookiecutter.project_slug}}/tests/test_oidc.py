{%- set c = cookiecutter -%}
"""Sign-in through your OpenID provider (a real one on loopback, see conftest.py) at every door."""

import re

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.conftest import DASHBOARD, PROVIDER, sign_in


def test_signed_out_goes_to_the_provider_and_websocket_is_refused(fresh_client):
    response = fresh_client.get(DASHBOARD)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    to_provider = fresh_client.get(response.headers["location"])
    assert to_provider.status_code == 302 and to_provider.headers["location"].startswith(PROVIDER)
    assert "code_challenge_method=S256" in to_provider.headers["location"]  # PKCE
    with pytest.raises(WebSocketDisconnect), fresh_client.websocket_connect(DASHBOARD + "_stcore/stream"):
        pass


def test_public_doors_are_open_for_their_own_methods_only(fresh_client):
    assert fresh_client.get("/healthz").status_code == 200
    assert fresh_client.get("/signed-out").status_code == 200
    assert fresh_client.get("/auth/callback").status_code == 403  # open, but no state: refused
    assert fresh_client.post("/healthz").status_code == 401
{%- if c.seo %}
    for path in ("/robots.txt", "/sitemap.xml", "/manifest.json"):  # crawlers and browsers
        assert fresh_client.get(path).status_code == 200, path
        assert fresh_client.post(path).status_code == 401, path
{%- endif %}
{%- if c.mcp %}
    assert fresh_client.get("/.well-known/oauth-protected-resource/mcp").status_code == 200
{%- endif %}


def test_programs_get_401_with_a_bearer_challenge(fresh_client):
    for path in [{% if c.mcp %}"/mcp/", {% endif %}"/api/anything"]:
        response = fresh_client.post(path, json={})
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer resource_metadata="), path
    forged = {"Authorization": "Bearer not-a-jwt"}
    assert fresh_client.post("/api/anything", headers=forged).status_code == 401
{%- if c.mcp %}


def test_agents_reach_mcp_with_the_providers_jwt(fresh_client, agent_token):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
    headers = {"Accept": "application/json, text/event-stream", "Authorization": f"Bearer {agent_token}"}
    response = fresh_client.post("/mcp/", json=initialize, headers=headers)
    assert response.status_code == 200 and "dashboard-tools" in response.text
{%- endif %}


def test_sign_in_returns_to_the_page_and_logout_ends_the_session(fresh_client):
    answer = sign_in(fresh_client, DASHBOARD)
    assert answer.status_code == 303 and answer.headers["location"] == DASHBOARD
    assert fresh_client.get(DASHBOARD).status_code == 200
    captured = fresh_client.cookies["app_session"]
    form = fresh_client.get("/logout")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    assert fresh_client.post("/logout", data={"csrf": "forged"}).status_code == 403
    ended = fresh_client.post("/logout", data={"csrf": csrf})
    assert ended.status_code == 303 and ended.headers["location"] == "/signed-out"
    assert "end_session" in fresh_client.get("/signed-out").text  # on to the provider's logout
    assert fresh_client.get(DASHBOARD).status_code == 303
    fresh_client.cookies.set("app_session", captured)  # a copy taken before logout
    assert fresh_client.get(DASHBOARD).status_code == 303
