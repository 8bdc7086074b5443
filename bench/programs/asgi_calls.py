"""Calling an ASGI app directly, signed in, as layers.py and guards_ab.py do (no network)."""

from __future__ import annotations

import json
import time
from base64 import b64encode

import itsdangerous


async def session_cookie(auth, cookie_name: str) -> bytes:
    """The cookie a successful login sets: a session in ``auth``'s server-side store, its id signed."""
    sid = await auth.sessions.create("alice")
    signed = itsdangerous.TimestampSigner(auth.secret_key).sign(b64encode(json.dumps({"sid": sid}).encode()))
    return f"{cookie_name}=".encode() + signed


async def time_calls(app, path: str, count: int, cookie: bytes) -> float:
    """Microseconds per signed-in ``GET path`` over ``count`` calls; raises unless every one was a 200."""
    statuses: set[int] = set()

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    def scope() -> dict:
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "headers": [(b"host", b"127.0.0.1:8000"), (b"cookie", cookie), (b"accept", b"*/*")],
        }  # fmt: skip

    started = time.perf_counter()
    for _ in range(count):
        await app(scope(), receive, send)
    elapsed = time.perf_counter() - started
    if statuses != {200}:
        raise RuntimeError(f"{path}: expected 200 from every call, got {statuses}")
    return elapsed / count * 1e6
