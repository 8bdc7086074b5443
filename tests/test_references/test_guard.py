"""Guard references, in-process: headers, auth, cookies and the allowlist hold on http AND websocket."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
import streamlit
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import TEST_PASSWORD, TEST_SECRET_KEY, load_reference

pytestmark = pytest.mark.isolated


def installed_inline_script_hash() -> str:
    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def first_asset(index_html: str) -> str:
    return "/" + re.search(r'src="\./(static/js/[^"]+)"', index_html).group(1)


# --- security headers -------------------------------------------------------------------


def test_every_response_carries_the_policy_and_hsts_only_over_https():
    module = load_reference("middleware_security_headers")
    with TestClient(module.app, raise_server_exceptions=False) as client:
        index = client.get("/")
        paths = ["/", "/api/headers", "/_stcore/health", "/favicon.png", first_asset(index.text)]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            csp = response.headers["content-security-policy"]
            assert installed_inline_script_hash() in csp, path
            assert "'wasm-unsafe-eval'" in csp and "frame-ancestors 'self'" in csp
            assert response.headers["x-frame-options"] == "SAMEORIGIN"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "camera=()" in response.headers["permissions-policy"]
            assert "strict-transport-security" not in response.headers, path
        cookies = client.get("/api/headers").headers.get_list("set-cookie")
        assert sorted(c.split(";")[0] for c in cookies) == ["first=1", "second=2"]
        hsts = client.get("https://testserver/api/headers").headers["strict-transport-security"]
        assert hsts.startswith("max-age=63072000")
        for url in ("http://testserver/api/boom", "https://testserver/api/boom"):
            crash = client.get(url)  # a raised exception: Starlette's 500 is outside all middleware
            assert crash.status_code == 500 and crash.text == "Internal Server Error"
            assert installed_inline_script_hash() in crash.headers["content-security-policy"]
            assert crash.headers["x-frame-options"] == "SAMEORIGIN"
            assert ("strict-transport-security" in crash.headers) == url.startswith("https")


# --- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_SECRET_KEY": TEST_SECRET_KEY}, "APP_PASSWORD is not set"),
        ({"APP_PASSWORD": "pw"}, "APP_SECRET_KEY is not set"),
        ({"APP_PASSWORD": "pw", "APP_SECRET_KEY": "short"}, "shorter than 32 bytes"),
    ],
)
def test_auth_refuses_to_start_without_safe_settings(auth_env, env, message):
    from references.middleware_auth import AuthConfigError, AuthSettings

    with pytest.raises(AuthConfigError, match=message):
        AuthSettings.from_env(env)


def test_auth_dev_mode_generates_throwaway_values_loudly(auth_env, capsys):
    from references.middleware_auth import AuthSettings

    settings = AuthSettings.from_env({"APP_DEV_MODE": "1"})
    assert len(settings.secret_key) >= 32 and settings.password
    assert "WARNING (development only)" in capsys.readouterr().err
    assert AuthSettings.from_env({"APP_DEV_MODE": "1", "PUBLIC_BASE_URL": "https://x.example"}).https_only


def login(client: TestClient, password: str = TEST_PASSWORD, next_path: str = "/"):
    return client.post("/login", data={"password": password, "next": next_path})


def test_auth_reference_refuses_to_import_without_settings(monkeypatch):
    monkeypatch.delenv("APP_PASSWORD", raising=False)
    monkeypatch.delenv("APP_DEV_MODE", raising=False)
    with pytest.raises(ValueError, match="APP_PASSWORD is not set"):
        load_reference("middleware_auth")


def test_auth_guards_page_websocket_uploads_and_media(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        page = client.get("/?tab=2")
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/%3Ftab%3D2"
        assert client.get("/media/abc.png").status_code == 303
        assert client.put("/_stcore/upload_file/s/f", content=b"x").status_code == 401
        for path in ("/_stcore/stream", "/component/x"):
            with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(path):
                pass
            assert refused.value.code == 1008
        form = client.get("/login")
        assert form.status_code == 200 and 'name="password"' in form.text


def test_auth_login_sets_a_hardened_cookie_and_opens_the_websocket(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert login(client, "wrong").status_code == 401
        response = login(client, next_path="/?tab=2")
        assert response.status_code == 303 and response.headers["location"] == "/?tab=2"
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("app_session=")
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
        assert "secure" not in cookie  # plain http here; PUBLIC_BASE_URL=https://... adds it
        assert client.get("/").status_code == 200
        with client.websocket_connect("/_stcore/stream", subprotocols=["streamlit"]):
            pass  # accepted: the guard let the signed-in session through
        assert client.get("/logout").headers["location"] == "/login"
        assert client.get("/").status_code == 303


@pytest.mark.parametrize(
    "cookie",
    ["garbage", "", "a.b.c", "eyJ1c2VyIjogImFkbWluIn0=.forged.signature", "%C3%A9", "x" * 5000],
)
def test_auth_treats_tampered_cookies_as_signed_out(auth_env, cookie):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        client.cookies.set("app_session", cookie)
        assert client.get("/").status_code == 303
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/_stcore/stream"):
            pass


def test_auth_expired_session_is_signed_out(auth_env):
    import time

    from references.middleware_auth import AuthSettings, auth_middleware, login_routes

    async def page(request: Request) -> Response:
        return JSONResponse({"ok": True})

    settings = AuthSettings(password="pw", secret_key=TEST_SECRET_KEY, max_age_seconds=1)
    app = Starlette(routes=[Route("/", page), *login_routes(settings)], middleware=auth_middleware(settings))
    with TestClient(app, follow_redirects=False) as client:
        login(client, "pw")
        assert client.get("/").status_code == 200
        time.sleep(2.2)  # itsdangerous timestamps have one-second resolution
        assert client.get("/").status_code == 303


def test_auth_rejects_open_redirects_and_rate_limits(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert login(client, next_path="//evil.example/").headers["location"] == "/"
        client.cookies.clear()
        for _ in range(5):
            assert login(client, "wrong").status_code == 401
        assert login(client).status_code == 429  # even the right password waits now


def test_auth_guard_replaces_a_client_supplied_user_header(auth_env):
    from references.middleware_auth import AuthSettings, auth_middleware, login_routes

    async def whoami(request: Request) -> Response:
        return JSONResponse({"user": request.headers.getlist("x-authenticated-user")})

    settings = AuthSettings(password="pw", secret_key=TEST_SECRET_KEY)
    app = Starlette(routes=[Route("/whoami", whoami), *login_routes(settings)],
                    middleware=auth_middleware(settings))  # fmt: skip
    forged = {"X-Authenticated-User": "mallory"}
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/whoami", headers=forged).status_code == 303
        login(client, "pw")
        assert client.get("/whoami", headers=forged).json() == {"user": ["admin"]}


# --- cookies ------------------------------------------------------------------------------


def test_visitor_cookie_is_set_once_and_other_cookies_survive():
    from references.middleware_cookies import VisitorCookieMiddleware

    async def page(request: Request) -> Response:
        response = JSONResponse({"visitor": request.cookies.get("visitor_id")})
        response.set_cookie("theme", "dark")
        return response

    app = Starlette(routes=[Route("/", page)], middleware=[Middleware(VisitorCookieMiddleware)])
    with TestClient(app) as client:
        first = client.get("/")
        cookies = first.headers.get_list("set-cookie")
        assert any(c.startswith("theme=dark") for c in cookies)
        (visitor,) = [c for c in cookies if c.startswith("visitor_id=")]
        assert "HttpOnly" in visitor and "SameSite=Lax" in visitor
        second = client.get("/")
        assert second.json()["visitor"] == visitor.split(";")[0].split("=", 1)[1]
        assert not any(c.startswith("visitor_id=") for c in second.headers.get_list("set-cookie"))


def test_cookie_reference_sets_cookie_on_the_streamlit_page():
    module = load_reference("middleware_cookies")
    with TestClient(module.app) as client:
        assert "visitor_id=" in client.get("/").headers["set-cookie"]


# --- IP allowlist -------------------------------------------------------------------------


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


def test_allowlist_refuses_forwarding_headers_without_a_trusted_proxy():
    with TestClient(allowlist_app("127.0.0.1/32"), client=("127.0.0.1", 5000)) as client:
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
            assert client.get("/", headers={header: "127.0.0.1"}).status_code == 403
    with TestClient(allowlist_app("127.0.0.1/32", "127.0.0.1"), client=("127.0.0.1", 5000)) as client:
        assert client.get("/", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_allowlist_reference_covers_streamlit_websocket(monkeypatch):
    monkeypatch.setenv("ALLOWED_IPS", "10.0.0.0/8")
    module = load_reference("middleware_ip_whitelist")
    with TestClient(module.app, client=("127.0.0.1", 5000)) as client:
        assert client.get("/").status_code == 403
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/_stcore/stream"):
            pass
        assert refused.value.code == 1008
