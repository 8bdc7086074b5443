"""The projects the benchmark measures, baked fresh by cookiecutter, and how to sign in to them."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests import support
from tests.support import PARTS

ROOT = support.ROOT
PROJECT_NAME = "Bench Board"  # the dashboard's heading
SLUG = "bench_board"  # bench/programs/basehttp_app.py and layers.py import this package
PASSWORD = "bench password, not a secret"  # bench-only values, given to the servers through the environment
SECRET_KEY = "bench-secret-key-" + "b" * 32
ENV = {
    "APP_PASSWORD": PASSWORD,
    "APP_SECRET_KEY": SECRET_KEY,
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}
GUARDS = ("security_headers", "auth_cookie", "ip_allowlist")
TRIVIAL_SCRIPT = f'import streamlit as st\n\nst.title("{PROJECT_NAME}")\nst.write("Hello")\n'


@dataclass(frozen=True)
class Projects:
    guarded: Path  # FastAPI parent, security headers + auth + allowlist (other answers default)
    bare: Path  # the same with the three guards off
    full: Path  # FastAPI parent, every part on
    full_unguarded: Path  # every part on but the three guards (diagnostic of figure 3)
    full_no_lifespan: Path  # every part on but the lifespan warm-up (diagnostic of figure 4)
    trivial: Path  # every part on, its dashboard.py a two-line script (capacity, figure 5)
    only_security_headers: Path  # one guard each (diagnostic of figure 1)
    only_auth_cookie: Path
    only_ip_allowlist: Path


def bake(output_dir: Path, **answers) -> Path:
    """The live tests' ``bake`` (cookiecutter's API, no prompts), its hook's printing silenced."""
    with quiet():
        return support.bake(output_dir, **answers)


def bake_projects(work: Path) -> Projects:
    common = {"project_name": PROJECT_NAME, "project_slug": SLUG, "parent": "fastapi"}
    every = dict.fromkeys(PARTS, True)
    answers = {
        "guarded": dict.fromkeys(GUARDS, True),
        "bare": dict.fromkeys(GUARDS, False),
        "full": every,
        "full_unguarded": {**every, **dict.fromkeys(GUARDS, False)},
        "full_no_lifespan": {**every, "lifespan": False},
        "trivial": every,
        **{f"only_{guard}": {**dict.fromkeys(GUARDS, False), guard: True} for guard in GUARDS},
    }
    projects = Projects(**{name: bake(work / name, **common, **more) for name, more in answers.items()})
    (projects.trivial / "dashboard.py").write_text(TRIVIAL_SCRIPT)
    return projects


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


def log_in(base_url: str) -> str:
    """Sign in through the login form over HTTP; return the Cookie header value the server set."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        form = client.get("/login").text
        hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
        response = client.post("/login", data={**hidden, "password": PASSWORD})
        if response.status_code not in (302, 303) or not client.cookies:
            raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def sign_in_page(page, base_url: str, then: str) -> None:
    """Sign in through the login form in the browser, then land on ``then`` (not waited for)."""
    page.goto(f"{base_url}/login?next={then}", timeout=60_000)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
