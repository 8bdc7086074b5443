"""The repository's own GitHub workflow: Playwright's Chromium there (Ubuntu's `chromium` is a
snap stub), chosen through the one setting tests/support.py reads; the suite via ./run test; the
checkout with its tags, and the newest release tag naming the version in pyproject.toml."""

import subprocess
import tomllib

import pytest
import yaml

from tests.support import ROOT


def test_workflow_chooses_playwrights_chromium_through_the_setting():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert job["env"]["CHROMIUM"] == "playwright"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert not any("chromium" in run and "apt-get" in run for run in runs)
    setup, install, test = (
        runs.index(r)
        for r in ("./run setup", ".venv/bin/playwright install --with-deps chromium", "./run test")
    )
    assert setup < install < test
    support = (ROOT / "tests" / "support.py").read_text()
    assert 'os.environ.get("CHROMIUM"' in support and 'CHROMIUM == "playwright"' in support


def test_the_checkout_brings_the_tags():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    (checkout,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout")]
    assert checkout["with"]["fetch-depth"] == 0  # a shallow clone has no tags


def test_the_newest_release_tag_is_the_version_in_pyproject():
    # copier names a project's template version after the newest tag (and copies that release);
    # the parts' headers name the version in pyproject.toml: they must agree.
    tags = subprocess.run(["git", "tag", "--list", "v*", "--merged", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.split()  # fmt: skip
    if not tags:
        pytest.skip("a checkout without tags (a copy, or a shallow clone): nothing to compare")
    newest = subprocess.run(["git", "describe", "--tags", "--abbrev=0", "--match", "v*"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert newest == f"v{version}"
