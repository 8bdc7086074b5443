"""A signed session cookie for pure-ASGI guards: verified once per cookie, sent only when it changed.

This module comes from references/middleware_session_cookie.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import copy
import json
import re
import time
from base64 import b64decode, b64encode
from typing import Any, Literal

import itsdangerous
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_EMPTY: tuple[dict[str, Any], bool] = ({}, True)


class SessionCookieMiddleware:
    """Starlette's signed session cookie, as a dict at ``scope[scope_key]``; pure ASGI."""

    def __init__(self, app: ASGIApp, secret_key: str, *, cookie_name: str = "session",
                 scope_key: str = "session", max_age_seconds: int = 14 * 24 * 60 * 60,
                 same_site: Literal["lax", "strict", "none"] = "lax", https_only: bool = False,
                 max_remembered: int = 10_000) -> None:  # fmt: skip
        self.app = app
        self.signer = itsdangerous.TimestampSigner(secret_key)
        self.scope_key = scope_key
        self.max_age_seconds = max_age_seconds
        self.max_remembered = max_remembered
        self._value = re.compile(rf"(?:^|;)\s*{re.escape(cookie_name)}=([^;]*)")
        attributes = f"path=/; httponly; samesite={same_site}" + ("; secure" if https_only else "")
        self._set = f"{cookie_name}={{}}; {attributes}; max-age={max_age_seconds}"
        self._expire = f"{cookie_name}=null; {attributes}; expires=Thu, 01 Jan 1970 00:00:00 GMT".encode()
        self._verified: dict[str, tuple[dict[str, Any], float, bool]] = {}  # cookie -> data, signed at, flat

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        initial, flat = self._load(scope)
        # The remembered dict stays as it was read: the routes get a copy (a deep one for nested values).
        session = scope[self.scope_key] = dict(initial) if flat else copy.deepcopy(initial)
        if scope["type"] == "websocket":  # an open websocket sets no cookie: its messages go straight out
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session != initial:
                cookie = self._set.format(self._sign(session)).encode() if session else self._expire
                message = {**message, "headers": [*message.get("headers", ()), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, scope: Scope) -> tuple[dict[str, Any], bool]:
        """The session the request's cookie carries (empty for none or a bad one), and if it is flat."""
        signed = None
        for name, value in scope["headers"]:
            if name == b"cookie" and (found := self._value.search(value.decode("latin-1"))):
                signed = found.group(1)
                break
        if not signed:
            return _EMPTY
        known = self._verified.get(signed)
        if known is None:
            try:
                payload, signed_at = self.signer.unsign(
                    signed, max_age=self.max_age_seconds, return_timestamp=True
                )
                data = json.loads(b64decode(payload))
            except (itsdangerous.BadSignature, ValueError):
                return _EMPTY
            if not isinstance(data, dict):
                return _EMPTY
            flat = all(isinstance(v, str | int | float | bool | None) for v in data.values())
            known = (data, signed_at.timestamp(), flat)
            if len(self._verified) >= self.max_remembered:
                del self._verified[next(iter(self._verified))]  # the oldest first
            self._verified[signed] = known
        elif time.time() - known[1] > self.max_age_seconds:
            return _EMPTY
        return known[0], known[2]

    def _sign(self, session: dict[str, Any]) -> str:
        return self.signer.sign(b64encode(json.dumps(session).encode())).decode()
{%- endraw %}
