"""What every eval check shares: start the project under test (or use a running one), look from outside.

A check is run as ``python evals/checks/<name>.py <project-dir> [--module app] [--url URL]``.
Without ``--url`` it starts the project with the ``start`` command and ``env`` of its entry
in ``evals/evals.json`` (``{module}`` and ``{port}`` filled in), waits until it answers,
checks it and stops it. With ``--url`` (and ``--log``, its log file) it checks a server someone
else started that way.
It prints ``PASS <name>`` and exits 0, or prints what failed and exits 1.
Run checks with this repository's environment (``.venv``: httpx, websockets, fastmcp,
playwright with Debian's Chromium); the project under test needs only its own dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

EVALS_FILE = Path(__file__).resolve().parents[1] / "evals.json"
STREAMLIT_PAGE = re.compile(r'<div id="root">')  # Streamlit's single-page app
START_TIMEOUT_SECONDS = 120


class CheckFailed(AssertionError):
    """What the project under test got wrong."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass
class Target:
    """The server under test: its base URL, its directory, and its log when we started it."""

    base_url: str
    project: Path
    module: str = "app"
    log_path: Path | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def ws_url(self, path: str) -> str:
        return "ws" + self.base_url.removeprefix("http") + path

    def log(self) -> str | None:
        return self.log_path.read_text(errors="replace") if self.log_path else None

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url(path), timeout=30, **kwargs)


def entry_for(check_file: str) -> dict:
    name = Path(check_file).name
    for entry in json.loads(EVALS_FILE.read_text(encoding="utf-8"))["evals"]:
        if Path(entry["check"]).name == name:
            return entry
    raise LookupError(f"{name} is not the check of any eval in {EVALS_FILE}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bin_path() -> str:
    """PATH with this interpreter's scripts first, so `uvicorn` and `python` are the test venv's."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


@contextlib.contextmanager
def started(project: Path, entry: dict, module: str = "app", ready: str | None = None) -> Iterator[Target]:
    """Start ``entry["start"]`` in ``project`` on a free loopback port; stop it by process group."""
    port = free_port()
    command = entry["start"].format(module=module, port=port)
    env = {
        **os.environ,
        "PATH": bin_path(),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **entry.get("env", {}),
    }
    log_path = Path(tempfile.mkstemp(prefix="eval-server-", suffix=".log")[1])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    target = Target(f"http://127.0.0.1:{port}", project, module, log_path)
    try:
        wait_until_up(target, ready or entry.get("ready", "/"), process)
        yield target
    finally:
        stop(process)


def wait_until_up(target: Target, path: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if process is not None and process.poll() is not None:
            raise CheckFailed(f"the server exited with {process.returncode}:\n{target.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(target.url(path), timeout=5).status_code < 500:
                return
        if time.monotonic() > deadline:
            raise CheckFailed(f"no answer at {path} after {START_TIMEOUT_SECONDS}s:\n{target.log()}")
        time.sleep(0.25)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- what checks look at -----------------------------------------------------------------


def is_streamlit_page(response: httpx.Response) -> bool:
    return response.status_code == 200 and bool(STREAMLIT_PAGE.search(response.text))


def websocket_status(url: str, headers: dict[str, str] | None = None, subprotocols=("streamlit",)) -> int:
    """101 when the handshake succeeds, else the HTTP status the server refused it with."""
    import websockets

    async def handshake() -> int:
        try:
            async with websockets.connect(
                url, additional_headers=headers or {}, subprotocols=list(subprotocols)
            ):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    return asyncio.run(handshake())


def websocket_messages(url: str, count: int, timeout: float = 30) -> list[str]:
    import websockets

    async def receive() -> list[str]:
        async with websockets.connect(url) as socket_:
            return [await asyncio.wait_for(socket_.recv(), timeout) for _ in range(count)]

    return asyncio.run(receive())


def sign_in(target: Target, password: str, login_path: str = "/login", user: str = "admin") -> httpx.Client:
    """Fill the login form like a browser: hidden fields kept, the password typed in."""
    client = httpx.Client(base_url=target.base_url, timeout=30)
    form_page = client.get(login_path)
    expect(form_page.status_code == 200, f"{login_path} answered {form_page.status_code}")
    fields = {
        name: value
        for name, value in re.findall(
            r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form_page.text
        )
    }
    expect('type="password"' in form_page.text, f"{login_path} shows no password field")
    password_field = re.search(r'<input[^>]*type="password"[^>]*name="([^"]+)"', form_page.text)
    fields[password_field.group(1) if password_field else "password"] = password
    for tag in re.findall(r"<input[^>]*>", form_page.text):  # a form that also asks who you are
        kind = re.search(r'type="([^"]+)"', tag)
        name = re.search(r'name="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) in ("text", "email")):
            fields[name.group(1)] = user
    action = re.search(r'<form[^>]*action="([^"]+)"', form_page.text)
    answer = client.post(action.group(1) if action else login_path, data=fields)
    expect(answer.status_code in (302, 303), f"signing in answered {answer.status_code}, not a redirect")
    return client


def cookie_header(client: httpx.Client) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


def browser_report(
    url: str, wait_for: str = "h1", cookies: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Open ``url`` in headless Chromium (with ``cookies``, e.g. a session's, if given); the console
    errors, page errors and CSP violations seen once ``wait_for`` shows."""
    from playwright.sync_api import sync_playwright

    report: dict[str, list[str]] = {"console": [], "page": [], "csp": []}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"]  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=args, headless=True
        )
        try:
            page = browser.new_page()
            if cookies:
                page.context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page.on("console", lambda m: m.type == "error" and "favicon" not in m.text
                    and report["console"].append(m.text))  # fmt: skip
            page.on("pageerror", lambda error: report["page"].append(str(error)))
            page.goto(url)
            page.locator(wait_for).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)  # late console messages
            report["csp"] = page.evaluate("window.__csp")
        finally:
            browser.close()
    return report


# --- the command line --------------------------------------------------------------------


def main(check_file: str, check: Callable[[Target], None]) -> None:
    parser = argparse.ArgumentParser(description=(check.__doc__ or "").strip())
    parser.add_argument("project", type=Path, help="the project directory under test")
    parser.add_argument("--module", default="app", help="the module that defines `app` (default: app)")
    parser.add_argument("--url", help="check this running server instead of starting the project")
    parser.add_argument("--log", type=Path, help="with --url: that server's log file, for the log checks")
    args = parser.parse_args()
    name = Path(check_file).stem
    try:
        if args.url:
            check(Target(args.url.rstrip("/"), args.project.resolve(), args.module, args.log))
        else:
            entry = entry_for(check_file)
            with started(args.project.resolve(), entry, args.module) as target:
                check(target)
    except CheckFailed as failure:
        print(f"FAIL {name}: {failure}")
        sys.exit(1)
    except Exception as error:  # an answer the check could not even read is a failure too
        print(f"FAIL {name}: {type(error).__name__}: {error}")
        sys.exit(1)
    print(f"PASS {name}")


# --- an existing app with a composition added (evals 17-20) ------------------------------


def mcp_tool_names(url: str, token: str | None = None) -> set[str]:
    """The tools a real MCP client lists at ``url`` (with ``Authorization: Bearer token`` if given)."""
    import fastmcp

    async def names() -> set[str]:
        async with fastmcp.Client(url, auth=token) as client:
            return {tool.name for tool in await client.list_tools()}

    return asyncio.run(names())


def pages_untouched(target: Target, pages: dict[str, str]) -> None:
    """The existing app's own pages still answer, signed out, with their own content."""
    for path, text in pages.items():
        answer = target.get(path)
        expect(answer.status_code == 200, f"the existing app's {path} answered {answer.status_code}")
        expect(text in answer.text, f"{path} is no longer the existing app's page ({text!r} missing)")


def guarded_dashboard(target: Target, dashboard: str, user: str, password: str) -> httpx.Client:
    """Signed out, the dashboard's page and websocket are refused; signed in, both open. The client."""
    first = target.get(dashboard)
    expect(first.status_code in (302, 303, 307) and "/login" in first.headers.get("location", ""),
           f"signed out, {dashboard} answered {first.status_code}, not a redirect to /login")  # fmt: skip
    stream = target.ws_url(dashboard + "_stcore/stream")
    expect(websocket_status(stream) != 101, "signed out, the dashboard's websocket opened")
    client = sign_in(target, password, user=user)
    expect(is_streamlit_page(client.get(dashboard)), f"signed in, {dashboard} is not the Streamlit page")
    expect(websocket_status(stream, cookie_header(client)) == 101, "signed in, the websocket did not open")
    return client


def signed_in_as(target: Target, dashboard: str, client: httpx.Client, user: str) -> None:
    """In Chromium, with the session: the dashboard says who is signed in, and the CSP reports nothing."""
    report = browser_report(target.url(dashboard), f"text=Signed in as {user}", dict(client.cookies.items()))
    expect(not report["csp"], f"CSP violations: {report['csp']}")
    expect(not report["page"], f"page errors: {report['page']}")
