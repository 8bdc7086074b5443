"""SKILL.md: valid Agent Skills front matter, and every link and command points at real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reference_copies import pattern_modules, run_command

ROOT = Path(__file__).resolve().parents[1]
SKILL = ROOT / "SKILL.md"
REFERENCES = ROOT / "references"

NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# [text](target) or [text](target "title"); images ![alt](target) match too.
LINK_PATTERN = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Commands as run from the folder a reference is copied into: `uvicorn X:app`, `python X.py`.
UVICORN_PATTERN = re.compile(r"uvicorn\s+(?!app:)([A-Za-z0-9_]+):app\b")
PYTHON_RUN_PATTERN = re.compile(r"\bpython\s+(?!app\.py)([A-Za-z0-9_]+)\.py\b")
STREAMLIT_RUN_PATTERN = re.compile(r"streamlit\s+run\s+(?!app\.py)([A-Za-z0-9_]+)\.py\b")


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
    return [REFERENCES / f"{name}.py" for name in pattern_modules()]


def _run_commands() -> list[str]:
    """Commands in inline code and in bash blocks (continuation lines joined)."""
    text = SKILL.read_text(encoding="utf-8")
    inline = re.findall(r"`([^`\n]*(?:uvicorn|python|streamlit run) [^`\n]*)`", text)
    blocks = re.findall(r"```bash\n(.*?)```", text, re.DOTALL)
    joined = [re.sub(r"\\\n\s*", " ", block).strip() for block in blocks]
    return inline + [line for block in joined for line in block.splitlines()]


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
    assert named, "SKILL.md shows no `uvicorn X:app` command for a reference"
    missing = sorted({module for module in named if not (REFERENCES / f"{module}.py").is_file()})
    assert not missing, f"uvicorn commands name missing modules: {missing}"


def test_streamlit_run_commands_name_existing_modules() -> None:
    named = STREAMLIT_RUN_PATTERN.findall(SKILL.read_text(encoding="utf-8"))
    missing = sorted({module for module in named if not (REFERENCES / f"{module}.py").is_file()})
    assert not missing, f"streamlit run commands name missing modules: {missing}"


def test_every_reference_module_has_its_run_command() -> None:
    text = SKILL.read_text(encoding="utf-8")
    named = set(UVICORN_PATTERN.findall(text)) | set(PYTHON_RUN_PATTERN.findall(text))
    without = [path.stem for path in _pattern_modules() if path.stem not in named]
    assert not without, f"no run command in SKILL.md for: {without}"


def test_run_commands_are_the_docstrings_own() -> None:
    """Each command that starts a reference is the first command under its docstring's "Run it"."""
    checked = 0
    for command in _run_commands():
        match = UVICORN_PATTERN.search(command) or PYTHON_RUN_PATTERN.search(command)
        if not match:
            continue
        expected = run_command(match.group(1))
        assert command.split() == expected.split(), f"{command!r} differs from {match.group(1)}.py's"
        checked += 1
    assert checked >= len(_pattern_modules())


def test_uvicorn_commands_turn_the_lifespan_on() -> None:
    for command in _run_commands():
        if UVICORN_PATTERN.search(command):
            assert "--lifespan on" in command, command


def test_no_command_needs_the_repository_root() -> None:
    assert "references." not in " ".join(_run_commands())


# Each problem the skill was found not to route (issue 13's "Why"): words an agent meets
# in SKILL.md, and the reference that shows the working recipe (None: a note, no module).
RECIPES = {
    "guard when a parent owns /": (["Guard a mounted dashboard", "prefix"], "middleware_protected_prefixes"),
    "CSP needs usage stats off": (["browser.gatherUsageStats = false", "Zero CSP violations"],
                                  "middleware_security_headers"),
    "copy a reference alone": (["Files that come with it", "--lifespan on"], None),
    "combining lifespans": (["combine_lifespans", "fastmcp.utilities.lifespan"], "core_combined_lifespans"),
    "cache imports inside the lifespan": (["No runtime found", "**inside** the lifespan"],
                                          "core_combined_lifespans"),
    "App.run": (["app.run(config=", "python core_app_run.py"], "core_app_run"),
    "debug and lifespan() on a standalone app": (["debug=True", "do not call `lifespan()` on a standalone"],
                                                 "core_app_run"),
    "missing script fails at start": (["check the path at import"], "core_app_run"),
    "st.login under st.App": (["`st.login` (OIDC) under st.App", "/auth/login", "/oauth2callback"], None),
    "agent API and MCP": (["server.enableAgentApi", "/_stcore/agent/mcp", "server.trustedUserHeaders"],
                          "route_agent_api"),
    "metrics private": (["/_stcore/metrics", "METRICS_TOKEN"], "middleware_private_metrics"),
    "install story": ([".agents/skills/streamlit-asgi-app/", ".claude/skills/", "tools/install_skill.py"],
                      None),
}  # fmt: skip


@pytest.mark.parametrize("topic", RECIPES)
def test_each_recipe_is_routed(topic) -> None:
    words, module = RECIPES[topic]
    text = SKILL.read_text(encoding="utf-8")
    missing = [word for word in words if word not in text]
    assert not missing, f"{topic}: SKILL.md does not say {missing}"
    if module:
        assert f"(references/{module}.py)" in text, f"{topic}: no link to {module}.py"


def test_no_placeholders() -> None:
    text = SKILL.read_text(encoding="utf-8").lower()
    assert not [word for word in ("todo", "tbd", "coming soon", "placeholder", "xxx") if word in text]
