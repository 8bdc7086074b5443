"""Remove what the answers do not use, then print the next steps."""

import json
import shutil
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
    "fastapi": ["{pkg}/fastapi_site.py", "{pkg}/home.py", "{pkg}/api_docs.py"],
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
        "  "
        + ("set -a && . ./.env && set +a && " if auth else "")
        + "uvicorn app:app --port 8000 --no-proxy-headers",
        "  open http://127.0.0.1:8000/" + ("" if PARENT == "streamlit" else "dashboard/"),
        "  pytest   # the project's own tests",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    project = Path.cwd()
    remove_unused(project)
    print(next_steps(project))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
