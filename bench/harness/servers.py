"""Servers and browsers: started on 127.0.0.1 and free ports, stopped by their process group.

The live tests' helpers (tests/support.py) where they fit; here what a benchmark needs on top: a
start it can time from the first instant, health polled every 20 ms, and /proc readings.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from tests import support
from tests.support import (
    Server,
    chromium,
    free_port,
    spawn,
    uvicorn_command,
    wait_for_dashboard,
    wait_until_ready,
)

__all__ = [
    "Server", "chromium", "free_port", "spawn", "uvicorn_command", "wait_for_dashboard", "wait_until_ready",
]  # fmt: skip


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def start(command: Sequence[str], cwd: Path, log_path: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start ``command`` in a process group of its own, its output into ``log_path``."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            list(command), cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_ready(url: str, process: subprocess.Popen, timeout: float, interval: float = 0.02) -> float:
    """Poll ``url`` until it answers 200; return when (perf_counter). Raises if the process dies."""
    deadline = time.perf_counter() + timeout
    with httpx.Client(timeout=2) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(url).status_code == 200:
                    return time.perf_counter()
            time.sleep(interval)
    raise TimeoutError(f"{url} not ready after {timeout:g} s")


@contextlib.contextmanager
def serve(
    command: Sequence[str], cwd: Path, port: int, ready: str, work: Path, env: dict[str, str],
    timeout: float = 120,
) -> Iterator[Server]:  # fmt: skip
    """The live tests' ``serve``: listening on 127.0.0.1:``port``, ready on ``ready``, stopped by PID."""
    with support.serve(
        command, cwd=cwd, port=port, ready_path=ready, env=env, timeout=timeout, log_dir=work
    ) as server:
        yield server


def streamlit_run_command(port: int, script: str = "dashboard.py") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip


def read_status_kib(pid: int, key: str) -> int:
    """VmRSS / VmHWM (peak RSS) of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
