"""Derive the template's part modules from ``references/`` (the single source of truth).

Each reference marks its reusable code between ``# --- part: begin ---`` and
``# --- part: end ---``. This script copies that code, under a short header, into the
template package. ``--check`` only compares and exits 1 when a part is stale (the test
suite runs it).

    python tools/sync_parts.py          # rewrite the template's parts
    python tools/sync_parts.py --check  # fail if they differ from references/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "references"
PACKAGE = ROOT / "{{cookiecutter.project_slug}}" / "{{cookiecutter.project_slug}}"
BEGIN, END = "# --- part: begin ---\n", "# --- part: end ---\n"

# template module -> reference it is derived from
PARTS: dict[str, str] = {
    "security_headers.py": "middleware_security_headers.py",
    "auth.py": "middleware_auth.py",
    "ip_allowlist.py": "middleware_ip_whitelist.py",
    "seo.py": "route_seo_metadata.py",
    "mcp_tools.py": "route_mcp_server.py",
    "live_ticks.py": "route_websocket_stream.py",
    "warmup.py": "core_lifespan_lifecycle.py",
    "asgi_glue.py": "mount_django.py",
    "api_docs.py": "mount_streamlit_as_subapp.py",
    "error_pages.py": "route_error_pages.py",
}
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


def summary(reference: Path) -> str:
    """First line of the reference's docstring."""
    return reference.read_text(encoding="utf-8").split('"""', 2)[1].strip().splitlines()[0]


def render(reference: Path) -> str:
    header = (
        f'"""{summary(reference)}\n\n'
        f"Derived from references/{reference.name} of st-asgi-template; that file explains\n"
        'the pattern and is tested on its own. Edit there, then run tools/sync_parts.py.\n"""\n\n'
    )
    return header + extract(reference)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = []
    for twin, original in TWINS.items():
        if extract(REFERENCES / twin) != extract(REFERENCES / original):
            stale.append(f"references/{twin} part differs from references/{original}")
    for module, reference in PARTS.items():
        target, expected = PACKAGE / module, render(REFERENCES / reference)
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
