"""The README's screenshots, taken by the crawl test: each parent baked with every part on,
served, signed in, crawled, and its dashboard photographed.

python docs/make_screenshots.py    # writes docs/screenshots/<parent>.png
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/test_template/test_crawl.py"]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "CRAWL_SCREENSHOTS": str(OUT)})
    for picture in sorted(OUT.glob("*.png")):
        print("wrote", picture.relative_to(ROOT))
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
