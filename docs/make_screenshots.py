"""The README's screenshots, taken by the crawl test: each parent baked with every part on,
served, signed in, crawled, and its dashboard photographed.

python docs/make_screenshots.py    # writes docs/screenshots/<parent>.png

It needs what the tests need (``./run setup``: pytest, Playwright, Chromium). It names only the
files it wrote, and exits 1, saying so, unless it wrote one for every parent.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "screenshots"
sys.path.insert(0, str(ROOT))

import template_options  # noqa: E402

EXPECTED = [f"{parent}.png" for parent in template_options.BY_NAME["parent"].choices]


def stamps() -> dict[str, int]:
    return {picture.name: picture.stat().st_mtime_ns for picture in OUT.glob("*.png")}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    before = stamps()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/test_template/test_crawl.py"]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "CRAWL_SCREENSHOTS": str(OUT)})
    after = stamps()
    written = [name for name in EXPECTED if name in after and after[name] != before.get(name)]
    for name in written:
        print("wrote", (OUT / name).relative_to(ROOT))
    missing = [name for name in EXPECTED if name not in written]
    if done.returncode != 0 or missing:
        print(
            f"make_screenshots: the crawl test exited with {done.returncode}; not written: "
            f"{', '.join(missing) or 'none'} (the old files stay; `./run setup` installs what it needs)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
