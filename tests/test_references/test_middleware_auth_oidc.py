"""OpenID Connect sign-in against real providers on loopback: PyPI ``oidc-provider-mock`` (in a
thread), and the stricter npm ``oidc-provider`` (a Node process, tests/oidc_provider).

The reference runs under real uvicorn; people sign in through the provider's form (httpx and
Chromium), agents bring JWTs checked against the provider's JWKS.
"""

import base64
import json
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import websockets
from oidc_provider_mock import User, run_server_in_thread

from tests.conftest import TEST_SECRET_KEY
from tests.support import (
    OIDC_CLIENT,
    ROOT,
    STRICT_OIDC_AGENT,
    free_port,
    run_async,
    serve,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)

pytestmark = pytest.mark.live

ALICE = User(sub="alice", claims={"name": "Alice Example", "email": "alice@example.com"})
HEADING = "st.App reference dashboard"


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(user_claims=[ALICE], require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def provider_key(provider):
    """The provider's own signing key (it runs in this process): to sign tokens it would never issue."""
    import gc

    import flask
    from joserfc.jwk import RSAKey
    from oidc_provider_mock._storage import storage

    (server,) = [o for o in gc.get_objects() if type(o).__name__ == "ThreadedWSGIServer"
                 and f"localhost:{o.server_port}" in provider]  # fmt: skip
    app = server.app
    assert isinstance(app, flask.Flask)
    with app.test_request_context():
        app.preprocess_request()  # sets the provider's storage on flask.g
        return RSAKey.import_key(storage.jwk.as_dict(is_private=True))


def oidc_env(issuer: str, port: int, **extra: str) -> dict[str, str]:
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": "st-app",
        "OIDC_CLIENT_SECRET": "test-only-client-secret",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "APP_SECRET_KEY": TEST_SECRET_KEY,
        **extra,
    }


@pytest.fixture(scope="module")
def app_server(provider, tmp_path_factory):
    port = free_port()
    command = uvicorn_command("references.middleware_auth_oidc:app", port)
    log_dir = tmp_path_factory.mktemp("oidc")
    with serve(command, cwd=ROOT, port=port, ready_path="/healthz", env=oidc_env(provider, port),
               log_dir=log_dir) as server:  # fmt: skip
        yield server


def sign_in(client: httpx.Client, next_path: str = "/") -> tuple[str, httpx.Response]:
    """Through the provider's form, as alice; returns the callback URL and its answer."""
    to_provider = client.get(f"/login?next={next_path}")
    assert to_provider.status_code == 302
    authorize = to_provider.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]  # PKCE
    assert query["state"][0] and query["nonce"][0]
    back = httpx.post(authorize, data={"sub": "alice"})
    assert back.status_code == 302
    callback = back.headers["location"]
    return callback, client.get(callback)


def id_token_of(client: httpx.Client, provider: str) -> str:
    """A fresh ID token for alice from the provider (aud = our client id): a JWT it signed."""
    _, answer = sign_in(client)
    assert answer.status_code == 303
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(__import__("hashlib").sha256(verifier.encode()).digest())
    params = {"client_id": "st-app", "redirect_uri": "http://127.0.0.1/cb", "response_type": "code",
              "scope": "openid profile email", "nonce": "n", "state": "s",
              "code_challenge": challenge.decode().rstrip("="), "code_challenge_method": "S256"}  # fmt: skip
    back = httpx.post(f"{provider}/oauth2/authorize", params=params, data={"sub": "alice"})
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    token = httpx.post(f"{provider}/oauth2/token", data={"grant_type": "authorization_code", "code": code,
                       "redirect_uri": "http://127.0.0.1/cb", "code_verifier": verifier},
                       auth=("st-app", "test-only-client-secret"))  # fmt: skip
    return token.json()["id_token"]


def test_sign_in_sets_st_user_headers_and_logout_ends_the_session(app_server):
    with httpx.Client(base_url=app_server.base_url) as client:
        assert client.get("/").status_code == 303
        _, answer = sign_in(client, "/api/whoami")
        assert answer.status_code == 303 and answer.headers["location"] == "/api/whoami"
        assert client.get("/api/whoami").json() == {"name": "Alice Example"}
        assert client.get("/api/whoami", headers={"X-Forwarded-User": "mallory"}).json()["name"] == (
            "Alice Example"
        )
        captured = client.cookies["app_session"]
        form = client.get("/logout").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert client.post("/logout", data={"csrf": "é-не-ascii"}).status_code == 403  # not a 500
        ended = client.post("/logout", data={"csrf": csrf})
        assert ended.status_code == 303 and ended.headers["location"] == "/signed-out"
        onwards = client.get("/signed-out").text  # then on to the provider's end-session
        assert "/oauth2/end_session?" in onwards and "id_token_hint=" in onwards
    answer = httpx.get(app_server.base_url + "/", headers={"Cookie": f"app_session={captured}"})
    assert answer.status_code == 303  # the cookie copied before logout is refused


def test_tampered_state_and_replayed_code_are_refused(app_server):
    with httpx.Client(base_url=app_server.base_url) as client:
        callback, answer = sign_in(client)
        assert answer.status_code == 303
        replayed = client.get(callback)  # the same code and state again
        assert replayed.status_code == 403
    with httpx.Client(base_url=app_server.base_url) as client:
        to_provider = client.get("/login")
        back = httpx.post(to_provider.headers["location"], data={"sub": "alice"})
        tampered = re.sub(r"state=[^&]+", "state=forged", back.headers["location"])
        assert client.get(tampered).status_code == 403
        assert client.get("/").status_code == 303  # not signed in
    with httpx.Client(base_url=app_server.base_url) as stranger:  # a code sent to someone else's browser
        assert stranger.get(callback).status_code == 403


def jwt_parts(token: str) -> list[dict]:
    head, body, _ = token.split(".")
    return [json.loads(base64.urlsafe_b64decode(part + "==")) for part in (head, body)]


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_bearer_jwts_are_checked_against_the_providers_keys(app_server, provider, provider_key):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    with httpx.Client(base_url=app_server.base_url) as client:
        good = id_token_of(client, provider)
    header, claims = jwt_parts(good)
    api = app_server.base_url + "/api/whoami"

    def status(token: str) -> int:
        return httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code

    assert httpx.get(api, headers={"Authorization": f"Bearer {good}"}).json() == {"name": "Alice Example"}
    missing = httpx.get(api)
    assert missing.status_code == 401 and "resource_metadata=" in missing.headers["www-authenticate"]
    signed_by = provider_key
    kid = {"kid": header["kid"]} if "kid" in header else None  # the same key id, another key
    now = int(time.time())
    forged = {
        "wrong audience": jwt.encode(header, {**claims, "aud": "another-app"}, signed_by),
        "wrong issuer": jwt.encode(header, {**claims, "iss": "https://evil.example"}, signed_by),
        "expired": jwt.encode(header, {**claims, "exp": now - 3600, "iat": now - 7200}, signed_by),
        "another key": jwt.encode(header, claims, RSAKey.generate_key(2048, parameters=kid)),
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.",
        "tampered": good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB"),
        "garbage": "not.a.jwt",
    }
    for what, token in forged.items():
        assert status(token) == 401, what


def test_mcp_metadata_at_the_root_and_bearer_for_tools(app_server, provider):
    import fastmcp

    metadata = httpx.get(app_server.base_url + "/.well-known/oauth-protected-resource/mcp")
    assert metadata.status_code == 200
    assert metadata.json()["authorization_servers"][0].rstrip("/") == provider
    unauthenticated = httpx.post(app_server.base_url + "/mcp/", json={})
    assert unauthenticated.status_code == 401 and "Bearer" in unauthenticated.headers["www-authenticate"]
    with httpx.Client(base_url=app_server.base_url) as client:
        token = id_token_of(client, provider)

    async def use_tools():
        async with fastmcp.Client(app_server.base_url + "/mcp/", auth=token) as mcp:
            names = {tool.name for tool in await mcp.list_tools()}
            return names, (await mcp.call_tool("whoami_tool", {})).data

    names, answer = run_async(use_tools())
    assert names == {"whoami_tool"} and answer == "an agent with a valid token"


async def stream_handshake(url: str, cookie: str = "") -> None:
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(url, additional_headers=headers, subprotocols=["streamlit"]):
        pass


def test_browser_signs_in_through_the_provider_and_out_again(page, app_server):
    stream = app_server.base_url.replace("http://", "ws://") + "/_stcore/stream"
    page.goto(app_server.base_url + "/")
    page.fill("input[name=sub]", "alice")  # the provider's own sign-in form
    page.click("button[type=submit]:has-text('Authorize')")
    wait_for_dashboard(page, HEADING)
    report = watch(page)  # our pages from here on (the provider's form loads a CDN stylesheet)
    page.reload()
    wait_for_dashboard(page, HEADING)
    page.get_by_text("Signed in as Alice Example").wait_for()  # st.user, from the ID token
    (session,) = [c for c in page.context.cookies() if c["name"] == "app_session"]
    captured = f"app_session={session['value']}"
    run_async(stream_handshake(stream, captured))  # the websocket opens for the signed-in browser
    assert report.problems == []

    page.goto(app_server.base_url + "/logout")
    page.click("button[type=submit]")
    page.wait_for_url("**/end_session**")  # the provider asks to end its session too
    with pytest.raises(websockets.InvalidStatus):
        run_async(stream_handshake(stream, captured))
    assert httpx.get(app_server.base_url + "/", headers={"Cookie": captured}).status_code == 303


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"OIDC_ISSUER": ""}, "OIDC_ISSUER is not set"),
        ({"OIDC_ISSUER": "http://idp.example.com"}, "must start with https://"),
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID is not set"),
        ({"APP_SECRET_KEY": "short"}, "APP_SECRET_KEY is shorter than 32 bytes"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL is not set"),
        ({"OIDC_ISSUER": "http://127.0.0.1:9"}, "OIDC_ISSUER: cannot read"),  # nothing listens there
    ],
)
def test_bad_configuration_stops_with_one_line_naming_the_variable(provider, env, variable):
    port = free_port()
    command = uvicorn_command("references.middleware_auth_oidc:app", port)
    full_env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("OIDC_", "APP_"))}
    full_env |= {**oidc_env(provider, port), **env}
    done = subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert variable in lines[-1] and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert sys.executable  # the test's own interpreter started it


# --- against a stricter provider: npm oidc-provider (tests/oidc_provider, the strict_oidc fixture) ---
# PKCE required, name and email only from userinfo, JWT access tokens for a resource (RFC 8707,
# RFC 9068) through client credentials, and an end-session page that asks before it signs out.


@pytest.fixture(scope="module")
def strict_app(strict_oidc, tmp_path_factory):
    """The reference for the strict provider: agents' tokens are for its MCP endpoint."""
    port = urlsplit(strict_oidc.app_url).port
    env = oidc_env(strict_oidc.issuer, port, OIDC_AUDIENCE=strict_oidc.resource)
    command = uvicorn_command("references.middleware_auth_oidc:app", port)
    log_dir = tmp_path_factory.mktemp("strict")
    with serve(command, cwd=ROOT, port=port, ready_path="/healthz", env=env, log_dir=log_dir) as server:
        yield server


def through_strict_provider(authorize_url: str, login: str = "alice") -> str:
    """Walk the provider's own pages as a browser would (its login form); the URL it sends us back to."""
    issuer = f"{urlsplit(authorize_url).scheme}://{urlsplit(authorize_url).netloc}"
    with httpx.Client() as browser:  # keeps the provider's cookies
        url = authorize_url
        for _ in range(6):
            answer = browser.get(url)
            if answer.status_code == 200:  # the login form
                action = re.search(r'<form[^>]* action="([^"]+)"', answer.text).group(1)
                form = {"prompt": "login", "login": login, "password": "x"}
                answer = browser.post(urljoin(url, action), data=form)
            assert answer.status_code in (302, 303), answer.text[:500]
            url = urljoin(url, answer.headers["location"])
            if not url.startswith(issuer):
                return url
    raise AssertionError("the provider never sent the browser back")


def client_credentials(provider, resource: str) -> str:
    token_endpoint = httpx.get(provider.issuer + "/.well-known/openid-configuration").json()["token_endpoint"]
    answer = httpx.post(token_endpoint, data={"grant_type": "client_credentials", "resource": resource,
                        "scope": "mcp"}, auth=STRICT_OIDC_AGENT)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_strict_provider_refuses_a_code_without_our_pkce_verifier(strict_app, strict_oidc):
    token_endpoint = httpx.get(strict_oidc.issuer + "/.well-known/openid-configuration").json()[
        "token_endpoint"
    ]
    with httpx.Client(base_url=strict_app.base_url) as client:
        authorize = client.get("/login?next=/api/whoami").headers["location"]
        without_challenge = re.sub(r"&code_challenge(_method)?=[^&]+", "", authorize)
        refused = parse_qs(urlsplit(through_strict_provider(without_challenge)).query)
        assert refused["error"] == ["invalid_request"] and "PKCE" in refused["error_description"][0]

        callback = through_strict_provider(authorize)
        code = parse_qs(urlsplit(callback).query)["code"][0]
        exchange = {"grant_type": "authorization_code", "code": code,
                    "redirect_uri": strict_app.base_url + "/auth/callback"}  # fmt: skip
        for verifier in ({}, {"code_verifier": "a-verifier-that-is-not-ours-" + "x" * 20}):
            stolen = httpx.post(token_endpoint, data={**exchange, **verifier}, auth=OIDC_CLIENT)
            assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant", verifier

        # The same code, still unused, with the verifier only our app holds: signed in.
        answer = client.get(callback.removeprefix(strict_app.base_url))
        assert answer.status_code == 303 and answer.headers["location"] == "/api/whoami", answer.text
        assert client.get("/api/whoami").json() == {"name": "Alice Example"}  # from userinfo


def test_agents_jwt_for_our_resource_opens_mcp_and_api_others_get_401(strict_app, strict_oidc):
    import fastmcp

    metadata = httpx.get(strict_app.base_url + "/.well-known/oauth-protected-resource/mcp").json()
    assert metadata["resource"] == strict_oidc.resource  # what MCP clients ask the provider for
    token = client_credentials(strict_oidc, strict_oidc.resource)
    header, claims = jwt_parts(token)
    assert (
        header["typ"] == "at+jwt" and claims["aud"] == strict_oidc.resource and claims["client_id"] == "agent"
    )

    async def use_tools():
        async with fastmcp.Client(strict_app.base_url + "/mcp/", auth=token) as mcp:
            names = {tool.name for tool in await mcp.list_tools()}
            return names, (await mcp.call_tool("whoami_tool", {})).data

    assert run_async(use_tools()) == ({"whoami_tool"}, "an agent with a valid token")
    api = strict_app.base_url + "/api/whoami"
    assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).json() == {"name": "agent"}

    elsewhere = client_credentials(strict_oidc, strict_oidc.other_resource)  # genuine, for another API
    assert jwt_parts(elsewhere)[1]["aud"] == strict_oidc.other_resource
    for refused in (
        httpx.get(api, headers={"Authorization": f"Bearer {elsewhere}"}),
        httpx.post(strict_app.base_url + "/mcp/", json={}, headers={"Authorization": f"Bearer {elsewhere}"}),
    ):
        assert refused.status_code == 401 and "location" not in refused.headers
        assert refused.headers["www-authenticate"].startswith("Bearer ")


def test_browser_signs_in_at_the_strict_provider_and_out_at_its_end_session(page, strict_app, strict_oidc):
    page.goto(strict_app.base_url + "/")
    page.fill("input[name=login]", "alice")  # the provider's own sign-in page
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")
    wait_for_dashboard(page, HEADING)
    page.get_by_text("Signed in as Alice Example").wait_for()  # st.user, name from userinfo

    page.goto(strict_app.base_url + "/logout")
    page.click("button[type=submit]")
    page.wait_for_url(strict_oidc.issuer + "/session/end**")  # the provider asks to end its session
    page.click("button[value=yes]")
    page.wait_for_url(strict_app.base_url + "/signed-out?**")  # and sends the browser back to us
    page.get_by_role("heading", name="Signed out").wait_for()
    page.goto(strict_app.base_url + "/")  # both sessions ended: the provider asks for a login again
    page.locator("input[name=login]").wait_for()
