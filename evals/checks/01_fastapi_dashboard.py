#!/usr/bin/env python3
"""FastAPI owns /, Streamlit is mounted at /dashboard/ with its websocket; the parent runs its lifespan."""

from _harness import Target, expect, is_streamlit_page, main, websocket_status


def check(target: Target) -> None:
    home = target.get("/")
    expect(home.status_code == 200 and not is_streamlit_page(home), "/ is not FastAPI's own page")
    expect(target.get("/docs").status_code == 200, "FastAPI's /docs is missing")
    bare = target.get("/dashboard")
    expect(
        bare.is_redirect and bare.headers["location"].endswith("/dashboard/"), "/dashboard does not redirect"
    )
    expect(is_streamlit_page(target.get("/dashboard/")), "/dashboard/ is not the Streamlit page")
    expect(target.get("/dashboard/_stcore/health").text == "ok", "Streamlit's health check under /dashboard/")
    status = websocket_status(target.ws_url("/dashboard/_stcore/stream"))
    expect(status == 101, f"the dashboard's websocket answered {status}")
    log = target.log()
    if log is not None:  # a mounted st.App without the parent's lifespan starts late and warns
        expect("Auto-starting runtime" not in log, "Streamlit's lifespan is not run by the parent")


if __name__ == "__main__":
    main(__file__, check)
