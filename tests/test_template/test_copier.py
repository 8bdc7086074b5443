"""copier serves the same tree: `copier copy` and `copier update` give the project cookiecutter gives.

copier.yml is generated from template_options.py (tools/gen_options.py), like cookiecutter.json.
A pairwise covering set of answers is generated both ways from a git copy of this repository
and the two trees are compared file by file (only the answer files differ by design).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import bake, combination_id, pairwise, template_files_copy

PAIRWISE = pairwise()
ANSWER_FILES = {".cookiecutter.json", ".cruft.json", ".copier-answers.yml"}
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
}  # fmt: skip


def git(cwd, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """This repository's files (committed or not) as a fresh git repository: copier reads git."""
    clone = template_files_copy(tmp_path_factory.mktemp("template"))
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "template")
    return clone


def tree(project) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.name not in ANSWER_FILES and ".git" not in path.parts
    }


def copier_copy(template, destination, answers: dict) -> None:
    from copier import run_copy

    run_copy(str(template), str(destination), data=answers, defaults=True, quiet=True, unsafe=False)


@pytest.mark.parametrize("answers", PAIRWISE, ids=combination_id)
def test_copier_copy_gives_the_cookiecutter_project(tmp_path, template, answers):
    answers = {**answers, "project_name": "Same Board", "project_slug": "same_board"}
    copied = tmp_path / "copier"
    copier_copy(template, copied, answers)
    baked = bake(tmp_path / "cookiecutter", **answers)
    assert tree(copied) == tree(baked)
    recorded = yaml.safe_load((copied / ".copier-answers.yml").read_text())
    assert {key: recorded[key] for key in answers} == answers


def test_copier_accepts_the_older_auth_cookie_answer(tmp_path, template):
    copied = tmp_path / "copier"
    copier_copy(template, copied, {"project_slug": "older", "auth_cookie": "true"})
    assert yaml.safe_load((copied / ".copier-answers.yml").read_text())["auth"] == "password"
    assert (copied / "older" / "auth.py").is_file()


@pytest.mark.parametrize(
    ("auth", "older", "message"),
    [
        ("oidc", "true", "auth_cookie=true (the older spelling of auth=password) contradicts auth=oidc"),
        (
            "password",
            "false",
            "auth_cookie=false (the older spelling of auth=none) contradicts auth=password",
        ),
        ("none", "maybe", "auth_cookie (now auth) must be true or false, not maybe"),
    ],
)
def test_copier_refuses_an_older_answer_that_contradicts_auth(tmp_path, template, auth, older, message):
    copier = Path(sys.executable).parent / "copier"
    destination = tmp_path / "copier"
    command = [str(copier), "copy", "--defaults", "--data", f"auth={auth}", "--data", f"auth_cookie={older}",
               str(template), str(destination)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]  # copier's own traceback, then the one line
    assert last.endswith(f"question 'auth': {message}" + (": give auth only" if older != "maybe" else ""))
    assert not destination.exists()


def test_copier_refuses_a_bad_slug_before_writing(tmp_path, template):
    from copier.errors import CopierAnswersInterrupt, UserMessageError

    with pytest.raises((ValueError, UserMessageError, CopierAnswersInterrupt)):
        copier_copy(template, tmp_path / "copier", {"project_slug": "a/b/c"})
    assert not (tmp_path / "copier" / "a").exists()


def test_copier_update_adds_a_part_and_a_template_change(tmp_path, template):
    from cookiecutter.main import cookiecutter
    from copier import run_update

    template = shutil.copytree(template, tmp_path / "template")  # this test commits to it
    answers = {"project_name": "Same Board", "project_slug": "same_board", "parent": "flask"}
    project = tmp_path / "project"
    copier_copy(template, project, {**answers, "websocket": False})
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")

    changelog = template / "{{cookiecutter.project_slug}}" / "NEWS.md"
    changelog.write_text("A change made to the template after the project was baked.\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "template change")

    run_update(
        str(project), data={"websocket": True}, defaults=True, overwrite=True, quiet=True, unsafe=False
    )
    assert (project / "NEWS.md").read_text().startswith("A change made to the template")
    extra = {**answers, "websocket": True}
    baked = cookiecutter(str(template), no_input=True, output_dir=str(tmp_path / "cc"), extra_context=extra)
    assert tree(project) == tree(Path(baked))
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["websocket"] is True


def test_the_readmes_copier_command_survives_a_later_copier_update(tmp_path):
    """The README's copier line, run as written in a clone of a release (a git tag of the version
    in pyproject.toml); later the template moves on, and the project's README command for copier
    updates takes the change."""
    import tomllib

    from tests.support import ROOT

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    clone = template_files_copy(tmp_path / "clone")
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "release")
    git(clone, "tag", f"v{version}")
    readme = (ROOT / "README.md").read_text()
    (command,) = [line for line in readme.splitlines() if line.startswith("copier copy") and '"$PWD"' in line]
    project = tmp_path / "my_app"
    tools = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    as_written = command.split("   #")[0].replace(" my_app", f" {project}")
    subprocess.run(["bash", "-ec", as_written], cwd=clone, env={**GIT_ENV, "PATH": tools}, check=True,
                   capture_output=True)  # fmt: skip
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (recorded["_src_path"], recorded["_commit"]) == (str(clone), f"v{version}")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "made with copier")

    (clone / "{{cookiecutter.project_slug}}" / "NEWS.md").write_text("The template moved on.\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "template change")
    newer = f"v{version}.post1"
    git(clone, "tag", newer)
    baked_readme = (project / "README.md").read_text()
    updates = [line for line in baked_readme.splitlines() if line.startswith("copier update --defaults ")]
    update = updates[0].split("   #")[0].strip()
    assert update == "copier update --defaults"  # the README's first: the newest release
    result = subprocess.run(["bash", "-ec", update], cwd=project, env={**GIT_ENV, "PATH": tools},
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project / "NEWS.md").read_text() == "The template moved on.\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == newer
