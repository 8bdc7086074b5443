"""references/middleware_auth.py: password login, signed session cookie, guarded websocket."""

import pytest
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support import (
    AUTH_ENV,
    REFERENCE_HEADING,
    ROOT,
    TEST_SECRET_KEY,
    assert_clean,
    free_port,
    load_reference,
    rerun_with_slider,
    run_async,
    serve,
    sign_in,
    sign_in_page,
    stream_handshake,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_dev_mode_generates_throwaway_values_loudly(auth_env, capsys):
    from references.middleware_auth import AuthSettings

    settings = AuthSettings.from_env({"APP_DEV_MODE": "1"})
    assert len(settings.secret_key) >= 32 and settings.password
    assert "WARNING (development only)" in capsys.readouterr().err
    assert AuthSettings.from_env({"APP_DEV_MODE": "1", "PUBLIC_BASE_URL": "https://x.example"}).https_only


@pytest.mark.isolated
def test_auth_reference_refuses_to_import_without_settings(monkeypatch):
    monkeypatch.delenv("APP_PASSWORD", raising=False)
    monkeypatch.delenv("APP_DEV_MODE", raising=False)
    with pytest.raises(ValueError, match="APP_PASSWORD is not set"):
        load_reference("middleware_auth")


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_login_sets_a_hardened_cookie_and_opens_the_websocket(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert sign_in(client, "wrong").status_code == 401
        response = sign_in(client, next_path="/?tab=2")
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


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_expired_session_is_signed_out(auth_env):
    import time

    from references.middleware_auth import AuthSettings, auth_middleware, login_routes

    async def page(request: Request) -> Response:
        return JSONResponse({"ok": True})

    settings = AuthSettings(password="pw", secret_key=TEST_SECRET_KEY, max_age_seconds=1)
    app = Starlette(routes=[Route("/", page), *login_routes(settings)], middleware=auth_middleware(settings))
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "pw")
        assert client.get("/").status_code == 200
        time.sleep(2.2)  # itsdangerous timestamps have one-second resolution
        assert client.get("/").status_code == 303


@pytest.mark.isolated
def test_auth_rejects_open_redirects_and_rate_limits(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert sign_in(client, next_path="//evil.example/").headers["location"] == "/"
        client.cookies.clear()
        for _ in range(5):
            assert sign_in(client, "wrong").status_code == 401
        assert sign_in(client).status_code == 429  # even the right password waits now


@pytest.mark.isolated
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
        sign_in(client, "pw")
        assert client.get("/whoami", headers=forged).json() == {"user": ["admin"]}


@pytest.mark.isolated
def test_auth_open_paths_are_an_argument(auth_env):
    from references.middleware_auth import AuthSettings, auth_middleware, login_routes

    async def ok(request: Request) -> Response:
        return JSONResponse({"ok": True})

    settings = AuthSettings(password="pw", secret_key=TEST_SECRET_KEY)
    app = Starlette(routes=[Route("/status", ok), Route("/healthz", ok), *login_routes(settings)],
                    middleware=auth_middleware(settings, open_paths=["/status"]))  # fmt: skip
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/status").status_code == 200  # the health path this project chose
        assert client.get("/healthz").status_code == 303  # no longer open: nothing hard-coded
        assert client.get("/login").status_code == 200  # the login pages always are


@pytest.mark.live
def test_auth_login_flow_in_the_browser_and_websocket(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_auth:app", port)
    with serve(command, cwd=ROOT, port=port, ready_path="/login", env=AUTH_ENV, log_dir=tmp_path) as server:
        stream = f"ws://127.0.0.1:{port}/_stcore/stream"
        with pytest.raises(websockets.InvalidStatus) as refused:
            run_async(stream_handshake(stream))
        assert refused.value.response.status_code == 403

        report = watch(page)
        page.goto(server.base_url + "/")
        assert page.url.startswith(server.base_url + "/login")
        sign_in_page(page)
        wait_for_dashboard(page, REFERENCE_HEADING)
        page.get_by_text("Signed in as admin").wait_for()
        rerun_with_slider(page)
        assert_clean(page, report)

        (session,) = [c for c in page.context.cookies() if c["name"] == "app_session"]
        assert session["httpOnly"] and session["sameSite"] == "Lax"
        run_async(stream_handshake(stream, f"app_session={session['value']}"))  # now accepted
        forged = session["value"][:-4] + "AAAA"
        with pytest.raises(websockets.InvalidStatus):
            run_async(stream_handshake(stream, f"app_session={forged}"))
