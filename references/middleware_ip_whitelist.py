"""Allow only listed networks (CIDR, IPv4 and IPv6), on ``http`` AND ``websocket`` scopes.

What it shows
    ``IPAllowlistMiddleware``, a pure-ASGI class, refuses HTTP requests (403) and
    websocket handshakes (closed before accept) whose client address is outside the
    allowlist. ``/healthz`` stays open for load balancers.

Which address is seen
    ``scope["client"]`` is what the ASGI server decided. uvicorn rewrites it from
    ``X-Forwarded-For`` when the TCP peer is in ``--forwarded-allow-ips`` (default
    127.0.0.1, and ``streamlit run`` keeps that default), so a local client can spoof
    any address. Therefore:

    - Default (no proxy): run ``uvicorn ... --no-proxy-headers``. As a second line,
      any request that carries ``X-Forwarded-For``, ``X-Real-IP`` or ``Forwarded`` is
      refused while ``TRUSTED_PROXIES`` is empty: a spoof never passes, whatever the
      server's flags.
    - Behind a proxy: set ``TRUSTED_PROXIES`` to the proxy's address(es) and have the
      proxy's header believed from exactly there: inside the app with uvicorn's
      ``ProxyHeadersMiddleware`` (``middleware_trusted_host.py``; the template does this, one
      setting for every layer), or with ``uvicorn ... --proxy-headers --forwarded-allow-ips
      "$TRUSTED_PROXIES"``.

Configuration (environment)
    ALLOWED_IPS      comma-separated CIDRs; default ``127.0.0.1/32,::1/128``. A malformed
                     entry stops start-up with that entry named.
    TRUSTED_PROXIES  comma-separated proxy addresses/CIDRs; default empty (no proxy).

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    ALLOWED_IPS=127.0.0.1/32 uvicorn middleware_ip_whitelist:app --lifespan on --port 8000 --no-proxy-headers
    ALLOWED_IPS=127.0.0.1/32 streamlit run middleware_ip_whitelist.py

Open
    http://127.0.0.1:8000/  allowed from loopback; set ALLOWED_IPS=10.0.0.0/8 to see the 403
"""

# --- part: begin ---
from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_ALLOWED_IPS = "127.0.0.1/32,::1/128"
FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded"})


def parse_networks(text: str, *, setting: str) -> tuple[Network, ...]:
    """Parse comma-separated CIDRs; raise ValueError naming the first bad entry."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {entry!r} is not an IP address or CIDR network") from None
    return tuple(networks)


@dataclass(frozen=True)
class AllowlistSettings:
    allowed: tuple[Network, ...]
    trusted_proxies: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AllowlistSettings:
        allowed = parse_networks(environ.get("ALLOWED_IPS", DEFAULT_ALLOWED_IPS), setting="ALLOWED_IPS")
        if not allowed:
            raise ValueError("ALLOWED_IPS: no network given; nobody could connect")
        proxies = parse_networks(environ.get("TRUSTED_PROXIES", ""), setting="TRUSTED_PROXIES")
        return cls(allowed=allowed, trusted_proxies=proxies)


class IPAllowlistMiddleware:
    """Refuses clients outside ``allowed``; ``open_paths`` (health checks) stay reachable."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: AllowlistSettings,
        open_paths: Iterable[str] = ("/healthz",),
    ) -> None:
        self.app = app
        self.settings = settings
        self.open_paths = frozenset(open_paths)
        # A client comes back with the same address: its verdict is remembered (bounded).
        self._address_allowed = lru_cache(maxsize=4096)(self._check_address)

    def _check_address(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.settings.allowed)

    def is_allowed(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return False
        if not self.settings.trusted_proxies and any(
            name.lower() in FORWARDING_HEADERS for name, _ in scope["headers"]
        ):
            return False  # no proxy is configured, so a forwarding header is a spoof
        return self._address_allowed(client[0])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] not in ("http", "websocket")
            or scope["path"] in self.open_paths
            or self.is_allowed(scope)
        ):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await PlainTextResponse("Forbidden: your address is not allowed.", 403)(scope, receive, send)


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

app = st.App(
    Path(__file__).parent / "dashboard.py",
    middleware=[Middleware(IPAllowlistMiddleware, settings=AllowlistSettings.from_env())],
)
