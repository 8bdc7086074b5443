#!/usr/bin/env python3
"""A parent owns public /; everything under /dashboard/ (page, _stcore, websocket) needs signing in."""

import os

from _harness import Target, cookie_header, expect, is_streamlit_page, main, sign_in, websocket_status


def check(target: Target) -> None:
    password = os.environ.get("APP_PASSWORD") or "correct horse battery staple"  # evals.json's value
    expect(target.get("/").status_code == 200, "the public home is not public")
    first = target.get("/dashboard/")
    expect(first.is_redirect, f"/dashboard/ answered {first.status_code} signed out, not a redirect")
    login = target.get(first.headers["location"])
    expect(login.status_code == 200, f"the guard sends people to {first.headers['location']}, which 404s")
    for door in ("/dashboard/_stcore/health", "/dashboard/_stcore/host-config"):
        expect(target.get(door).status_code != 200, f"{door} answers signed out")
    stream = target.ws_url("/dashboard/_stcore/stream")
    expect(websocket_status(stream) != 101, "the dashboard's websocket opens signed out")
    client = sign_in(target, password)
    expect(is_streamlit_page(client.get("/dashboard/")), "signed in, /dashboard/ is not the Streamlit page")
    expect(websocket_status(stream, cookie_header(client)) == 101, "signed in, the websocket is refused")


if __name__ == "__main__":
    main(__file__, check)
