"""Helpers shared by the live tests: real servers on free loopback ports, a real browser."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32  # test-only value, not a real secret
TEST_PASSWORD = "correct horse battery staple"
TEST_USER = "alice"
# argon2id of TEST_PASSWORD (what `python middleware_auth.py hash alice` prints).
TEST_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$W4orHywRGX4pFEHt1RXlHw$9ss3QkPMOFXOF5f9W7wwHSA+rOPePwpRLuwE3ytrHeY"
)
TEST_API_TOKEN = "test-api-token-" + "y" * 32  # test-only value
# The environment of a password-mode app in the tests: one account, one agent token.
AUTH_ENV = {
    "APP_USERS": f"{TEST_USER}:{TEST_PASSWORD_HASH}",
    "APP_API_TOKENS": "agent:062dc7e84234cfac121912e94d2e7b03532750de82da978e58527422c7e93187",
    "APP_SECRET_KEY": TEST_SECRET_KEY,
}
# The environment of an oidc-mode app: a real provider (``oidc_issuer`` fixture) and this client.
OIDC_CLIENT = ("st-app", "test-only-client-secret")  # test-only values
OIDC_USER_CLAIMS = {"name": "Alice Example", "email": "alice@example.com"}


def oidc_env(issuer: str, public_base_url: str) -> dict[str, str]:
    client_id, client_secret = OIDC_CLIENT
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": client_secret,
            "PUBLIC_BASE_URL": public_base_url, "APP_SECRET_KEY": TEST_SECRET_KEY}  # fmt: skip


@contextlib.contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OpenID provider (PyPI oidc-provider-mock) in a thread of this process; its issuer URL."""
    from oidc_provider_mock import User, run_server_in_thread

    alice = User(sub=TEST_USER, claims=OIDC_USER_CLAIMS)
    with run_server_in_thread(user_claims=[alice], require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


# A stricter provider (npm oidc-provider, tests/oidc_provider): PKCE required, profile claims
# only from userinfo, JWT access tokens for a resource through client credentials.
STRICT_OIDC_DIR = ROOT / "tests" / "oidc_provider"
STRICT_OIDC_AGENT = ("agent", "test-only-agent-secret")  # its client-credentials client; test-only


@dataclass(frozen=True)
class StrictProvider:
    issuer: str
    app_url: str  # the one app it signs people in for (its callback and end-session return)
    resource: str  # what agents' tokens are for: the app's MCP endpoint
    other_resource: str  # another API of the same provider, whose tokens the app must refuse


def strict_oidc_missing() -> str | None:
    """What the strict provider lacks on this machine, if anything."""
    import shutil

    if shutil.which("node") is None or not (STRICT_OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return (
            "the strict OpenID provider needs Node.js 20+ and its npm packages: install Node.js "
            "and npm, then `./run setup` (it runs `npm ci` in tests/oidc_provider)"
        )
    return None


@contextlib.contextmanager
def strict_oidc_provider(app_url: str, log_dir: Path) -> Iterator[StrictProvider]:
    """Start tests/oidc_provider/server.mjs on a free port for the app at ``app_url``; stop it by PID."""
    port = free_port()
    provider = StrictProvider(
        f"http://127.0.0.1:{port}", app_url, f"{app_url}/mcp", "https://other.example/api"
    )
    client_id, client_secret = OIDC_CLIENT
    env = {"PORT": str(port), "CLIENT_ID": client_id, "CLIENT_SECRET": client_secret,
           "REDIRECT_URIS": f"{app_url}/auth/callback", "POST_LOGOUT_REDIRECT_URIS": f"{app_url}/signed-out",
           "AGENT_ID": STRICT_OIDC_AGENT[0], "AGENT_SECRET": STRICT_OIDC_AGENT[1],
           "RESOURCES": f"{provider.resource} {provider.other_resource}"}  # fmt: skip
    command = ["node", "server.mjs"]
    with serve(command, cwd=STRICT_OIDC_DIR, port=port, ready_path="/.well-known/openid-configuration",
               env=env, log_dir=log_dir):  # fmt: skip
        yield provider


def oidc_sign_in(client, next_path: str = "/", sub: str = TEST_USER):
    """The redirect sign-in with an httpx or Starlette client, the provider's form posted as ``sub``."""
    to_provider = client.get(f"/login?next={next_path}")
    assert to_provider.status_code == 302, to_provider.status_code
    back = httpx.post(to_provider.headers["location"], data={"sub": sub})
    callback = urlsplit(back.headers["location"])  # PUBLIC_BASE_URL + /auth/callback?...
    return client.get(f"{callback.path}?{callback.query}")


# The one setting that picks the browser: a Chromium executable (Debian's by default), or
# "playwright" for the one `playwright install chromium` downloads (GitHub's Ubuntu runners,
# where `chromium` is a snap stub; .github/workflows/ci.yml sets it).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM to its process group (then SIGKILL after 15 s); waits until it has ended."""
        _stop(self.process)

    def kill(self) -> None:
        """SIGKILL to its process group, as a crash would end it; waits until it has ended."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def spawn(
    command: Sequence[str],
    *,
    cwd: Path,
    port: int,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    append_log: bool = False,
) -> Server:
    """Start ``command`` (which must listen on 127.0.0.1:port) in its own process group; no wait.

    Its output goes to ``log_dir/server-<port>.log`` (appended to with ``append_log``: a restart
    on the same port keeps what the process before it wrote).
    """
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"server-{port}.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log_path.open("ab" if append_log else "wb") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(f"http://127.0.0.1:{port}", process, log_path)


def wait_until_ready(server: Server, ready_path: str = "/_stcore/health", timeout: float = 90) -> Server:
    """Poll ``ready_path`` until it answers below 500; stop the server and raise if it never does."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
            try:
                if httpx.get(server.base_url + ready_path, timeout=2).status_code < 500:
                    return server
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"server not ready after {timeout}s:\n{server.log()}")
            time.sleep(0.25)
    except BaseException:
        server.stop()
        raise


@contextlib.contextmanager
def serve(
    command: Sequence[str],
    *,
    cwd: Path,
    port: int,
    ready_path: str = "/_stcore/health",
    env: dict[str, str] | None = None,
    timeout: float = 90,
    log_dir: Path | None = None,
) -> Iterator[Server]:
    """Start ``command`` (which must listen on 127.0.0.1:port) and stop it by PID afterwards."""
    server = spawn(command, cwd=cwd, port=port, env=env, log_dir=log_dir)
    try:
        yield wait_until_ready(server, ready_path, timeout)
    finally:
        server.stop()


# --- a real Redis (Debian's redis-server; Valkey's works the same) -------------------------

REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def redis_server_missing() -> str | None:
    """What a test that needs a store lacks on this machine, if anything."""
    if not os.access(REDIS_SERVER, os.X_OK):
        return f"no {REDIS_SERVER}: ./run test installs Debian's redis-server (apt-get install redis-server)"
    return None


def redis_ping(port: int, timeout: float = 1.0) -> bool:
    """True when a Redis server answers PING on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """A redis-server on 127.0.0.1:``port`` with no persistence, its files in ``directory``.

    ``url`` is what the app's REDIS_URL takes. ``kill()`` ends it as a crash would (SIGKILL),
    ``stop()`` politely; ``start()`` brings it back on the same port, empty, and waits for PING.
    """

    port: int
    directory: Path
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 20) -> RedisServer:
        if self.running:
            raise RuntimeError(f"redis-server on port {self.port} is running already")
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", str(self.directory),
                   "--daemonize", "no", "--logfile", ""]  # fmt: skip
        self.starts += 1
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while not redis_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not answer PING on {self.port}:\n{self.log()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def kill(self) -> None:
        """SIGKILL, as a crash would end it; returns once it has ended (the port refuses then)."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> RedisServer:
        """Kill it and start it again on the same port (it comes back empty)."""
        self.kill()
        return self.start()

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """Killed for the ``with`` block, started again (same port, empty) after it."""
        self.kill()
        try:
            yield
        finally:
            self.start()

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def started_redis(directory: Path, port: int | None = None) -> Iterator[RedisServer]:
    """Start a redis-server on a free loopback port (or ``port``); stop it by PID afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    server = RedisServer(port or free_port(), directory).start()
    try:
        yield server
    finally:
        server.stop()


def uvicorn_command(target: str, port: int, *extra: str) -> list[str]:
    """uvicorn as the README runs it: h11 (bounded headers), uncompressed websockets, no proxy handling."""
    return [
        sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
        "--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers", *extra,
    ]  # fmt: skip


@dataclass
class PageReport:
    """What the browser said while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + self.csp_violations


_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

# Console noise that is not a defect of the page under test.
_BENIGN = ("favicon", "Failed to load resource: the server responded with a status of 404")


def watch(page) -> PageReport:
    """Collect console errors, page errors and CSP violations of ``page`` (and its frames)."""
    report = PageReport()
    page.add_init_script(_CSP_LISTENER)

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and not any(b in text for b in _BENIGN):
            report.console_errors.append(text)
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            report.csp_violations.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    return report


def collect_csp(page, report: PageReport) -> None:
    for frame in page.frames:
        with contextlib.suppress(Exception):
            report.csp_violations.extend(frame.evaluate("window.__cspViolations || []"))


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = None if CHROMIUM == "playwright" else CHROMIUM
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_dashboard(page, heading: str, timeout: float = 60_000) -> None:
    """Wait until Streamlit has run the script and drawn ``heading``."""
    page.get_by_role("heading", name=heading).first.wait_for(timeout=timeout)


def rerun_with_slider(page, label: str = "Points") -> None:
    """Move a slider with the keyboard and wait for the script's rerun to show it."""
    slider = page.get_by_role("slider", name=label).first
    before = page.get_by_text("Sum of 1..").first.inner_text()
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(before) => ![...document.querySelectorAll('p')].some(p => p.innerText === before)",
        arg=before,
        timeout=30_000,
    )


def submit_login_form(page, password: str = TEST_PASSWORD, user: str = TEST_USER) -> None:
    """Fill in and send the login form the page shows (the one place that knows that form)."""
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def sign_in_browser(page, base_url: str, password: str = TEST_PASSWORD) -> None:
    page.goto(base_url + "/login")
    submit_login_form(page, password)
    page.wait_for_url(lambda url: "/login" not in url)


def run_async(coroutine):
    """``asyncio.run`` in a worker thread: Playwright's sync API owns this thread's loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- the references ----------------------------------------------------------------------

REFERENCE_HEADING = "st.App reference dashboard"
STREAMLIT_PAGE = "<title>Streamlit</title>"


def references() -> list[str]:
    """Every runnable reference module (dashboards and helper modules they import are not references)."""
    return sorted(
        path.stem
        for path in (ROOT / "references").glob("*.py")
        if not path.stem.startswith(("_", "dashboard")) and "app = " in path.read_text(encoding="utf-8")
    )


def load_reference(name: str):
    """Import ``references.<name>`` afresh (call inside a forked test: one st.App per process)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.modules.pop(f"references.{name}", None)
    return importlib.import_module(f"references.{name}")


def sign_in(client, password: str = TEST_PASSWORD, next_path: str = "/", user: str = TEST_USER):
    """Post the login form with a Starlette TestClient."""
    return client.post("/login", data={"username": user, "password": password, "next": next_path})


async def stream_handshake(url: str, cookie: str | None = None) -> None:
    """Open and close Streamlit's own websocket (``/_stcore/stream``) like the browser does."""
    import websockets

    headers = {"Cookie": cookie} if cookie else {}
    async with websockets.connect(url, additional_headers=headers, subprotocols=["streamlit"]):
        pass


def sign_in_page(page, password: str = TEST_PASSWORD) -> None:
    """Wait for the login page the browser was sent to, and sign in there."""
    page.wait_for_url("**/login**")
    submit_login_form(page, password)


_LIVE_TICKS_AT_LEAST = (
    "(count) => [...document.querySelectorAll('iframe')].some(f => "
    "Number(f.contentDocument?.querySelector('[data-testid=live-seq]')?.textContent) >= count)"
)


def wait_for_live_ticks(page, count: int, timeout: float = 30_000) -> None:
    """Wait until the live widget (in its iframe) has shown tick number ``count``."""
    page.wait_for_function(_LIVE_TICKS_AT_LEAST, arg=count, timeout=timeout)


def open_dashboard(page, url: str, heading: str) -> PageReport:
    report = watch(page)
    page.goto(url)
    wait_for_dashboard(page, heading)
    return report


def assert_clean(page, report: PageReport) -> None:
    page.wait_for_timeout(500)  # late console messages
    collect_csp(page, report)
    assert report.problems == []


def assert_reference_renders(page, tmp_path: Path, name: str, path: str) -> None:
    """Serve ``references.<name>`` under uvicorn; the dashboard at ``path`` renders and reruns."""
    port = free_port()
    command = uvicorn_command(f"references.{name}:app", port)
    with serve(command, cwd=ROOT, port=port, ready_path=path, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + path, REFERENCE_HEADING)
        rerun_with_slider(page)
        assert_clean(page, report)


def assert_streamlit_run_discovers_the_parent_app(page, tmp_path: Path, name: str, path: str) -> None:
    """``streamlit run references/<name>.py`` serves the parent app, not only the script."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", f"references/{name}.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
    ]  # fmt: skip
    with serve(command, cwd=ROOT, port=port, ready_path=path, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + path, REFERENCE_HEADING)
        assert httpx.get(server.base_url + "/").status_code == 200  # the parent's own home
        assert_clean(page, report)


def assert_wsgi_parent_owns_root(module, home_text: str) -> None:
    """A WSGI-style parent (Django, Flask) owns /, mounts the dashboard, refuses other websockets."""
    import pytest
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    # Django checks the Host header against ALLOWED_HOSTS.
    with TestClient(module.app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert home_text in client.get("/").text
        assert client.get("/dashboard").headers["location"] == "/dashboard/"
        assert STREAMLIT_PAGE in client.get("/dashboard/").text
        assert client.get("/dashboard/_stcore/health").text == "ok"
        # A websocket that is not Streamlit's must be refused, not crash the parent.
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/some/socket"):
            pass


# --- the template -------------------------------------------------------------------------

sys.path.insert(0, str(ROOT))  # template_options.py, the declaration of every question
import template_options  # noqa: E402

PARTS = tuple(part.name for part in template_options.PARTS)
PARENTS = tuple(template_options.BY_NAME["parent"].choices)


def bake(output_dir: Path, **answers) -> Path:
    """Generate a project with cookiecutter's API (no prompts) and return its directory."""
    from cookiecutter.main import cookiecutter

    return Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(output_dir), extra_context=answers))


def all_parts(on: bool) -> dict[str, object]:
    """Every part on (and password sign-in) or every part off (and no sign-in)."""
    return {**dict.fromkeys(PARTS, on), "auth": "password" if on else "none"}


def pairwise() -> list[dict[str, object]]:
    """A covering set of answers: every pair of answers to two questions appears at least once."""
    from allpairspy import AllPairs

    space = template_options.answer_space()
    return [dict(zip(space, values, strict=True)) for values in AllPairs(list(space.values()))]


def combination_id(answers: dict) -> str:
    """A short test id: the parent, then two letters per part that is on, then the sign-in."""
    flags = "".join(key[:2] if value else "--" for key, value in answers.items() if isinstance(value, bool))
    return f"{answers['parent']}-{flags}-{answers.get('auth', 'none')}"


# Jinja statements, comments and cookiecutter expressions (plain "{{" is legal in str.format).
_JINJA = re.compile(r"\{%-?\s*\w|\w\s*-?%\}|\{#|#\}|\{\{-?\s*(cookiecutter|c\.|pkg\b)")


def jinja_leftovers(project: Path) -> list[str]:
    """Files that still contain template syntax after generation."""
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".venv" not in path.parts and _JINJA.search(path.read_text(errors="replace"))
    )


def template_files_copy(target: Path) -> Path:
    """This repository's files (committed or not, ignored ones left out) copied to ``target``:
    the template as a person who clones it has it, outside any git repository."""
    import shutil

    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"]
    files = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, files.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


# --- crawling every page a user is pointed to ----------------------------------------------

# Start-up noise that means a cache or a spinner was used outside Streamlit's runtime.
NOISY_START = ("No runtime found", "missing ScriptRunContext")
_ERROR_STATUS = "Failed to load resource: the server responded with a status of"


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _same_site_links(page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    for frame in page.frames[1:]:  # Streamlit components live in same-origin iframes
        with contextlib.suppress(Exception):
            hrefs += frame.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return [href.split("#", 1)[0] for href in hrefs if href.startswith(base_url + "/")]


def crawl(
    page,
    base_url: str,
    pages: dict[str, str],
    *,
    not_found: str | None = "/no-such-page",
    skip: Sequence[str] = ("/logout",),
    required_headers: Sequence[str] = (),
    expected_errors: Sequence[str] = (),
) -> CrawlResult:
    """Open each of ``pages`` (path -> text it must show), a 404 and every same-site link on them.

    Any console error, page error, CSP violation, failed request, error status (but the
    404's own and those of ``expected_errors``) or same-site response without one of
    ``required_headers`` is a problem; so is a page whose expected text does not appear.
    """
    result = CrawlResult()
    failed: list[str] = []
    error_urls = {base_url + path for path in (*expected_errors, *([not_found] if not_found else []))}

    def on_response(response) -> None:
        if response.status >= 400 and response.url not in error_urls:
            failed.append(f"{response.status} {response.url}")
        if response.url.startswith(base_url + "/"):
            missing = [name for name in required_headers if name not in response.headers]
            if missing:
                failed.append(f"{response.url} lacks {', '.join(missing)}")

    def on_failed(request) -> None:
        # A navigation cancels what the previous page still loaded: that is not a failure.
        if request.failure != "net::ERR_ABORTED":
            failed.append(f"{request.failure} {request.url}")

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    report = watch(page)
    queue = [(base_url + path, text) for path, text in pages.items()]
    if not_found:
        queue.append((base_url + not_found, "not found"))
    seen = {url for url, _ in queue}
    while queue:
        url, text = queue.pop(0)
        page.goto(url)
        result.visited.append(url.removeprefix(base_url))
        if text:
            page.get_by_text(re.compile(re.escape(text), re.IGNORECASE)).first.wait_for(timeout=60_000)
        else:
            page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # late requests and console messages
        if not page.evaluate("() => (document.body || document.documentElement).textContent.trim()"):
            result.problems.append(f"{url}: blank page")
        collect_csp(page, report)
        for link in _same_site_links(page, base_url):
            path = link.removeprefix(base_url)
            if link not in seen and not path.startswith(tuple(skip)):
                seen.add(link)
                queue.append((link, ""))
    # An error status is in ``failed`` already, by URL, with the expected ones left out.
    report.console_errors = [e for e in report.console_errors if not e.startswith(_ERROR_STATUS)]
    result.problems += report.problems + failed
    return result
