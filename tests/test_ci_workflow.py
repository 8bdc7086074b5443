"""The repository's own GitHub workflow: Playwright's Chromium there (Ubuntu's `chromium` is a
snap stub), chosen through the one setting tests/support.py reads; the suite via ./run test."""

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
