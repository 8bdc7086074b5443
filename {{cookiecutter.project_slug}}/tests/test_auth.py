"""The auth guard in front of the page, Streamlit's websocket and the API."""

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.conftest import DASHBOARD


def test_signed_out_is_redirected_and_websocket_refused(fresh_client):
    response = fresh_client.get(DASHBOARD)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    stream = DASHBOARD + "_stcore/stream"
    with pytest.raises(WebSocketDisconnect), fresh_client.websocket_connect(stream):
        pass


def test_wrong_password_is_refused(fresh_client):
    assert fresh_client.post("/login", data={"password": "wrong"}).status_code == 401


def test_signed_in_reaches_page_and_logout_ends_it(signed_in):
    assert signed_in.get(DASHBOARD).status_code == 200
    signed_in.get("/logout")
    assert signed_in.get(DASHBOARD).status_code == 303
