"""Each parent, all parts on and all off, as a new owner meets it: the generated CI workflow's
steps run literally in a fresh venv (uv), plain ``pytest`` too, then ``uvicorn app:app
--env-file .env`` and ``streamlit run app.py`` serving the dashboard in Chromium, each request
logged once. The workflow's lowest-versions job runs in test_dependencies.py (every auth answer)."""

import importlib.util
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support import (
    AUTH_ENV,
    NOISY_START,
    PARENTS,
    TEST_USER,
    all_parts,
    bake,
    collect_csp,
    free_port,
    rerun_with_slider,
    serve,
    sign_in_page,
    wait_for_dashboard,
    wait_for_live_ticks,
    watch,
)

pytestmark = pytest.mark.live

PROJECT_NAME = "Acme Sales Board"
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
MATRIX_EXPRESSION = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


def matrix_entries(job: dict) -> list[dict]:
    """The job's matrix as GitHub expands it (the product of the axes, then `include`)."""
    matrix = dict(job.get("strategy", {}).get("matrix", {}))
    include = matrix.pop("include", [])
    entries = [dict(zip(matrix, values, strict=True)) for values in itertools.product(*matrix.values())]
    return entries + include


def must_succeed(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command[-1]}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"


def uv_on_path(project: Path) -> dict[str, str]:
    """This environment without this repository's venv, and `uv` alone on PATH (what setup-uv gives)."""
    tools = project.parent / "tools-on-path"
    tools.mkdir(exist_ok=True)
    (tools / "uv").unlink(missing_ok=True)
    (tools / "uv").symlink_to(shutil.which("uv", path=str(Path(sys.executable).parent)))
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    base_python = Path(sys.base_prefix) / "bin"  # the Python setup-python puts on PATH (not a venv's)
    env["PATH"] = f"{tools}:{base_python}:/usr/local/bin:/usr/bin:/bin"
    return env


def build_like_the_dockerfile(project: Path, image: Path) -> None:
    """The Dockerfile's COPY and RUN steps in a directory standing in for the image's WORKDIR.

    Skipped: FROM, the uv binary's COPY --from (uv is on PATH) and the user account commands.
    """
    text = (project / "Dockerfile").read_text().replace("\\\n", " ")
    env = {**uv_on_path(project), "UV_PYTHON": LOCAL_PYTHON}
    image.mkdir()
    for line in text.splitlines():
        instruction, _, rest = line.partition(" ")
        if instruction == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value.replace("/app", str(image)).replace("$PATH", env.get("PATH", ""))
        elif instruction == "COPY" and not rest.startswith("--from"):
            *sources, target = rest.split()
            for source in sources:
                if (project / source).is_dir():
                    shutil.copytree(project / source, image / target)
                else:
                    shutil.copy(project / source, image / target)
        elif instruction == "RUN" and not rest.startswith("useradd"):
            command = rest.split(" && chown ")[0]
            must_succeed(["sh", "-ec", command], image, env)
    must_succeed([str(image / ".venv" / "bin" / "python"), "-c", "import app"], image, env)
    # The container runs with PYTHONDONTWRITEBYTECODE: its start must find the code compiled.
    (package,) = (init.parent for init in image.glob("*/__init__.py"))
    sources = [image / "app.py", *package.rglob("*.py")]
    uncompiled = [path.name for path in sources if not Path(importlib.util.cache_from_source(path)).is_file()]
    assert len(sources) > 2 and uncompiled == []


def run_job_literally(project: Path, job: dict, entry: dict) -> None:
    """Run the job's `run:` steps as written, with the job's env, as GitHub's bash would.

    `uses:` steps are GitHub's own (checkout, setup-uv); what they provide here is the project
    directory and `uv` alone on PATH (not this repository's venv).
    """
    env = uv_on_path(project)
    for key, value in job.get("env", {}).items():
        env[key] = MATRIX_EXPRESSION.sub(lambda match: str(entry[match.group(1)]), str(value))
    for step in job["steps"]:
        if "run" in step:
            shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
            must_succeed(shell, project, env)


def the_ci_job(project: Path) -> dict:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    entries = matrix_entries(job)
    assert {entry["python-version"] for entry in entries} == {"3.11", "3.12", "3.13"}
    assert {"python-version": "3.11", "resolution": "lowest-direct"} in entries
    return job


def sign_in_if_needed(page, auth: bool) -> None:
    if auth:
        sign_in_page(page)


def assert_logged_once(server, warmup: bool) -> None:
    """One access-log line per request; the warm-up (when on) once, and not as a warning."""
    for _ in range(300):  # the lifespan warms the caches in the background: "starting", then "ok"
        if httpx.get(server.base_url + "/healthz").json()["status"] != "starting":
            break
        time.sleep(0.1)
    marker = uuid.uuid4().hex
    assert httpx.get(f"{server.base_url}/healthz?request={marker}").status_code == 200
    log = ""
    for _ in range(40):  # the line lands just after the response
        log = server.log()
        if marker in log:
            break
        httpx.get(server.base_url + "/healthz")
    assert log.count(marker) == 1, log
    warmed = [line for line in log.splitlines() if "caches warmed in" in line]
    assert len(warmed) == warmup and "WARNING" not in "".join(warmed), log


@pytest.mark.parametrize("parent", PARENTS)
@pytest.mark.parametrize("on", [True, False], ids=["all-on", "all-off"])
def test_generated_project_works_for_real(page, tmp_path, parent, on):
    project = bake(tmp_path, project_name=PROJECT_NAME, parent=parent, **all_parts(on))
    job = the_ci_job(project)
    run_job_literally(project, job, {"python-version": LOCAL_PYTHON, "resolution": "highest"})
    python = project / ".venv" / "bin" / "python"

    quiet = ["-q", "-p", "no:cacheprovider"]
    plain_pytest = [str(project / ".venv" / "bin" / "pytest"), *quiet]
    own_tests = subprocess.run(plain_pytest, cwd=project, capture_output=True, text=True)
    assert own_tests.returncode == 0, own_tests.stdout[-3000:] + own_tests.stderr[-2000:]
    assert "warnings summary" not in own_tests.stdout, own_tests.stdout[-3000:]  # no deprecation noise
    if not on:  # the third way people run them (the lighter projects keep the tier's time down)
        must_succeed([str(python), "-m", "pytest", *quiet], project, os.environ.copy())

    env_file = []
    if on:  # values a shell's `. ./.env` would break on; uvicorn --env-file (python-dotenv) does not
        users = AUTH_ENV["APP_USERS"]  # argon2 hashes are full of $: quoted, as the README says
        (project / ".env").write_text(
            f"APP_USERS='{users}'\nAPP_SECRET_KEY='{AUTH_ENV['APP_SECRET_KEY']} with spaces'\n"
        )
        env_file = ["--env-file", ".env"]
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    uvicorn = [str(python), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--http",
               "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers", *env_file]  # fmt: skip
    options = {"cwd": project, "ready_path": "/healthz", "log_dir": tmp_path}
    with serve(uvicorn, port=port, **options) as server:
        assert_logged_once(server, warmup=on)
        report = watch(page)
        page.goto(server.base_url + dashboard)
        sign_in_if_needed(page, on)
        wait_for_dashboard(page, PROJECT_NAME)
        assert page.title() == PROJECT_NAME
        rerun_with_slider(page)
        if on:
            page.get_by_text(f"Signed in as {TEST_USER}").wait_for()
            wait_for_live_ticks(page, 2)
            page.get_by_text("Warmed at start-up").wait_for()
        page.wait_for_timeout(500)
        collect_csp(page, report)
        assert report.problems == []
    assert quiet_start(server.log())
    handshakes = [line for line in server.log().splitlines() if "_stcore/stream" in line]
    assert handshakes and all("[accepted]" in line for line in handshakes), server.log()
    assert "connection open" not in server.log()  # the websocket's one line is uvicorn's

    port = free_port()
    streamlit_run = [str(python), "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    env = AUTH_ENV if on else {}
    with serve(streamlit_run, env=env, port=port, **options) as srv:
        page.context.clear_cookies()
        page.goto(srv.base_url + dashboard)
        sign_in_if_needed(page, on)
        wait_for_dashboard(page, PROJECT_NAME)
    assert quiet_start(srv.log())

    if parent == "fastapi" and not on:  # the uv.lock the workflow made, installed as the image would
        dockerignore = (project / ".dockerignore").read_text().split()
        assert {".venv/", ".env", ".git/"} <= set(dockerignore)
        build_like_the_dockerfile(project, tmp_path / "image")


def quiet_start(log: str) -> bool:
    """No "No runtime found" nor "missing ScriptRunContext" while the app started and warmed up."""
    return not [line for line in log.splitlines() if any(noise in line for noise in NOISY_START)]
