"""references/route_websocket_stream.py: a websocket feed and its widget."""

import pytest
from starlette.testclient import TestClient

from tests.support import (
    ROOT,
    assert_clean,
    free_port,
    load_reference,
    open_dashboard,
    serve,
    uvicorn_command,
    wait_for_live_ticks,
)


@pytest.mark.isolated
def test_websocket_stream_pushes_json_ticks_and_serves_the_widget():
    module = load_reference("route_websocket_stream")
    with TestClient(module.app) as client:
        with client.websocket_connect("/ws/live") as socket:
            first, second = socket.receive_json(), socket.receive_json()
        assert (first["seq"], second["seq"]) == (1, 2)
        assert isinstance(second["value"], float)
        widget = client.get("/widgets/live-ticks.html")
        assert '<script src="/widgets/live-ticks.js">' in widget.text
        assert "<script>" not in widget.text  # no inline script: the strict CSP allows it
        script = client.get("/widgets/live-ticks.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "/ws/live" in script.text


@pytest.mark.live
def test_live_ticks_move_in_the_page(page, tmp_path):
    port = free_port()
    command = uvicorn_command("references.route_websocket_stream:app", port)
    with serve(command, cwd=ROOT, port=port, log_dir=tmp_path) as server:
        report = open_dashboard(page, server.base_url + "/", "Live ticks")
        widget = page.frame_locator("iframe").first
        seq = widget.get_by_test_id("live-seq")
        wait_for_live_ticks(page, 3)
        assert int(seq.inner_text()) >= 3
        assert_clean(page, report)
