"""The parent's home page at ``/``: what this project serves, with links."""

import html
from string import Template

from {{ cookiecutter.project_slug }} import DASHBOARD_PATH, DESCRIPTION, PROJECT_NAME
from {{ cookiecutter.project_slug }}.health import HEALTH_PATH

_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 4rem auto; color: #31333f; }
a { color: #ff4b4b; }
</style></head>
<body><h1>$title</h1><p>$description</p><ul>$links</ul></body></html>""")

LINKS = (
    (f"{DASHBOARD_PATH}/", "Open the dashboard"),
    (HEALTH_PATH, "Health check"),
)


def render_home(extra_links: tuple[tuple[str, str], ...] = ()) -> str:
    items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>'
        for href, label in LINKS + extra_links
    )
    return _PAGE.substitute(
        title=html.escape(PROJECT_NAME), description=html.escape(DESCRIPTION), links=items
    )
