"""Install this repository's agent skill (SKILL.md, references/, scripts/) into a project.

    python tools/install_skill.py <project-dir> [--target agents|claude|both]
    python -m tools.install_skill <project-dir>

writes ``<project-dir>/.agents/skills/<name>/`` and ``<project-dir>/.claude/skills/<name>/``,
where ``<name>`` is the ``name`` in SKILL.md's front matter (the Agent Skills format wants
the folder named after it). ``scripts/`` holds the composer (``scripts/compose.py``) and
``scripts/parts.json``, what the template's answers mean (from tools/sync_parts.py and
template_options.py, which an installed skill does not have). An installed copy is replaced,
so re-running updates it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKILL_FILE = ROOT / "SKILL.md"
REFERENCES = ROOT / "references"
SCRIPTS = ROOT / "scripts"
TARGETS = {"agents": Path(".agents/skills"), "claude": Path(".claude/skills")}
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME = 64
MAX_DESCRIPTION = 1024
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py")


class SkillError(ValueError):
    """SKILL.md does not meet the Agent Skills format."""


def front_matter(text: str) -> dict[str, str]:
    """The YAML front matter between the leading ``---`` lines."""
    import yaml

    match = re.match(r"\A---\r?\n(.*?)\r?\n---\r?\n", text, re.DOTALL)
    if not match:
        raise SkillError("SKILL.md must start with YAML front matter between --- lines")
    data = yaml.safe_load(match.group(1))
    if not isinstance(data, dict):
        raise SkillError("the front matter must be a YAML mapping")
    return data


def validated_name(text: str) -> str:
    """The skill's name, after checking name and description against the format's limits."""
    data = front_matter(text)
    name, description = data.get("name"), data.get("description")
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or len(name) > MAX_NAME:
        raise SkillError(
            f"name must be lowercase words joined by hyphens, at most {MAX_NAME} chars: {name!r}"
        )
    if not isinstance(description, str) or not description.strip() or len(description) > MAX_DESCRIPTION:
        raise SkillError(f"description must be non-empty and at most {MAX_DESCRIPTION} chars")
    return name


def install(project: Path, targets: list[str]) -> list[Path]:
    """Copy SKILL.md and references/ into each target's ``skills/<name>/``; return the folders."""
    if not project.is_dir():
        raise FileNotFoundError(f"not a directory: {project}")
    name = validated_name(SKILL_FILE.read_text(encoding="utf-8"))
    catalogue = composer().catalogue(ROOT)
    written = []
    for target in targets:
        folder = project / TARGETS[target] / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copy2(SKILL_FILE, folder / "SKILL.md")
        shutil.copytree(REFERENCES, folder / "references", ignore=LEFT_OUT)
        shutil.copytree(SCRIPTS, folder / "scripts", ignore=LEFT_OUT)
        (folder / "scripts" / "parts.json").write_text(
            json.dumps(catalogue, indent=1) + "\n", encoding="utf-8"
        )
        written.append(folder)
    return written


def composer():
    """scripts/compose.py, imported from this checkout."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        import compose
    finally:
        sys.path.remove(str(SCRIPTS))
    return compose


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install the streamlit-asgi-app skill into a project.")
    parser.add_argument("project", type=Path, help="the project to install the skill into")
    parser.add_argument("--target", choices=[*TARGETS, "both"], default="both")
    args = parser.parse_args(argv)
    targets = list(TARGETS) if args.target == "both" else [args.target]
    try:
        folders = install(args.project, targets)
    except (SkillError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for folder in folders:
        print(f"installed {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
