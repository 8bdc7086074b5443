"""Cached loaders shared by core_combined_lifespans.py's lifespan, its MCP tool and its dashboard.

Import this module inside the lifespan or the script, never at the top of the app module:
``st.cache_*`` functions created before the Streamlit runtime exists log "No runtime found".
``show_spinner=False``: a spinner outside a script run (the lifespan, an MCP tool) logs
"missing ScriptRunContext".
"""

import time

import streamlit as st


@st.cache_data(show_spinner=False)
def load_prices() -> dict[str, float]:
    """Stands in for a slow query every session and every agent reads."""
    time.sleep(0.3)
    return {"apple": 1.2, "banana": 0.5, "cherry": 3.0}
