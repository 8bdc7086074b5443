"""references/middleware_ip_whitelist.py: the IP allowlist on http and websocket."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support import assert_reference_renders, load_reference


@pytest.mark.isolated
@pytest.mark.parametrize(
    ("value", "bad"),
    [("10.0.0.0/8, nonsense", "'nonsense'"), ("300.1.1.1", "'300.1.1.1'"), ("::1/129", "'::1/129'")],
)
def test_allowlist_names_the_bad_entry(value, bad):
    from references.middleware_ip_whitelist import AllowlistSettings

    with pytest.raises(ValueError, match=f"ALLOWED_IPS: {bad}"):
        AllowlistSettings.from_env({"ALLOWED_IPS": value})


def allowlist_app(allowed: str, proxies: str = ""):
    from references.middleware_ip_whitelist import AllowlistSettings, IPAllowlistMiddleware

    async def ok(request: Request) -> Response:
        return JSONResponse({"ok": True})

    settings = AllowlistSettings.from_env({"ALLOWED_IPS": allowed, "TRUSTED_PROXIES": proxies})
    return Starlette(
        routes=[Route("/", ok), Route("/healthz", ok)],
        middleware=[Middleware(IPAllowlistMiddleware, settings=settings)],
    )


@pytest.mark.isolated
@pytest.mark.parametrize(
    ("client_ip", "allowed", "status"),
    [
        ("127.0.0.1", "127.0.0.1/32", 200),
        ("10.1.2.3", "10.0.0.0/8", 200),
        ("10.1.2.3", "127.0.0.1/32", 403),
        ("::1", "::1/128", 200),
        ("2001:db8::5", "2001:db8::/32,10.0.0.0/8", 200),
        ("2001:db9::5", "2001:db8::/32", 403),
    ],
)
def test_allowlist_decides_on_the_client_address(client_ip, allowed, status):
    with TestClient(allowlist_app(allowed), client=(client_ip, 5000)) as client:
        assert client.get("/").status_code == status
        assert client.get("/healthz").status_code == 200  # health checks stay open


@pytest.mark.isolated
def test_allowlist_refuses_forwarding_headers_without_a_trusted_proxy():
    with TestClient(allowlist_app("127.0.0.1/32"), client=("127.0.0.1", 5000)) as client:
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
            assert client.get("/", headers={header: "127.0.0.1"}).status_code == 403
    with TestClient(allowlist_app("127.0.0.1/32", "127.0.0.1"), client=("127.0.0.1", 5000)) as client:
        assert client.get("/", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


@pytest.mark.isolated
def test_allowlist_reference_covers_streamlit_websocket(monkeypatch):
    monkeypatch.setenv("ALLOWED_IPS", "10.0.0.0/8")
    module = load_reference("middleware_ip_whitelist")
    with TestClient(module.app, client=("127.0.0.1", 5000)) as client:
        assert client.get("/").status_code == 403
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/_stcore/stream"):
            pass
        assert refused.value.code == 1008


@pytest.mark.live
def test_dashboard_renders_and_reruns_in_chromium(page, tmp_path):
    assert_reference_renders(page, tmp_path, "middleware_ip_whitelist", "/")
