"""The template's deploy/nginx.conf enforces body and header limits before the app sees a byte,
passes the browser's Host on (so the app's Host allow-list still holds) and is trusted by the
app through TRUSTED_PROXIES alone."""

from __future__ import annotations

import sys

import httpx
import pytest

from tests.support import bake, free_port, serve
from tests.test_deploy.cluster import PROXY, needs_nginx, nginx, site_config

pytestmark = [pytest.mark.live, needs_nginx]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx-limits")
    project = bake(tmp, parent="fastapi", ip_allowlist=True)
    app_port, proxy_port = free_port(), free_port()
    command = [sys.executable, "-m", "uvicorn", "app:app", "--host", PROXY, "--port", str(app_port),
               "--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers"]  # fmt: skip
    env = {"TRUSTED_PROXIES": PROXY, "ALLOWED_IPS": "127.0.0.1/32"}
    site = site_config(
        (project / "deploy" / "nginx.conf").read_text(),
        upstream_ports=[app_port, app_port],
        port=proxy_port,
        affinity=True,
    )
    with (
        serve(command, cwd=project, port=app_port, ready_path="/healthz", env=env, log_dir=tmp),
        nginx(tmp / "nginx", site, proxy_port) as running,
    ):
        yield running


def from_nginx(response: httpx.Response) -> bool:
    return "nginx" in response.text


def test_the_sign_in_form_takes_a_small_body_only(proxy):
    big = httpx.post(proxy.base_url + "/login", content=b"password=" + b"a" * 32 * 1024)
    assert big.status_code == 413 and from_nginx(big)
    small = httpx.post(proxy.base_url + "/login", content=b"password=" + b"a" * 1024)
    assert small.status_code != 413 and not from_nginx(small)


def test_other_bodies_stop_at_one_megabyte(proxy):
    big = httpx.post(proxy.base_url + "/api/summary", content=b"a" * 2 * 1024 * 1024)
    assert big.status_code == 413 and from_nginx(big)


def test_a_long_header_line_is_refused_by_nginx(proxy):
    response = httpx.get(proxy.base_url + "/healthz", headers={"X-Big": "a" * 16 * 1024})
    assert response.status_code == 400 and "Header" in response.text and from_nginx(response)
    assert httpx.get(proxy.base_url + "/healthz").status_code == 200


def test_the_apps_host_allow_list_holds_behind_the_proxy(proxy):
    rebound = httpx.get(proxy.base_url + "/dashboard/", headers={"Host": "rebind.attacker.example"})
    assert rebound.status_code == 400 and not from_nginx(rebound)  # the app said it
    # nginx overwrites X-Forwarded-For and the app believes nginx: the real client, allowed.
    spoofed = httpx.get(proxy.base_url + "/dashboard/", headers={"X-Forwarded-For": "203.0.113.7"})
    assert spoofed.status_code == 200
