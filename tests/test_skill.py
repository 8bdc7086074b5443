"""SKILL.md: valid Agent Skills front matter, and every link and command points at real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKILL = ROOT / "SKILL.md"
REFERENCES = ROOT / "references"

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# [text](target) or [text](target "title"); images ![alt](target) match too.
LINK_PATTERN = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
UVICORN_PATTERN = re.compile(r"uvicorn\s+references\.([A-Za-z0-9_]+):app\b")
STREAMLIT_RUN_PATTERN = re.compile(r"streamlit\s+run\s+references/([A-Za-z0-9_]+)\.py\b")


def _split_skill() -> tuple[str, str]:
    """The front matter text and the body of SKILL.md."""
    text = SKILL.read_text(encoding="utf-8")
    match = re.match(r"\A---\r?\n(.*?)\r?\n---\r?\n(.*)\Z", text, re.DOTALL)
    assert match, "SKILL.md must start with YAML front matter between --- lines"
    return match.group(1), match.group(2)


def _front_matter() -> dict[str, object]:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(_split_skill()[0])
    assert isinstance(data, dict), "the front matter must be a YAML mapping"
    return data


def _body() -> str:
    return _split_skill()[1]


def _links() -> list[str]:
    return LINK_PATTERN.findall(SKILL.read_text(encoding="utf-8"))


def _local_targets() -> list[str]:
    """Relative link targets without their #anchor; web links and pure anchors left out."""
    targets = []
    for target in _links():
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http:, https:, mailto: ... and in-page anchors
        targets.append(target.split("#", 1)[0])
    return targets


def _pattern_modules() -> list[Path]:
    return sorted(
        path
        for path in REFERENCES.glob("*.py")
        if path.name != "__init__.py" and not path.name.startswith("dashboard")
    )


def test_skill_file_exists() -> None:
    assert SKILL.is_file()


def test_name_is_lowercase_hyphenated_and_short() -> None:
    name = _front_matter().get("name")
    assert isinstance(name, str)
    assert NAME_PATTERN.match(name), name
    assert len(name) <= 64
    assert name == "streamlit-asgi-app"


def test_description_is_present_and_short() -> None:
    description = _front_matter().get("description")
    assert isinstance(description, str)
    assert description.strip()
    assert len(description) <= 1024, len(description)


def test_body_is_under_500_lines() -> None:
    body = _body()
    assert body.strip()
    assert len(body.splitlines()) < 500


def test_relative_links_exist() -> None:
    targets = _local_targets()
    assert targets, "SKILL.md links no reference file"
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert not missing, f"links to missing files: {missing}"


def test_every_reference_module_is_linked() -> None:
    linked = {(ROOT / target).resolve() for target in _local_targets()}
    modules = _pattern_modules()
    assert modules
    unlinked = [path.name for path in modules if path.resolve() not in linked]
    assert not unlinked, f"reference modules not linked from SKILL.md: {unlinked}"


def test_uvicorn_commands_name_existing_modules() -> None:
    text = SKILL.read_text(encoding="utf-8")
    named = UVICORN_PATTERN.findall(text)
    assert named, "SKILL.md shows no `uvicorn references.X:app` command"
    missing = sorted({module for module in named if not (REFERENCES / f"{module}.py").is_file()})
    assert not missing, f"uvicorn commands name missing modules: {missing}"


def test_streamlit_run_commands_name_existing_modules() -> None:
    named = STREAMLIT_RUN_PATTERN.findall(SKILL.read_text(encoding="utf-8"))
    missing = sorted({module for module in named if not (REFERENCES / f"{module}.py").is_file()})
    assert not missing, f"streamlit run commands name missing modules: {missing}"


def test_every_reference_module_has_its_uvicorn_command() -> None:
    named = set(UVICORN_PATTERN.findall(SKILL.read_text(encoding="utf-8")))
    without = [path.stem for path in _pattern_modules() if path.stem not in named]
    assert not without, f"no run command in SKILL.md for: {without}"


def test_uvicorn_commands_match_the_docstrings() -> None:
    """Each single-line uvicorn command in SKILL.md appears verbatim in its module's docstring."""
    text = SKILL.read_text(encoding="utf-8")
    commands = re.findall(r"`([^`\n]*uvicorn references\.[^`\n]*)`", text)
    assert commands
    for command in commands:
        match = UVICORN_PATTERN.search(command)
        assert match, f"{command!r} does not run a references module's `app`"
        module = match.group(1)
        source = (REFERENCES / f"{module}.py").read_text(encoding="utf-8")
        assert command in source, f"{command!r} differs from the docstring of {module}.py"
