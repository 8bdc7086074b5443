#!/usr/bin/env python3
"""The lifespan warms st.cache_data before the first visit, publishes app.state, and logs no runtime noise."""

from _harness import Target, expect, is_streamlit_page, main

NOISE = ("No runtime found", "missing ScriptRunContext")


def check(target: Target) -> None:
    state = target.get("/api/state")
    expect(state.status_code == 200, f"/api/state answered {state.status_code}")
    expect(state.json().get("products") == 3, f"app.state does not count the 3 products: {state.json()}")
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")
    log = target.log()
    if log is not None:
        noise = [line for line in log.splitlines() if any(text in line for text in NOISE)]
        expect(not noise, f"the start-up log is noisy: {noise}")


if __name__ == "__main__":
    main(__file__, check)
