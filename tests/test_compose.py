"""scripts/compose.py, as an agent runs it from the installed skill: an existing app (evals/apps/)
gets the template's parts, and the composition passes the baked projects' outside checks under
uvicorn: the guard on page, websocket and MCP, the existing app's pages untouched, CSP clean."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support import (
    AUTH_ENV,
    TEST_API_TOKEN,
    TEST_PASSWORD,
    TEST_USER,
    assert_clean,
    free_port,
    open_dashboard,
    rerun_with_slider,
    run_async,
    serve,
    sign_in_page,
    uvicorn_command,
)
from tools import install_skill, sync_parts

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "evals" / "apps"
SKILL = Path(".agents/skills/streamlit-asgi-app")
PACKAGE = "streamlit_asgi"
# What each existing app answers by itself, and must still answer once composed (public).
OWN_PAGES = {
    "fastapi": {"/": '"service":"inventory"', "/items": '"loaded":true'},  # its own lifespan ran
    "django": {"/": "Welcome to My Site", "/about/": "About My Site"},
    "flask": {"/": "Welcome to the Shop", "/products.json": "tea"},
    "streamlit": {},
}
APP_ARGUMENT = {"fastapi": "service.main:app", "django": "mysite.settings", "flask": "shop.web:app",
                "streamlit": "report.py"}  # fmt: skip


def run_composer(project: Path, *args: str) -> subprocess.CompletedProcess:
    script = project / SKILL / "scripts" / "compose.py"
    return subprocess.run([sys.executable, str(script), "--dest", str(project), *args], capture_output=True,
                          text=True, timeout=60)  # fmt: skip


def compose_existing(tmp_path: Path, parent: str, args: list[str]) -> Path:
    """evals/apps/<parent> copied to a folder, the skill installed there, the composer run in it."""
    project = tmp_path / "project"
    shutil.copytree(APPS / parent, project)
    install_skill.install(project, ["agents"])
    result = run_composer(project, *args)
    assert result.returncode == 0, result.stderr
    return project


def composed(tmp_path: Path, parent: str, *args: str) -> Path:
    return compose_existing(tmp_path, parent, ["--parent", parent, "--app", APP_ARGUMENT[parent], *args])


# --- the command line ----------------------------------------------------------------------------


def test_help_lists_every_answer(tmp_path):
    install_skill.install(tmp_path, ["agents"])
    result = subprocess.run([sys.executable, str(tmp_path / SKILL / "scripts/compose.py"), "--help"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0
    for flag in ("--parent", "--app", "--auth", "--parts", "--protect", "--users-var", "--force", "--dest"):
        assert flag in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--parent", "django", "--app", "mysite settings"], "--app"),
        (["--parent", "flask", "--app", "shop.web"], "package.module:attribute"),
        (["--parent", "flask", "--app", "shop.web:app", "--parts", "mcp,graphql"], "graphql"),
        (["--parent", "django", "--app", "mysite.settings", "--protect", "/x"], "--protect needs"),
        (["--parent", "django", "--app", "m.s", "--auth", "password", "--protect", "dash"], "path prefix"),
        (["--parent", "fastapi"], "--app is required"),
        (["--parent", "django", "--app", "m.s", "--package", "My-Pkg"], "--package"),
        (
            ["--parent", "django", "--app", "m.s", "--auth", "password", "--users-var", "staff users"],
            "users-var",
        ),
    ],
)
def test_bad_answers_write_nothing_and_say_why_in_one_line(tmp_path, args, says):
    install_skill.install(tmp_path, ["agents"])
    before = sorted(tmp_path.rglob("*"))
    result = run_composer(tmp_path, *args)
    assert result.returncode == 2 and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert sorted(tmp_path.rglob("*")) == before


def test_existing_files_are_kept_without_force(tmp_path):
    project = composed(tmp_path, "django", "--auth", "password")
    asgi = project / PACKAGE / "asgi.py"
    asgi.write_text("# mine\n")
    again = run_composer(project, "--parent", "django", "--app", "mysite.settings")
    assert again.returncode == 2 and "--force" in again.stderr and asgi.read_text() == "# mine\n"
    forced = run_composer(project, "--parent", "django", "--app", "mysite.settings", "--force")
    assert forced.returncode == 0 and "Starlette(" in asgi.read_text()
    assert (project / PACKAGE / "auth.py").is_file()  # left from the first run


def test_prints_what_it_wrote_how_to_run_and_the_environment(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(APPS / "django", project)
    install_skill.install(project, ["agents"])
    args = ["--parent", "django", "--app", "mysite.settings", "--auth", "password",
            "--parts", "security_headers,mcp", *STAFF]  # fmt: skip
    result = run_composer(project, *args)
    assert result.returncode == 0, result.stderr
    written = re.findall(r"^wrote (\S+)$", result.stdout, re.MULTILINE)
    shared_state = [m for m in ("app_state.py", "roles.py") if m in sync_parts.PARTS]  # what auth.py imports
    modules = ["asgi_glue.py", "auth.py", "session_cookie.py", "mcp_tools.py", "security_headers.py",
               "trusted_host.py", "error_pages.py", "session_cost.py", *shared_state]  # fmt: skip
    own = ["__init__.py", "asgi.py", "dashboard.py", ".streamlit/config.toml", "common_passwords.txt"]
    assert {Path(p).relative_to(project).as_posix() for p in written} == {
        f"{PACKAGE}/{n}" for n in own + modules
    }
    installs = re.search(r"^Install: pip install (.+)$", result.stdout, re.MULTILINE).group(1).split()
    assert {"streamlit", "uvicorn", "django", "a2wsgi", "argon2-cffi", "fastmcp", "secure"} <= set(installs)
    assert f"uvicorn {PACKAGE}.asgi:app --lifespan on" in result.stdout
    for variable in ("STAFF_USERS", "AGENT_TOKEN", "APP_SECRET_KEY", "PUBLIC_BASE_URL"):
        assert re.search(rf"^\s+{variable}\b", result.stdout, re.MULTILINE), variable
    assert not re.search(r"^\s+APP_USERS\b", result.stdout, re.MULTILINE)


def test_part_modules_are_the_templates_parts(tmp_path):
    """Every module the composer writes carries exactly the code the template's module carries."""
    project = composed(tmp_path, "flask", "--auth", "oidc", "--parts", ",".join(
        q.name for q in __import__("template_options").PARTS))  # fmt: skip
    written = [p for p in (project / PACKAGE).glob("*.py") if p.name in sync_parts.PARTS]
    assert len(written) >= 10
    for module in written:
        body = module.read_text(encoding="utf-8").split('"""\n\n', 1)[1]
        template = sync_parts.PACKAGE / module.name
        expected = (
            template.read_text(encoding="utf-8").split("{% raw -%}\n", 1)[1].split("{%- endraw %}", 1)[0]
        )
        assert body == expected, module.name


def test_parts_json_is_what_the_checkout_says(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import compose

    install_skill.install(tmp_path, ["agents"])
    installed = json.loads((tmp_path / SKILL / "scripts" / "parts.json").read_text())
    assert installed == json.loads(json.dumps(compose.catalogue(ROOT)))
    assert installed["modules"] == sync_parts.PARTS


def test_imports_between_parts_are_followed_generically(tmp_path):
    """A part that starts importing a new part (a shared store, say) brings it along, rewritten."""
    install_skill.install(tmp_path, ["agents"])
    references = tmp_path / SKILL / "references"
    (references / "core_extra_state.py").write_text(
        '"""A shared store."""\n\n# --- part: begin ---\nfrom __future__ import annotations\n\n'
        "from middleware_trusted_host import LOOPBACK_HOSTS\n\nSTORE: dict = {}\n# --- part: end ---\n"
    )
    cookie = references / "middleware_session_cookie.py"
    text = cookie.read_text()
    cookie.write_text(
        text.replace("# --- part: end ---", "from core_extra_state import STORE\n# --- part: end ---")
    )
    result = run_composer(tmp_path, "--parent", "flask", "--app", "shop.web:app", "--auth", "password")
    assert result.returncode == 0, result.stderr
    package = tmp_path / PACKAGE
    assert "\nfrom .core_extra_state import STORE" in (package / "session_cookie.py").read_text()
    assert "\nfrom .trusted_host import LOOPBACK_HOSTS" in (package / "core_extra_state.py").read_text()


def _guard_line(asgi: str) -> str:
    return next(
        line for line in asgi.splitlines() if "auth_middleware(auth" in line or "oidc_middleware(auth" in line
    )


def test_the_guards_own_prefixes_argument_is_used_once_it_exists(tmp_path):
    """Today the composition wraps the guard in its own prefix dispatcher; a guard that takes
    ``protected_prefixes`` gets them passed instead, and the dispatcher is left out."""
    install_skill.install(tmp_path, ["agents"])
    args = ["--parent", "django", "--app", "mysite.settings", "--auth", "password"]
    auth = tmp_path / SKILL / "references" / "middleware_auth.py"
    sys.path.insert(0, str(ROOT / "scripts"))
    import compose

    native = "protected_prefixes" in compose.guard_signature(sync_parts.extract(auth), "auth_middleware")
    assert run_composer(tmp_path, *args).returncode == 0
    asgi = (tmp_path / PACKAGE / "asgi.py").read_text()
    ast.parse(asgi)
    assert 'PROTECTED_PREFIXES = ("/dashboard",)' in asgi
    if not native:
        assert "class GuardOnly" in asgi and "        GuardOnly,\n" in asgi.split("middleware = [", 1)[1]
        text = auth.read_text()
        auth.write_text(text.replace('open_paths: Iterable[str] = ("/healthz",)) -> list[Middleware]:',
                                     'open_paths: Iterable[str] = ("/healthz",), protected_prefixes=None) '
                                     "-> list[Middleware]:"))  # fmt: skip
        assert run_composer(tmp_path, *args, "--force").returncode == 0
        asgi = (tmp_path / PACKAGE / "asgi.py").read_text()
    assert "class GuardOnly" not in asgi
    assert "protected_prefixes=PROTECTED_PREFIXES" in _guard_line(asgi)
    everything = run_composer(tmp_path, *args, "--protect", "/", "--force")
    assert everything.returncode == 0
    asgi = (tmp_path / PACKAGE / "asgi.py").read_text()
    assert "protected_prefixes" not in _guard_line(asgi) and "GuardOnly" not in asgi


# --- live: every parent x every sign-in, pairwise parts -----------------------------------------

COMPOSITIONS = [
    ("fastapi", "none", "security_headers,lifespan,websocket"),
    ("fastapi", "password", "security_headers,mcp,seo"),
    ("fastapi", "oidc", "security_headers,mcp,lifespan"),
    ("django", "none", "ip_allowlist,seo,mcp"),
    ("django", "password", "security_headers,mcp"),  # issue #27: STAFF_USERS, a plain AGENT_TOKEN
    ("django", "oidc", "lifespan,websocket"),
    ("flask", "none", "security_headers,mcp"),
    ("flask", "password", "security_headers,lifespan,websocket,ip_allowlist"),
    ("flask", "oidc", "seo,security_headers,ip_allowlist"),
    ("streamlit", "none", "mcp,websocket"),
    ("streamlit", "password", "security_headers,lifespan,seo"),
    ("streamlit", "oidc", "mcp,ip_allowlist,security_headers"),
]
STAFF = ("--users-var", "STAFF_USERS", "--tokens-var", "AGENT_TOKEN", "--plain-tokens")


def compose_args(parent: str, auth: str, parts: str) -> list[str]:
    extra = list(STAFF) if (parent, auth) == ("django", "password") else []
    return ["--auth", auth, "--parts", parts, *extra]


def environment(parent: str, auth: str, parts: str, port: int, issuer: str | None) -> dict[str, str]:
    env = {"ALLOWED_IPS": "127.0.0.1/32"} if "ip_allowlist" in parts else {}
    if auth == "password" and parent == "django":
        env |= {"STAFF_USERS": AUTH_ENV["APP_USERS"], "AGENT_TOKEN": TEST_API_TOKEN,
                "APP_SECRET_KEY": AUTH_ENV["APP_SECRET_KEY"]}  # fmt: skip
    elif auth == "password":
        env |= AUTH_ENV
    elif auth == "oidc":
        from tests.test_references.test_middleware_auth_oidc import oidc_env

        env |= oidc_env(issuer, port)
    return env


async def handshake(url: str, cookie: str | None = None, subprotocol: str | None = "streamlit") -> int:
    headers = {"Cookie": cookie} if cookie else {}
    try:
        protocols = [subprotocol] if subprotocol else None
        async with websockets.connect(url, additional_headers=headers, subprotocols=protocols) as socket_:
            if subprotocol is None:
                await socket_.recv()  # a tick
            return 101
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


async def mcp_tools(url: str, token: str | None) -> set[str]:
    import fastmcp

    async with fastmcp.Client(url, auth=token) as client:
        return {tool.name for tool in await client.list_tools()}


def signed_in_client(base: str, auth: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    if auth == "password":
        answer = client.post("/login", data={"username": TEST_USER, "password": TEST_PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text
    elif auth == "oidc":
        from tests.test_references.test_middleware_auth_oidc import sign_in

        assert sign_in(client)[1].status_code == 303
    return client


def outside_checks(base: str, parent: str, auth: str, parts: str, issuer: str | None) -> None:
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    ws = base.replace("http://", "ws://")
    assert httpx.get(base + "/healthz").status_code == 200
    for path, text in OWN_PAGES[parent].items():  # public, as before: only our doors are guarded
        answer = httpx.get(base + path)
        assert answer.status_code == 200 and text in answer.text, (path, answer.text[:200])
    if parent != "streamlit":
        bare = httpx.get(base + "/dashboard").headers["location"]
        assert bare == ("/login?next=/dashboard" if auth != "none" else "/dashboard/"), bare
        assert run_async(handshake(ws + "/", subprotocol="x")) != 101  # not to the existing app
    if auth != "none":
        first = httpx.get(base + dashboard)
        assert first.status_code == 303 and "/login" in first.headers["location"]
        assert run_async(handshake(ws + dashboard + "_stcore/stream")) != 101
    client = signed_in_client(base, auth)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items()) or None
    page = client.get(dashboard)
    assert page.status_code == 200 and '<div id="root">' in page.text
    assert ("content-security-policy" in page.headers) == ("security_headers" in parts)
    assert run_async(handshake(ws + dashboard + "_stcore/stream", cookie)) == 101
    if "mcp" in parts:
        if auth == "none":
            assert "add" in run_async(mcp_tools(base + "/mcp/", None))
        else:
            assert httpx.post(base + "/mcp/", json={}).status_code == 401
            if auth == "password":
                token = TEST_API_TOKEN
            else:
                from tests.test_references.test_middleware_auth_oidc import id_token_of

                with httpx.Client(base_url=base) as fresh:
                    token = id_token_of(fresh, issuer)
            assert "add" in run_async(mcp_tools(base + "/mcp/", token))
    if "websocket" in parts:
        if auth != "none":
            assert run_async(handshake(ws + "/ws/live", subprotocol=None)) != 101
        assert run_async(handshake(ws + "/ws/live", cookie, subprotocol=None)) == 101
    if "seo" in parts:
        assert httpx.get(base + "/robots.txt").status_code == 200
    if auth == "password":  # sign-out ends the session: the copied cookie opens nothing
        logout = client.get("/logout")
        csrf = re.search(r'name="csrf" value="([^"]+)"', logout.text).group(1)
        assert client.post("/logout", data={"csrf": csrf}).status_code == 303
        assert run_async(handshake(ws + dashboard + "_stcore/stream", cookie)) != 101


@pytest.mark.live
@pytest.mark.parametrize(
    ("parent", "auth", "parts"), COMPOSITIONS, ids=["-".join(c[:2]) for c in COMPOSITIONS]
)
def test_compositions_pass_the_outside_checks(tmp_path, request, parent, auth, parts):
    issuer = request.getfixturevalue("oidc_issuer") if auth == "oidc" else None
    project = composed(tmp_path, parent, *compose_args(parent, auth, parts))
    port = free_port()
    env = environment(parent, auth, parts, port, issuer)
    command = uvicorn_command(f"{PACKAGE}.asgi:app", port, "--lifespan", "on")
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path) as server:
        outside_checks(server.base_url, parent, auth, parts, issuer)
        assert "Traceback" not in server.log(), server.log()[-3000:]


@pytest.mark.live
@pytest.mark.parametrize("parent", ["fastapi", "django", "flask", "streamlit"])
def test_signed_in_dashboard_in_chromium_is_csp_clean(page, tmp_path, parent):
    """The browser signs in, the dashboard names the person (st.user under the mount), reruns, and
    the CSP reports nothing."""
    args = compose_args(parent, "password", "security_headers,lifespan")
    project = composed(tmp_path, parent, *args)
    port = free_port()
    env = environment(parent, "password", "", port, None)
    command = uvicorn_command(f"{PACKAGE}.asgi:app", port, "--lifespan", "on")
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    heading = "Sales report" if parent == "streamlit" else "Dashboard"
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path) as server:
        page.goto(server.base_url + dashboard)
        sign_in_page(page, TEST_PASSWORD)
        report = open_dashboard(page, server.base_url + dashboard, heading)
        page.get_by_text(f"Signed in as {TEST_USER}").first.wait_for(timeout=30_000)
        rerun_with_slider(page)
        assert_clean(page, report)


def test_every_composition_is_lint_clean(tmp_path):
    """Each parent x sign-in, all parts or none: the composed package has no unused or undefined name."""
    install_skill.install(tmp_path, ["agents"])
    apps = {**APP_ARGUMENT, "django-asgi": "mysite.asgi:application"}
    for key, app in apps.items():
        for auth in ("none", "password", "oidc"):
            for parts in ("security_headers,ip_allowlist,seo,mcp,websocket,lifespan", "none"):
                dest = tmp_path / f"{key}-{auth}-{parts[:4]}"
                dest.mkdir()
                args = ["--parent", key.split("-")[0], "--app", app, "--auth", auth, "--parts", parts]
                assert run_composer(tmp_path, *args, "--dest", str(dest)).returncode == 0
    lint = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9", "--quiet", str(tmp_path)]
    result = subprocess.run(lint, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]


def test_unguarded_pages_never_see_a_client_sent_identity(tmp_path):
    """Only /dashboard is guarded, yet a client's own X-Forwarded-User never reaches the existing app."""
    project = composed(tmp_path, "fastapi", "--auth", "password", "--parts", "none")
    probe = (
        "from fastapi import Request\n"
        "from starlette.testclient import TestClient\n"
        "from streamlit_asgi import asgi\n"
        "@asgi.existing.get('/echo')\n"
        "async def echo(request: Request):\n"
        "    return {'user': request.headers.get('x-forwarded-user')}\n"
        "client = TestClient(asgi.app, base_url='http://127.0.0.1', follow_redirects=False)\n"
        "print(client.get('/echo', headers={'X-Forwarded-User': 'mallory'}).json()['user'])\n"
        "print(client.get('/dashboard/', headers={'X-Forwarded-User': 'mallory'}).status_code)\n"
        "print(client.get('/items').status_code)\n"
    )
    env = {**os.environ, **AUTH_ENV}
    command = [sys.executable, "-c", probe]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["None", "303", "200"]


def test_dry_run_writes_nothing_and_the_title_is_taken_as_text(tmp_path):
    install_skill.install(tmp_path, ["agents"])
    args = ["--parent", "flask", "--app", "shop.web:app", "--parts", "seo", "--title", 'Sales "board" \')']
    before = sorted(tmp_path.rglob("*"))
    dry = run_composer(tmp_path, *args, "--dry-run")
    assert dry.returncode == 0 and f"would write {tmp_path / PACKAGE / 'asgi.py'}" in dry.stdout
    assert sorted(tmp_path.rglob("*")) == before
    assert run_composer(tmp_path, *args).returncode == 0
    dashboard = (tmp_path / PACKAGE / "dashboard.py").read_text()
    assert 'st.title("Sales \\"board\\" \')")' in dashboard
    ast.parse(dashboard)
    ast.parse((tmp_path / PACKAGE / "asgi.py").read_text())


@pytest.mark.live
def test_signing_out_stops_that_persons_open_dashboard(page, tmp_path):
    """SKILL.md's recipe: after POST /logout, the open dashboard of that session reruns no more."""
    project = composed(tmp_path, "django", *compose_args("django", "password", "security_headers"))
    port = free_port()
    env = environment("django", "password", "", port, None)
    command = uvicorn_command(f"{PACKAGE}.asgi:app", port, "--lifespan", "on")
    with serve(command, cwd=project, port=port, ready_path="/healthz", env=env, log_dir=tmp_path) as server:
        page.goto(server.base_url + "/dashboard/")
        sign_in_page(page, TEST_PASSWORD)
        open_dashboard(page, server.base_url + "/dashboard/", "Dashboard")
        rerun_with_slider(page)  # the open dashboard works: 5 -> 6
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        with httpx.Client(base_url=server.base_url, cookies=cookies) as other_tab:
            csrf = re.search(r'name="csrf" value="([^"]+)"', other_tab.get("/logout").text).group(1)
            assert other_tab.post("/logout", data={"csrf": csrf}).status_code == 303
        from playwright.sync_api import Error as PlaywrightError

        with pytest.raises(PlaywrightError):  # a timeout, or the page gone on to /login
            rerun_with_slider(page)  # its next action is refused: no rerun
