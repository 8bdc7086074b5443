"""The generator: contract, one source of truth, clean output, and hostile answers."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.support import PARENTS, PARTS, ROOT, all_parts, bake, jinja_leftovers, template_options

PACKAGE_TEMPLATE = ROOT / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}"


def test_cookiecutter_json_keeps_the_contract():
    context = json.loads((ROOT / "cookiecutter.json").read_text())
    assert context["parent"][0] == "fastapi" and sorted(context["parent"]) == sorted(PARENTS)
    assert context["auth"] == ["none", "password", "oidc"]
    assert {part: context[part] for part in PARTS} == {
        **dict.fromkeys(PARTS, False), "security_headers": True, "lifespan": True,
    }  # fmt: skip
    assert context["project_name"] == "Streamlit ASGI App"
    for key in ("project_name", "project_slug", "author_name", "description", "parent", "auth", *PARTS):
        assert key in context["__prompts__"], key
    assert set(context["__prompts__"]["parent"]) == {"__prompt__", *PARENTS}


def test_everything_generated_from_the_declaration_is_current():
    result = subprocess.run(
        [sys.executable, "tools/gen_options.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_interactive_bake_asks_the_declared_questions_only(tmp_path):
    # Enter at every prompt, as a person taking the defaults would; cookiecutter numbers its prompts.
    command = [sys.executable, "-m", "cookiecutter", str(ROOT), "-o", str(tmp_path)]
    result = subprocess.run(command, input="\n" * 40, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    asked = len(template_options.QUESTIONS)
    counters = re.findall(r"\[(\d+)/(\d+)\]", result.stdout)
    assert counters == [(str(number), str(asked)) for number in range(1, asked + 1)], result.stdout
    assert "auth_cookie" not in result.stdout and (tmp_path / "streamlit_asgi_app" / "app.py").is_file()


@pytest.mark.parametrize(("auth", "older"), [("password", "false"), ("oidc", "true"), ("none", "true")])
def test_auth_alone_decides_sign_in_on_cookiecutters_command_line(tmp_path, auth, older):
    # cookiecutter drops keys its cookiecutter.json does not declare: the older auth_cookie with it
    command = [sys.executable, "-m", "cookiecutter", str(ROOT), "--no-input", "-o", str(tmp_path),
               f"auth={auth}", f"auth_cookie={older}"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    project = tmp_path / "streamlit_asgi_app"
    modules = {"password": "auth.py", "oidc": "auth_oidc.py"}
    assert {name for name in modules.values() if (project / project.name / name).exists()} == (
        {modules[auth]} if auth in modules else set()
    )
    assert json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]["__auth"] == auth


@pytest.mark.parametrize(
    ("auth", "older", "message"),
    [
        (
            "oidc",
            "true",
            "auth_cookie=true (the older spelling of auth=password) contradicts auth=oidc: give auth only",
        ),
        (
            "password",
            "false",
            "auth_cookie=false (the older spelling of auth=none) contradicts auth=password: give auth only",
        ),
        ("none", "maybe", "auth_cookie (now auth) must be true or false, not 'maybe'"),
    ],
)
def test_a_replayed_answer_file_whose_older_answer_contradicts_auth_is_refused(
    tmp_path, auth, older, message
):
    made = bake(tmp_path / "first", auth=auth)
    replay = json.loads((made / ".cookiecutter.json").read_text())
    replay["cookiecutter"]["auth_cookie"] = older
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(replay))
    out = tmp_path / "again"
    command = [sys.executable, "-m", "cookiecutter", "--replay-file", str(answers), str(ROOT), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("ERROR:")]
    assert errors == [f"ERROR: {message}"]
    assert not out.exists() or list(out.iterdir()) == []


def tree(project: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    files = (p for p in sorted(project.rglob("*")) if p.is_file() and p.name not in skip)
    return {str(p.relative_to(project)): p.read_bytes() for p in files}


def test_template_parts_are_derived_from_references():
    result = subprocess.run(
        [sys.executable, "tools/sync_parts.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("parent", "auth"), [("django", "password"), ("flask", "oidc")])
def test_baked_parts_carry_the_reference_code_verbatim_and_speak_to_the_owner(tmp_path, parent, auth):
    project = bake(tmp_path, parent=parent, **{**all_parts(True), "auth": auth})
    from tools.sync_parts import PARTS as DERIVED
    from tools.sync_parts import REFERENCES, extract, packaged, template_version

    for module, reference in DERIVED.items():
        path = project / "streamlit_asgi_app" / module
        if module in ("auth.py", "auth_oidc.py", "api_docs.py") and not path.exists():
            continue  # the other auth choice's module; the docs are FastAPI's only
        baked = path.read_text()
        header, code = baked.split('"""\n\n', 1)
        assert code == packaged(extract(REFERENCES / reference)), module  # byte for byte, imports packaged
        source = f"mount_{parent}.py" if module == "asgi_glue.py" else reference
        assert f"references/{source} of st-asgi-template {template_version()}" in header
        assert "It is yours now: change it here" in header and "cruft update" in header
        assert "tools/sync_parts.py" not in baked  # a file the owner does not have
    glue = (project / "streamlit_asgi_app" / "asgi_glue.py").read_text()
    other = "Django" if parent == "flask" else "Flask"
    assert glue.startswith(f'"""{parent.capitalize()} owns') and other not in glue.split('"""')[1]


@pytest.mark.parametrize("parent", PARENTS)
@pytest.mark.parametrize("on", [True, False], ids=["all-on", "all-off"])
def test_output_is_clean_and_complete(tmp_path, parent, on):
    project = bake(tmp_path, parent=parent, **all_parts(on))
    assert jinja_leftovers(project) == []
    ruff = [sys.executable, "-m", "ruff"]
    assert subprocess.run([*ruff, "check", "-q", "."], cwd=project).returncode == 0
    assert subprocess.run([*ruff, "format", "--check", "-q", "."], cwd=project).returncode == 0
    package = project / "streamlit_asgi_app"
    assert (package / "auth.py").exists() == on and (package / "mcp_tools.py").exists() == on
    assert (package / "asgi_glue.py").exists() == (parent in ("django", "flask"))
    assert (package / "home.py").exists() == (parent != "streamlit")
    for path in project.rglob("*"):
        assert not path.is_file() or path.stat().st_size > 0, f"empty file {path}"
    answers = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]  # replay format
    assert answers["parent"] == parent and answers["mcp"] is on
    env_example = (project / ".env.example").read_text()
    assert ("APP_SECRET_KEY=" in env_example) == on and ("ALLOWED_IPS=" in env_example) == on
    assert "gatherUsageStats = false" in (project / ".streamlit" / "config.toml").read_text()
    for name in ("README.md", "Dockerfile", ".github/workflows/ci.yml", ".gitignore", "pyproject.toml"):
        assert (project / name).is_file(), name


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ('"; import os #', "lowercase ASCII"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("os", "standard library"),
        ("json", "standard library"),
        ("streamlit", "shadow a module the project uses"),
        ("app", "shadow a module the project uses"),
        ("my-app", "lowercase ASCII"),
        ("caf\u00e9", "lowercase ASCII"),
        ("3d_charts", "lowercase ASCII"),
        ("MyApp", "lowercase ASCII"),
        ("a" * 41, "longer than 40"),
    ],
)
def test_bad_slugs_fail_clearly_and_leave_nothing(tmp_path, slug, message):
    with pytest.raises(FailedHookException, match=message):
        bake(tmp_path, project_slug=slug)
    assert list(tmp_path.iterdir()) == []


def snapshot(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize(
    "answer",
    [
        "project_slug=a/b/c",
        "project_slug=../x/y/z",
        "project_slug=..",
        "project_slug=a\\b",
        "project_slug=Bad",
        "project_name={% raw %}{{ cycler }}{% endraw %}",
        "description={% raw %}{% if 1 %}{% endraw %}",
    ],
)
def test_the_command_line_refuses_with_one_line_and_leaves_nothing(tmp_path, answer):
    output = tmp_path / "projects"
    output.mkdir()
    (tmp_path / "already-here.txt").write_text("untouched")
    before = snapshot(tmp_path)
    command = [sys.executable, "-m", "cookiecutter", str(ROOT), "--no-input", "-o", str(output), answer]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), lines
    assert snapshot(tmp_path) == before  # the output folder and its parent are exactly as before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project_slug": "Not A Slug"}, "must be lowercase"),
        ({"project_slug": "a/b/c"}, "must be one folder name"),
        ({"project_slug": "../x/y/z"}, "must be one folder name"),
        ({"parent": "rails"}, "parent 'rails' is not one of"),
        ({"websocket": "sure"}, "websocket must be true or false"),
    ],
)
def test_a_replayed_answer_file_is_checked_too(tmp_path, changes, message):
    output = tmp_path / "projects"
    bake(output / "first")  # writes the replay file cookiecutter keeps for this template
    replay = json.loads((Path.home() / ".cookiecutter_replay" / f"{ROOT.name}.json").read_text())
    replay["cookiecutter"].update(changes)
    replay_file = tmp_path / "answers.json"
    replay_file.write_text(json.dumps(replay))
    before = snapshot(tmp_path)
    command = [
        sys.executable,
        "-m",
        "cookiecutter",
        str(ROOT),
        "--replay-file",
        str(replay_file),
        "-o",
        str(output),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "two\nlines", "project_slug": "two_lines"}, "single line"),
        ({"description": "tab\there"}, "single line"),
        ({"project_name": "   ", "project_slug": "blank"}, "project_name is empty"),
    ],
)
def test_bad_answers_fail_clearly_and_leave_nothing(tmp_path, answers, message):
    with pytest.raises(FailedHookException, match=message):
        bake(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []


def test_unknown_choices_and_empty_slugs_are_refused_before_anything_is_written(tmp_path):
    # cookiecutter itself checks choices and booleans given on the command line, before any
    # template code runs (its own message, as a traceback's last line)
    with pytest.raises(ValueError, match="rails provided for choice variable parent"):
        bake(tmp_path, parent="rails")
    with pytest.raises(ValueError, match="sure provided for variable websocket"):
        bake(tmp_path, websocket="sure")
    with pytest.raises(FailedHookException, match="project_slug is empty"):
        bake(tmp_path, project_slug="")
    assert list(tmp_path.iterdir()) == []


def test_hostile_text_is_rendered_as_data(tmp_path):
    name = 'Dash "board" \\ \'quoted\' """ </script> \u00e9t\u00e9'
    description = "''' ; import os; os.system('echo pwned') #"
    project = bake(tmp_path, project_name=name, project_slug="hostile", description=description,
                   **all_parts(True))  # fmt: skip
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))  # valid Python everywhere
    import tomllib

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == description
    result = subprocess.run(
        [sys.executable, "-c", "import hostile; print(hostile.PROJECT_NAME); print(hostile.DESCRIPTION)"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.splitlines() == [name, description]  # nothing else ran


@pytest.mark.parametrize("parent", ["fastapi", "django"])
def test_paths_are_spelled_once_and_passed_to_the_parts(tmp_path, parent):
    project = bake(tmp_path, parent=parent, **all_parts(True))
    package = project / "streamlit_asgi_app"
    for path in (project / "app.py", package / "home.py"):
        code = path.read_text()
        assert '"/dashboard' not in code and '"/healthz"' not in code, path
    assert 'DASHBOARD_PATH = "/dashboard"' in (package / "__init__.py").read_text()
    app = (project / "app.py").read_text()
    assert "open_paths=[HEALTH_PATH]" in app and app.count("DASHBOARD_PATH") >= 3


def test_default_slug_is_derived_from_the_name(tmp_path):
    project = bake(tmp_path, project_name="Sales Dashboard 2")
    assert project.name == "sales_dashboard_2" and (project / "sales_dashboard_2" / "__init__.py").exists()


@pytest.mark.parametrize(
    ("parent", "auth"), [("streamlit", "password"), ("fastapi", "oidc"), ("django", "none")]
)
def test_post_gen_prints_the_readmes_next_steps_once(tmp_path, capfd, parent, auth):
    project = bake(tmp_path, parent=parent, auth=auth)
    out = capfd.readouterr().out
    assert out.count("Next steps") == 1
    steps = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    commands = [step.split("   #")[0] for step in steps if not step.startswith(("#", "cd "))]
    readme = (project / "README.md").read_text()
    assert "uv sync" in commands and "uv run pytest" in commands
    assert [command for command in commands if command not in readme] == []  # what the README says
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    assert f"# then open http://127.0.0.1:8000{dashboard} in a browser" in steps  # no macOS-only `open`
    if auth != "none":
        assert "cp .env.example .env" in commands and "APP_SECRET_KEY" in out


def test_long_slug_still_gives_ruff_clean_code(tmp_path):
    slug = "a_rather_long_package_name_for_testing_x"  # 40 characters, the maximum
    project = bake(tmp_path, project_slug=slug, parent="flask", **all_parts(True))
    assert subprocess.run([sys.executable, "-m", "ruff", "check", "-q", "."], cwd=project).returncode == 0
    assert (
        subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "-q", "."], cwd=project).returncode
        == 0
    )
    assert Path(project / slug / "flask_site.py").exists()


def test_security_md_is_right_about_answer_files(tmp_path):
    """SECURITY.md: extra-context answers are rendered as Jinja; a replay file's _extensions obeyed."""
    from cookiecutter.exceptions import UnknownExtension
    from cookiecutter.main import cookiecutter

    project = bake(tmp_path / "rendered", project_name="{{ 6 * 7 }}", project_slug="rendered")
    assert 'PROJECT_NAME = "42"' in (project / "rendered" / "__init__.py").read_text()
    replay = json.loads((Path.home() / ".cookiecutter_replay" / f"{ROOT.name}.json").read_text())
    replay["cookiecutter"].update(project_slug="replayed", _extensions=["no_such_module_for_this_test"])
    replay_file = tmp_path / "answers.json"
    replay_file.write_text(json.dumps(replay))
    with pytest.raises(UnknownExtension, match="no_such_module_for_this_test"):
        cookiecutter(str(ROOT), replay=str(replay_file), output_dir=str(tmp_path / "replayed"))


def test_baked_tooling_files(tmp_path):
    import yaml

    project = bake(tmp_path)
    ruff_pin = next(line for line in (ROOT / "requirements-dev.txt").read_text().split() if "ruff==" in line)
    pre_commit = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    (ruff_repo,) = pre_commit["repos"]
    assert ruff_repo["rev"] == "v" + ruff_pin.split("==")[1]  # the ruff this repository lints with
    assert {hook["id"] for hook in ruff_repo["hooks"]} == {"ruff-check", "ruff-format"}
    dependabot = yaml.safe_load((project / ".github" / "dependabot.yml").read_text())
    assert {update["package-ecosystem"] for update in dependabot["updates"]} == {
        "uv",
        "github-actions",
        "docker",
    }
    dockerfile = (project / "Dockerfile").read_text()
    dependencies_layer = dockerfile.index(
        "COPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-dev --no-install-project"
    )
    assert dependencies_layer < dockerfile.index("COPY README.md app.py")  # code changes keep it cached
