#!/usr/bin/env python3
"""Named accounts guard the page AND Streamlit's websocket; signing in opens both; /healthz stays open."""

import os

from _harness import Target, cookie_header, expect, is_streamlit_page, main, sign_in, websocket_status


def check(target: Target) -> None:
    user = os.environ.get("EVAL_USER") or "alice"  # the account of evals.json's APP_USERS
    password = os.environ.get("EVAL_PASSWORD") or "correct horse battery staple"
    expect(target.get("/healthz").status_code == 200, "/healthz is not open")
    first = target.get("/")
    expect(first.is_redirect and "/login" in first.headers["location"], "/ is not sent to /login")
    expect(
        websocket_status(target.ws_url("/_stcore/stream")) != 101, "the websocket opens without signing in"
    )
    expect(target.get("/_stcore/host-config").status_code != 200, "Streamlit's endpoints answer signed out")
    client = sign_in(target, password, user=user)
    expect(is_streamlit_page(client.get("/")), "signed in, / is not the Streamlit page")
    status = websocket_status(target.ws_url("/_stcore/stream"), cookie_header(client))
    expect(status == 101, f"signed in, the websocket answered {status}")


if __name__ == "__main__":
    main(__file__, check)
