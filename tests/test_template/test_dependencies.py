"""A baked project's dependencies: every module it imports is declared, and every lower bound in its
pyproject.toml is true, i.e. the lowest versions it allows install together and pass its own CI.

The lowest-versions check bakes every ``auth`` answer and every ``parent`` with all parts on (the
covering set below; a test proves it declares every dependency the template can declare), runs
the generated workflow's lowest-direct job literally, then reads what it installed: each direct
dependency must sit exactly on the bound pyproject.toml gives it (a bound the resolver cannot
reach is not a bound anyone tested). The bounds are read from the baked pyproject.toml, so a
dependency added to the template is checked without touching this file.
"""

import ast
import importlib.metadata
import itertools
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support import PARENTS, all_parts, bake, template_options
from tests.test_template.test_generated_live import run_job_literally, the_ci_job

AUTHS = tuple(template_options.BY_NAME["auth"].choices)
EVERY_PROJECT = list(itertools.product(PARENTS, AUTHS))  # each with all parts on
# Every auth answer and every parent at least once, all parts on.
LOWEST = [(PARENTS[i % len(PARENTS)], AUTHS[i % len(AUTHS)]) for i in range(max(len(PARENTS), len(AUTHS)))]
LOWEST_ENTRY = {"python-version": "3.11", "resolution": "lowest-direct"}


def bake_all_on(tmp_path: Path, parent: str, auth: str) -> Path:
    return bake(tmp_path / f"{parent}-{auth}", parent=parent, **{**all_parts(True), "auth": auth})


def requirements(project: Path, *, test: bool = True) -> list[Requirement]:
    """The project's declared dependencies (and its test extra's), as pyproject.toml gives them."""
    declared = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    found = declared["dependencies"] + (declared["optional-dependencies"]["test"] if test else [])
    return [Requirement(text) for text in found]


def lower_bound(requirement: Requirement) -> Version:
    (bound,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    return Version(bound)


def imported_modules(files: list[Path], own: set[str]) -> set[str]:
    """Top-level modules the files import, less the standard library and the project's own."""
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in own}


def provided_modules(declared: list[Requirement]) -> set[str]:
    """Modules the declared distributions install: their own, and those of a distribution a
    declared one pins exactly (a meta-package such as fastmcp, which is fastmcp-slim==its version)."""
    providers = importlib.metadata.packages_distributions()  # module -> distributions, this venv
    names = {canonicalize_name(requirement.name) for requirement in declared}
    for name in list(names):
        for text in importlib.metadata.requires(name) or []:
            pinned = Requirement(text)
            if pinned.marker is None and any(spec.operator == "==" for spec in pinned.specifier):
                names.add(canonicalize_name(pinned.name))
    return {
        module
        for module, distributions in providers.items()
        if {canonicalize_name(distribution) for distribution in distributions} & names
    }


@pytest.mark.parametrize(("parent", "auth"), EVERY_PROJECT, ids=[f"{p}-{a}" for p, a in EVERY_PROJECT])
def test_every_module_the_project_imports_is_declared(tmp_path, parent, auth):
    project = bake_all_on(tmp_path, parent, auth)
    package = project / project.name
    own = {"app", "dashboard", "tests", "conftest", package.name}
    code = imported_modules([project / "app.py", project / "dashboard.py", *package.rglob("*.py")], own)
    tests = imported_modules(list((project / "tests").rglob("*.py")), own)
    undeclared = sorted(code - provided_modules(requirements(project, test=False)))
    undeclared_in_tests = sorted(tests - provided_modules(requirements(project)))
    assert (undeclared, undeclared_in_tests) == ([], []), "imported but not in pyproject.toml"


def test_the_lowest_versions_check_covers_every_dependency_the_template_can_declare(tmp_path):
    def names(project: Path) -> set[str]:
        return {canonicalize_name(requirement.name) for requirement in requirements(project)}

    covered = set().union(*(names(bake_all_on(tmp_path / "lowest", *answers)) for answers in LOWEST))
    every: set[str] = set()
    for (parent, auth), on in itertools.product(EVERY_PROJECT, (True, False)):
        answers = {**all_parts(on), "parent": parent, "auth": auth}
        every |= names(bake(tmp_path / f"{parent}-{auth}-{on}", **answers))
    assert every - covered == set()
    assert {auth for _, auth in LOWEST} == set(AUTHS) and {parent for parent, _ in LOWEST} == set(PARENTS)


def installed_versions(project: Path) -> dict[str, Version]:
    """What the job installed in the project's .venv: distribution -> version."""
    listing = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({d.name: d.version for d in m.distributions()}))"
    )
    python = project / ".venv" / "bin" / "python"
    result = subprocess.run([str(python), "-c", listing], capture_output=True, text=True, check=True)
    return {canonicalize_name(name): Version(version) for name, version in json.loads(result.stdout).items()}


def padded(version: Version) -> tuple[int, ...]:
    return (*version.release, 0, 0, 0)[:3]


@pytest.mark.live
@pytest.mark.parametrize(("parent", "auth"), LOWEST, ids=[f"{p}-{a}" for p, a in LOWEST])
def test_lowest_allowed_versions_pass_the_projects_own_ci(tmp_path, parent, auth):
    project = bake_all_on(tmp_path, parent, auth)
    job = the_ci_job(project)
    run_job_literally(project, job, LOWEST_ENTRY)  # uv sync, ruff, pytest: fails on a bound too low
    installed = installed_versions(project)
    off_the_bound = {}
    for requirement in requirements(project):
        version, bound = installed[canonicalize_name(requirement.name)], lower_bound(requirement)
        if padded(version) != padded(bound):
            off_the_bound[requirement.name] = (f">={bound}", str(version))
    assert off_the_bound == {}, "declared bound, installed at the lowest resolution"


# oidc-provider-mock (the oidc tests' provider) imports authlib.jose, and Authlib turns its own
# deprecation warnings to "always" on import, past any filter: that one line stays, and only it.
PROVIDER_IMPORT = (
    "oidc_provider_mock/_app.py:25: AuthlibDeprecationWarning: authlib.jose module is deprecated"
)


@pytest.mark.parametrize("auth", AUTHS)
def test_the_projects_own_tests_print_no_warning(tmp_path, auth):
    # With this repository's versions (the newest the project allows, as `uv sync` picks them), and
    # the parts off: nothing else brings httpx2, which Starlette's TestClient wants.
    project = bake(tmp_path, parent="fastapi", **{**all_parts(False), "auth": auth})
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    if auth == "oidc":
        assert result.stdout.count("Warning:") == 1 and PROVIDER_IMPORT in result.stdout, result.stdout[
            -3000:
        ]
    else:
        assert "warnings summary" not in result.stdout, result.stdout[-3000:]
