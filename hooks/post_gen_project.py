"""Remove what the answers do not use, then print the next steps."""

import json
import os
import shutil
import subprocess
from pathlib import Path

# r'''...''' on purpose: tojson escapes ' so no answer can close the string.
# fmt: off
PROJECT_SLUG: str = json.loads(r'''{{ cookiecutter.project_slug|tojson }}''')
PARENT: str = json.loads(r'''{{ cookiecutter.parent|tojson }}''')
PARTS: dict = {
    "security_headers": json.loads(r'''{{ cookiecutter.security_headers|tojson }}'''),
    "auth_cookie": json.loads(r'''{{ cookiecutter.auth_cookie|tojson }}'''),
    "ip_allowlist": json.loads(r'''{{ cookiecutter.ip_allowlist|tojson }}'''),
    "seo": json.loads(r'''{{ cookiecutter.seo|tojson }}'''),
    "mcp": json.loads(r'''{{ cookiecutter.mcp|tojson }}'''),
    "websocket": json.loads(r'''{{ cookiecutter.websocket|tojson }}'''),
    "lifespan": json.loads(r'''{{ cookiecutter.lifespan|tojson }}'''),
}
# fmt: on

# The files each part or parent brings; everything listed for an unused one is removed.
PART_FILES = {
    "security_headers": ["{pkg}/security_headers.py"],
    "auth_cookie": ["{pkg}/auth.py", "tests/test_auth.py"],
    "ip_allowlist": ["{pkg}/ip_allowlist.py"],
    "seo": ["{pkg}/seo.py"],
    "mcp": ["{pkg}/mcp_tools.py"],
    "websocket": ["{pkg}/live_ticks.py"],
    "lifespan": ["{pkg}/warmup.py"],
}
PARENT_FILES = {
    "fastapi": ["{pkg}/fastapi_site.py", "{pkg}/home.py"],
    "streamlit": [],
    "django": ["{pkg}/django_site.py", "{pkg}/home.py", "{pkg}/asgi_glue.py"],
    "flask": ["{pkg}/flask_site.py", "{pkg}/home.py", "{pkg}/asgi_glue.py"],
}


def unused_files() -> set[str]:
    """Paths (relative to the project) that the chosen answers do not need."""
    keep = {path for parent, paths in PARENT_FILES.items() if parent == PARENT for path in paths}
    unused = {path for paths in PARENT_FILES.values() for path in paths} - keep
    unused |= {path for part, paths in PART_FILES.items() if not PARTS[part] for path in paths}
    return {path.format(pkg=PROJECT_SLUG) for path in unused}


def remove_unused(project: Path) -> None:
    for relative in sorted(unused_files()):
        target = project / relative
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def next_steps(project: Path) -> str:
    auth = PARTS["auth_cookie"]
    lines = [
        "",
        f"Created {project.name}/. Next steps:",
        f"  cd {project.name}",
        "  python -m venv .venv && . .venv/bin/activate",
        '  pip install -e ".[test]"',
    ]
    if auth:
        lines.append("  cp .env.example .env   # then set APP_PASSWORD and APP_SECRET_KEY in it")
    lines += [
        "  uvicorn app:app --port 8000 --no-proxy-headers" + (" --env-file .env" if auth else ""),
        "  open http://127.0.0.1:8000/" + ("" if PARENT == "streamlit" else "dashboard/"),
        "  pytest   # the project's own tests",
        "",
    ]
    return "\n".join(lines)


# --- .cruft.json: where this project came from, as cruft itself writes it -------------------
# The whole context; r'''...''' is safe for the same reason as above.
# fmt: off
CONTEXT: dict = json.loads(r'''{{ cookiecutter|tojson }}''')
# fmt: on
# What cookiecutter adds for its own use; cruft records neither (_commit is cruft's own).
NOT_RECORDED = ("_output_dir", "_repo_dir", "_checkout")


def template_dir() -> Path:
    """The template's directory (cookiecutter keeps a relative one relative to where it ran)."""
    return Path(os.environ.get("PWD", "."), CONTEXT["_repo_dir"])


def template_address() -> str:
    """A git address cruft can clone: the template as given, abbreviations expanded."""
    from cookiecutter.config import BUILTIN_ABBREVIATIONS
    from cookiecutter.repository import expand_abbreviations, is_repo_url

    given = expand_abbreviations(CONTEXT["_template"], BUILTIN_ABBREVIATIONS)
    if is_repo_url(given):
        return given
    local = template_dir()
    return str(local.resolve()) if local.is_dir() else CONTEXT["_template_source"]


def template_commit() -> str | None:
    """The template's commit; None when it is not a git checkout (or git is missing)."""
    if shutil.which("git") is None:
        return None
    git = ["git", "-C", str(template_dir()), "rev-parse", "HEAD"]
    result = subprocess.run(git, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def record_template_state(project: Path) -> None:
    """Write .cruft.json so `cruft update` knows the template, its commit and the answers.

    Under cruft (create, update) cruft writes it itself, and its context carries _commit.
    """
    if "_commit" in CONTEXT:
        return
    commit = template_commit()
    template = template_address()
    context = {key: value for key, value in CONTEXT.items() if key not in NOT_RECORDED}
    context.update(_template=template, _commit=commit)
    state = {"template": template, "commit": commit, "checkout": None,
             "context": {"cookiecutter": context}, "directory": None}  # fmt: skip
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": "))
    (project / ".cruft.json").write_text(text + "\n")


def main() -> int:
    project = Path.cwd()
    remove_unused(project)
    record_template_state(project)
    print(next_steps(project))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
