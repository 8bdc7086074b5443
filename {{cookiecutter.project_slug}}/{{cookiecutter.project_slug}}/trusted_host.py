"""Answer only under your own host name, trust only your proxy, refuse cross-site websockets.

This module comes from references/middleware_trusted_host.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# DNS rebinding needs the attacker's own name in Host, so loopback names are safe to allow.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class EdgeSettings:
    """Who may be named in ``Host``, and whose forwarding headers are believed."""

    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> EdgeSettings:
        hosts = list(LOOPBACK_HOSTS)
        public = environ.get("PUBLIC_BASE_URL", "").strip()
        if public:
            parts = urlsplit(public)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"PUBLIC_BASE_URL: {public!r} is not an http(s) URL")
            # Starlette compares IPv6 literals with their brackets, as they appear in Host.
            hosts.append(f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname)
        proxies = []
        for entry in (p.strip() for p in environ.get("TRUSTED_PROXIES", "").split(",")):
            if not entry:
                continue
            try:  # normalised: uvicorn would silently ignore "10.0.0.1/8" (host bits set)
                proxies.append(str(ipaddress.ip_network(entry, strict=False)))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network") from None
        return cls(allowed_hosts=tuple(dict.fromkeys(hosts)), trusted_proxies=tuple(proxies))


class HostAllowlistMiddleware(TrustedHostMiddleware):
    """Starlette's Host check (http and websocket), with ``open_paths`` left for probes."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: Iterable[str], open_paths: Iterable[str] = ("/healthz",)
    ) -> None:
        super().__init__(app, allowed_hosts=list(allowed_hosts), www_redirect=False)
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def is_same_origin(scope: Scope) -> bool:
    """True when the handshake has no ``Origin`` (not a browser) or its host is the ``Host``."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        return True
    try:
        origin_netloc = urlsplit(origin).netloc
    except ValueError:
        return False
    return bool(origin_netloc) and origin_netloc.lower() == headers.get("host", "").lower()


class WebSocketOriginMiddleware:
    """Refuses websocket handshakes from another site's pages (403 before accept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not is_same_origin(scope):
            await PlainTextResponse("Cross-origin websocket refused.", 403)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuses bodies over ``max_bytes``, or of unknown length, before the app reads them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = 1024 * 1024,
        exempt_path_parts: Iterable[str] = ("/_stcore/upload_file/",),  # Streamlit limits these
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_path_parts = tuple(exempt_path_parts)

    def refusal(self, scope: Scope) -> PlainTextResponse | None:
        if scope["type"] != "http" or any(part in scope["path"] for part in self.exempt_path_parts):
            return None
        for name, value in scope["headers"]:  # ASGI servers send the names lower-cased
            if name == b"transfer-encoding":
                return PlainTextResponse("Send the body with a Content-Length.", 411)
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                return PlainTextResponse(f"Request body over {self.max_bytes} bytes.", 413)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.refusal(scope)
        await (response or self.app)(scope, receive, send)


def proxy_trust_middleware(settings: EdgeSettings) -> Middleware:
    """Outermost: the real client and scheme, believed from ``TRUSTED_PROXIES`` only."""
    return Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))


def edge_guard_middleware(settings: EdgeSettings, *, max_body_bytes: int = 1024 * 1024) -> list[Middleware]:
    """The Host allow-list, the websocket Origin check, then the body size limit."""
    return [
        Middleware(HostAllowlistMiddleware, allowed_hosts=settings.allowed_hosts),
        Middleware(WebSocketOriginMiddleware),
        Middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes),
    ]
{%- endraw %}
