"""The projects the benchmark measures, baked fresh by cookiecutter, and how to sign in to them."""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests import support
from tests.support import AUTH_ENV, TEST_PASSWORD, TEST_USER, oidc_sign_in

ROOT = support.ROOT
PROJECT_NAME = "Bench Board"  # the dashboard's heading
SLUG = "bench_board"  # bench/programs/basehttp_app.py and layers.py import this package
USER, PASSWORD = TEST_USER, TEST_PASSWORD  # the tests' test-only account (tests/support.py)
ENV = {
    **AUTH_ENV,  # its argon2 hash, an API token's hash and a secret key, through the environment
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}
# The three guards on (password sign-in) and off.
GUARDS_ON = {"security_headers": True, "auth": "password", "ip_allowlist": True}
GUARDS_OFF = {"security_headers": False, "auth": "none", "ip_allowlist": False}
TRIVIAL_SCRIPT = f'import streamlit as st\n\nst.title("{PROJECT_NAME}")\nst.write("Hello")\n'
# A dashboard that computes for each session (about 50 ms of CPU per run, nothing cached): the
# kind of script more processes are for (figure 5's scale-out diagnostic).
COMPUTING_SCRIPT = (
    f'import streamlit as st\n\nst.title("{PROJECT_NAME}")\nst.write(sum(i * i for i in range(1_500_000)))\n'
)


@dataclass(frozen=True)
class Projects:
    guarded: Path  # FastAPI parent, security headers + auth + allowlist (other answers default)
    guarded_oidc: Path  # the same with auth=oidc (sign-in through a real OpenID provider)
    bare: Path  # the same with the three guards off
    full: Path  # FastAPI parent, every part on
    full_unguarded: Path  # every part on but the three guards (diagnostic of figure 3)
    full_no_lifespan: Path  # every part on but the lifespan warm-up (diagnostic of figure 4)
    trivial: Path  # every part on, its dashboard.py a two-line script (capacity, figure 5)
    trivial_no_parts: Path  # the same script, every part off (where a session's CPU goes, figure 5)
    trivial_streamlit_parent: Path  # the same, Streamlit owning / (st.App at the root, no parts)
    computing: Path  # every part on, its dashboard.py computing for each session (scale-out, figure 5)
    only_security_headers: Path  # one guard each (diagnostic of figure 1)
    only_auth: Path
    only_ip_allowlist: Path


def bake(output_dir: Path, **answers) -> Path:
    """The live tests' ``bake`` (cookiecutter's API, no prompts), its hook's printing silenced."""
    with quiet():
        return support.bake(output_dir, **answers)


def bake_projects(work: Path) -> Projects:
    common = {"project_name": PROJECT_NAME, "project_slug": SLUG, "parent": "fastapi"}
    every = support.all_parts(True)
    answers = {
        "guarded": dict(GUARDS_ON),
        "guarded_oidc": {**GUARDS_ON, "auth": "oidc"},
        "bare": dict(GUARDS_OFF),
        "full": every,
        "full_unguarded": {**every, **GUARDS_OFF},
        "full_no_lifespan": {**every, "lifespan": False},
        "trivial": every,
        "trivial_no_parts": support.all_parts(False),
        "trivial_streamlit_parent": {**support.all_parts(False), "parent": "streamlit"},
        "computing": every,
        **{f"only_{guard}": {**GUARDS_OFF, guard: GUARDS_ON[guard]} for guard in GUARDS_ON},
    }
    projects = Projects(**{name: bake(work / name, **(common | more)) for name, more in answers.items()})
    for trivial in (projects.trivial, projects.trivial_no_parts, projects.trivial_streamlit_parent):
        (trivial / "dashboard.py").write_text(TRIVIAL_SCRIPT)
    (projects.computing / "dashboard.py").write_text(COMPUTING_SCRIPT)
    for project in vars(projects).values():
        compile_like_a_deployment(project)
    return projects


def compile_like_a_deployment(project: Path) -> None:
    """Cache the project's bytecode, as its Dockerfile does and as any second start finds it: every
    start then measures the same, whether or not PYTHONDONTWRITEBYTECODE is set where the bench runs."""
    compiled = compileall.compile_file(project / "app.py", quiet=1) and compileall.compile_dir(
        project / SLUG, quiet=1
    )
    if not compiled:
        raise RuntimeError(f"{project}: app.py or {SLUG}/ does not compile")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence file descriptor 1 (cookiecutter's post-generation hook prints its next steps there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def log_in(base_url: str, client: httpx.Client | None = None) -> str:
    """Sign in through the login form over HTTP; return the Cookie header value the server set.

    Sessions are kept server-side: the cookie is known to the process that answered only.
    ``client``: one made beforehand (making one builds a TLS context, tens of milliseconds of
    the load generator's own time that a timed sign-in should not count); its cookies are cleared.
    """
    if client is not None:
        client.cookies.clear()
    with contextlib.nullcontext(client) if client else httpx.Client(timeout=10) as client:
        client.base_url = httpx.URL(base_url)
        form = client.get("/login").text
        hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
        response = client.post("/login", data={**hidden, "username": USER, "password": PASSWORD})
        if response.status_code not in (302, 303) or not client.cookies:
            raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
        return cookie_header(client)


def oidc_log_in(base_url: str) -> str:
    """Sign in to an auth=oidc project through its provider (``oidc_provider``) over HTTP; return
    the Cookie header value the server set (its server-side session, as with ``log_in``)."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        response = oidc_sign_in(client, "/dashboard/")
        if response.status_code not in (302, 303) or not client.cookies:
            raise RuntimeError(f"oidc sign-in failed: {response.status_code} {response.text[:200]}")
        return cookie_header(client)


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def sign_in_page(page, base_url: str, then: str) -> None:
    """Sign in through the login form in the browser, then land on ``then`` (not waited for)."""
    page.goto(f"{base_url}/login?next={then}", timeout=60_000)
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
