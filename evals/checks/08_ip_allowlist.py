#!/usr/bin/env python3
"""Only ALLOWED_IPS (here 10.0.0.0/8, not loopback) get in, over http and websocket; XFF cannot fake it."""

from _harness import Target, expect, main, websocket_status


def check(target: Target) -> None:
    expect(target.get("/").status_code == 403, "loopback is not in ALLOWED_IPS but got in")
    spoofed = target.get("/", headers={"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "10.1.2.3"})
    expect(spoofed.status_code == 403, "a forged X-Forwarded-For got in")
    status = websocket_status(target.ws_url("/_stcore/stream"))
    expect(status != 101, "Streamlit's websocket opens for a refused address")
    expect(target.get("/healthz").status_code != 403, "/healthz is behind the allowlist")


if __name__ == "__main__":
    main(__file__, check)
