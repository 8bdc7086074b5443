"""The edge of every project, attacked from outside: DNS rebinding, cross-site websockets,
spoofed forwarding headers, oversized headers and bodies.

One baked project per parent (IP allowlist, MCP, live websocket and security headers on),
under real uvicorn started the way the project documents (``--http h11 --no-proxy-headers`` ...),
attacked over real sockets. The allowlist admits 127.0.0.1 only and the trusted proxy is
127.0.0.3; the attacker speaks from 127.0.0.2 (Linux routes all of 127/8 to loopback).
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

import fastmcp
import httpx
import pytest
import websockets
from fastmcp.client.transports import StreamableHttpTransport

from tests.support import PARENTS, bake, free_port, run_async, serve, uvicorn_command

pytestmark = pytest.mark.live

PUBLIC_HOST = "dash.example.test"
REBOUND = "rebind.attacker.example"  # the attacker's name, resolving to the victim's server
PROXY, ATTACKER = "127.0.0.3", "127.0.0.2"
ANSWERS = {"ip_allowlist": True, "mcp": True, "websocket": True, "security_headers": True, "lifespan": False}


@pytest.fixture(scope="module", params=PARENTS)
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"host-{request.param}")
    project = bake(tmp, parent=request.param, **ANSWERS)
    port = free_port()
    env = {
        "PUBLIC_BASE_URL": f"http://{PUBLIC_HOST}",
        "ALLOWED_IPS": "127.0.0.1/32",
        "TRUSTED_PROXIES": PROXY,
    }
    command = uvicorn_command("app:app", port)  # --http h11 --no-proxy-headers ..., as documented
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp) as running:
        running.parent = request.param
        running.port = port
        yield running


def dashboard(server) -> str:
    return "/" if server.parent == "streamlit" else "/dashboard/"


def client_from(address: str) -> httpx.Client:
    """A client whose TCP connections leave from ``address``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


async def open_websocket(server, path: str, *, host: str, origin: str | None, **options) -> object:
    """Handshake at ``path`` naming ``host`` in Host; return the first message (or None)."""
    url = f"ws://{host}:{server.port}{path}"
    headers = {"Origin": origin} if origin else {}
    connection = {"host": "127.0.0.1", "port": server.port, "proxy": None, "open_timeout": 30}
    async with websockets.connect(url, additional_headers=headers, **connection, **options) as socket:
        if path == "/ws/live":
            return await socket.recv()
        return None


def refused_status(server, path: str, *, host: str, origin: str | None, **options) -> int:
    with pytest.raises(websockets.InvalidStatus) as refused:
        run_async(open_websocket(server, path, host=host, origin=origin, **options))
    return refused.value.response.status_code


def test_a_rebound_host_is_refused_on_every_http_route(server):
    local = f"127.0.0.1:{server.port}"
    paths = [dashboard(server), "/", "/widgets/live-ticks.html", "/no-such-page"]
    if server.parent != "streamlit":
        paths.append("/api/summary")
    for path in paths:
        response = httpx.get(server.base_url + path, headers={"Host": f"{REBOUND}:{server.port}"})
        assert response.status_code == 400, path
        assert httpx.get(server.base_url + path, headers={"Host": local}).status_code != 400, path
        assert httpx.get(server.base_url + path, headers={"Host": PUBLIC_HOST}).status_code != 400, path
    # Health probes name the pod's address; they stay open.
    assert httpx.get(server.base_url + "/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200


def test_a_rebound_host_is_refused_on_the_streamlit_websocket(server):
    stream = dashboard(server) + "_stcore/stream"
    rebound = f"http://{REBOUND}:{server.port}"  # same-origin as far as the browser knows
    assert refused_status(server, stream, host=REBOUND, origin=rebound, subprotocols=["streamlit"]) == 400
    assert refused_status(server, "/ws/live", host=REBOUND, origin=rebound) == 400
    # The control: the same handshakes under the real name open.
    run_async(open_websocket(server, stream, host="127.0.0.1", origin=None, subprotocols=["streamlit"]))
    real = f"http://{PUBLIC_HOST}:{server.port}"
    assert "seq" in run_async(open_websocket(server, "/ws/live", host=PUBLIC_HOST, origin=real))


def test_cross_origin_websockets_are_refused(server):
    stream = dashboard(server) + "_stcore/stream"
    for origin in ("https://evil.example", "null", f"http://{PUBLIC_HOST}.evil.example:{server.port}"):
        assert refused_status(server, "/ws/live", host="127.0.0.1", origin=origin) == 403, origin
        status = refused_status(server, stream, host="127.0.0.1", origin=origin, subprotocols=["streamlit"])
        assert status == 403, origin
    same = f"http://127.0.0.1:{server.port}"
    assert "seq" in run_async(open_websocket(server, "/ws/live", host="127.0.0.1", origin=same))


async def call_add(url: str, headers: dict[str, str]) -> float:
    async with fastmcp.Client(StreamableHttpTransport(url, headers=headers)) as client:
        return (await client.call_tool("add", {"a": 20, "b": 22})).data


def test_mcp_checks_host_and_origin(server):
    url = server.base_url + "/mcp/"
    assert run_async(call_add(url, {})) == 42  # a real MCP client under the real name
    for headers in ({"Host": f"{REBOUND}:{server.port}"}, {"Origin": "https://evil.example"}):
        with pytest.raises(Exception):  # noqa: B017 - fastmcp wraps the HTTP error in its own
            run_async(call_add(url, headers))
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    accept = {"Accept": "application/json, text/event-stream"}
    rebound = httpx.post(url, json=initialize, headers={**accept, "Host": f"{REBOUND}:{server.port}"})
    assert rebound.status_code == 400  # the Host allow-list, before MCP
    # fastmcp's own guard (now on) answers a browser's foreign Origin itself.
    foreign = httpx.post(url, json=initialize, headers={**accept, "Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.text == "Forbidden Origin"


def test_forwarding_headers_from_an_untrusted_peer_change_nothing(server):
    page = dashboard(server)
    spoof = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https"}
    with client_from(ATTACKER) as attacker:
        response = attacker.get(server.base_url + page, headers=spoof)
        assert response.status_code == 403  # still 127.0.0.2, outside the allowlist
        assert "strict-transport-security" not in response.headers  # still plain http
    with client_from("127.0.0.1") as allowed:
        claimed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        response = allowed.get(server.base_url + page, headers=claimed)
        assert response.status_code == 200  # still 127.0.0.1, inside the allowlist
        assert "strict-transport-security" not in response.headers
    # The control: the same headers from the trusted proxy are believed.
    with client_from(PROXY) as proxy:
        response = proxy.get(server.base_url + page, headers=spoof)
        assert response.status_code == 200
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert proxy.get(server.base_url + page).status_code == 403  # the proxy itself is not allowed


# --- limits: refused before the app buffers anything --------------------------------------

HUGE = 64 * 1024 * 1024
ROOM = 16 * 1024 * 1024  # RSS growth allowed; httptools grows ~90 MiB on the header below


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def send_raw(port: int, head: bytes, filler: int) -> bytes:
    """Send ``head`` then ``filler`` bytes (stopping when the server closes); return its answer."""
    chunk = b"a" * (256 * 1024)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(head)
            for _ in range(filler // len(chunk)):
                sock.sendall(chunk)
        try:
            return sock.recv(200)
        except OSError:
            return b""


def test_an_oversized_header_is_refused_with_bounded_memory(server):
    before = rss_bytes(server.process.pid)
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
    answer = send_raw(server.port, head, HUGE)
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert rss_bytes(server.process.pid) - before < ROOM
    assert httpx.get(server.base_url + "/healthz").status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(server):
    before = rss_bytes(server.process.pid)
    head = (
        b"POST /mcp/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % HUGE
    )
    answer = send_raw(server.port, head, HUGE)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert rss_bytes(server.process.pid) - before < ROOM
    chunked = httpx.post(server.base_url + "/mcp/", content=iter([b"{}"]))  # no length: chunked
    assert chunked.status_code == 411
    # The limit leaves Streamlit's uploads to server.maxUploadSize: the path is not refused here.
    upload = httpx.put(
        server.base_url + dashboard(server) + "_stcore/upload_file/x/y", content=b"a" * 2_000_000
    )
    assert upload.status_code not in (411, 413)
