"""A websocket at ``/ws/live`` pushing JSON ticks into a small JS widget inside the dashboard.

This module comes from references/route_websocket_stream.py of st-asgi-template 0.1.0,
where the pattern is explained and tested on its own. It is yours now: change it here and
keep `pytest` green. To take a newer template version later, run `cruft update` (or
`copier update`) as README.md describes; your changes are merged, not overwritten.
"""

{% raw -%}
from __future__ import annotations

import asyncio
import math
import random
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

LIVE_PATH = "/ws/live"
WIDGET_PATH = "/widgets/live-ticks.html"

_WIDGET_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live ticks</title>
<style>
body { margin: 0; font-family: "Source Sans", system-ui, sans-serif; color: #31333f; }
.value { font-size: 2rem; font-weight: 600; }
.meta { color: #808495; font-size: .9rem; }
</style></head>
<body>
<div class="meta">Live ticks over <code>/ws/live</code>: <span id="status">connecting</span></div>
<div class="value" id="value" data-testid="live-value">-</div>
<div class="meta">tick <span id="seq" data-testid="live-seq">0</span></div>
<script src="/widgets/live-ticks.js"></script>
</body></html>"""

_WIDGET_JS = """"use strict";
(function () {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const status = document.getElementById("status");
  function connect() {
    const socket = new WebSocket(scheme + location.host + "/ws/live");
    socket.onopen = () => { status.textContent = "connected"; };
    socket.onmessage = (event) => {
      const tick = JSON.parse(event.data);
      document.getElementById("value").textContent = tick.value.toFixed(3);
      document.getElementById("seq").textContent = String(tick.seq);
    };
    socket.onclose = () => { status.textContent = "reconnecting"; setTimeout(connect, 2000); };
  }
  connect();
})();
"""


def _from_this_site(websocket: WebSocket) -> bool:
    """No ``Origin`` (not a browser), or one naming the host the handshake was sent to."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return bool(netloc) and netloc == websocket.headers.get("host", "").lower()


async def live_ticks(websocket: WebSocket, interval_seconds: float = 0.5) -> None:
    """Send a random-walk value until the client goes away."""
    if not _from_this_site(websocket):
        await websocket.close(code=1008)  # before accept: the handshake gets a 403
        return
    await websocket.accept()
    value, seq = 100.0, 0
    try:
        while True:
            seq += 1
            value += random.gauss(0, 1) + math.sin(seq / 10)
            await websocket.send_json({"seq": seq, "value": round(value, 3)})
            await asyncio.sleep(interval_seconds)
    except (WebSocketDisconnect, RuntimeError):
        return  # the browser closed the tab


async def _widget_html(request: Request) -> Response:
    return HTMLResponse(_WIDGET_HTML)


async def _widget_js(request: Request) -> Response:
    return Response(_WIDGET_JS, media_type="text/javascript")


def live_routes() -> list[BaseRoute]:
    """The websocket and the widget the dashboard embeds."""
    return [
        WebSocketRoute(LIVE_PATH, live_ticks),
        Route(WIDGET_PATH, _widget_html),
        Route("/widgets/live-ticks.js", _widget_js),
    ]
{%- endraw %}
