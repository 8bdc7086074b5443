"""Several uvicorn processes of a baked project behind the project's own deploy/nginx.conf.

The shipped nginx.conf, with its example upstream lines replaced by this run's ports and its
``listen 80`` by a free loopback port, runs as this user in the foreground (every path in a
temporary directory). Each process is a real uvicorn, started as deploy/README.md says, with
the same environment (``REDIS_URL`` and the like). ``Cluster.stop(i)``/``start(i)``,
``Cluster.restart(i)`` and ``Cluster.rolling_restart()`` stop processes one at a time and
start them again on their ports while nginx keeps serving.

    with cluster(project, tmp_path, processes=3, env={"REDIS_URL": redis_url}) as running:
        httpx.get(running.base_url + "/healthz")
        running.rolling_restart()
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import Server, free_port, serve, spawn, uvicorn_command, wait_until_ready

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY = "127.0.0.1"
SLUG = "streamlit_asgi_app"  # the default project_slug
COOKIE = "st_affinity"

needs_nginx = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is not installed (./run installs it)"
)


def site_config(template: str, *, upstream_ports: Sequence[int], port: int, affinity: bool) -> str:
    """The baked deploy/nginx.conf with this test's ports, optionally without its affinity."""
    lines = template.splitlines()
    servers = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*server 127\.0\.0\.1:\d+;", line)]
    assert len(servers) == 2 and servers[1] == servers[0] + 1, "expected two example upstream servers"
    lines[servers[0] : servers[1] + 1] = [f"    server {PROXY}:{p};" for p in upstream_ports]
    text = "\n".join(lines) + "\n"
    text, listens = re.subn(r"(?m)^(\s*)listen 80;$", rf"\g<1>listen {PROXY}:{port};", text)
    assert listens == 1, "expected one 'listen 80;'"
    if not affinity:
        text, hashes = re.subn(r"(?m)^\s*hash \$\w+ consistent;\n", "", text)
        assert hashes == 1, "expected one 'hash ... consistent;' line"
    return text


def main_config(directory: Path, site: Path, slug: str = SLUG) -> str:
    """nginx as this user, in the foreground, with every path inside ``directory``.

    Access log lines: ``upstream(s) cookie affinity-key status method uri``.
    """
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
master_process off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} notice;
events {{
    worker_connections 1024;
}}
http {{
    log_format affinity '$upstream_addr $cookie_{COOKIE} ${slug}_affinity_key $status $request_method $uri';
    access_log {directory / "access.log"} affinity;
{temp}
    include {site};
}}
"""


@contextlib.contextmanager
def nginx(directory: Path, site_text: str, port: int, slug: str = SLUG) -> Iterator[Server]:
    """nginx with ``site_text`` on 127.0.0.1:port (checked with ``nginx -t`` first); stopped by PID."""
    directory.mkdir()
    site = directory / "site.conf"
    site.write_text(site_text)
    conf = directory / "nginx.conf"
    conf.write_text(main_config(directory, site, slug))
    command = [NGINX, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    with serve(
        command, cwd=directory, port=port, ready_path="/healthz", timeout=30, log_dir=directory
    ) as server:
        yield server


def project_slug(project: Path) -> str:
    """The package name a baked project was made with (its .cookiecutter.json)."""
    return json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]["project_slug"]


@dataclass
class Cluster:
    """N uvicorn processes of ``project`` behind its nginx.conf (``proxy``), as started by ``cluster``."""

    project: Path
    proxy: Server  # nginx: send the clients here (``base_url``)
    processes: list[Server]  # processes[i] listens on ports[i]; replaced on restart
    ports: list[int]
    env: dict[str, str]
    log_dir: Path
    target: str = "app:app"
    ready_path: str = "/healthz"
    restarts: list[int] = field(default_factory=list)  # the indexes restarted, in order

    @property
    def base_url(self) -> str:
        return self.proxy.base_url

    @property
    def access_log(self) -> Path:
        """nginx's access log (see ``main_config`` for its fields)."""
        return Path(self.proxy.log_path).parent / "access.log"

    def command(self, port: int) -> list[str]:
        """uvicorn as deploy/README.md runs it: h11, uncompressed websockets, no proxy handling."""
        return uvicorn_command(self.target, port)

    def stop(self, index: int, *, kill: bool = False) -> None:
        """Stop process ``index`` by PID: SIGTERM (a deploy), or SIGKILL with ``kill`` (a crash)."""
        server = self.processes[index]
        server.kill() if kill else server.stop()

    def start(self, index: int, *, timeout: float = 120) -> Server:
        """Start process ``index`` again on its port (after ``stop``) and wait until it is ready.

        Its log file goes on (appended to), so ``log(index)`` holds every life of it.
        """
        if self.processes[index].process.poll() is None:
            raise RuntimeError(f"process {index} is still running")
        port = self.ports[index]
        new = spawn(self.command(port), cwd=self.project, port=port, env=self.env,
                    log_dir=self.log_dir, append_log=True)  # fmt: skip
        self.processes[index] = wait_until_ready(new, self.ready_path, timeout)
        return new

    def restart(self, index: int, *, kill: bool = False, timeout: float = 120) -> Server:
        """``stop(index)`` then ``start(index)``: the same port, a new PID."""
        self.stop(index, kill=kill)
        new = self.start(index, timeout=timeout)
        self.restarts.append(index)
        return new

    def rolling_restart(self, *, kill: bool = False, after_each: Callable[[int], None] | None = None) -> None:
        """Restart the processes one by one (never two down at once); ``after_each(i)`` runs after
        process ``i`` is back, e.g. to check that clients still get through nginx."""
        for index in range(len(self.processes)):
            self.restart(index, kill=kill)
            if after_each is not None:
                after_each(index)

    def log(self, index: int) -> str:
        """What process ``index`` wrote (uvicorn's access lines included), across its restarts."""
        return self.processes[index].log()

    def requests_per_process(self, uri: str = r".*", method: str = r"\S+") -> Counter[int]:
        """How many requests nginx passed to each process (by index) whose method and uri match.

        A request nginx retried on another process counts for the one that answered last.
        """
        counts: Counter[int] = Counter()
        by_port = {port: index for index, port in enumerate(self.ports)}
        for line in self.access_log.read_text().splitlines():
            upstreams, _cookie, _key, _status, verb, path = line.split(" ", 5)
            match = re.search(r"127\.0\.0\.1:(\d+)$", upstreams)
            if match and re.fullmatch(method, verb) and re.fullmatch(uri, path):
                counts[by_port.get(int(match.group(1)), -1)] += 1
        return counts


@contextlib.contextmanager
def cluster(
    project: Path,
    log_dir: Path,
    *,
    processes: int = 3,
    env: dict[str, str] | None = None,
    affinity: bool = True,
    target: str = "app:app",
    ready_path: str = "/healthz",
    timeout: float = 180,
) -> Iterator[Cluster]:
    """``processes`` uvicorn processes of ``project`` (started at once) behind its deploy/nginx.conf.

    ``env`` goes to every process, on top of ``TRUSTED_PROXIES=127.0.0.1`` (nginx's address,
    as deploy/README.md says). ``affinity=False`` removes the config's ``hash`` line (plain
    round-robin). Logs: ``log_dir/server-<port>.log`` per process, ``log_dir/nginx/``.
    Everything is stopped by PID at the end.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    ports: list[int] = []
    while len(ports) < processes:  # distinct ports (the kernel may hand one out twice)
        if (port := free_port()) not in ports:
            ports.append(port)
    full_env = {"TRUSTED_PROXIES": PROXY, **(env or {})}
    slug = project_slug(project)
    running = Cluster(project, None, [], ports, full_env, log_dir, target, ready_path)  # type: ignore[arg-type]
    try:
        for port in ports:  # all at once: each takes seconds to import
            running.processes.append(
                spawn(running.command(port), cwd=project, port=port, env=full_env, log_dir=log_dir)
            )
        for server in running.processes:
            wait_until_ready(server, ready_path, timeout)
        template = (project / "deploy" / "nginx.conf").read_text()
        port = free_port()
        site = site_config(template, upstream_ports=ports, port=port, affinity=affinity)
        with nginx(log_dir / "nginx", site, port, slug) as proxy:
            running.proxy = proxy
            yield running
    finally:
        for server in running.processes:
            server.stop()
