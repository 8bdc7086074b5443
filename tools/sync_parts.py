"""Derive the template's part modules from ``references/`` (the single source of truth).

Each reference marks its reusable code between ``# --- part: begin ---`` and
``# --- part: end ---``. This script copies that code into the template package under a
header written for the owner of the baked project: what the module does, which reference and
template version it comes from, and how to change or update it in their own project. The code
sits in a Jinja raw block, so cookiecutter and copier both copy it verbatim. ``--check`` only
compares and exits 1 when a part is stale (the test suite runs it).

    python tools/sync_parts.py          # rewrite the template's parts
    python tools/sync_parts.py --check  # fail if they differ from references/
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "references"
PACKAGE = ROOT / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}"
BEGIN, END = "# --- part: begin ---\n", "# --- part: end ---\n"

# template module -> reference it is derived from
PARTS: dict[str, str] = {
    "security_headers.py": "middleware_security_headers.py",
    "trusted_host.py": "middleware_trusted_host.py",
    "auth.py": "middleware_auth.py",
    "auth_oidc.py": "middleware_auth_oidc.py",
    "ip_allowlist.py": "middleware_ip_whitelist.py",
    "seo.py": "route_seo_metadata.py",
    "mcp_tools.py": "route_mcp_server.py",
    "live_ticks.py": "route_websocket_stream.py",
    "warmup.py": "core_lifespan_lifecycle.py",
    "asgi_glue.py": "mount_django.py",
    "api_docs.py": "mount_streamlit_as_subapp.py",
    "error_pages.py": "route_error_pages.py",
    "session_cost.py": "core_session_cost.py",
    "session_cookie.py": "middleware_session_cookie.py",
    "app_state.py": "core_shared_state.py",
}
# What a module does, where the reference's first line does not say it for every parent.
SUMMARIES: dict[str, str] = {
    "asgi_glue.py": "{{ cookiecutter.parent|capitalize }} owns ``/``; Streamlit is mounted at "
    "``/dashboard/``; websockets never reach {{ cookiecutter.parent|capitalize }}.",
}
# The reference a module comes from, as its owner should read it (the glue has one per parent).
SOURCES: dict[str, str] = {"asgi_glue.py": "mount_{{ cookiecutter.parent }}.py"}
# references that carry a copy of another's part (single files must stand alone)
TWINS: dict[str, str] = {
    "mount_flask.py": "mount_django.py",
    "mount_fastapi.py": "mount_streamlit_as_subapp.py",
}


def extract(reference: Path) -> str:
    """The code between the part markers of ``reference``."""
    text = reference.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(f"{reference.name}: needs exactly one part begin and end marker")
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip() + "\n"


def packaged(code: str) -> str:
    """A part importing another reference's part imports that part's module of the package."""
    for module, reference in PARTS.items():
        code = code.replace(f"\nfrom {Path(reference).stem} import ", f"\nfrom .{Path(module).stem} import ")
    return code


def first_line(reference: Path) -> str:
    """First line of the reference's docstring."""
    return reference.read_text(encoding="utf-8").split('"""', 2)[1].strip().splitlines()[0]


def template_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def render(module: str, reference: Path) -> str:
    summary = SUMMARIES.get(module) or first_line(reference)
    header = (
        f'"""{summary}\n\n'
        f"This module comes from references/{SOURCES.get(module, reference.name)} of st-asgi-template "
        f"{template_version()},\n"
        "where the pattern is explained and tested on its own. It is yours now: change it here and\n"
        "keep `pytest` green. To take a newer template version later, run `cruft update` (or\n"
        '`copier update`) as README.md describes; your changes are merged, not overwritten.\n"""\n\n'
    )
    return header + "{% raw -%}\n" + packaged(extract(reference)) + "{%- endraw %}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = []
    for twin, original in TWINS.items():
        if extract(REFERENCES / twin) != extract(REFERENCES / original):
            stale.append(f"references/{twin} part differs from references/{original}")
    for module, reference in PARTS.items():
        target, expected = PACKAGE / module, render(module, REFERENCES / reference)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == expected:
            continue
        if args.check:
            stale.append(f"{target.relative_to(ROOT)} is stale (from references/{reference})")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(expected, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
