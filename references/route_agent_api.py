"""Streamlit's built-in agent API and MCP endpoint, behind a guard, with the caller in ``st.user``.

What it shows
    Streamlit >= 1.67 can serve the app to programs: ``POST /_stcore/agent/interact``
    (set widgets, get a JSON snapshot), ``POST /_stcore/agent/mcp`` (the same as a remote
    MCP server with an ``interact`` tool) and ``GET /_stcore/agent/openapi.json``. It is
    off until ``server.enableAgentApi = true`` in the ``.streamlit/config.toml`` beside the
    script. Once on, anyone who can reach the app can drive it, so a guard goes in front:
    ``BearerUserGuard`` (pure ASGI, ``http`` and ``websocket``) lets a request through only
    with a known ``Authorization: Bearer`` token and hands the token's user to Streamlit
    as the ``X-Authenticated-User`` header, dropping any such header the client sent.
    ``server.trustedUserHeaders`` maps that header into ``st.user["email"]``, for agent
    sessions and browser sessions alike. ``/healthz`` stays open.

When to use it
    AI agents should use the dashboard itself (its widgets, its numbers) rather than
    tools you write (for those, see route_mcp_server.py). Put the guard you use for
    people in front (e.g. middleware_auth.py's, setting the same header) so an agent gets
    exactly the access a person gets. Behind a proxy, strip client-supplied identity
    headers on ``/_stcore/agent/`` too. Keep ``/_stcore/metrics`` private as well
    (middleware_private_metrics.py).

Files that come with it
    agent_api/dashboard.py  agent_api/.streamlit/config.toml

Configuration (environment)
    API_TOKENS   comma-separated ``user=token`` pairs; tokens of at least 32 characters,
                 e.g. ``python -c "import secrets; print(secrets.token_urlsafe(32))"``

Run it (from the folder it is copied into; in this repository: ``cd references``)
    API_TOKENS="alice@example.com=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \\
        uvicorn route_agent_api:app --lifespan on --port 8000

Open
    http://127.0.0.1:8000/healthz   open; everything else needs the token

Try it
    curl -H "Authorization: Bearer <token>" http://127.0.0.1:8000/_stcore/agent/openapi.json
    curl -X POST -H "Authorization: Bearer <token>" -d '{}' http://127.0.0.1:8000/_stcore/agent/interact
    (the snapshot says "Signed in as alice@example.com"); as an MCP server, point an MCP
    client at http://127.0.0.1:8000/_stcore/agent/mcp with the same header.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

USER_HEADER = b"x-authenticated-user"  # listed in agent_api/.streamlit/config.toml
OPEN_PATHS = frozenset({"/healthz"})
MIN_TOKEN_LENGTH = 32


def tokens_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """``API_TOKENS="alice@example.com=<token>,..."`` as {token: user}; refuses weak tokens."""
    tokens: dict[str, str] = {}
    for pair in filter(None, (item.strip() for item in environ.get("API_TOKENS", "").split(","))):
        user, _, token = pair.partition("=")
        if not user or len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"API_TOKENS: each entry is user=token with a token of >= {MIN_TOKEN_LENGTH} chars"
            )
        tokens[token] = user
    if not tokens:
        raise ValueError("API_TOKENS is not set: the agent API would be open to anyone")
    return tokens


class BearerUserGuard:
    """Only requests with a known bearer token pass; their user becomes a trusted header."""

    def __init__(self, app: ASGIApp, *, tokens: Mapping[str, str]) -> None:
        self.app = app
        self.tokens = dict(tokens)

    def _user(self, headers: list[tuple[bytes, bytes]]) -> str | None:
        given = next((v for k, v in headers if k.lower() == b"authorization"), b"").decode("latin-1")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer":
            return None
        # Compare with every token, in constant time, so timing says nothing about which matched.
        matches = [user for known, user in self.tokens.items() if hmac.compare_digest(known, token)]
        return matches[0] if matches else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != USER_HEADER]
        user = self._user(headers)
        if user is not None:
            headers.append((USER_HEADER, user.encode("utf-8")))
            await self.app({**scope, "headers": headers}, receive, send)
        elif scope["path"] in OPEN_PATHS:
            await self.app({**scope, "headers": headers}, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # handshake refused: 403
        else:
            response = PlainTextResponse("A bearer token is required.", 401, {"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = st.App(
    Path(__file__).parent / "agent_api" / "dashboard.py",
    routes=[Route("/healthz", healthz)],
    middleware=[Middleware(BearerUserGuard, tokens=tokens_from_env())],
)
