"""The generator: contract, one source of truth, clean output, and hostile answers."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.support import PARENTS, PARTS, ROOT, all_parts, bake, jinja_leftovers

PACKAGE_TEMPLATE = ROOT / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}"


def test_cookiecutter_json_keeps_the_contract():
    context = json.loads((ROOT / "cookiecutter.json").read_text())
    assert context["parent"][0] == "fastapi" and sorted(context["parent"]) == sorted(PARENTS)
    assert {part: context[part] for part in PARTS} == {
        **all_parts(False), "security_headers": True, "lifespan": True,
    }  # fmt: skip
    assert context["project_name"] == "Streamlit ASGI App"
    for key in ("project_name", "project_slug", "author_name", "description", "parent", *PARTS):
        assert key in context["__prompts__"], key
    assert set(context["__prompts__"]["parent"]) == {"__prompt__", *PARENTS}


def test_template_parts_are_derived_from_references():
    result = subprocess.run(
        [sys.executable, "tools/sync_parts.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_baked_parts_are_byte_identical_to_the_template(tmp_path):
    project = bake(tmp_path, **all_parts(True))
    from tools.sync_parts import PARTS as DERIVED

    for module in DERIVED:
        if module == "asgi_glue.py":
            continue  # only the django and flask parents use it
        baked = project / "streamlit_asgi_app" / module
        assert baked.read_bytes() == (PACKAGE_TEMPLATE / module).read_bytes(), module


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
def test_bad_slugs_fail_clearly_and_leave_nothing(tmp_path, capfd, slug, message):
    with pytest.raises(FailedHookException):
        bake(tmp_path, project_slug=slug)
    assert message in capfd.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "two\nlines", "project_slug": "two_lines"}, "single line"),
        ({"description": "tab\there"}, "single line"),
        ({"project_name": "   ", "project_slug": "blank"}, "project_name is empty"),
    ],
)
def test_bad_answers_fail_clearly_and_leave_nothing(tmp_path, capfd, answers, message):
    with pytest.raises(FailedHookException):
        bake(tmp_path, **answers)
    assert message in capfd.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cookiecutter_itself_refuses_unknown_parents_and_empty_slugs(tmp_path):
    with pytest.raises(ValueError, match="rails provided for choice variable parent"):
        bake(tmp_path, parent="rails")
    with pytest.raises(Exception, match="already exists"):  # an empty name is the output dir
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


def test_default_slug_is_derived_from_the_name(tmp_path):
    project = bake(tmp_path, project_name="Sales Dashboard 2")
    assert project.name == "sales_dashboard_2" and (project / "sales_dashboard_2" / "__init__.py").exists()


def test_post_gen_prints_next_steps(tmp_path, capfd):
    bake(tmp_path, auth_cookie=True)
    out = capfd.readouterr().out
    assert 'pip install -e ".[test]"' in out and "uvicorn app:app" in out and "pytest" in out
    assert "APP_SECRET_KEY" in out


def test_long_slug_still_gives_ruff_clean_code(tmp_path):
    slug = "a_rather_long_package_name_for_testing_x"  # 40 characters, the maximum
    project = bake(tmp_path, project_slug=slug, parent="flask", **all_parts(True))
    assert subprocess.run([sys.executable, "-m", "ruff", "check", "-q", "."], cwd=project).returncode == 0
    assert (
        subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "-q", "."], cwd=project).returncode
        == 0
    )
    assert Path(project / slug / "flask_site.py").exists()


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
