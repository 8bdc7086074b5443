"""The auth guard in front of the page, Streamlit's websocket and the API."""

import re

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.conftest import DASHBOARD, TEST_USER


def test_signed_out_is_redirected_and_websocket_refused(fresh_client):
    response = fresh_client.get(DASHBOARD)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    stream = DASHBOARD + "_stcore/stream"
    with pytest.raises(WebSocketDisconnect), fresh_client.websocket_connect(stream):
        pass


def test_wrong_password_is_refused(fresh_client):
    form = {"username": TEST_USER, "password": "wrong"}
    assert fresh_client.post("/login", data=form).status_code == 401


def test_open_paths_are_open_for_their_own_methods_only(fresh_client):
    assert fresh_client.get("/healthz").status_code == 200
    assert fresh_client.post("/healthz").status_code == 401
    assert fresh_client.put("/login").status_code == 401


def test_signed_in_reaches_page_and_logout_ends_the_session(signed_in):
    assert signed_in.get(DASHBOARD).status_code == 200
    captured = signed_in.cookies["app_session"]
    form = signed_in.get("/logout")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    assert signed_in.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert signed_in.post("/logout", data={"csrf": csrf}).status_code == 303
    assert signed_in.get(DASHBOARD).status_code == 303
    signed_in.cookies.set("app_session", captured)  # a copy taken before logout
    assert signed_in.get(DASHBOARD).status_code == 303
