"""Several processes of a baked project sharing one real redis-server (REDIS_URL), behind nginx.

One sign-in holds in every process and one sign-out ends it in all of them; the sign-in limiter
counts across processes; a rolling restart keeps a signed-in Chromium signed in; an OIDC
callback may land on another process than the ``/login`` that began it; a store that dies
answers 503s (never a 500, never an open door) and the app works again once it is back.
"""

from __future__ import annotations

import re

import httpx
import pytest
import websockets

from tests.support import (
    AUTH_ENV,
    TEST_PASSWORD,
    TEST_PASSWORD_HASH,
    TEST_USER,
    bake,
    free_port,
    oidc_env,
    run_async,
    serve,
    sign_in_browser,
    stream_handshake,
    uvicorn_command,
    wait_for_dashboard,
)
from tests.test_deploy.cluster import cluster, needs_nginx

pytestmark = [pytest.mark.live, needs_nginx]

TITLE = "Shared Board"
COOKIE = "app_session"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return bake(tmp_path_factory.mktemp("shared"), project_name=TITLE, auth="password")


def sign_in(base_url: str, password: str = TEST_PASSWORD, user: str = TEST_USER) -> httpx.Response:
    form = {"username": user, "password": password, "next": "/api/summary"}
    return httpx.post(base_url + "/login", data=form)


def status(url: str, cookie: str | None) -> int:
    return httpx.get(url, cookies={COOKIE: cookie} if cookie else None).status_code


def test_one_sign_in_and_one_sign_out_hold_in_every_process(project, redis_server, tmp_path):
    users = f"{AUTH_ENV['APP_USERS']} bob:{TEST_PASSWORD_HASH}"
    env = {**AUTH_ENV, "APP_USERS": users, "REDIS_URL": redis_server.url}
    with cluster(project, tmp_path, processes=3, env=env) as running:
        direct = [f"http://127.0.0.1:{port}" for port in running.ports]
        signed_in = sign_in(direct[0])
        assert signed_in.status_code == 303
        cookie = signed_in.cookies[COOKIE]
        assert [status(url + "/api/summary", cookie) for url in direct] == [200, 200, 200]
        stream = direct[1].replace("http://", "ws://") + "/dashboard/_stcore/stream"
        run_async(stream_handshake(stream, f"{COOKIE}={cookie}"))  # the websocket of another process

        with httpx.Client(base_url=direct[2], cookies={COOKIE: cookie}) as third:
            csrf = re.search(r'name="csrf" value="([^"]+)"', third.get("/logout").text)[1]
            assert third.post("/logout", data={"csrf": csrf}).status_code == 303
        assert [status(url + "/api/summary", cookie) for url in direct] == [401, 401, 401]
        assert [status(url + "/dashboard/", cookie) for url in direct] == [303, 303, 303]
        with pytest.raises(websockets.InvalidStatus):
            run_async(stream_handshake(stream, f"{COOKIE}={cookie}"))

        # Six wrong passwords on one account, spread over the processes: the sixth is refused.
        answers = [sign_in(direct[n % 3], "wrong password!", "bob").status_code for n in range(6)]
        assert answers == [401, 401, 401, 401, 401, 429]
        assert sign_in(direct[1], user="bob").status_code == 429  # counted before the check

        # The store dies: every door that needs it answers 503, readable, never 500 nor open.
        fresh = sign_in(direct[2]).cookies.get(COOKIE)
        with redis_server.down():
            for url in direct:
                assert httpx.get(url + "/healthz").json() == {"status": "degraded"}
                api = httpx.get(url + "/api/summary", cookies={COOKIE: fresh or "x"})
                assert api.status_code == 503 and api.headers["retry-after"]
                html = {"Accept": "text/html"}
                page = httpx.get(url + "/dashboard/", headers=html, cookies={COOKIE: fresh})
                assert page.status_code == 503 and "Try again" in page.text
                assert sign_in(url).status_code == 503
            with pytest.raises(websockets.InvalidStatus):
                run_async(stream_handshake(stream, f"{COOKIE}={cookie}"))
        # Back (empty, no persistence): sign-in works again without restarting the app.
        assert [httpx.get(url + "/healthz").status_code for url in direct] == [200, 200, 200]
        again = sign_in(direct[0])
        assert again.status_code == 303
        assert status(direct[2] + "/api/summary", again.cookies[COOKIE]) == 200
        assert all(" 500 " not in running.log(n) for n in range(3))


def test_a_rolling_restart_keeps_a_browser_signed_in(project, redis_server, page, tmp_path):
    env = {**AUTH_ENV, "REDIS_URL": redis_server.url}
    with cluster(project, tmp_path, processes=3, env=env) as running:
        sign_in_browser(page, running.base_url)
        page.goto(running.base_url + "/dashboard/")
        wait_for_dashboard(page, TITLE)
        page.get_by_text(f"Signed in as {TEST_USER}").wait_for()
        pids = [server.process.pid for server in running.processes]
        running.rolling_restart()
        assert all(server.process.pid not in pids for server in running.processes)
        # The open page's websocket reconnects to a new process; a reload is still signed in.
        page.get_by_text(f"Signed in as {TEST_USER}").wait_for(timeout=60_000)
        page.goto(running.base_url + "/dashboard/")  # a fresh visit: still signed in
        wait_for_dashboard(page, TITLE, timeout=120_000)
        assert "/login" not in page.url
        page.get_by_text(f"Signed in as {TEST_USER}").wait_for()


def test_an_oidc_callback_may_land_on_another_process(tmp_path, redis_server, oidc_issuer, page):
    project = bake(tmp_path / "oidc", project_name=TITLE, auth="oidc")
    first, second = free_port(), free_port()
    # The provider sends people back to the second process; the sign-in begins at the first.
    env = {**oidc_env(oidc_issuer, f"http://127.0.0.1:{second}"), "REDIS_URL": redis_server.url}
    with (
        serve(uvicorn_command("app:app", first), cwd=project, port=first, ready_path="/healthz", env=env,
              log_dir=tmp_path) as begins,
        serve(uvicorn_command("app:app", second), cwd=project, port=second, ready_path="/healthz", env=env,
              log_dir=tmp_path) as ends,
    ):  # fmt: skip
        page.goto(begins.base_url + "/dashboard/")
        page.fill("input[name=sub]", TEST_USER)  # the provider's own form
        page.click("button[type=submit]:has-text('Authorize')")
        wait_for_dashboard(page, TITLE)
        assert page.url == ends.base_url + "/dashboard/"
        assert '"GET /login?next=' in begins.log() and "/auth/callback" not in begins.log()
        assert '"GET /auth/callback?' in ends.log()
        (session,) = [c for c in page.context.cookies() if c["name"] == COOKIE]
        assert status(begins.base_url + "/dashboard/", session["value"]) == 200  # one session, both
