"""A websocket at ``/ws/live`` pushing JSON ticks into a small JS widget inside the dashboard.

What it shows
    A Starlette ``WebSocketRoute`` that sends ``{"seq": n, "value": x}`` twice a second,
    after refusing a handshake whose ``Origin`` is another site (a browser sends the
    visitor's cookies along, so without this any page could read the stream),
    and a widget page (``/widgets/live-ticks.html`` + ``.js``) that the dashboard embeds
    with ``st.iframe``. The widget updates its own DOM, so the numbers move without a
    Streamlit rerun. Its script is a same-origin file, so it runs under the strict CSP
    of ``middleware_security_headers.py`` (no inline script, connect-src 'self').

When to use it
    Live values (prices, sensor readings, job progress) that change faster than a rerun
    is worth. For values the script itself must react to, use ``st.fragment(run_every=)``.

Files that come with it
    dashboard_live.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn route_websocket_stream:app --lifespan on --port 8000
    streamlit run route_websocket_stream.py

Open
    http://127.0.0.1:8000/                        the dashboard with the live widget
    ws://127.0.0.1:8000/ws/live                   the raw stream (any websocket client)
"""

# --- part: begin ---
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


# --- part: end ---

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

app = st.App(Path(__file__).parent / "dashboard_live.py", routes=live_routes())
