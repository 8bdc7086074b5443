"""Open N Streamlit sessions at once, as the browser does, and ask each to run the script once.

Each session: with ``--page``, first a GET of the dashboard's page (as a browser loads it; the
cookies it sets, such as a proxy's affinity cookie, go with the websocket), then a websocket
handshake to ``--url`` (subprotocol ``streamlit``, with the cookie and the Origin a browser sends),
then one ``BackMsg.rerun_script`` (what Streamlit's frontend sends once the socket is open), then
it reads ForwardMsgs: the first one (``new_session``) means the session is established and its
script started; ``script_finished`` means the script ran through. All sessions stay open until
every script finished or the deadline, and at least ``--hold`` seconds, so they really are
concurrent; then all close.

Counted as an error, by kind: a refused or dropped connection, a script that ended other than
successfully, a session with no handshake or no ForwardMsg at all within the bound (a browser
would still show an empty page). A script that started but is still running at the bound is not
an error; it is reported as unfinished. ``render_p95_s`` is the 95th percentile of the time from
the start to ``script_finished`` over all sessions (an unfinished or failed one counts as never),
null when more than 5 % of the sessions never rendered.

Runs in its own process (bench/run.py starts it) and prints one JSON object on stdout, with
``cpu_s``, this process's CPU time over the probe (its imports left out), on uvloop when it is
installed (uvicorn[standard] brings it): the lighter the load generator, the more of the two cores
the servers get. Bounded: everything stops at ``--deadline`` seconds after the start.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import ssl
import time

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SUCCESS = ForwardMsg.FINISHED_SUCCESSFULLY


def rerun_request() -> bytes:
    """The BackMsg the frontend sends on load: rerun the main page with no widget state."""
    message = BackMsg()
    message.rerun_script.SetInParent()
    message.rerun_script.query_string = ""
    message.rerun_script.page_script_hash = ""
    return message.SerializeToString()


class Progress:
    """How many sessions have settled (script finished, or failed); all hold until the end."""

    def __init__(self) -> None:
        self.settled = 0
        self.release = asyncio.Event()


# One TLS context for every session's client: httpx builds one per client otherwise, loading
# the CA bundle each time (about 15 ms of CPU, more than a session costs the server).
TLS = ssl.create_default_context()


async def load_page(page: str, headers: dict[str, str]) -> dict[str, str]:
    """GET the page as a browser would; return the headers for the websocket, with the cookies it set."""
    async with httpx.AsyncClient(timeout=None, verify=TLS) as client:  # per session: its own cookies
        response = await client.get(page, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"page answered HTTP {response.status_code}")
    if not response.cookies:
        return headers
    cookies = "; ".join(f"{name}={value}" for name, value in response.cookies.items())
    cookie = headers.get("Cookie")
    return {**headers, "Cookie": f"{cookie}; {cookies}" if cookie else cookies}


async def one_session(
    url: str, page: str, headers: dict[str, str], deadline: float, progress: Progress
) -> dict:
    started = time.monotonic()
    result: dict = {"handshake_s": None, "first_msg_s": None, "script_s": None, "error": None}
    settled = False
    try:
        async with asyncio.timeout_at(deadline):
            if page:
                headers = await load_page(page, headers)
            async with websockets.connect(
                url,
                additional_headers=headers,
                subprotocols=["streamlit"],
                max_size=None,
                open_timeout=None,
                ping_interval=None,  # browsers send no websocket pings; the server's pings are answered
                close_timeout=1,  # keeps the closing of every session inside the bound
            ) as socket:
                result["handshake_s"] = time.monotonic() - started
                await socket.send(rerun_request())
                while True:
                    message = ForwardMsg()
                    message.ParseFromString(await socket.recv())
                    if result["first_msg_s"] is None:
                        result["first_msg_s"] = time.monotonic() - started
                    if message.WhichOneof("type") == "script_finished":
                        if message.script_finished != SUCCESS:
                            status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                            result["error"] = f"script ended with {status}"
                        break
                result["script_s"] = time.monotonic() - started
                progress.settled += 1
                settled = True
                await progress.release.wait()  # stay connected while the others run
    except TimeoutError:
        if result["handshake_s"] is None:
            result["error"] = "no handshake within the bound"
        elif result["first_msg_s"] is None:
            result["error"] = "handshake, but no ForwardMsg within the bound"
    except websockets.InvalidStatus as refused:
        result["error"] = f"refused (HTTP {refused.response.status_code})"
    except websockets.ConnectionClosed as closed:
        result["error"] = f"dropped by the server ({closed})"[:120]
    except Exception as error:  # every failure is counted, none is raised
        result["error"] = f"{type(error).__name__}: {error}"[:120]
    finally:
        if not settled:
            progress.settled += 1
    return result


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def storm(
    url: str, page: str, sessions: int, cookies: list[str], origin: str, deadline_s: float, hold_s: float
) -> dict:
    cookies = cookies or [""]
    cpu_started = time.process_time()
    started = time.monotonic()
    deadline = started + deadline_s
    progress = Progress()
    tasks = []
    for index in range(sessions):  # session i sends the i-th cookie (round robin)
        cookie = cookies[index % len(cookies)]
        headers = {"Origin": origin, **({"Cookie": cookie} if cookie else {})}
        tasks.append(asyncio.create_task(one_session(url, page, headers, deadline, progress)))
    while time.monotonic() < deadline - 0.2 and (
        progress.settled < sessions or time.monotonic() - started < hold_s
    ):
        await asyncio.sleep(0.05)
    progress.release.set()
    results = await asyncio.gather(*tasks)
    errors = [r["error"] for r in results if r["error"]]
    kinds = collections.Counter(errors)
    handshakes = [r["handshake_s"] for r in results if r["handshake_s"] is not None]
    established = [r["first_msg_s"] for r in results if r["first_msg_s"] is not None]
    scripts = [r["script_s"] for r in results if r["script_s"] is not None and not r["error"]]
    renders = scripts + [float("inf")] * (sessions - len(scripts))
    render_p95 = percentile(renders, 0.95)
    return {
        "sessions": sessions,
        "handshakes_ok": len(handshakes),
        "established": len(established),
        "scripts_finished": len(scripts),
        "errors": len(errors),
        "error_kinds": dict(kinds.most_common(8)),
        "handshake_p50_s": percentile(handshakes, 0.5),
        "handshake_max_s": max(handshakes, default=None),
        "first_msg_max_s": max(established, default=None),
        "script_p50_s": percentile(scripts, 0.5),
        "script_max_s": max(scripts, default=None),
        "render_p95_s": render_p95 if render_p95 is not None and render_p95 != float("inf") else None,
        "total_s": time.monotonic() - started,
        "cpu_s": time.process_time() - cpu_started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/dashboard/_stcore/stream")
    parser.add_argument("--page", default="", help="GET this page first, as a browser loads it")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument(
        "--cookie", action="append", default=[],
        help="Cookie header value, e.g. app_session=...; repeated: one per session, round robin",
    )  # fmt: skip
    parser.add_argument("--origin", required=True, help="the Origin a browser on the page would send")
    parser.add_argument("--deadline", type=float, default=55.0, help="seconds; everything stops by then")
    parser.add_argument("--hold", type=float, default=0.0, help="keep all sessions open at least this long")
    args = parser.parse_args()
    run = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        run = uvloop.run
    probe = storm(args.url, args.page, args.sessions, args.cookie, args.origin, args.deadline, args.hold)
    report = run(probe)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
