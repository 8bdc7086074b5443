"""A generated project starts lean: what only some requests need is loaded once the server runs.

Importing ``app.py`` must not import fastmcp (about half a second): ``MCPOnFirstRequest`` builds the
MCP app when the first ``/mcp/`` request comes, and that request waits for it; Django and Flask
wait for theirs the same way (``ImportedOnFirstRequest``). The server answers
``/healthz`` with ``starting`` while the lifespan still warms the caches, then ``ok``. How much
faster this starts is measured in bench/ (figure 4), not asserted here.
"""

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import AUTH_ENV, TEST_API_TOKEN
from tests.support import PARENTS, all_parts, bake, free_port, serve, uvicorn_command

# Top-level packages app.py leaves to the first request that needs them.
DEFERRED = {"fastmcp", "mcp", "django", "flask"}
IMPORTED = "import json, sys, app; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


@pytest.mark.parametrize("parent", PARENTS)
def test_importing_app_leaves_fastmcp_django_and_flask_to_their_first_request(tmp_path, parent):
    project = bake(tmp_path, parent=parent, **all_parts(True))
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED], cwd=project, env={**os.environ, **AUTH_ENV},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    assert "streamlit" in imported and not imported & DEFERRED, imported & DEFERRED


@pytest.mark.live
def test_health_says_starting_then_ok_and_mcp_comes_up(tmp_path):
    project = bake(tmp_path, parent="fastapi", **all_parts(True))
    port = free_port()
    command = uvicorn_command("app:app", port)
    with serve(
        command, cwd=project, port=port, ready_path="/healthz", env=AUTH_ENV, log_dir=tmp_path
    ) as server:
        seen = []
        for _ in range(300):
            seen.append(httpx.get(server.base_url + "/healthz").json()["status"])
            if seen[-1] != "starting":
                break
            time.sleep(0.05)
        assert seen[-1] == "ok" and set(seen) <= {"starting", "ok"}, seen
        assert "caches warmed in" in server.log()
        # The first MCP request builds fastmcp's app and waits for it: answered, not a 503.
        initialize = {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "test", "version": "1"}},
        }  # fmt: skip
        headers = {
            "Accept": "application/json, text/event-stream",
            "Authorization": f"Bearer {TEST_API_TOKEN}",
        }
        answer = httpx.post(server.base_url + "/mcp/", json=initialize, headers=headers)
        assert answer.status_code == 200 and "dashboard-tools" in answer.text, answer.text
