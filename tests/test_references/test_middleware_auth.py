"""references/middleware_auth.py: named accounts, server-side sessions, bearer tokens, every door guarded."""

import asyncio
import hashlib
import re

import httpx
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
    TEST_API_TOKEN,
    TEST_PASSWORD,
    TEST_SECRET_KEY,
    TEST_USER,
    assert_clean,
    free_port,
    load_reference,
    rerun_with_slider,
    run_async,
    serve,
    stream_handshake,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_reads_accounts_from_a_file_and_tokens_by_hash(auth_env, tmp_path):
    from references.middleware_auth import AuthSettings

    users = tmp_path / "users"
    users.write_text(f"# name:hash, one a line\n'{AUTH_ENV['APP_USERS']}'\n")  # quotes tolerated
    settings = AuthSettings.from_env({**AUTH_ENV, "APP_USERS": "", "APP_USERS_FILE": str(users)})
    assert list(settings.users) == [TEST_USER]
    assert settings.token_owner(TEST_API_TOKEN) == "agent"
    assert settings.token_owner(TEST_API_TOKEN + "x") is None
    assert TEST_API_TOKEN not in repr(settings)


@pytest.mark.isolated
def test_an_unknown_name_costs_the_same_argon2_work_as_a_known_one(auth_env):
    from references.middleware_auth import UNKNOWN_USER_HASH, _hasher

    # The constant stands in for unknown names: its parameters must be the hasher's own.
    assert not _hasher.check_needs_rehash(UNKNOWN_USER_HASH)
    assert not _hasher.check_needs_rehash(AUTH_ENV["APP_USERS"].split(":", 1)[1])


@pytest.mark.isolated
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


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_reference_refuses_to_import_without_settings(monkeypatch):
    for key in ("APP_USERS", "APP_USERS_FILE", "APP_DEV_MODE"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit, match="APP_USERS is not set"):
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
        assert form.status_code == 200 and 'name="password"' in form.text and 'name="username"' in form.text


@pytest.mark.isolated
def test_auth_open_paths_are_open_for_their_own_methods_only(auth_env):
    module = load_reference("middleware_auth")
    with TestClient(module.app, follow_redirects=False) as client:
        assert client.get("/login").status_code == 200
        for method, path in (("PUT", "/login"), ("DELETE", "/login"), ("POST", "/healthz"),
                             ("PATCH", "/healthz"), ("GET", "/logout"), ("POST", "/logout")):  # fmt: skip
            assert client.request(method, path).status_code in (303, 401), (method, path)


@pytest.mark.isolated
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


def small_app(settings, *routes: Route, client=("127.0.0.1", 5000)) -> TestClient:
    from references.middleware_auth import auth_middleware, login_routes

    app = Starlette(routes=[*routes, *login_routes(settings)], middleware=auth_middleware(settings))
    return TestClient(app, follow_redirects=False, client=client)


async def whoami(request: Request) -> Response:
    return JSONResponse({"user": request.headers.getlist("x-forwarded-user"),
                         "email": request.headers.getlist("x-forwarded-email")})  # fmt: skip


@pytest.mark.isolated
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


@pytest.mark.isolated
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


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_limiter_keeps_an_offender_counted_under_a_spray_of_new_keys(auth_env):
    from references.core_shared_state import MemoryStore, address_group
    from references.middleware_auth import LoginRateLimiter, SignInLimits

    async def scenario() -> None:
        rules = SignInLimits(per_account_and_address="3/10minutes", per_address="100000/minute")
        limiter = LoginRateLimiter(MemoryStore(max_keys=100), "t", rules)
        offender = address_group("2001:db8::1")
        for _ in range(3):
            assert await limiter.attempt("alice", offender) == 0.0
        for spray in range(3000):  # a spray of fresh addresses, the offender still trying
            await limiter.attempt("alice", f"10.{spray // 256 % 256}.{spray % 256}.1")
            if spray % 300 == 0:
                assert await limiter.attempt("alice", offender) > 0
                # the next /64 neighbour is the same offender
                assert await limiter.attempt("alice", address_group("2001:db8::ffff")) > 0

    run_async(scenario())
    assert address_group("2001:db8::1") != address_group("2001:db8:0:1::1")
    assert address_group("::ffff:10.0.0.1") == "10.0.0.1"


@pytest.mark.isolated
def test_limiter_caps_password_checks_per_address_whatever_the_name(auth_env):
    from references.core_shared_state import MemoryStore
    from references.middleware_auth import LoginRateLimiter

    async def checks_allowed(names: int) -> int:
        limiter = LoginRateLimiter(MemoryStore(), "t")
        return sum([await limiter.attempt(f"made-up-{n}", "203.0.113.9") == 0.0 for n in range(names)])

    assert run_async(checks_allowed(200)) == 20  # was 200 argon2 checks from one address


@pytest.mark.isolated
def test_limiter_slows_guessing_from_many_addresses_but_not_a_known_place(auth_env):
    from references.core_shared_state import MemoryStore
    from references.middleware_auth import LoginRateLimiter

    async def scenario() -> tuple[int, float, float]:
        limiter = LoginRateLimiter(MemoryStore(), "t")
        await limiter.attempt("alice", "192.0.2.1")
        await limiter.succeeded("alice", "192.0.2.1")  # alice signs in from her office
        guesses = 0
        for address in range(50):  # 50 addresses, 4 guesses each within the minute
            for _ in range(4):
                guesses += await limiter.attempt("alice", f"198.51.100.{address}") == 0.0
        return (
            guesses,
            await limiter.attempt("alice", "192.0.2.1"),
            await limiter.attempt("alice", "192.0.2.77"),
        )

    guesses, known, unknown = run_async(scenario())
    assert guesses == 29  # 30 per 10 minutes for the account, one of them alice's own
    assert known == 0.0  # the right password from her known place is still checked
    assert unknown > 0  # a new place waits while the account is under attack


@pytest.mark.isolated
def test_auth_guard_replaces_client_supplied_identity_headers(auth_env):
    from references.middleware_auth import AuthSettings

    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Email": "m@evil.example"}
    with small_app(AuthSettings.from_env(auth_env), Route("/whoami", whoami)) as client:
        assert client.get("/whoami", headers=forged).status_code == 303
        login(client)
        assert client.get("/whoami", headers=forged).json() == {"user": [TEST_USER], "email": []}


@pytest.mark.isolated
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


@pytest.mark.isolated
def test_auth_open_paths_are_an_argument(auth_env):
    from references.middleware_auth import AuthSettings, auth_middleware, login_routes

    async def ok(request: Request) -> Response:
        return JSONResponse({"ok": True})

    settings = AuthSettings.from_env()
    app = Starlette(routes=[Route("/status", ok), Route("/healthz", ok), *login_routes(settings)],
                    middleware=auth_middleware(settings, open_paths=["/status"]))  # fmt: skip
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/status").status_code == 200  # the health path this project chose
        assert client.post("/status").status_code != 200  # open for GET and HEAD only
        assert client.get("/healthz").status_code == 303  # no longer open: nothing hard-coded
        assert client.get("/login").status_code == 200  # the login page always is


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
        page.fill("input[name=username]", TEST_USER)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        wait_for_dashboard(page, REFERENCE_HEADING)
        page.get_by_text(f"Signed in as {TEST_USER}").wait_for()  # st.user, from the guard's header
        rerun_with_slider(page)
        assert_clean(page, report)

        (session,) = [c for c in page.context.cookies() if c["name"] == "app_session"]
        assert session["httpOnly"] and session["sameSite"] == "Lax"
        captured = f"app_session={session['value']}"
        run_async(stream_handshake(stream, captured))  # now accepted
        forged = session["value"][:-4] + "AAAA"
        with pytest.raises(websockets.InvalidStatus):
            run_async(stream_handshake(stream, f"app_session={forged}"))

        page.goto(server.base_url + "/logout")  # asks first; the button POSTs with a CSRF token
        page.click("button[type=submit]")
        page.wait_for_url("**/login")
        with pytest.raises(websockets.InvalidStatus):  # the cookie copied before logout is dead
            run_async(stream_handshake(stream, captured))
        assert httpx.get(server.base_url + "/", headers={"Cookie": captured}).status_code == 303


@pytest.mark.live
def test_auth_counts_attempts_while_bodies_arrive(tmp_path):
    """Many connections that send their bodies late still get five guesses, not one each."""
    port = free_port()
    command = uvicorn_command("references.middleware_auth:app", port)
    with serve(command, cwd=ROOT, port=port, ready_path="/login", env=AUTH_ENV, log_dir=tmp_path) as server:

        async def late_guesses(count: int) -> list[int]:
            release = asyncio.Event()

            async def body():
                await release.wait()
                yield f"username={TEST_USER}&password=wrong-guess".encode()

            async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
                posts = [asyncio.create_task(client.post("/login", content=body())) for _ in range(count)]
                await asyncio.sleep(1.0)  # every request's headers are in, no body yet
                release.set()
                return [response.status_code for response in await asyncio.gather(*posts)]

        statuses = run_async(late_guesses(30))
        assert statuses.count(401) <= 5 and set(statuses) <= {401, 429}, statuses
        form = {"username": TEST_USER, "password": TEST_PASSWORD}
        assert httpx.post(server.base_url + "/login", data=form).status_code == 429  # still limited
        big = {"username": TEST_USER, "password": "x" * 100_000}
        assert httpx.post(server.base_url + "/login", data=big).status_code == 413


@pytest.mark.live
@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"APP_SECRET_KEY": "k" * 48}, "APP_USERS is not set"),
        ({**AUTH_ENV, "APP_SECRET_KEY": "short"}, "APP_SECRET_KEY"),
    ],
)
def test_auth_bad_configuration_stops_uvicorn_with_one_line(env, variable):
    import os
    import subprocess

    command = uvicorn_command("references.middleware_auth:app", free_port())
    clean = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    done = subprocess.run(command, cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0 and variable in lines[-1] and "Traceback" not in done.stderr
