"""Derive references/common_passwords.txt from Django's list of 20,000 common passwords.

Django (BSD-3-Clause) ships ``django/contrib/auth/common-passwords.txt.gz``. The sign-in part
strips a password's leading and trailing digits and symbols and lowercases it ("Password123!"
-> "password"); cores shorter than 8 characters are refused by that rule alone, so the file keeps
only the distinct cores of 8 characters or more (about 3,200 lines). Run it from the
repository's venv, which has Django:

    python tools/common_passwords.py          # rewrite references/common_passwords.txt
    python tools/common_passwords.py --check  # exit 1 if the file differs
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "references" / "common_passwords.txt"
HEADER = (
    "# The cores (lowercased, leading/trailing digits and symbols removed) of Django's list of common\n"
    "# passwords (django/contrib/auth/common-passwords.txt.gz, BSD-3-Clause), 8 characters or more.\n"
    "# middleware_auth.py refuses a password whose core is listed here; made by tools/common_passwords.py.\n"
)


def core(password: str) -> str:
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", password.lower())


def derived() -> str:
    import django

    source = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"
    words = gzip.decompress(source.read_bytes()).decode().split()
    return HEADER + "".join(f"{c}\n" for c in sorted({core(w) for w in words if len(core(w)) >= 8}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    text = derived()
    if args.check:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.name} is stale: run python tools/common_passwords.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(TARGET.parents[1])} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
