"""Updates that land: a project baked from an older commit of the template takes the template's
later changes with `cruft update` (merged where untouched, a marked conflict where edited), gains
a part with `--variables-to-update`, and is made again by the command its README shows."""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support import bake, template_files_copy

SLUG = "streamlit_asgi_app"
CRUFT = [sys.executable, "-m", "cruft"]


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def template_copy(tmp_path: Path) -> Path:
    """This template's tree, outside any git repository."""
    return template_files_copy(tmp_path / "template")


def template_clone(tmp_path: Path) -> Path:
    """A git repository holding this template's tree, one commit."""
    clone = template_copy(tmp_path)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "template v1")
    return clone


def bake_into_git(tmp_path: Path, template: Path, **answers) -> Path:
    from cookiecutter.main import cookiecutter

    output = tmp_path / "projects"
    project = Path(cookiecutter(str(template), no_input=True, output_dir=str(output), extra_context=answers))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")
    return project


def cruft_update(project: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*CRUFT, "update", "-y", *extra], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_cruft_json_is_what_cruft_writes(tmp_path):
    template = template_clone(tmp_path)
    project = bake_into_git(tmp_path, template, parent="flask", mcp=True)
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(template) and state["commit"] == git(template, "rev-parse", "HEAD")
    assert {"checkout", "directory"} <= state.keys()
    answers = state["context"]["cookiecutter"]
    assert (answers["parent"], answers["mcp"], answers["_commit"]) == ("flask", True, state["commit"])
    check = subprocess.run([*CRUFT, "check"], cwd=project, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # "up to date", and it is


def test_a_template_outside_git_records_no_commit(tmp_path):
    from cookiecutter.main import cookiecutter

    project = Path(
        cookiecutter(str(template_copy(tmp_path)), no_input=True, output_dir=str(tmp_path / "out"))
    )
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(tmp_path / "template") and state["commit"] is None


def test_update_merges_untouched_files_and_marks_conflicts(tmp_path):
    template = template_clone(tmp_path)
    project = bake_into_git(tmp_path, template)
    old_commit = git(template, "rev-parse", "HEAD")

    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("## Run\n", "## Run (our way)\n", 1))
    git(project, "commit", "-q", "-am", "our own README heading")

    baked_tree = template / "{{cookiecutter.project_slug}}"
    gitignore = baked_tree / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "*.sqlite3\n")
    template_readme = baked_tree / "README.md"
    template_readme.write_text(template_readme.read_text().replace("## Run\n", "## Run it\n", 1))
    git(template, "commit", "-q", "-am", "template v2")
    new_commit = git(template, "rev-parse", "HEAD")

    stale = subprocess.run([*CRUFT, "check"], cwd=project, capture_output=True, text=True)
    assert stale.returncode != 0  # cruft knows the project is behind

    cruft_update(project)
    assert (project / ".gitignore").read_text().endswith("*.sqlite3\n")  # untouched: merged
    merged_readme = readme.read_text()
    assert re.search(r"^<<<<<<< .*\n## Run \(our way\)\n=======\n## Run it\n>>>>>>> ", merged_readme, re.M)
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == new_commit != old_commit


def test_a_part_added_later(tmp_path):
    template = template_clone(tmp_path)
    project = bake_into_git(tmp_path, template, parent="streamlit")
    assert not (project / SLUG / "seo.py").exists()

    readme = (project / "README.md").read_text()
    command = "cruft update --variables-to-update '{\"seo\": true}'"
    assert command in readme  # documented as it is run here
    result = cruft_update(project, "--variables-to-update", '{"seo": true}')
    assert "Next steps" not in result.stdout + result.stderr  # cruft bakes twice, in folders of its own

    assert (project / SLUG / "seo.py").exists() and "seo_routes" in (project / "app.py").read_text()
    assert json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]["seo"] is True
    assert not list(project.rglob("*.rej"))
    compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", SLUG], cwd=project)
    assert compiled.returncode == 0


def test_readme_command_makes_the_project_again(tmp_path):
    project = bake(tmp_path / "first", parent="django", auth="password", websocket=True)
    readme = (project / "README.md").read_text()
    (command,) = [line for line in readme.splitlines() if line.startswith("cookiecutter --replay-file")]
    tools = str(Path(sys.executable).parent)  # cookiecutter and python, as after `pip install cookiecutter`
    env = {"PATH": f"{tools}:/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run(["bash", "-ec", command], cwd=project, env=env, check=True, capture_output=True)
    again = project.parent / "again" / project.name

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(again) == files(project)
