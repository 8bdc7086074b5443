"""tools/install_skill.py: the skill folder lands in a project in the Agent Skills layout, complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_copies import companion_files, pattern_modules
from tests.support import ROOT
from tools import install_skill

NAME = "streamlit-asgi-app"
LINK = re.compile(r"\]\((references/[^)#\s]+)")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_script_installs_both_layouts_complete(tmp_path):
    result = run("tools/install_skill.py", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for base in (".agents/skills", ".claude/skills"):
        folder = tmp_path / base / NAME
        skill = (folder / "SKILL.md").read_text(encoding="utf-8")
        assert skill == (ROOT / "SKILL.md").read_text(encoding="utf-8")
        assert install_skill.validated_name(skill) == folder.name  # folder name == front-matter name
        missing = [link for link in LINK.findall(skill) if not (folder / link).exists()]
        assert not missing, f"links that do not resolve in the installed skill: {missing}"
        for name in pattern_modules():
            assert (folder / "references" / f"{name}.py").is_file(), name
            for companion in companion_files(name):
                assert (folder / "references" / companion).exists(), (name, companion)
        assert not list(folder.rglob("__pycache__")) and not list(folder.rglob("__init__.py"))
        assert str(folder) in result.stdout


def test_module_form_one_target_and_reinstall_replaces(tmp_path):
    assert run("-m", "tools.install_skill", str(tmp_path), "--target", "claude").returncode == 0
    folder = tmp_path / ".claude/skills" / NAME
    stale = folder / "references" / "stale.py"
    stale.write_text("left over")
    assert not (tmp_path / ".agents").exists()
    assert run("-m", "tools.install_skill", str(tmp_path), "--target", "claude").returncode == 0
    assert not stale.exists() and (folder / "SKILL.md").is_file()


def test_refuses_a_missing_project(tmp_path):
    result = run("tools/install_skill.py", str(tmp_path / "nope"))
    assert result.returncode == 1 and "not a directory" in result.stderr


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("name: Streamlit_App\ndescription: x", "name must be"),
        ("name: " + "a" * 65 + "\ndescription: x", "name must be"),
        ("name: ok-name\ndescription: " + "d" * 1025, "description must be"),
        ("name: ok-name", "description must be"),
    ],
)
def test_the_format_limits_are_enforced(front, problem):
    with pytest.raises(install_skill.SkillError, match=problem):
        install_skill.validated_name(f"---\n{front}\n---\nbody\n")


def test_this_skill_meets_the_limits():
    assert install_skill.validated_name((ROOT / "SKILL.md").read_text(encoding="utf-8")) == NAME
