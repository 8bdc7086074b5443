#!/usr/bin/env python3
"""An existing Streamlit script (report.py) moves behind named accounts on every door, /healthz open,
security headers on; the script names who is signed in."""

from _harness import Target, expect, guarded_dashboard, main, signed_in_as

USER, PASSWORD = "alice", "correct horse battery staple"  # APP_USERS in evals.json


def check(target: Target) -> None:
    expect(target.get("/healthz").status_code == 200, "/healthz is not open")
    expect(target.get("/_stcore/host-config").status_code != 200, "Streamlit's endpoints answer signed out")
    client = guarded_dashboard(target, "/", USER, PASSWORD)
    expect("content-security-policy" in client.get("/").headers, "the page has no CSP")
    signed_in_as(target, "/", client, USER)


if __name__ == "__main__":
    main(__file__, check)
