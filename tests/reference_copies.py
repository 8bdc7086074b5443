"""A reference copied alone into an empty folder, as its docstring says, and started by its own command.

Each reference's docstring names the files that come with it (``Files that come with it``:
the first line, paths relative to ``references/``) and the command that starts it from the
folder it is copied into (the first command under ``Run it``).
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

from tests.support import ROOT, references

REFERENCES = ROOT / "references"
FILES_HEADING = "Files that come with it"
RUN_HEADING = "Run it"
OPEN_HEADING = "Open"
DOCSTRING_PORT = re.compile(r"--port 8000\b")
URL = re.compile(r"http://127\.0\.0\.1:\d+(/\S*)")


def pattern_modules() -> list[str]:
    """Every runnable reference (dashboards and helpers they import are not patterns)."""
    return references()


def sections(name: str) -> dict[str, list[str]]:
    """The docstring's sections: a heading at column 0, its body indented below it."""
    source = (REFERENCES / f"{name}.py").read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in docstring.splitlines()[1:]:
        if line and not line[0].isspace():
            current = found.setdefault(line.split(" (", 1)[0].strip(), [])
        elif current is not None and line.strip():
            current.append(line.strip())
    return found


def companion_files(name: str) -> list[str]:
    """The files the docstring lists under its heading: its lines of file names (prose may follow)."""
    files: list[str] = []
    for line in sections(name).get(FILES_HEADING, []):
        if not all(re.fullmatch(r"[\w./-]+(\.\w+|/)", word) for word in line.split()):
            break
        files += line.split()
    return files


def run_command(name: str) -> str:
    """The first command under ``Run it``, continuation lines joined."""
    command = ""
    for line in sections(name).get(RUN_HEADING, []):
        if line.endswith("\\"):
            command += line[:-1].rstrip() + " "
            continue
        return (command + line).split("   (", 1)[0].strip()
    return command.strip()


def open_paths(name: str) -> list[str]:
    return [match.group(1) for line in sections(name).get(OPEN_HEADING, []) for match in URL.finditer(line)]


def copy_alone(name: str, folder: Path) -> Path:
    """``name.py`` and exactly the files its docstring lists, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REFERENCES / f"{name}.py", folder)
    for relative in companion_files(name):
        source = REFERENCES / relative
        target = folder / relative.rstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return folder


def shell_env(port: int) -> dict[str, str]:
    """The test interpreter's ``python`` and ``uvicorn`` first on PATH; PORT for ``python X.py``."""
    import os

    return {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PORT": str(port),
    }


def command_on_port(name: str, port: int) -> list[str]:
    return ["bash", "-c", DOCSTRING_PORT.sub(f"--port {port}", run_command(name))]
