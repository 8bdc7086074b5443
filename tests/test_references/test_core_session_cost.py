"""core_session_cost.py: start-up frozen, no full collection per run, no file watcher, no compression."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.reference_copies import command_on_port, copy_alone, shell_env
from tests.support import REFERENCE_HEADING, Server, free_port, open_dashboard, serve

WATCHER = 'fileWatcherType = "none"'
NO_RUN_GC = "postScriptGC = false"
NO_COMPRESSION = " --ws-per-message-deflate false"


@contextmanager
def served_copy(
    tmp_path: Path, shipped: str = "", instead: str | None = None, flag_dropped: str = ""
) -> Iterator[Server]:
    """The reference copied alone and served as its docstring says.

    Its config.toml has ``shipped``, replaced by ``instead``; ``flag_dropped`` is taken out of the command.
    """
    folder = copy_alone("core_session_cost", tmp_path / "copy")
    config = folder / ".streamlit" / "config.toml"
    assert shipped in config.read_text()
    if instead is not None:
        config.write_text(config.read_text().replace(shipped, instead))
    port = free_port()
    command = command_on_port("core_session_cost", port)
    assert flag_dropped in command[-1]
    command[-1] = command[-1].replace(flag_dropped, "")
    with serve(
        command, cwd=folder, port=port, ready_path="/healthz", env=shell_env(port), log_dir=tmp_path
    ) as server:
        yield server


def inotify_watches(pid: int) -> int:
    """Paths the process watches through inotify (watchdog's observer, per watched folder)."""
    count = 0
    for fdinfo in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += fdinfo.read_text().count("inotify wd:")
        except OSError:  # a descriptor closed while we read
            continue
    return count


@pytest.mark.live
@pytest.mark.parametrize("watcher", ["none", "auto"])
def test_a_session_leaves_no_file_watch_and_start_up_is_frozen(page, tmp_path, watcher):
    # "auto", the default Streamlit ships, shows the count below can see watches.
    instead = 'fileWatcherType = "auto"' if watcher == "auto" else None
    with served_copy(tmp_path, WATCHER, instead) as server:
        open_dashboard(page, server.base_url + "/", REFERENCE_HEADING)  # a session ran the script
        health = httpx.get(server.base_url + "/healthz").json()
        watches = inotify_watches(server.process.pid)
    # Streamlit's, Starlette's and uvicorn's objects (about 50,000); none without the freeze.
    assert health["frozen_objects"] > 10_000
    if watcher == "none":
        assert watches == 0
    else:
        assert watches > 0


def open_until_the_run_ends(page, url: str) -> None:
    """A new session runs the script; wait until the browser hears that run has ended."""
    open_dashboard(page, url, REFERENCE_HEADING)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)


def full_collections(server: Server) -> int:
    return httpx.get(server.base_url + "/healthz").json()["full_collections"]


def collections_after(server: Server, before: int, at_least: int) -> int:
    """Full collections since ``before``, waiting up to 10 s for ``at_least`` of them.

    Streamlit collects on the script's thread just after it tells the browser the run ended.
    """
    deadline = time.monotonic() + 10
    while (count := full_collections(server) - before) < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


@pytest.mark.live
@pytest.mark.parametrize("post_script_gc", ["false", "true"])
def test_script_runs_end_without_a_full_collection(page, tmp_path, post_script_gc):
    # "true", Streamlit's default, shows the count below sees its collections.
    instead = "postScriptGC = true" if post_script_gc == "true" else None
    runs = 3
    with served_copy(tmp_path, NO_RUN_GC, instead) as server:
        url = server.base_url + "/"
        start = full_collections(server)
        open_until_the_run_ends(page, url)  # the first run's imports
        before = start + collections_after(server, start, 1 if post_script_gc == "true" else 0)
        for _ in range(runs):  # a new session each: one script run each
            open_until_the_run_ends(page, url)
        collected = collections_after(server, before, runs)
    if post_script_gc == "false":
        assert collected < runs  # Python's own full collections are rare; none is one per run
    else:
        assert collected >= runs


def negotiated_compression(url: str) -> str | None:
    """Open Streamlit's websocket offering permessage-deflate, as browsers do; what the server agreed to."""
    with connect(url, subprotocols=["streamlit"], compression="deflate", open_timeout=30) as websocket:
        return websocket.response.headers.get("Sec-WebSocket-Extensions")


@pytest.mark.live
@pytest.mark.parametrize("flag", ["kept", "dropped"])
def test_the_websocket_goes_uncompressed_as_under_streamlit_run(tmp_path, flag):
    # "dropped", uvicorn's default, shows the check below sees a negotiated compression.
    with served_copy(tmp_path, flag_dropped=NO_COMPRESSION if flag == "dropped" else "") as server:
        agreed = negotiated_compression(server.base_url.replace("http", "ws", 1) + "/_stcore/stream")
    if flag == "kept":
        assert agreed is None
    else:
        assert agreed is not None and agreed.startswith("permessage-deflate")
