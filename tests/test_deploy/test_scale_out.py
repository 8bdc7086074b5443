"""Several processes of a baked project (auth=password, mcp on) behind its own deploy/nginx.conf.

MCP clients keep no cookie, so nginx's affinity cannot bring an agent back to one process:
every request of an MCP session may reach another process. The official MCP TypeScript SDK
(tests/mcp_ts_client) and a real ``fastmcp.Client`` with cookies refused complete every session
through nginx because the MCP server is stateless; the same project with fastmcp's stateful
sessions (the control) loses most of them ("Session not found"). Also the harness itself: a
redis-server killed and started again, and a rolling restart behind nginx.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import AUTH_ENV, ROOT, bake, run_async
from tests.test_deploy.cluster import cluster, needs_nginx, project_slug

pytestmark = [pytest.mark.live, needs_nginx]

TS_CLIENT = ROOT / "tests" / "mcp_ts_client"
SESSIONS = 10
PROCESSES = 3
MCP_POST = dict(uri=r"/mcp/", method="POST")


def ts_client_missing() -> str | None:
    if (
        shutil.which("node") is None
        or not (TS_CLIENT / "node_modules" / "@modelcontextprotocol" / "sdk").is_dir()
    ):
        return "the MCP TypeScript SDK client needs Node.js 20+ and `./run setup` (npm ci in its folder)"
    return None


def ts_sessions(url: str, token: str, count: int = SESSIONS) -> dict:
    """Run tests/mcp_ts_client/client.mjs: ``count`` sessions at once; its JSON summary."""
    if missing := ts_client_missing():
        pytest.fail(missing, pytrace=False)
    command = ["node", "client.mjs", url, str(count)]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "MCP_TOKEN": token}
    done = subprocess.run(command, cwd=TS_CLIENT, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip(), done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == (0 if summary["completed"] == count else 1), done.stderr
    return summary


def agent_token(project: Path) -> tuple[str, str]:
    """``python -m <pkg>.auth token agent``, as the baked README says: the token and its entry."""
    slug = project_slug(project)
    made = subprocess.run([sys.executable, "-m", f"{slug}.auth", "token", "agent"], cwd=project,
                          capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    token = made.stderr.strip().rsplit(": ", 1)[1]
    entry = made.stdout.strip()
    assert entry.startswith("agent:") and len(token) >= 32
    return token, entry


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return bake(tmp_path_factory.mktemp("scale-out"), auth="password", mcp=True)


@pytest.fixture(scope="module")
def token_and_env(project) -> tuple[str, dict[str, str]]:
    token, entry = agent_token(project)
    return token, {**AUTH_ENV, "APP_API_TOKENS": entry}


@pytest.fixture(scope="module")
def stateless(project, token_and_env, tmp_path_factory):
    """The project as baked (stateless MCP): three processes behind nginx, for this module."""
    with cluster(
        project, tmp_path_factory.mktemp("stateless"), processes=PROCESSES, env=token_and_env[1]
    ) as running:
        yield running


def uvicorn_mcp_posts(running) -> list[int]:
    """``POST /mcp/`` lines in each process's own uvicorn log."""
    return [len(re.findall(r'"POST /mcp/ HTTP/1\.1" 2\d\d', running.log(i))) for i in range(PROCESSES)]


# --- MCP through nginx ------------------------------------------------------------------------


def test_the_typescript_sdk_completes_every_session_through_nginx(stateless, token_and_env):
    before = uvicorn_mcp_posts(stateless)
    summary = ts_sessions(stateless.base_url + "/mcp/", token_and_env[0])
    failed = [result for result in summary["results"] if not result["ok"]]
    print(
        f"\nstateless, {PROCESSES} processes: TypeScript SDK completed {summary['completed']} of {SESSIONS}"
    )
    assert summary["completed"] == SESSIONS, failed
    assert all(result["tools"] == ["add", "dashboard_data", "describe"] for result in summary["results"])
    assert all(result["sessionId"] is None for result in summary["results"]), "stateless: no session id"
    # Each session's requests went wherever nginx sent them: every process answered some.
    after = uvicorn_mcp_posts(stateless)
    served = [b - a for a, b in zip(before, after, strict=True)]
    print(f"POST /mcp/ per process (uvicorn logs): {served}")
    assert sum(served) >= 3 * SESSIONS, served  # initialize, initialized, list, call
    assert sum(1 for count in served if count) >= 2, f"all of one run on one process: {served}"
    nginx_counts = stateless.requests_per_process(**MCP_POST)
    assert len([i for i in nginx_counts if i >= 0]) >= 2, nginx_counts


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """An MCP client's cookie policy: it keeps none."""

    def set_ok(self, cookie, request) -> bool:
        return False


def test_fastmcp_client_without_cookies_completes_its_sessions(stateless, token_and_env):
    import fastmcp
    import httpx2
    from fastmcp.client.transports import StreamableHttpTransport

    sent_cookies: list[str] = []
    jars: list[http.cookiejar.CookieJar] = []

    async def record(request) -> None:
        if "cookie" in request.headers:
            sent_cookies.append(request.headers["cookie"])

    def cookieless(headers=None, timeout=None, auth=None, **options):
        jar = http.cookiejar.CookieJar(policy=NoCookies())
        jars.append(jar)
        timeout = timeout or httpx2.Timeout(30, read=300)
        return httpx2.AsyncClient(headers=headers, timeout=timeout, auth=auth, cookies=jar,
                                  event_hooks={"request": [record]}, **options)  # fmt: skip

    async def one_session(index: int) -> tuple[set[str], float]:
        transport = StreamableHttpTransport(
            stateless.base_url + "/mcp/", auth=token_and_env[0], httpx_client_factory=cookieless
        )
        async with fastmcp.Client(transport) as client:
            names = {tool.name for tool in await client.list_tools()}
            total = (await client.call_tool("add", {"a": index, "b": 0.5})).data
            described = (await client.call_tool("describe", {"values": [index, index + 2]})).data
            assert described["mean"] == index + 1
            return names, total

    async def all_sessions():
        return await asyncio.gather(*(one_session(index) for index in range(SESSIONS)))

    before = uvicorn_mcp_posts(stateless)
    results = run_async(all_sessions())
    assert [total for _, total in results] == [index + 0.5 for index in range(SESSIONS)]
    assert all({"add", "describe", "dashboard_data"} <= names for names, _ in results)
    assert jars and all(len(jar) == 0 for jar in jars) and sent_cookies == [], "no cookie was kept"
    served = [b - a for a, b in zip(before, uvicorn_mcp_posts(stateless), strict=True)]
    print(f"\nfastmcp.Client, no cookies: {SESSIONS} of {SESSIONS} sessions; POST /mcp/ per process {served}")
    assert sum(1 for count in served if count) >= 2, served


def test_without_stateless_mode_sessions_are_lost_between_processes(project, token_and_env, tmp_path):
    """The control: the same project with fastmcp's stateful sessions fails through nginx."""
    stateful = tmp_path / "stateful"
    shutil.copytree(project, stateful)
    slug = project_slug(project)
    module = stateful / slug / "mcp_tools.py"
    text = module.read_text()
    assert text.count("stateless_http=True") == 1
    module.write_text(text.replace("stateless_http=True", "stateless_http=False"))
    with cluster(stateful, tmp_path / "logs", processes=PROCESSES, env=token_and_env[1]) as running:
        # One process alone (straight to it, no nginx) still serves every session.
        alone = ts_sessions(running.processes[0].base_url + "/mcp/", token_and_env[0], 3)
        assert alone["completed"] == 3, alone
        assert all(result["sessionId"] for result in alone["results"]), "stateful: a session id each"
        summary = ts_sessions(running.base_url + "/mcp/", token_and_env[0])
    errors = [result["error"] for result in summary["results"] if not result["ok"]]
    completed = summary["completed"]
    print(
        f"\nstateful, {PROCESSES} processes: TypeScript SDK completed {completed} of {SESSIONS}; {errors[:1]}"
    )
    assert summary["completed"] < SESSIONS, "stateful sessions all survived: the control proves nothing"
    assert any(re.search(r"Session not found|404", error) for error in errors), errors


# --- the harness itself -----------------------------------------------------------------------


def test_redis_server_is_real_and_comes_back_on_its_port(redis_server):
    from redis.asyncio import from_url
    from redis.exceptions import ConnectionError as StoreDown

    async def roundtrip(value: str) -> str | None:
        async with from_url(redis_server.url, socket_connect_timeout=2) as client:
            before = await client.get("key")
            await client.set("key", value)
            assert await client.get("key") == value.encode()
            return before

    assert re.fullmatch(r"redis://127\.0\.0\.1:\d+/0", redis_server.url)
    assert asyncio.run(roundtrip("one")) is None
    port, pid = redis_server.port, redis_server.process.pid
    with redis_server.down():
        assert not redis_server.running
        with pytest.raises(StoreDown):
            asyncio.run(roundtrip("two"))
    assert redis_server.running and redis_server.port == port and redis_server.process.pid != pid
    assert asyncio.run(roundtrip("three")) is None, "no persistence: it comes back empty"
    redis_server.kill()
    redis_server.start()
    assert redis_server.starts == 3


def test_a_rolling_restart_keeps_every_port_and_nginx_keeps_answering(
    project, token_and_env, redis_url, tmp_path
):
    env = {**token_and_env[1], "REDIS_URL": redis_url}
    with cluster(project, tmp_path, processes=PROCESSES, env=env) as running:
        assert all(
            f"--port {port}" in " ".join(p.process.args)
            for p, port in zip(running.processes, running.ports, strict=True)
        )
        pids = [server.process.pid for server in running.processes]

        def through_nginx(_index: int = -1) -> None:
            for _ in range(12):  # fresh clients: no affinity cookie, nginx spreads them
                assert httpx.get(running.base_url + "/healthz", timeout=10).status_code == 200

        through_nginx()
        answered = running.requests_per_process(uri="/healthz")
        assert len([i for i in answered if i >= 0]) >= 2, answered
        running.rolling_restart(after_each=through_nginx)
        assert running.restarts == list(range(PROCESSES))
        # A crash: one process killed, nginx passes its requests to the others; then it is back.
        running.stop(1, kill=True)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{running.ports[1]}/healthz")
        through_nginx()
        running.start(1)
        assert all(server.process.poll() is None for server in running.processes)
        assert all(server.process.pid not in pids for server in running.processes)
        for index, port in enumerate(running.ports):
            assert running.processes[index].base_url == f"http://127.0.0.1:{port}"
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            lives = 3 if index == 1 else 2
            assert running.log(index).count("Application startup complete") == lives, "one log, every life"
