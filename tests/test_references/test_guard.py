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

from tests.conftest import (
    AUTH_ENV,
    TEST_API_TOKEN,
    TEST_PASSWORD,
    TEST_SECRET_KEY,
    TEST_USER,
    load_reference,
)
from tests.support import ROOT

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
    with TestClient(module.app) as client:
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


# --- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_SECRET_KEY": TEST_SECRET_KEY}, "APP_USERS is not set"),
        ({"APP_USERS": "alice:plain", "APP_SECRET_KEY": TEST_SECRET_KEY}, "APP_USERS: 'alice:plain'"),
        ({"APP_USERS_FILE": "/nonexistent/users", "APP_SECRET_KEY": TEST_SECRET_KEY}, "APP_USERS_FILE"),
        ({**AUTH_ENV, "APP_API_TOKENS": "agent:not-a-hash"}, "APP_API_TOKENS"),
        ({"APP_USERS": AUTH_ENV["APP_USERS"]}, "APP_SECRET_KEY is not set"),
        ({"APP_USERS": AUTH_ENV["APP_USERS"], "APP_SECRET_KEY": "short"}, "shorter than 32 bytes"),
    ],
)
def test_auth_refuses_to_start_without_safe_settings(auth_env, env, message):
    from references.middleware_auth import AuthConfigError, AuthSettings

    with pytest.raises(AuthConfigError, match=re.escape(message)):
        AuthSettings.from_env(env)


def test_auth_reads_accounts_from_a_file_and_tokens_by_hash(auth_env, tmp_path):
    from references.middleware_auth import AuthSettings

    users = tmp_path / "users"
    users.write_text(f"# name:hash, one a line\n'{AUTH_ENV['APP_USERS']}'\n")  # quotes tolerated
    settings = AuthSettings.from_env({**AUTH_ENV, "APP_USERS": "", "APP_USERS_FILE": str(users)})
    assert list(settings.users) == [TEST_USER]
    assert settings.token_owner(TEST_API_TOKEN) == "agent"
    assert settings.token_owner(TEST_API_TOKEN + "x") is None
    assert TEST_API_TOKEN not in repr(settings)


def test_auth_dev_mode_generates_throwaway_values_loudly(auth_env, capsys):
    from references.middleware_auth import AuthSettings

    settings = AuthSettings.from_env({"APP_DEV_MODE": "1"})
    assert len(settings.secret_key) >= 32 and list(settings.users) == ["dev"]
    assert "WARNING (development only)" in capsys.readouterr().err
    assert AuthSettings.from_env({"APP_DEV_MODE": "1", "PUBLIC_BASE_URL": "https://x.example"}).https_only


def run_auth_command(*args: str, stdin: str = "", env: dict[str, str] | None = None):
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "references.middleware_auth", *args]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")} | (env or {})
    return subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=ROOT, env=full_env,
                          timeout=60, check=False)  # fmt: skip


def test_auth_command_prints_an_account_entry_and_refuses_weak_passwords():
    from argon2 import PasswordHasher

    made = run_auth_command("hash", "bob", stdin="a long enough passphrase\n")
    assert made.returncode == 0, made.stderr
    name, _, digest = made.stdout.strip().partition(":")
    assert name == "bob" and PasswordHasher().verify(digest, "a long enough passphrase")
    weak = run_auth_command("hash", "bob", stdin="a\n")
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr and weak.stdout == ""
    assert run_auth_command("hash", "bob", stdin="a\n", env={"APP_DEV_MODE": "1"}).returncode == 0
    token = run_auth_command("token", "agent")
    secret = token.stderr.strip().rsplit(" ", 1)[1]
    assert token.stdout.strip() == f"agent:{hashlib.sha256(secret.encode()).hexdigest()}"


def login(client: TestClient, password: str = TEST_PASSWORD, next_path: str = "/", user: str = TEST_USER):
    return client.post("/login", data={"username": user, "password": password, "next": next_path})


def logout(client: TestClient, **headers: str):
    form = client.get("/logout")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/logout", data={"csrf": csrf}, headers=headers)


def test_auth_reference_refuses_to_import_without_settings(monkeypatch):
    for key in ("APP_USERS", "APP_USERS_FILE", "APP_DEV_MODE"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit, match="APP_USERS is not set"):
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
        assert form.status_code == 200 and 'name="password"' in form.text and 'name="username"' in form.text


def test_auth_open_paths_are_open_for_their_own_methods_only(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert client.get("/login").status_code == 200
        for method, path in (("PUT", "/login"), ("DELETE", "/login"), ("POST", "/healthz"),
                             ("PATCH", "/healthz"), ("GET", "/logout"), ("POST", "/logout")):  # fmt: skip
            assert client.request(method, path).status_code in (303, 401), (method, path)


def test_auth_login_opens_the_websocket_and_logout_ends_the_session_for_good(auth_env):
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
        captured = client.cookies["app_session"]
        assert client.post("/logout", data={"csrf": "guess"}).status_code == 403  # no token, no logout
        assert logout(client, Origin="https://evil.example").status_code == 403  # cross-site
        assert client.get("/").status_code == 200  # still signed in after both refusals
        assert logout(client).headers["location"] == "/login"
        assert client.get("/").status_code == 303
        client.cookies.set("app_session", captured)  # the cookie copied before logout
        assert client.get("/").status_code == 303
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/_stcore/stream"):
            pass


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


def small_app(settings, *routes: Route, client=("127.0.0.1", 5000)) -> TestClient:
    from references.middleware_auth import auth_middleware, login_routes

    app = Starlette(routes=[*routes, *login_routes(settings)], middleware=auth_middleware(settings))
    return TestClient(app, follow_redirects=False, client=client)


async def whoami(request: Request) -> Response:
    return JSONResponse({"user": request.headers.getlist("x-forwarded-user"),
                         "email": request.headers.getlist("x-forwarded-email")})  # fmt: skip


def test_auth_expired_session_is_signed_out(auth_env):
    import time

    from references.middleware_auth import AuthSettings

    settings = AuthSettings.from_env(auth_env)
    settings = AuthSettings(users=settings.users, secret_key=TEST_SECRET_KEY, max_age_seconds=1)
    with small_app(settings, Route("/", whoami)) as client:
        login(client)
        assert client.get("/").status_code == 200
        time.sleep(2.2)  # itsdangerous timestamps have one-second resolution
        assert client.get("/").status_code == 303


def test_auth_rejects_open_redirects_cross_site_posts_and_large_bodies(auth_env):
    from references.middleware_auth import AuthSettings

    with small_app(AuthSettings.from_env(auth_env), Route("/", whoami)) as client:
        assert login(client, next_path="//evil.example/").headers["location"] == "/"
        client.cookies.clear()
        form = {"username": TEST_USER, "password": TEST_PASSWORD}
        assert client.post("/login", data=form, headers={"Origin": "https://evil.example"}).status_code == 403
        assert client.post("/login", data=form, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        assert client.post("/login", data={**form, "pad": "x" * 5000}).status_code == 413
        assert client.post("/login", data={f"f{i}": "x" for i in range(20)}).status_code == 413

        def chunks():  # no Content-Length: the cap holds while the body streams in
            yield b"username=alice&password="
            for _ in range(100):
                yield b"x" * 100

        assert client.post("/login", content=chunks()).status_code == 413


def test_auth_limits_one_account_from_one_address_not_everyone(auth_env):
    from argon2 import PasswordHasher

    from references.middleware_auth import AuthSettings

    base = AuthSettings.from_env(auth_env)
    users = {**base.users, "bob": PasswordHasher().hash("bob's long passphrase")}
    settings = AuthSettings(users=users, secret_key=TEST_SECRET_KEY)
    with small_app(settings, Route("/", whoami)) as attacker:
        for _ in range(5):
            assert login(attacker, "wrong").status_code == 401
        assert login(attacker).status_code == 429  # alice from this address waits now
        assert login(attacker, "bob's long passphrase", user="bob").status_code == 303  # bob does not
    with small_app(settings, Route("/", whoami), client=("10.9.8.7", 5000)) as colleague:
        assert login(colleague).status_code == 303


def test_limiter_bounds_memory_without_forgetting_an_active_offender(auth_env):
    from references.middleware_auth import LoginRateLimiter, address_group

    limiter = LoginRateLimiter(max_attempts=3, window_seconds=600, max_keys=100)
    offender = f"alice|{address_group('2001:db8::1')}"
    for _ in range(3):
        assert limiter.attempt(offender) == 0.0
    for spray in range(5000):  # a spray of fresh addresses, the offender still trying
        limiter.attempt(f"alice|10.{spray // 256 % 256}.{spray % 256}.1")
        if spray % 50 == 0:
            assert limiter.attempt(offender) > 0
            # the next /64 neighbour is the same offender
            assert limiter.attempt(f"alice|{address_group('2001:db8::ffff')}") > 0
    assert len(limiter._attempts) <= 101
    assert address_group("2001:db8::1") != address_group("2001:db8:0:1::1")
    assert address_group("::ffff:10.0.0.1") == "10.0.0.1"


def test_auth_guard_replaces_client_supplied_identity_headers(auth_env):
    from references.middleware_auth import AuthSettings

    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Email": "m@evil.example"}
    with small_app(AuthSettings.from_env(auth_env), Route("/whoami", whoami)) as client:
        assert client.get("/whoami", headers=forged).status_code == 303
        login(client)
        assert client.get("/whoami", headers=forged).json() == {"user": [TEST_USER], "email": []}


def test_auth_api_doors_take_bearer_tokens_and_never_redirect(auth_env):
    from references.middleware_auth import AuthSettings

    routes = (Route("/api/whoami", whoami), Route("/whoami", whoami))
    with small_app(AuthSettings.from_env(auth_env), *routes) as client:
        missing = client.get("/api/whoami")
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        wrong = client.get("/api/whoami", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]
        bearer = {"Authorization": f"Bearer {TEST_API_TOKEN}", "X-Forwarded-User": "mallory"}
        assert client.get("/api/whoami", headers=bearer).json()["user"] == ["agent"]
        assert client.get("/whoami", headers=bearer).status_code == 303  # tokens open API doors only


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
