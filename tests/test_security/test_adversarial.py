"""Hostile clients against a generated project (FastAPI parent, every guard on) under real uvicorn."""

import string

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import AUTH_ENV, TEST_PASSWORD, TEST_USER
from tests.support import all_parts, bake, free_port, run_async, serve, uvicorn_command

pytestmark = pytest.mark.live

# Visible ASCII without the cookie separators, as a browser could send.
COOKIE_CHARS = st.characters(
    codec="ascii", min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';,"\\'
)
# Stripped: httpx itself refuses to send a value with leading or trailing spaces.
HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300).map(str.strip)
HEADER_NAME = st.text(string.ascii_letters + "-", min_size=1, max_size=40)
PATHS = ["/dashboard/", "/", "/docs", "/healthz", "/login", "/_stcore/health", "/api/summary", "/robots.txt"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adversarial")
    project = bake(tmp, parent="fastapi", **all_parts(True))
    port = free_port()
    env = AUTH_ENV
    with serve(uvicorn_command("app:app", port), cwd=project, port=port, ready_path="/healthz", env=env,
               log_dir=tmp) as running:  # fmt: skip
        yield running


async def handshake(url: str, headers: dict[str, str]) -> None:
    async with websockets.connect(
        url, additional_headers=headers, subprotocols=["streamlit"], open_timeout=10
    ):
        pass


def stream_url(server) -> str:
    return server.base_url.replace("http://", "ws://") + "/dashboard/_stcore/stream"


@FUZZ
@given(cookie=st.text(COOKIE_CHARS, max_size=600), path=st.sampled_from(PATHS))
def test_fuzzed_session_cookies_never_cause_a_500_or_get_in(server, cookie, path):
    response = httpx.get(server.base_url + path, headers={"Cookie": f"app_session={cookie}"})
    assert response.status_code < 500
    if path not in ("/healthz", "/login", "/robots.txt"):  # open doors: health, sign-in, crawlers
        assert response.status_code in (303, 401)  # signed out, whatever the cookie said


@FUZZ
@given(name=HEADER_NAME, value=HEADER_VALUE, path=st.sampled_from(PATHS))
def test_fuzzed_headers_never_cause_a_500(server, name, value, path):
    response = httpx.get(server.base_url + path, headers={name: value})
    assert response.status_code < 500


@settings(max_examples=40, deadline=None)
@given(cookie=st.text(COOKIE_CHARS, min_size=1, max_size=300))
def test_fuzzed_cookies_never_open_the_streamlit_websocket(server, cookie):
    with pytest.raises(websockets.InvalidStatus) as refused:
        run_async(handshake(stream_url(server), {"Cookie": f"app_session={cookie}"}))
    assert refused.value.response.status_code == 403


def test_forged_user_header_and_spoofed_address_do_not_help(server):
    forged = {"X-Forwarded-User": TEST_USER, "X-Forwarded-For": "127.0.0.1"}
    assert httpx.get(server.base_url + "/dashboard/", headers=forged).status_code == 403  # spoof refused
    assert (
        httpx.get(server.base_url + "/dashboard/", headers={"X-Forwarded-User": TEST_USER}).status_code == 303
    )
    with pytest.raises(websockets.InvalidStatus):
        run_async(handshake(stream_url(server), {"X-Forwarded-User": TEST_USER}))


API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def test_every_kind_of_response_carries_the_policy(server):
    with httpx.Client(base_url=server.base_url) as client:
        client.post("/login", data={"username": TEST_USER, "password": TEST_PASSWORD})
        page = client.get("/dashboard/")
        asset = "/dashboard/" + page.text.split('src="./', 1)[1].split('"', 1)[0]
        for path in (
            "/dashboard/",
            asset,
            "/dashboard/_stcore/health",
            "/api/summary",
            "/healthz",
            "/login",
            "/nope",
        ):
            headers = client.get(path).headers
            assert headers["x-content-type-options"] == "nosniff", path
            assert "strict-transport-security" not in headers, path
            if headers["content-type"].startswith("application/json"):  # data, never a page
                assert headers["content-security-policy"] == API_POLICY, path
                assert path in ("/api/summary", "/healthz", "/nope"), path
            else:
                assert "'wasm-unsafe-eval'" in headers["content-security-policy"], path
                assert headers["x-frame-options"] == "SAMEORIGIN", path
