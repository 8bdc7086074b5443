"""The exhaustive tier: every combination of answers is baked, linted, imported and smoke-tested.

The combinations come from template_options.py (every choice and every part, less the declared
invalid ones), so a new option is covered without touching this file. Each runs in a forked
process (one Streamlit runtime per process) from a worker that has already imported the heavy
libraries.
"""

import itertools
import json
import math
import subprocess
import sys

# Imported once per worker, so each forked smoke test starts warm.
import a2wsgi  # noqa: F401
import django  # noqa: F401
import fastapi  # noqa: F401
import fastmcp  # noqa: F401
import flask  # noqa: F401
import pytest
import secure  # noqa: F401
import streamlit  # noqa: F401
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support import (
    AUTH_ENV,
    TEST_PASSWORD,
    TEST_USER,
    bake,
    combination_id,
    jinja_leftovers,
    oidc_env,
    oidc_sign_in,
    pairwise,
    template_options,
)

SPACE = template_options.answer_space()
COMBINATIONS = template_options.combinations()


def test_the_matrix_is_complete():
    every = [dict(zip(SPACE, values, strict=True)) for values in itertools.product(*SPACE.values())]
    assert len(every) == math.prod(len(answers) for answers in SPACE.values())
    invalid = [a for a in every if any(template_options.matches(a, c) for c, _ in template_options.INVALID)]
    assert len(COMBINATIONS) == len(every) - len(invalid)
    assert set(SPACE) == {"parent", "auth", *(part.name for part in template_options.PARTS)}
    assert len({combination_id(answers) for answers in COMBINATIONS}) == len(COMBINATIONS)


def test_the_covering_set_covers_every_pair():
    """The live tier and the copier diff use a pairwise set: every pair of answers appears."""
    keys, covering = list(SPACE), pairwise()
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            seen = {(answers[first], answers[second]) for answers in covering}
            assert seen == {(a, b) for a in SPACE[first] for b in SPACE[second]}, (first, second)


def smoke(app, answers: dict) -> None:
    """Drive the app in-process: documented routes answer, absent parts are absent, guards hold."""
    parent, auth = answers["parent"], answers["auth"]
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    with TestClient(
        app, base_url="http://127.0.0.1", client=("127.0.0.1", 5000), follow_redirects=False
    ) as c:
        health = c.get("/healthz")
        # "starting" while the lifespan part warms the caches in the background
        ready = {"ok", "starting"} if answers["lifespan"] else {"ok"}
        assert health.status_code == 200 and health.json()["status"] in ready
        assert ("content-security-policy" in health.headers) == answers["security_headers"]
        forwarded = c.get("/healthz", headers={"X-Forwarded-For": "1.2.3.4"})
        assert forwarded.status_code == 200  # health is never behind the allowlist
        spoofed = c.get(dashboard, headers={"X-Forwarded-For": "127.0.0.1"})
        assert (spoofed.status_code == 403) == answers["ip_allowlist"]
        assert c.get(dashboard, headers={"Host": "rebind.attacker.example"}).status_code == 400

        # What crawlers and browsers fetch without credentials is public in every mode.
        robots = c.get("/robots.txt")
        assert ("Sitemap:" in robots.text) == answers["seo"]
        if answers["seo"]:
            assert c.get("/sitemap.xml").headers["content-type"] == "application/xml"
            assert json.loads(c.get("/manifest.json").text)["start_url"] == dashboard
        if answers["mcp"] and auth != "none":
            refused = c.post("/mcp/", json={})
            assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        well_known = c.get("/.well-known/oauth-protected-resource/mcp")  # Streamlit answers any path
        metadata = well_known.headers.get("content-type", "").startswith("application/json")
        assert (well_known.status_code == 200 and metadata) == (answers["mcp"] and auth == "oidc")

        if auth != "none":
            assert c.get(dashboard).status_code == 303
            with pytest.raises(WebSocketDisconnect), c.websocket_connect(dashboard + "_stcore/stream"):
                pass
        if auth == "password":
            assert 'name="password"' in c.get("/login").text
            form = {"username": TEST_USER, "password": TEST_PASSWORD}
            assert c.post("/login", data=form).status_code == 303
        elif auth == "oidc":
            assert oidc_sign_in(c, dashboard).headers["location"] == dashboard
        else:
            assert 'name="password"' not in c.get("/login").text
        page = c.get(dashboard)
        assert page.status_code == 200 and "<title>Streamlit</title>" in page.text
        if parent != "streamlit":
            assert c.get("/dashboard").headers["location"].endswith("/dashboard/")
            assert "Open the dashboard" in c.get("/").text

        mcp = c.get("/mcp")
        assert (mcp.status_code == 307 and mcp.headers.get("location") == "/mcp/") == answers["mcp"]

        cookies = {"cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())}
        if answers["websocket"]:
            with c.websocket_connect("/ws/live", headers=cookies) as socket:
                assert socket.receive_json()["seq"] == 1
        else:
            with pytest.raises(WebSocketDisconnect), c.websocket_connect("/ws/live", headers=cookies):
                pass


@pytest.mark.isolated
@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_combination(tmp_path, monkeypatch, answers, oidc_issuer):
    project = bake(tmp_path, project_slug="matrix_app", **answers)
    assert jinja_leftovers(project) == []
    for command in (["check", "-q", "."], ["format", "--check", "-q", "."]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=project, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr

    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    for key, value in AUTH_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ALLOWED_IPS", raising=False)
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://testserver")  # TestClient's websocket Host
    if answers["auth"] == "oidc":
        for key, value in oidc_env(oidc_issuer, "http://testserver").items():
            monkeypatch.setenv(key, value)
    from app import app

    smoke(app, answers)
