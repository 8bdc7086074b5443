"""The documentation tells the truth: links resolve, the option table matches cookiecutter.json,
and every command in the README's code blocks is run by a test (here or where it is named)."""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from tests.support import ROOT, bake, free_port, serve, template_options, uvicorn_command

DOCS = ["README.md", "SKILL.md", "SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")

# The template's public address, set once in cookiecutter.json.
TEMPLATE_SOURCE = template_options.TEMPLATE_SOURCE

# README commands that this file does not run itself, and the test that runs them.
COVERED_ELSEWHERE = {
    "./run test": "the test command itself (.ci/run calls it)",
    "pip install cookiecutter": "needs the network; cookiecutter comes from requirements-dev.txt",
    f"cookiecutter {TEMPLATE_SOURCE}": "needs the network; the same template as `cookiecutter .` below",
    "uvicorn app:app --port 8000 --http h11 --no-proxy-headers ": (
        "tests/test_template/test_generated_live.py"
    ),
    "streamlit run app.py": "tests/test_template/test_generated_live.py",
    "python tools/install_skill.py": "tests/test_install_skill.py",
    "python evals/checks/": "tests/test_evals.py",
}


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_resolve(doc):
    text = (ROOT / doc).read_text()
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        assert (ROOT / target.split("#")[0]).exists(), f"{doc}: broken link {target}"


def test_one_template_address_everywhere(tmp_path):
    for doc in ("README.md", "SKILL.md"):
        assert f"cookiecutter {TEMPLATE_SOURCE}" in (ROOT / doc).read_text(), doc
    project = bake(tmp_path)
    assert f"]({TEMPLATE_SOURCE})" in (project / "README.md").read_text()
    for path in [*ROOT.glob("*.md"), *project.rglob("*")]:
        if path.is_file():
            assert "github.com/org/" not in path.read_text(errors="replace"), path


def test_option_table_lists_exactly_the_template_variables():
    variables = {question.name for question in template_options.QUESTIONS}
    section = (ROOT / "README.md").read_text().split("### Options", 1)[1].split("\n### ", 1)[0]
    listed = set()
    for row in section.splitlines()[2:]:
        if row.startswith("|"):
            listed |= set(re.findall(r"`([a-z_]+)`", row.split("|")[1]))
    assert listed == variables


def test_every_readme_command_is_accounted_for():
    runs_here = (
        "./run demo",
        "cookiecutter .",
        "python app.py",
        "uvicorn app:app --port 8000 --http h11 --no-proxy-headers --reload",
    )
    for command in readme_commands():
        assert command.startswith(runs_here) or any(command.startswith(c) for c in COVERED_ELSEWHERE), command


@pytest.mark.live
def test_run_demo_serves_the_default_project(tmp_path):
    port = free_port()
    with serve(["./run", "demo"], cwd=ROOT, port=port, ready_path="/healthz", env={"PORT": str(port)},
               log_dir=tmp_path, timeout=300) as server:  # fmt: skip
        assert f"http://127.0.0.1:{port}/" in server.log()
        assert httpx.get(server.base_url + "/dashboard/").status_code == 200
        assert "swagger-ui" in httpx.get(server.base_url + "/docs").text


def test_cookiecutter_cli_from_a_clone(tmp_path):
    command = [sys.executable, "-m", "cookiecutter", str(ROOT), "--no-input", "-o", str(tmp_path),
               "parent=django", "auth_cookie=true", "websocket=true"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    answers = json.loads((tmp_path / "streamlit_asgi_app" / ".cookiecutter.json").read_text())["cookiecutter"]
    # auth_cookie=true is the older spelling of auth=password, still accepted
    assert (answers["parent"], answers["__auth"], answers["websocket"]) == ("django", "password", True)


@pytest.mark.live
@pytest.mark.parametrize("parent", ["streamlit", "fastapi"])
def test_python_app_py_and_reload(tmp_path, parent):
    project = bake(tmp_path, parent=parent)
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    port = free_port()
    env = {"PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true"}
    with serve([sys.executable, "app.py"], cwd=project, port=port, ready_path="/healthz", env=env,
               log_dir=tmp_path) as server:  # fmt: skip
        assert httpx.get(server.base_url + dashboard).status_code == 200
    port = free_port()
    with serve(uvicorn_command("app:app", port, "--reload"), cwd=project, port=port, ready_path="/healthz",
               env=dict(os.environ), log_dir=tmp_path) as server:  # fmt: skip
        assert httpx.get(server.base_url + dashboard).status_code == 200


def test_contributing_names_only_files_that_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    named = {
        token
        for quoted in re.findall(r"`([^`]+)`", text)
        for token in quoted.split()
        if "<" not in token and ("/" in token or re.search(r"\.(py|md|json|yml|toml)$", token))
    }
    assert {"template_options.py", "tools/gen_options.py", "tools/sync_parts.py"} <= named
    missing = sorted(token for token in named if not (ROOT / token).exists())
    assert missing == []
