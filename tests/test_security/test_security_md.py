"""SECURITY.md names, for every guarantee, the tests that prove it; and those tests exist."""

from __future__ import annotations

import re

from tests.support import ROOT, bake

TEMPLATE_TESTS = ROOT / "{{cookiecutter.project_slug}}" / "tests"
CITED = re.compile(r"`(test_\w+)`")


def guarantees() -> list[str]:
    """Each bullet and paragraph of the "Guarantees" section, headings left out."""
    text = (ROOT / "SECURITY.md").read_text()
    section = text.split("\n## Guarantees\n", 1)[1].split("\n## ", 1)[0]
    blocks: list[list[str]] = []
    for line in section.splitlines():
        if not line.strip() or line.startswith("#"):
            blocks.append([])
        elif line.startswith("- ") or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [" ".join(block) for block in blocks if block]


def defined_tests() -> set[str]:
    files = [*(ROOT / "tests").rglob("test_*.py"), *TEMPLATE_TESTS.glob("test_*.py")]
    return {
        name for path in files for name in re.findall(r"(?m)^(?:async )?def (test_\w+)", path.read_text())
    }


def test_every_guarantee_names_its_tests():
    claims = guarantees()
    assert len(claims) >= 20, "the Guarantees section was not found or lost its bullets"
    uncited = [claim[:80] for claim in claims if not CITED.search(claim)]
    assert uncited == [], f"guarantees without a test: {uncited}"


def test_every_named_test_exists():
    cited = {name for claim in guarantees() for name in CITED.findall(claim)}
    assert sorted(cited - defined_tests()) == []


def test_documented_run_commands_bound_headers(tmp_path):
    """The claim "the documented command is uvicorn app:app --http h11 ... --no-proxy-headers"."""
    project = bake(tmp_path)
    readme = (project / "README.md").read_text()
    flags = "--http h11 --ws-per-message-deflate false --no-proxy-headers"
    assert f"uvicorn app:app --port 8000 {flags}" in readme
    dockerfile = (project / "Dockerfile").read_text()
    assert '"--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers"' in dockerfile
    assert "--http h11" in (ROOT / "README.md").read_text()
    app_py = (project / "app.py").read_text()  # python app.py (mounted parents)
    assert 'http="h11", ws_per_message_deflate=False,' in app_py and "proxy_headers=False" in app_py
