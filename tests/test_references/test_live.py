"""Every reference under real uvicorn, loaded in headless Chromium (Debian's), plus the live-only checks."""

import asyncio
import json
import sys

import httpx
import pytest
import websockets

from tests.conftest import AUTH_ENV, TEST_PASSWORD, TEST_USER
from tests.support import (
    ROOT,
    PageReport,
    collect_csp,
    free_port,
    rerun_with_slider,
    run_async,
    serve,
    uvicorn_command,
    wait_for_dashboard,
    watch,
)

pytestmark = pytest.mark.live

REFERENCE_HEADING = "st.App reference dashboard"


def open_dashboard(page, url: str, heading: str) -> PageReport:
    report = watch(page)
    page.goto(url)
    wait_for_dashboard(page, heading)
    return report


def assert_clean(page, report: PageReport) -> None:
    page.wait_for_timeout(500)  # late console messages
    collect_csp(page, report)
    assert report.problems == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("mount_fastapi", "/"),
        ("mount_streamlit_as_subapp", "/dashboard/"),
        ("route_custom_endpoints", "/"),
        ("mount_static_files", "/"),
        ("mount_django", "/dashboard/"),
        ("mount_flask", "/dashboard/"),
        ("middleware_security_headers", "/"),
        ("middleware_ip_whitelist", "/"),
        ("route_seo_metadata", "/"),
        ("route_mcp_server", "/"),
        ("route_background_tasks", "/"),
        ("route_error_pages", "/"),
    ],
)
def test_reference_dashboard_renders_and_reruns(page, tmp_path, name, path):
    port = free_port()
    command = uvicorn_command(f"references.{name}:app", port)
    with serve(command, cwd=ROOT, port=port, ready_path=path, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + path, REFERENCE_HEADING)
        rerun_with_slider(page)
        assert_clean(page, report)


@pytest.mark.parametrize(
    ("name", "path"), [("mount_streamlit_as_subapp", "/dashboard/"), ("mount_django", "/dashboard/")]
)
def test_streamlit_run_discovers_the_parent_app(page, tmp_path, name, path):
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", f"references/{name}.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
    ]  # fmt: skip
    with serve(command, cwd=ROOT, port=port, ready_path=path, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + path, REFERENCE_HEADING)
        assert httpx.get(server.base_url + "/").status_code == 200  # the parent's own home
        assert_clean(page, report)


def test_security_headers_page_has_zero_csp_violations(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_security_headers:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        response = page.goto(server.base_url + "/")
        report = watch(page)
        page.reload()
        assert "sha256-" in response.headers["content-security-policy"]
        wait_for_dashboard(page, REFERENCE_HEADING)
        rerun_with_slider(page)
        page.wait_for_timeout(1000)
        collect_csp(page, report)
        assert report.csp_violations == [] and report.problems == []


async def stream_handshake(url: str, cookie: str | None = None) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(url, additional_headers=headers, subprotocols=["streamlit"]):
        pass


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


def test_mcp_client_lists_and_calls_tools(tmp_path):
    import fastmcp

    port = free_port()
    command = uvicorn_command("references.route_mcp_server:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:

        async def use_tools():
            async with fastmcp.Client(server.base_url + "/mcp/") as client:
                names = {tool.name for tool in await client.list_tools()}
                added = await client.call_tool("add", {"a": 2, "b": 3})
                described = await client.call_tool("describe", {"values": [1, 2, 3]})
                return names, added.data, described.data

        names, added, described = run_async(use_tools())
        assert names == {"add", "describe"}
        assert added == 5
        assert described["count"] == 3 and described["mean"] == 2


def test_live_ticks_move_in_the_page(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.route_websocket_stream:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", "Live ticks")
        widget = page.frame_locator("iframe").first
        seq = widget.get_by_test_id("live-seq")
        page.wait_for_function(
            "() => [...document.querySelectorAll('iframe')].some(f => "
            "Number(f.contentDocument?.querySelector('[data-testid=live-seq]')?.textContent) >= 3)",
            timeout=20_000,
        )
        assert int(seq.inner_text()) >= 3
        assert_clean(page, report)


def test_lifespan_warms_before_first_visit_and_shuts_down_cleanly(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.core_lifespan_lifecycle:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        state = httpx.get(server.base_url + "/api/state").json()
        assert state["rows"] == 4
        report = open_dashboard(page, server.base_url + "/", "Warm caches")
        page.get_by_text("Model demo-model loaded at").wait_for()
        cache_ms = float(page.get_by_test_id("stMetricValue").inner_text())
        assert cache_ms < 100  # a cache hit; a cold load_model() alone sleeps 500 ms
        assert_clean(page, report)
    log = server.log()
    assert "caches warmed in" in log and "lifespan shut down cleanly" in log


def test_cookie_set_by_middleware_reaches_st_context(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.middleware_cookies:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", REFERENCE_HEADING)
        (cookie,) = [c for c in page.context.cookies() if c["name"] == "visitor_id"]
        page.get_by_text(f"Visitor cookie: {cookie['value']}").wait_for()
        assert_clean(page, report)


def test_secrets_and_script_error_hook(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.core_secrets_and_errors:app", port)
    env = {"SERVICE_API_TOKEN": "abc123"}
    with serve(command, cwd=ROOT, port=port, env=env, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", "Secrets and errors")
        page.get_by_text("token of 6 characters").wait_for()
        page.get_by_role("button", name="Raise an error").click()
        page.get_by_text("Something went wrong. The error has been reported.").wait_for()
        assert page.get_by_text("Traceback").count() == 0
        errors = json.loads(httpx.get(server.base_url + "/api/errors").text)
        assert errors == {"reported": 1, "types": ["RuntimeError"]}
        assert_clean(page, report)


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
