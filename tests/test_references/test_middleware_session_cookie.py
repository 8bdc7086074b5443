"""references/middleware_session_cookie.py: a signed session cookie, verified once, sent on change."""

import json
from base64 import b64encode

import httpx
import itsdangerous
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from tests.support import (
    REFERENCE_HEADING,
    ROOT,
    TEST_SECRET_KEY,
    assert_clean,
    free_port,
    open_dashboard,
    serve,
    uvicorn_command,
)

KEY = "ours"


def session_app(**options) -> Starlette:
    from references.middleware_session_cookie import SessionCookieMiddleware

    async def put(request: Request) -> JSONResponse:
        request.scope[KEY].update(request.query_params)
        return JSONResponse(request.scope[KEY])

    async def show(request: Request) -> JSONResponse:
        return JSONResponse(request.scope[KEY])

    async def clear(request: Request) -> JSONResponse:
        request.scope[KEY].clear()
        return JSONResponse({})

    async def append(request: Request) -> JSONResponse:
        request.scope[KEY].setdefault("cart", {"items": []})["items"].append("x")
        return JSONResponse(request.scope[KEY])

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json(websocket.scope[KEY])
        await websocket.close()

    routes = [Route("/put", put), Route("/show", show), Route("/clear", clear), Route("/append", append),
              WebSocketRoute("/ws", socket)]  # fmt: skip
    middleware = [Middleware(SessionCookieMiddleware, secret_key=TEST_SECRET_KEY, scope_key=KEY, **options)]
    return Starlette(routes=routes, middleware=middleware)


def signed(data: dict, *, secret: str = TEST_SECRET_KEY, at: int | None = None) -> str:
    signer = itsdangerous.TimestampSigner(secret)
    if at is not None:
        signer.get_timestamp = lambda: at  # type: ignore[method-assign]
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_the_cookie_is_sent_when_the_session_changed_and_only_then():
    with TestClient(session_app()) as client:
        first = client.get("/put?user=alice")
        (cookie,) = first.headers.get_list("set-cookie")
        assert cookie.startswith("session=") and "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie
        assert client.get("/show").json() == {"user": "alice"}
        assert client.get("/show").headers.get_list("set-cookie") == []  # unchanged: nothing sent
        assert client.get("/put?user=alice").headers.get_list("set-cookie") == []  # same value again
        assert client.get("/put?user=bob").headers.get_list("set-cookie") != []
        cleared = client.get("/clear").headers["set-cookie"]
        assert cleared.startswith("session=null;") and "expires=Thu, 01 Jan 1970" in cleared
        assert client.get("/show").json() == {}


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_forged_expired_and_garbled_cookies_read_as_an_empty_session():
    now = int(itsdangerous.TimestampSigner(TEST_SECRET_KEY).get_timestamp())
    with TestClient(session_app(max_age_seconds=60)) as client:
        for bad in [
            signed({"user": "alice"}, secret="another key of at least thirty-two bytes"),
            signed({"user": "alice"}, at=now - 61),
            signed({"user": "alice"})[:-2] + "xx",
            "garbage",
            "",
        ]:
            response = client.get("/show", headers={"cookie": f"session={bad}"})
            assert response.json() == {}, bad
            assert response.headers.get_list("set-cookie") == []  # nothing to expire
        good = signed({"user": "alice"}, at=now - 30)
        assert client.get("/show", headers={"cookie": f"theme=dark; session={good}"}).json() == {
            "user": "alice"
        }


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_a_remembered_cookie_still_expires_with_age():
    from references.middleware_session_cookie import SessionCookieMiddleware

    async def show(scope, receive, send) -> None:
        if scope["type"] == "http":
            await JSONResponse(scope["session"])(scope, receive, send)

    middleware = SessionCookieMiddleware(show, TEST_SECRET_KEY, max_age_seconds=60)
    now = int(itsdangerous.TimestampSigner(TEST_SECRET_KEY).get_timestamp())
    cookie = {"cookie": f"session={signed({'user': 'alice'}, at=now - 30)}"}
    client = TestClient(middleware)
    assert client.get("/", headers=cookie).json() == {"user": "alice"}  # verified, remembered
    middleware.max_age_seconds = 20  # the same cookie, now older than the limit
    assert client.get("/", headers=cookie).json() == {}


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_nested_values_are_copied_so_changes_are_seen_and_the_remembered_value_stays():
    with TestClient(session_app()) as client:
        client.get("/append")
        assert client.get("/append").json() == {"cart": {"items": ["x", "x"]}}
        cookie = client.cookies["session"]
        for _ in range(2):  # the same cookie twice: the first request must not change what the second reads
            response = client.get("/append", headers={"cookie": f"session={cookie}"})
            assert response.json() == {"cart": {"items": ["x", "x", "x"]}}
            assert response.headers.get_list("set-cookie") != []


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_cookies_are_interchangeable_with_starlettes_session_middleware():
    async def show(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.session))

    async def put(request: Request) -> JSONResponse:
        request.session["user"] = "carol"
        return JSONResponse({})

    theirs = Starlette(routes=[Route("/show", show), Route("/put", put)],
                       middleware=[Middleware(SessionMiddleware, secret_key=TEST_SECRET_KEY)])  # fmt: skip
    from_theirs = TestClient(theirs).get("/put").cookies["session"]
    from_ours = TestClient(session_app()).get("/put?user=dave").cookies["session"]
    assert TestClient(session_app()).get("/show", headers={"cookie": f"session={from_theirs}"}).json() == {
        "user": "carol"
    }
    assert TestClient(theirs).get("/show", headers={"cookie": f"session={from_ours}"}).json() == {
        "user": "dave"
    }


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_websocket_scopes_have_the_session_too():
    with TestClient(session_app()) as client:
        client.get("/put?user=alice")
        with client.websocket_connect("/ws") as websocket:
            assert websocket.receive_json() == {"user": "alice"}


@pytest.mark.isolated
@pytest.mark.usefixtures("auth_env")  # the reference reads APP_SECRET_KEY at import
def test_https_only_marks_the_cookie_secure_and_remembering_is_bounded():
    from references.middleware_session_cookie import SessionCookieMiddleware

    with TestClient(session_app(https_only=True)) as client:
        assert "secure" in client.get("/put?user=alice").headers["set-cookie"]

    async def show(scope, receive, send) -> None:
        if scope["type"] == "http":
            await JSONResponse(scope["session"])(scope, receive, send)

    middleware = SessionCookieMiddleware(show, TEST_SECRET_KEY, max_remembered=3)
    client = TestClient(middleware)
    for number in range(10):
        cookie = {"cookie": f"session={signed({'n': number})}"}
        assert client.get("/", headers=cookie).json() == {"n": number}
    assert len(middleware._verified) == 3


@pytest.mark.live
def test_reference_counts_visits_under_uvicorn_and_renders_the_dashboard(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_session_cookie:app", port)
    env = {"APP_SECRET_KEY": TEST_SECRET_KEY}
    with serve(command, cwd=ROOT, port=port, env=env, log_dir=tmp_path) as server:
        with httpx.Client(base_url=server.base_url) as client:
            assert [client.get("/visits").json()["visits"] for _ in range(3)] == [1, 2, 3]
            assert client.get("/forget").headers["set-cookie"].startswith("session=null;")
            assert client.get("/visits").json() == {"visits": 1}
        report = open_dashboard(page, server.base_url + "/", REFERENCE_HEADING)
        assert_clean(page, report)
