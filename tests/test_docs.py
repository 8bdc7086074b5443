"""The documentation tells the truth: links resolve, the option table matches cookiecutter.json,
and every command in the README's code blocks is run by a test (here or where it is named)."""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from tests.support import PARENTS, PARTS, ROOT, bake, free_port, serve, template_options, uvicorn_command
from tools import gen_options

DOCS = ["README.md", "SKILL.md", "SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")

# The template's public address, set once in cookiecutter.json.
TEMPLATE_SOURCE = template_options.TEMPLATE_SOURCE

# README commands that this file does not run itself, and the test that runs them.
COVERED_ELSEWHERE = {
    "./run test": "the test command itself (.ci/run calls it)",
    "pip install cookiecutter": "needs the network; cookiecutter comes from requirements-dev.txt",
    f"cookiecutter {TEMPLATE_SOURCE}": "needs the network; the same template as `cookiecutter .` below",
    "uvicorn app:app --port 8000 --http h11 --ws-per-message-deflate false --no-proxy-headers ": (
        "tests/test_template/test_generated_live.py"
    ),
    "streamlit run app.py": "tests/test_template/test_generated_live.py",
    "pip install copier": "needs the network; copier comes from requirements-dev.txt",
    f"copier copy --defaults --data parent=django {TEMPLATE_SOURCE}": "needs the network; as from a clone",
    'copier copy --defaults --data parent=django "$PWD" my_app': "tests/test_template/test_copier.py",
    "python tools/install_skill.py": "tests/test_install_skill.py",
    "python evals/checks/": "tests/test_evals.py",
    "python .agents/skills/streamlit-asgi-app/scripts/compose.py": "tests/test_compose.py",
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
        "uvicorn app:app --port 8000 --http h11 --ws-per-message-deflate false --no-proxy-headers --reload",
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
               "parent=django", "auth=password", "websocket=true"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    answers = json.loads((tmp_path / "streamlit_asgi_app" / ".cookiecutter.json").read_text())["cookiecutter"]
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


# --- environment variables: what the READMEs list is what the code reads -----------------------

TEMPLATE = ROOT / "{{cookiecutter.project_slug}}"
PACKAGE = TEMPLATE / "{{cookiecutter.project_slug}}"
AUTH = template_options.BY_NAME["auth"]
# os.environ["X"], os.environ.get("X"), environ.get("X") on a Mapping, os.getenv("X"), and a
# settings argument naming the variable it reads: users_var: str = "X"
ENV_READ = re.compile(
    r"""(?:environ(?:\.get)?\(|environ\[|getenv\(|_var: str = )\s*["']([A-Z][A-Z0-9_]*)["']"""
)
LISTED = re.compile(r"^\| `([A-Z][A-Z0-9_]*)`", re.MULTILINE)  # a table row's first cell
ASSIGNED = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)  # an .env line


def environment_read(paths) -> set[str]:
    return {name for path in paths for name in ENV_READ.findall(path.read_text())}


def project_code(**answers) -> list:
    """app.py and the package modules a project baked with ``answers`` keeps."""
    context = gen_options.baked_answers(**answers)
    unused = set(template_options.unused_files(template_options.typed(context)))
    package = [
        path for path in PACKAGE.glob("*.py") if f"{context['project_slug']}/{path.name}" not in unused
    ]
    return [TEMPLATE / "app.py", *package]


def test_environment_read_finds_what_it_claims():
    assert environment_read([PACKAGE / "auth.py"]) >= {"APP_USERS", "APP_USERS_FILE", "APP_SECRET_KEY"}
    assert environment_read([PACKAGE / "trusted_host.py"]) == {"PUBLIC_BASE_URL", "TRUSTED_PROXIES"}


@pytest.mark.parametrize("parts", ["all parts on", "all parts off"])
@pytest.mark.parametrize("auth", list(AUTH.choices))
@pytest.mark.parametrize("parent", PARENTS)
def test_baked_readme_lists_exactly_the_environment_its_code_reads(parent, auth, parts):
    answers = {**dict.fromkeys(PARTS, parts == "all parts on"), "parent": parent, "auth": auth}
    listed = set(LISTED.findall(gen_options.environment_table(gen_options.baked_readme(**answers))))
    assert listed == environment_read(project_code(**answers))
    assert set(ASSIGNED.findall(gen_options.baked_file(".env.example", **answers))) <= listed


def test_root_readme_shows_each_auth_mode_with_the_environment_its_code_reads():
    section = (
        (ROOT / "README.md").read_text().split("<!-- auth: begin -->", 1)[1].split("<!-- auth: end -->")[0]
    )
    for mode in AUTH.choices:
        shown = section.split(f"#### `auth={mode}`", 1)[1].split("\n#### ", 1)[0]
        listed = set(LISTED.findall(shown))
        assert listed == environment_read(project_code(parent="fastapi", mcp=True, auth=mode)), mode
        assert set(AUTH.env.get(mode, ())) <= listed, mode
        assert ("sequenceDiagram" in shown) == (mode != "none"), mode
        if mode != "none":  # agents: the bearer token at /mcp/ and the API
            assert "G->>A: /mcp/ or /api/summary with Authorization: Bearer" in shown, mode


def test_each_answer_declares_the_environment_its_own_code_reads():
    """template_options.py's ``env`` (the README's option table) against the modules each answer adds."""
    declared = [(f"{q.name}={a}", q.files.get(a, ()), q.env.get(a, ())) for q in template_options.CHOICES
                for a in q.choices]  # fmt: skip
    declared += [(part.name, part.files, part.env) for part in template_options.PARTS]
    for name, files, env in declared:
        modules = [PACKAGE / path.removeprefix("{pkg}/") for path in files if path.startswith("{pkg}/")]
        assert environment_read(modules) == set(env), name


def test_skill_and_readme_name_only_variables_the_code_reads():
    code = [*ROOT.glob("references/*.py"), *PACKAGE.glob("*.py"), TEMPLATE / "app.py"]
    # read directly or through a helper such as _setting("APP_PASSWORD"): a quoted name in the code
    read = {
        name for path in code for name in re.findall(r"""["']((?:APP|OIDC)_[A-Z_]+)["']""", path.read_text())
    }
    for doc in ("README.md", "SKILL.md", "SECURITY.md"):
        named = set(re.findall(r"\b(?:APP|OIDC)_[A-Z_]+\b", (ROOT / doc).read_text()))
        assert named <= read, (doc, named - read)
    skill = (ROOT / "SKILL.md").read_text()
    for reference in ("middleware_auth.py", "middleware_auth_oidc.py"):
        assert f"](references/{reference})" in skill


def summary_rows(text: str) -> dict[str, tuple[str, str]]:
    """``| 1. name | target | median | ... | result |`` rows of a table: name -> (median, result)."""
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.match(r"\d\. ", cells[0]):
            rows[cells[0]] = (cells[2], cells[-1])
    return rows


def test_readme_performance_figures_are_those_of_the_last_bench_run():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- bench: begin -->", 1)[1].split("<!-- bench: end -->", 1)[0]
    quoted = summary_rows(section)
    results = summary_rows((ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8"))
    assert quoted, "README's performance table is empty: run python bench/run.py"
    met = {"yes": "pass", "no": "miss", "—": "info"}
    for name, (median, answer) in quoted.items():
        assert name in results, f"{name!r} is not in bench/RESULTS.md"
        assert (median, met[answer]) == results[name], name


def test_make_screenshots_without_its_dependencies_says_so_and_writes_nothing(tmp_path):
    venv = tmp_path / "bare"  # a Python without pytest or Playwright
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pictures = ROOT / "docs" / "screenshots"
    before = {picture.name: picture.stat().st_mtime_ns for picture in pictures.glob("*.png")}
    script = [str(venv / "bin" / "python"), "docs/make_screenshots.py"]
    result = subprocess.run(script, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "wrote" not in result.stdout
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("make_screenshots:")]
    assert "not written: " + ", ".join(f"{parent}.png" for parent in PARENTS) in message
    assert {picture.name: picture.stat().st_mtime_ns for picture in pictures.glob("*.png")} == before
