"""HTTP load: Debian's wrk (one thread) when installed, else bench/programs/loadgen.py; a process each."""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"
INSTALL_HINT = "install Debian's wrk (sudo apt-get install -y wrk) for the real figures 1 and 2"


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    timeouts: int = 0  # wrk leaves these out of its latency percentiles


class LoadGenerator:
    """wrk when present (``choice`` auto or wrk), else the async httpx fallback."""

    def __init__(self, choice: str) -> None:
        self.wrk = shutil.which("wrk") if choice in ("auto", "wrk") else None
        if choice == "wrk" and not self.wrk:
            raise SystemExit(f"wrk is not installed: {INSTALL_HINT}")
        if self.wrk:
            version = subprocess.run([self.wrk, "--version"], capture_output=True, text=True).stdout
            self.name = (version.strip().splitlines() or ["wrk"])[0].split(" Copyright")[0]
        else:
            if choice == "auto":
                print(
                    f"bench: wrk is missing, using the slower httpx client; {INSTALL_HINT}", file=sys.stderr
                )
            self.name = f"bench/programs/loadgen.py (async httpx {importlib.metadata.version('httpx')})"

    def run(self, url: str, seconds: float, connections: int, cookie: str = "", header: str = "") -> Load:
        """``cookie``: a Cookie header's value; ``header``: any other header line ("Name: value")."""
        headers = [*([f"Cookie: {cookie}"] if cookie else []), *([header] if header else [])]
        if self.wrk:
            return self._wrk(url, seconds, connections, headers)
        command = [
            sys.executable, str(PROGRAMS / "loadgen.py"), "--url", url, "--seconds", str(seconds),
            "--connections", str(connections), *(f"--header={line}" for line in headers),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        if done.returncode != 0:
            raise RuntimeError(f"loadgen failed: {done.stderr[-1500:]}")
        data = json.loads(done.stdout)
        return Load(data["rps"], data["p50_ms"], data["p99_ms"], data["requests"], data["errors"])

    def _wrk(self, url: str, seconds: float, connections: int, headers: list[str]) -> Load:
        command = [self.wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        command += ["--timeout", "10s", *(arg for line in headers for arg in ("-H", line)), url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        out = done.stdout
        if done.returncode != 0 or "Requests/sec" not in out:
            raise RuntimeError(f"wrk failed: {out[-1500:]} {done.stderr[-500:]}")
        errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors += int(non_2xx.group(1)) if non_2xx else 0
        timeouts = re.search(r"timeout (\d+)", out)
        return Load(
            rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            p50_ms=_wrk_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            p99_ms=_wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            requests=int(re.search(r"(\d+) requests in", out).group(1)),
            errors=errors,
            timeouts=int(timeouts.group(1)) if timeouts else 0,
        )


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]
