"""route_agent_api.py: Streamlit's agent API only with a bearer token, the token's user in st.user."""

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import load_reference

pytestmark = pytest.mark.isolated

TOKEN = "alice-test-token-0123456789abcdefghijklmnop"


@pytest.fixture
def tokens_env(monkeypatch):
    monkeypatch.setenv("API_TOKENS", f"alice@example.com={TOKEN}")


def test_agent_api_answers_the_token_holder_as_that_user(tokens_env):
    module = load_reference("route_agent_api")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(module.app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        refused = client.get("/_stcore/agent/openapi.json")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        forged = client.post(
            "/_stcore/agent/interact", json={}, headers={"X-Authenticated-User": "alice@example.com"}
        )
        assert forged.status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer " + "z" * 40}).status_code == 401
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/_stcore/stream"):
            pass

        snapshot = client.post(
            "/_stcore/agent/interact",
            json={},
            headers={**auth, "X-Authenticated-User": "mallory@example.com"},
        )
        assert snapshot.status_code == 200
        assert "Signed in as alice@example.com" in snapshot.text and "mallory" not in snapshot.text


@pytest.mark.parametrize("value", ["", "alice@example.com=short", "=" + "t" * 40])
def test_weak_or_missing_tokens_refuse_to_start(monkeypatch, value):
    monkeypatch.setenv("API_TOKENS", value)
    with pytest.raises(ValueError, match="API_TOKENS"):
        load_reference("route_agent_api")
