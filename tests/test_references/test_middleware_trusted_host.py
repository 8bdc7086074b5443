"""references/middleware_trusted_host.py, the MCP guard of route_mcp_server.py and the Origin check
of route_websocket_stream.py, in-process. (tests/test_security/test_edge.py attacks the baked
projects over real sockets.)"""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import load_reference

pytestmark = pytest.mark.isolated

REBOUND = "rebind.attacker.example"
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}


def test_settings_allow_the_public_host_and_loopback_and_name_bad_entries():
    from references.middleware_trusted_host import EdgeSettings

    assert EdgeSettings.from_env({}).allowed_hosts == ("localhost", "127.0.0.1", "[::1]")
    public = EdgeSettings.from_env({"PUBLIC_BASE_URL": "https://Dash.Example.com:8443/x"})
    assert public.allowed_hosts[-1] == "dash.example.com"
    assert EdgeSettings.from_env({"PUBLIC_BASE_URL": "http://[2001:db8::1]:80"}).allowed_hosts[-1] == (
        "[2001:db8::1]"
    )
    proxies = EdgeSettings.from_env(
        {"TRUSTED_PROXIES": " 10.0.0.1/8 , 192.0.2.7,,2001:db8::1 "}
    ).trusted_proxies
    assert proxies == ("10.0.0.0/8", "192.0.2.7/32", "2001:db8::1/128")
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL: 'javascript:alert"):
        EdgeSettings.from_env({"PUBLIC_BASE_URL": "javascript:alert(1)"})
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'proxy.local'"):
        EdgeSettings.from_env({"TRUSTED_PROXIES": "10.0.0.1,proxy.local"})


def test_reference_app_refuses_foreign_hosts_and_origins_on_http_and_websocket(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dash.example.com")
    module = load_reference("middleware_trusted_host")
    with TestClient(module.app, base_url="http://dash.example.com") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"Host": REBOUND}).status_code == 400
        assert client.get("http://127.0.0.1:8000/").status_code == 200
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"ws://{REBOUND}/_stcore/stream"):
            pass
        for origin in ("https://evil.example", "null", "http://dash.example.com.evil.example"):
            headers = {"Origin": origin}
            stream = "ws://dash.example.com/_stcore/stream"
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                client.websocket_connect(stream, headers=headers),
            ):
                pass
            assert refused.value.status_code == 403, origin
        with client.websocket_connect(
            "ws://dash.example.com/_stcore/stream",
            headers={"Origin": "https://dash.example.com"},
            subprotocols=["streamlit"],
        ):
            pass  # same site: Streamlit accepts it


def echo_app(**settings):
    """The edge layers around a route that shows what the app believes."""
    from references.middleware_trusted_host import EdgeSettings, edge_guard_middleware, proxy_trust_middleware

    async def whoami(request: Request) -> JSONResponse:
        return JSONResponse({"client": request.client.host, "scheme": request.url.scheme})

    edge = EdgeSettings(**settings)
    middleware = [proxy_trust_middleware(edge), *edge_guard_middleware(edge)]
    return Starlette(routes=[Route("/", whoami, methods=["GET", "POST"])], middleware=middleware)


def test_forwarding_headers_count_from_the_trusted_proxy_only():
    app = echo_app(trusted_proxies=("10.0.0.5",))
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    with TestClient(app, base_url="http://localhost", client=("10.0.0.5", 1)) as proxy:
        assert proxy.get("/", headers=forwarded).json() == {"client": "203.0.113.9", "scheme": "https"}
    with TestClient(app, base_url="http://localhost", client=("10.0.0.6", 1)) as stranger:
        assert stranger.get("/", headers=forwarded).json() == {"client": "10.0.0.6", "scheme": "http"}
    with TestClient(echo_app(), base_url="http://localhost", client=("127.0.0.1", 1)) as local:
        assert local.get("/", headers=forwarded).json() == {"client": "127.0.0.1", "scheme": "http"}


def test_bodies_need_a_length_within_the_limit():
    with TestClient(echo_app(), base_url="http://localhost") as client:
        assert client.post("/", content=b"a" * 1024 * 1024).status_code == 200
        assert client.post("/", content=b"a" * (1024 * 1024 + 1)).status_code == 413
        assert client.post("/", content=iter([b"a"])).status_code == 411  # chunked: no length
        assert client.post("/", headers={"Content-Length": "-1"}, content=b"").status_code == 413
        # Streamlit's uploads have their own limit (server.maxUploadSize).
        assert client.put("/_stcore/upload_file/s/f", content=b"a" * 2 * 1024 * 1024).status_code == 404


def test_mcp_reference_has_fastmcps_host_and_origin_guard_on():
    module = load_reference("route_mcp_server")
    with TestClient(module.app, base_url="http://127.0.0.1:8000") as client:
        ok = client.post("/mcp/", json=INITIALIZE, headers=MCP_HEADERS)
        assert ok.status_code != 421 and ok.status_code != 403
        rebound = client.post("/mcp/", json=INITIALIZE, headers={**MCP_HEADERS, "Host": REBOUND})
        assert rebound.status_code == 421  # fastmcp: Misdirected Request
        foreign = client.post(
            "/mcp/", json=INITIALIZE, headers={**MCP_HEADERS, "Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403 and foreign.text == "Forbidden Origin"


def test_live_ticks_refuse_another_sites_page_and_streamlit_does_too():
    module = load_reference("route_websocket_stream")
    with TestClient(module.app, base_url="http://127.0.0.1:8000") as client:
        for path in ("/ws/live", "/_stcore/stream"):
            with pytest.raises(WebSocketDisconnect):
                headers = {"Origin": "https://evil.example"}
                with client.websocket_connect(f"ws://127.0.0.1:8000{path}", headers=headers):
                    pass
        same = {"Origin": "http://127.0.0.1:8000"}
        with client.websocket_connect("ws://127.0.0.1:8000/ws/live", headers=same) as socket:
            assert socket.receive_json()["seq"] == 1


def test_the_login_limiter_counts_the_address_the_edge_believes(auth_env):
    """Rotating X-Forwarded-For from an untrusted peer does not reset the login limiter."""
    from references.middleware_auth import AuthSettings, auth_middleware, login_routes
    from references.middleware_trusted_host import EdgeSettings, edge_guard_middleware, proxy_trust_middleware
    from tests.support import TEST_PASSWORD, TEST_USER

    wrong = {"username": TEST_USER, "password": "wrong guess 0123"}
    right = {"username": TEST_USER, "password": TEST_PASSWORD}
    auth = AuthSettings.from_env()
    edge = EdgeSettings(trusted_proxies=("10.0.0.5",))
    middleware = [proxy_trust_middleware(edge), *edge_guard_middleware(edge), *auth_middleware(auth)]
    app = Starlette(routes=login_routes(auth), middleware=middleware)
    with TestClient(app, base_url="http://localhost", client=("10.0.0.6", 1)) as stranger:
        for attempt in range(5):
            spoof = {"X-Forwarded-For": f"203.0.113.{attempt}"}
            assert stranger.post("/login", data=wrong, headers=spoof).status_code == 401
        fresh = {"X-Forwarded-For": "203.0.113.99"}
        assert stranger.post("/login", data=right, headers=fresh).status_code == 429
    with TestClient(app, base_url="http://localhost", client=("10.0.0.5", 1)) as proxy:
        # Through the trusted proxy each client is counted on its own address.
        for attempt in range(5):
            spoof = {"X-Forwarded-For": f"198.51.100.{attempt}"}
            assert proxy.post("/login", data=wrong, headers=spoof).status_code == 401
        other = {"X-Forwarded-For": "198.51.100.99"}
        assert proxy.post("/login", data=right, headers=other, follow_redirects=False).status_code == 303
