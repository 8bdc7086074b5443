"""The installed skill stands alone: installed into an empty folder, every link and file path its
Markdown names resolves inside it, and its composer runs there without this repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import install_skill

NAME = "streamlit-asgi-app"
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# A path into the skill's own folders, as prose, code or a command names it.
SKILL_PATH = re.compile(
    rf"(?<![\w./-])((?:\.(?:agents|claude)/skills/{NAME}/)?(?:references|scripts)/[\w./-]*\w)"
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("empty")
    install_skill.install(project, ["agents", "claude"])
    return project


def markdown_files(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.md"))
    assert folder / "SKILL.md" in files
    return files


@pytest.mark.parametrize("target", [".agents/skills", ".claude/skills"])
def test_every_link_resolves_inside_the_installed_folder(installed, target):
    folder = (installed / target / NAME).resolve()
    checked = 0
    for document in markdown_files(folder):
        for link in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) or link.startswith("#"):
                continue  # web links and in-page anchors
            resolved = (document.parent / link.split("#", 1)[0]).resolve()
            assert resolved.is_relative_to(folder), f"{document.name} links out of the skill: {link}"
            assert resolved.exists(), f"{document.name} links to a file the install does not bring: {link}"
            checked += 1
    assert checked >= 25


@pytest.mark.parametrize("target", [".agents/skills", ".claude/skills"])
def test_every_file_path_it_names_is_installed(installed, target):
    folder = installed / target / NAME
    named = set()
    for document in markdown_files(folder):
        named |= set(SKILL_PATH.findall(document.read_text(encoding="utf-8")))
    assert any(path.endswith("scripts/compose.py") for path in named)
    missing = []
    for path in sorted(named):
        inside = re.sub(rf"^\.(agents|claude)/skills/{NAME}/", "", path)
        if not (folder / inside).exists():
            missing.append(path)
    assert not missing, f"paths named in the installed Markdown that the install does not bring: {missing}"


def test_the_composer_runs_from_the_installed_skill_alone(installed, tmp_path):
    """``python -I``: no site packages, no repository on the path; it reads only the installed copy."""
    script = installed / ".agents/skills" / NAME / "scripts" / "compose.py"
    command = [sys.executable, "-I", str(script), "--parent", "flask", "--app", "shop.web:app", "--auth",
               "oidc", "--parts", "mcp,seo", "--dest", str(tmp_path)]  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "streamlit_asgi" / "auth_oidc.py").is_file()
    assert "OIDC_ISSUER" in result.stdout and "uvicorn streamlit_asgi.asgi:app" in result.stdout


@pytest.mark.parametrize(
    "words",
    [
        ["scripts/compose.py", "then adapt", "--parent", "--protect", "--users-var"],
        ["A mounted dashboard that knows who signed in", 'st.user.get("name")', "trustedUserHeaders"],
        ["Signing out closes that person's open dashboard", "each message of an open websocket"],
    ],
    ids=["composer first", "st.user mounted", "sign-out closes the dashboard"],
)
def test_the_recipes_agents_lacked_are_routed(words):
    text = (install_skill.SKILL_FILE).read_text(encoding="utf-8")
    assert not [word for word in words if word not in text]
