{%- set c = cookiecutter -%}
"""Live checks: real uvicorn on a free port, started as the README says (``--http h11``)."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets
{%- if c.__auth == "password" %}

from tests.conftest import TEST_PASSWORD, TEST_USER
{%- elif c.__auth == "oidc" %}

from tests.conftest import sign_in
{%- endif %}

PROJECT = Path(__file__).resolve().parents[1]
DASHBOARD = "{{ '/' if c.parent == 'streamlit' else '/dashboard/' }}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until ``/healthz`` says "ok" (it says "starting" while the lifespan warms the caches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if httpx.get(base_url + "/healthz", timeout=2).json() == {"status": "ok"}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise TimeoutError("server did not become healthy")


async def handshake(url: str, cookie: str) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(url, additional_headers=headers, subprotocols=["streamlit"]):
        pass


def oversized_header_answer(port: int, size: int = 1024 * 1024) -> bytes:
    """Send one header line of ``size`` bytes; return what the server says (maybe nothing)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(OSError):  # the server stopped reading and closed: what we want
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        try:
            return sock.recv(200)
        except OSError:
            return b""


def test_uvicorn_serves_health_and_the_streamlit_websocket():
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port),
               "--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers"]  # fmt: skip
    process = subprocess.Popen(command, cwd=PROJECT, env=os.environ.copy(), start_new_session=True)
    try:
        wait_until_healthy(base_url, process)
        assert httpx.get(base_url + "/healthz").json() == {"status": "ok"}
        # h11 caps a request's headers (16 KiB): a huge header line is refused, not buffered.
        answer = oversized_header_answer(port)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer
        assert httpx.get(base_url + "/healthz").status_code == 200
        # A name that is not this site's (DNS rebinding) is refused.
        assert httpx.get(base_url + DASHBOARD, headers={"Host": "rebind.attacker.example"}).status_code == 400
        cookie = ""
{%- if c.__auth == "password" %}
        form = {"username": TEST_USER, "password": TEST_PASSWORD}
        login = httpx.post(base_url + "/login", data=form)
        cookie = f"app_session={login.cookies['app_session']}"
{%- elif c.__auth == "oidc" %}
        with httpx.Client(base_url=base_url) as browser:
            assert sign_in(browser).status_code == 303
            cookie = f"app_session={browser.cookies['app_session']}"
{%- endif %}
        stream = f"ws://127.0.0.1:{port}{DASHBOARD}_stcore/stream"
        asyncio.run(handshake(stream, cookie))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
