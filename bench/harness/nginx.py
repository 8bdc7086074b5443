"""The baked project's deploy/nginx.conf (the shipped sticky recipe) in front of N local processes."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench.harness.servers import Server, serve

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
INSTALL_HINT = "nginx is not installed (sudo apt-get install -y nginx; ./run test installs it)"


def behind_proxy_env() -> dict[str, str]:
    """A process behind the proxy (deploy/README.md): it believes X-Forwarded-For from the proxy only
    (the app's own proxy trust; uvicorn runs with --no-proxy-headers), and answers the Host nginx
    passes on ($http_host: 127.0.0.1 and the proxy's port; the Host check ignores the port)."""
    return {"TRUSTED_PROXIES": "127.0.0.1", "PUBLIC_BASE_URL": "http://127.0.0.1"}


def available() -> bool:
    return Path(NGINX).exists()


def site_config(recipe: str, upstream_ports: list[int], port: int) -> str:
    """The recipe with its example upstream servers replaced by ours, listening on 127.0.0.1:``port``."""
    servers = r"(?m)^(\s*)server 127\.0\.0\.1:\d+;\n"
    first = re.search(servers, recipe)
    if not first:
        raise RuntimeError("deploy/nginx.conf has no 'server 127.0.0.1:PORT;' upstream lines")
    ours = "".join(f"{first.group(1)}server 127.0.0.1:{p};\n" for p in upstream_ports)
    text = re.sub(servers, "", recipe[first.start() :])
    text = recipe[: first.start()] + ours + text
    text, listens = re.subn(r"(?m)^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{port};", text)
    if listens != 1:
        raise RuntimeError("deploy/nginx.conf has no single 'listen 80;'")
    return text


def main_config(directory: Path, site: Path) -> str:
    """nginx as this user, in the foreground, one worker, every path inside ``directory``."""
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nmaster_process off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events {\n    worker_connections 4096;\n}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {site};\n}}\n"
    )


@contextlib.contextmanager
def nginx(project: Path, upstream_ports: list[int], port: int, directory: Path) -> Iterator[Server]:
    """Serve the project's recipe on 127.0.0.1:``port`` in front of ``upstream_ports``; stop it after."""
    if not available():
        raise RuntimeError(INSTALL_HINT)
    directory.mkdir(parents=True)
    site = directory / "site.conf"
    site.write_text(site_config((project / "deploy" / "nginx.conf").read_text(), upstream_ports, port))
    conf = directory / "nginx.conf"
    conf.write_text(main_config(directory, site))
    command = [NGINX, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t: {checked.stderr[-1500:]}")
    with serve(command, directory, port, "/healthz", directory, {}, timeout=30) as server:
        yield server
