#!/usr/bin/env python3
"""Django keeps /, Streamlit is at /dashboard/, and a websocket aimed at Django cannot break it."""

from _harness import Target, expect, is_streamlit_page, main, websocket_status


def check(target: Target) -> None:
    home = target.get("/")
    expect(home.status_code == 200 and not is_streamlit_page(home), "/ is not Django's page")
    bare = target.get("/dashboard")
    expect(
        bare.is_redirect and bare.headers["location"].endswith("/dashboard/"), "/dashboard does not redirect"
    )
    expect(is_streamlit_page(target.get("/dashboard/")), "/dashboard/ is not the Streamlit page")
    expect(websocket_status(target.ws_url("/dashboard/_stcore/stream")) == 101, "the dashboard's websocket")
    expect(websocket_status(target.ws_url("/"), subprotocols=()) != 101, "a websocket to Django was accepted")
    expect(target.get("/").status_code == 200, "Django stopped answering after a websocket attempt")


if __name__ == "__main__":
    main(__file__, check)
