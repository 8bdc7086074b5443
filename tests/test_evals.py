"""evals/: the skill-creator file is well formed, covers every parent and part, and every check
passes against its reference solution (a reference copied alone, or a baked project) and fails
where it should. Evals with the same solution share one server."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import template_options
from tests.reference_copies import copy_alone
from tests.support import PARENTS, PARTS, ROOT, bake
from tests.test_compose import PACKAGE, compose_existing

EVALS_DIR = ROOT / "evals"
EVALS = json.loads((EVALS_DIR / "evals.json").read_text(encoding="utf-8"))
ENTRIES = EVALS["evals"]
# A check run against another eval's solution, which lacks what it checks: it must fail.
MUST_FAIL = {
    "route_mcp_server": ["07_guard_mounted_dashboard", "15_private_metrics"],
    "mount_streamlit_as_subapp": ["07_guard_mounted_dashboard", "02_streamlit_root_api"],
    "middleware_security_headers": ["08_ip_allowlist", "12_lifespan_warm_caches"],
    "core_combined_lifespans": ["14_agent_api_behind_guard", "16_app_run_fails_fast"],
    # the composer's solutions (evals 17-20), by parent: another existing app's check must fail
    "composed-fastapi": ["17_existing_django_staff", "18_existing_flask_live"],
    "composed-streamlit": ["19_existing_fastapi_accounts"],
}


def load_harness():
    spec = importlib.util.spec_from_file_location("_harness", EVALS_DIR / "checks" / "_harness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


def solution_key(entry: dict) -> str:
    return json.dumps([entry["solution"], entry["env"], entry["start"]], sort_keys=True)


def groups() -> list[list[dict]]:
    by_solution: dict[str, list[dict]] = {}
    for entry in ENTRIES:
        by_solution.setdefault(solution_key(entry), []).append(entry)
    return list(by_solution.values())


def group_id(group: list[dict]) -> str:
    solution = group[0]["solution"]
    if "compose" in solution:
        return f"composed-{group[0]['parent']}"
    return solution.get("reference") or "bake-" + "-".join(f"{k}={v}" for k, v in solution["bake"].items())


def run_check(script: str, project: Path, module: str, url: str, log: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        str(ROOT / script),
        str(project),
        "--module",
        module,
        "--url",
        url,
        "--log",
        str(log),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ})


def test_the_file_has_the_skill_creator_shape():
    assert EVALS["skill_name"] == "streamlit-asgi-app"
    assert len(ENTRIES) >= 12
    ids = [entry["id"] for entry in ENTRIES]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)
    for entry in ENTRIES:
        assert entry["prompt"].strip() and entry["expected_output"].strip()
        assert isinstance(entry["files"], list) and entry["expectations"]
        assert (
            "{module}" in entry["start"] and "--lifespan on" in entry["start"] or "python" in entry["start"]
        )


def test_every_parent_and_part_is_covered():
    assert {entry["parent"] for entry in ENTRIES} == set(PARENTS)
    choices = {choice.name for choice in template_options.CHOICES if choice.name != "parent"}
    assert {part for entry in ENTRIES for part in entry["parts"]} == set(PARTS) | choices


def test_every_check_is_an_executable_script_with_a_solution():
    for entry in ENTRIES:
        script = ROOT / entry["check"]
        assert script.is_file() and os.access(script, os.X_OK), entry["check"]
        assert script.read_text().startswith("#!/usr/bin/env python3")
        solution = entry["solution"]
        assert len({"reference", "bake", "compose"} & solution.keys()) == 1, entry["id"]
        if "reference" in solution:
            assert (ROOT / "references" / f"{solution['reference']}.py").is_file()
        if "compose" in solution:  # the existing app the agent is given, and the composer's answers
            assert entry["files"] and all((ROOT / name).is_file() for name in entry["files"])
            assert solution["compose"][:2] == ["--parent", entry["parent"]]


def test_a_check_without_its_project_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / ENTRIES[0]["check"]), str(tmp_path), "--url", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0


@pytest.mark.live
@pytest.mark.parametrize("group", groups(), ids=group_id)
def test_checks_pass_on_their_reference_solution(group, tmp_path):
    solution = group[0]["solution"]
    if "reference" in solution:
        module = solution["reference"]
        project = copy_alone(module, tmp_path / "solution")
    elif "compose" in solution:  # the existing app, the skill installed in it, the composer run there
        module = f"{PACKAGE}.asgi"
        project = compose_existing(tmp_path, group[0]["parent"], solution["compose"])
    else:
        module = "app"
        project = bake(tmp_path, **solution["bake"])
    harness = load_harness()
    with harness.started(project, group[0], module) as target:
        for entry in group:
            result = run_check(entry["check"], project, module, target.base_url, target.log_path)
            assert result.returncode == 0, result.stdout + result.stderr
            assert result.stdout.startswith("PASS")
        for name in MUST_FAIL.get(group_id(group) if "compose" in solution else module, []):
            result = run_check(f"evals/checks/{name}.py", project, module, target.base_url, target.log_path)
            assert result.returncode == 1 and result.stdout.startswith("FAIL"), (
                name,
                result.stdout,
                result.stderr,
            )
