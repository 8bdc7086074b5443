"""Bake each parent with every part on, serve it, sign in, and screenshot its dashboard.

python docs/make_screenshots.py    # writes docs/screenshots/<parent>.png
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import AUTH_ENV, TEST_PASSWORD, TEST_USER
from tests.support import (
    PARENTS,
    all_parts,
    bake,
    chromium,
    free_port,
    serve,
    uvicorn_command,
    wait_for_dashboard,
)

OUT = Path(__file__).parent / "screenshots"
NAME = "Acme Sales Board"
# A throwaway server on loopback, stopped right after: the tests' account will do.
ENV = {**AUTH_ENV, "APP_SECRET_KEY": "screenshot-only-key-" + "0" * 32}


def capture(browser, parent: str, workdir: Path) -> Path:
    project = bake(workdir, project_name=NAME, parent=parent, **all_parts(True))
    port = free_port()
    dashboard = "/" if parent == "streamlit" else "/dashboard/"
    with serve(uvicorn_command("app:app", port), cwd=project, port=port, ready_path="/healthz", env=ENV,
               log_dir=workdir) as server:  # fmt: skip
        page = browser.new_page(viewport={"width": 1280, "height": 1150})
        page.goto(server.base_url + dashboard)
        page.fill("input[name=username]", TEST_USER)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        wait_for_dashboard(page, NAME)
        ticks = "Number(f.contentDocument?.querySelector('[data-testid=live-seq]')?.textContent) >= 3"
        page.wait_for_function(f"() => [...document.querySelectorAll('iframe')].some(f => {ticks})")
        page.get_by_text("Warmed at start-up").wait_for()
        page.wait_for_timeout(1500)  # let the charts finish drawing
        target = OUT / f"{parent}.png"
        page.screenshot(path=str(target))
        page.close()
    return target


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with chromium() as browser, tempfile.TemporaryDirectory() as tmp:
        for parent in PARENTS:
            workdir = Path(tmp) / parent
            workdir.mkdir()
            print("wrote", capture(browser, parent, workdir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
