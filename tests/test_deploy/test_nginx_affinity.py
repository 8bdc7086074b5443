"""The template's deploy/nginx.conf in front of two real uvicorn processes.

Eight browsers each upload a distinct PNG and must see it drawn by ``st.image``: with the
config's cookie affinity every one of them does; with the same config in plain round-robin
(its ``hash`` line removed) some uploads or media requests reach the other process and fail.
"""

from __future__ import annotations

import colorsys
import contextlib
import re
import struct
import subprocess
import sys
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support import bake, free_port, serve, wait_for_dashboard, watch
from tests.test_deploy.cluster import COOKIE, NGINX, PROXY, SLUG, main_config, needs_nginx, nginx, site_config

TITLE = "Streamlit ASGI App"
SESSIONS = 8


# --- a tiny PNG, made here -----------------------------------------------------------------


def png(rgb: tuple[int, int, int], size: int = 4) -> bytes:
    """A ``size`` x ``size`` PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))  # filter byte 0, then RGB
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def colour(index: int, of: int) -> tuple[int, int, int]:
    """Well-separated hues, so no two uploads become the same media file (even after JPEG)."""
    red, green, blue = colorsys.hsv_to_rgb(index / of, 1.0, 1.0 if index % 2 else 0.6)
    return round(red * 255), round(green * 255), round(blue * 255)


def upstreams_by_key(access_log: Path) -> dict[str, set[str]]:
    """For each affinity key: the upstreams its websocket, uploads and media went to."""
    seen: dict[str, set[str]] = defaultdict(set)
    for line in access_log.read_text().splitlines():
        upstream, _cookie, key, _status, _method, uri = line.split(" ", 5)
        if re.search(r"/_stcore/(stream|upload_file/)|/media/", uri):
            seen[key].add(upstream)
    return seen


# --- eight browsers --------------------------------------------------------------------------

STATE = """() => {
  const figure = document.querySelector('[data-testid=stImage]');
  const img = figure && figure.querySelector('img');
  const uploader = document.querySelector('[data-testid=stFileUploader]');
  return {
    uploader: uploader ? uploader.innerText : '',
    caption: figure ? figure.innerText : '',
    src: img ? img.src : null,
    complete: img ? img.complete : false,
    width: img ? img.naturalWidth : 0,
  };
}"""


@dataclass
class Session:
    name: str
    page: object
    report: object
    bad_responses: list[str] = field(default_factory=list)
    state: dict = field(default_factory=dict)
    fetch_status: int | None = None
    key: str = ""

    @property
    def upload_error(self) -> bool:
        return "Error" in self.state.get("uploader", "")

    @property
    def finished(self) -> bool:
        return bool(self.upload_error or self.state.get("complete") or self.bad_responses)

    @property
    def failures(self) -> list[str]:
        found = [f"HTTP {r}" for r in self.bad_responses]
        if self.upload_error:
            found.append("uploader: " + " ".join(self.state["uploader"].split()))
        if not self.state.get("src"):
            found.append("no image")
        elif self.state.get("width", 0) <= 0:
            found.append("image did not load (naturalWidth 0)")
        elif self.fetch_status != 200:
            found.append(f"fetch of the image gave {self.fetch_status}")
        if self.state.get("src") and self.name not in self.state.get("caption", ""):
            found.append(f"caption {self.state.get('caption')!r} is not {self.name!r}")
        found += [f"console: {problem}" for problem in self.report.problems]
        return found


def upload_in_every_session(browser, url: str, label: str, timeout: float = 60) -> list[Session]:
    """Open SESSIONS browser contexts at once, upload one PNG in each, wait (bounded) for the result."""
    contexts = [browser.new_context() for _ in range(SESSIONS)]
    try:
        sessions = []
        for index, context in enumerate(contexts):
            page = context.new_page()
            session = Session(f"{label}-{index}.png", page, watch(page))

            def on_response(response, session=session) -> None:
                if response.status >= 400 and not response.url.endswith("favicon.png"):
                    session.bad_responses.append(
                        f"{response.status} {response.request.method} {response.url}"
                    )

            page.on("response", on_response)
            sessions.append(session)
        for session in sessions:  # all eight load at the same time
            session.page.goto(url, wait_until="commit", timeout=30_000)
        for session in sessions:
            wait_for_dashboard(session.page, TITLE, timeout=90_000)
        offset = 0 if label == "affinity" else SESSIONS  # other colours: no media shared with run 1
        for index, session in enumerate(sessions):
            image = png(colour(index + offset, 2 * SESSIONS))
            file = {"name": session.name, "mimeType": "image/png", "buffer": image}
            session.page.locator("input[type=file]").set_input_files(file, timeout=30_000)
        deadline = time.monotonic() + timeout
        waiting = list(sessions)
        while waiting and time.monotonic() < deadline:
            for session in waiting:
                session.state = session.page.evaluate(STATE)
            waiting = [session for session in waiting if not session.finished]
            sessions[0].page.wait_for_timeout(250)  # lets Playwright deliver the pages' events
        sessions[0].page.wait_for_timeout(500)  # late responses and console messages
        for session in sessions:
            session.state = session.page.evaluate(STATE)
            if session.state["src"] and session.state["width"] > 0:
                session.fetch_status = session.page.evaluate(
                    "async (src) => (await fetch(src)).status", session.state["src"]
                )
            cookies = {c["name"]: c["value"] for c in session.page.context.cookies()}
            session.key = cookies.get(COOKIE, "")
        return sessions
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    # The IP allowlist on: behind the proxy it must see the real client, via TRUSTED_PROXIES.
    return bake(tmp_path_factory.mktemp("deploy"), parent="fastapi", ip_allowlist=True)


@pytest.mark.live
@needs_nginx
def test_cookie_affinity_keeps_every_session_on_its_process(browser, project, tmp_path):
    started = time.monotonic()
    template = (project / "deploy" / "nginx.conf").read_text()
    upstream_ports = [free_port(), free_port()]
    uvicorn = [sys.executable, "-m", "uvicorn", "app:app", "--host", PROXY]
    # as documented: the app reads the proxy's headers itself
    behind_proxy = ["--http", "h11", "--ws-per-message-deflate", "false", "--no-proxy-headers"]
    env = {"TRUSTED_PROXIES": PROXY}  # exactly the proxy
    with contextlib.ExitStack() as stack:
        for port in upstream_ports:
            command = [*uvicorn, "--port", str(port), *behind_proxy]
            stack.enter_context(serve(command, cwd=project, port=port, ready_path="/healthz", env=env,
                                      log_dir=tmp_path))  # fmt: skip

        # Run 1: the config as shipped.
        port = free_port()
        site = site_config(template, upstream_ports=upstream_ports, port=port, affinity=True)
        with nginx(tmp_path / "affinity", site, port) as proxy:
            check_cookie_and_forwarding(proxy.base_url, upstream_ports)
            sessions = upload_in_every_session(browser, proxy.base_url + "/dashboard/", "affinity")
            access_log = tmp_path / "affinity" / "access.log"
            by_key = wait_for_websocket_lines(access_log, {s.key for s in sessions})
        failed = {s.name: s.failures for s in sessions if s.failures}
        assert failed == {}, f"with affinity, {len(failed)} of {SESSIONS} sessions failed: {failed}"
        assert len({s.state["src"] for s in sessions}) == SESSIONS, "each upload is its own media file"
        assert all(len(s.key) == 32 for s in sessions), "nginx gave every browser its own id"
        split = {s.key: sorted(by_key.get(s.key, ())) for s in sessions if len(by_key.get(s.key, ())) != 1}
        assert split == {}, f"sessions whose websocket, uploads and media reached several processes: {split}"
        spread = sorted(next(iter(by_key[s.key])) for s in sessions)
        print(f"\naffinity: 0 of {SESSIONS} sessions failed; processes used: {spread}")

        # Run 2: the same config in plain round-robin.
        port = free_port()
        site = site_config(template, upstream_ports=upstream_ports, port=port, affinity=False)
        with nginx(tmp_path / "round-robin", site, port) as proxy:
            sessions = upload_in_every_session(browser, proxy.base_url + "/dashboard/", "round-robin")
        failed = {s.name: s.failures for s in sessions if s.failures}
        kinds = {
            "upload answered 4xx": sum(
                any("PUT" in f and "upload_file/" in f for f in fs) for fs in failed.values()
            ),
            "media answered 4xx": sum(
                any("/media/" in f and "HTTP 4" in f for f in fs) for fs in failed.values()
            ),
        }
        print(f"round-robin: {len(failed)} of {SESSIONS} sessions failed ({kinds})")
        assert failed, "without affinity every session still worked: the test no longer proves the recipe"
        for name, failures in failed.items():
            expected = ("upload_file/", "/media/", "uploader: ", "naturalWidth 0", "no image")
            assert any(marker in f for f in failures for marker in expected), (name, failures)
    print(f"test took {time.monotonic() - started:.0f} s")


def check_cookie_and_forwarding(base_url: str, upstream_ports: list[int]) -> None:
    """The cookie's attributes, and that a client cannot choose its address through the proxy."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        first = client.get("/healthz")
        assert first.status_code == 200
        set_cookie = first.headers["set-cookie"]
        assert re.fullmatch(rf"{COOKIE}=[0-9a-f]{{32}}; Path=/; HttpOnly; SameSite=Lax", set_cookie), (
            set_cookie
        )
        again = client.get("/healthz")  # the client now sends the cookie
        assert "set-cookie" not in again.headers
        # nginx overwrites X-Forwarded-For: a spoofed address does not reach the allowlist.
        spoofed = client.get("/dashboard/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert spoofed.status_code == 200
    # Straight to a process, the same header from the trusted proxy address is believed: 403.
    direct = httpx.get(
        f"http://{PROXY}:{upstream_ports[0]}/dashboard/", headers={"X-Forwarded-For": "203.0.113.7"}
    )
    assert direct.status_code == 403


def wait_for_websocket_lines(access_log: Path, keys: set[str], timeout: float = 10) -> dict[str, set[str]]:
    """nginx logs a websocket when it closes: wait until every session's is in the log."""
    deadline = time.monotonic() + timeout
    while True:
        text = access_log.read_text()
        if all(re.search(rf" {key} 101 GET \S*/_stcore/stream$", text, re.M) for key in keys):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"websocket lines missing from the access log:\n{text[-3000:]}")
        time.sleep(0.2)
    return upstreams_by_key(access_log)


@needs_nginx
@pytest.mark.parametrize("slug", [SLUG, "_x9_", "a__b"])
def test_nginx_conf_is_valid_for_any_slug(tmp_path, slug):
    project = bake(tmp_path, project_slug=slug)
    text = (project / "deploy" / "nginx.conf").read_text()
    directory = tmp_path / "nginx"
    directory.mkdir()
    site = directory / "site.conf"
    site.write_text(
        site_config(text, upstream_ports=[free_port(), free_port()], port=free_port(), affinity=True)
    )
    conf = directory / "nginx.conf"
    conf.write_text(main_config(directory, site, slug))
    command = [NGINX, "-t", "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "{{" not in text and "{%" not in text
