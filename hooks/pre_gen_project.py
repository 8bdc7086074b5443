"""Validate the answers before anything is written; exit 1 with one clear line if wrong.

Answers are read with ``tojson`` inside raw strings, so no answer can break out of the
string literal (``"; import os #`` is just text here).
"""

import json
import keyword
import re
import sys
import unicodedata

# r'''...''' on purpose: tojson escapes ' so no answer can close the string.
# fmt: off
PROJECT_NAME: str = json.loads(r'''{{ cookiecutter.project_name|tojson }}''')
PROJECT_SLUG: str = json.loads(r'''{{ cookiecutter.project_slug|tojson }}''')
DESCRIPTION: str = json.loads(r'''{{ cookiecutter.description|tojson }}''')
AUTHOR_NAME: str = json.loads(r'''{{ cookiecutter.author_name|tojson }}''')
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

PARENTS = ("fastapi", "streamlit", "django", "flask")
SLUG_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
# Names the generated project imports or creates: a package with one of them would shadow it.
TAKEN_NAMES = frozenset(
    {
        "a2wsgi", "app", "dashboard", "django", "fastapi", "fastmcp", "flask", "httpx",
        "itsdangerous", "mcp", "pydantic", "pytest", "secure", "starlette", "streamlit",
        "tests", "uvicorn", "websockets",
    }
)  # fmt: skip


def check_slug(slug: str) -> str | None:
    """Why ``slug`` cannot be the package name, or None."""
    if not slug:
        return "project_slug is empty: give a name such as my_dashboard"
    if not SLUG_PATTERN.match(slug):
        return (
            f"project_slug {slug!r} must be lowercase ASCII letters, digits and _, not starting with a digit"
        )
    if len(slug) > 40:
        return f"project_slug {slug!r} is longer than 40 characters"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword"
    if slug in sys.stdlib_module_names:
        return f"project_slug {slug!r} would shadow the standard library module of that name"
    if slug in TAKEN_NAMES:
        return f"project_slug {slug!r} would shadow a module the project uses"
    return None


def check_text(field: str, value: str, max_length: int) -> str | None:
    """Why a one-line text answer is unusable, or None."""
    if not value.strip():
        return f"{field} is empty"
    if len(value) > max_length:
        return f"{field} is longer than {max_length} characters"
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        return f"{field} must be a single line without control characters"
    return None


def problems() -> list[str]:
    found = [
        check_slug(PROJECT_SLUG),
        check_text("project_name", PROJECT_NAME, 100),
        check_text("description", DESCRIPTION, 300),
        check_text("author_name", AUTHOR_NAME, 100),
    ]
    if PARENT not in PARENTS:
        found.append(f"parent {PARENT!r} is not one of: {', '.join(PARENTS)}")
    found += [f"{name} must be true or false, not {value!r}" for name, value in PARTS.items()
              if not isinstance(value, bool)]  # fmt: skip
    return [problem for problem in found if problem]


def main() -> int:
    errors = problems()
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
