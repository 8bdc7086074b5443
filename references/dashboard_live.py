"""Dashboard for route_websocket_stream.py: embeds the live-ticks widget."""

import streamlit as st

st.set_page_config(page_title="Live ticks", page_icon=":chart_with_upwards_trend:")
st.title("Live ticks")
st.caption("The numbers below come over a websocket; Streamlit does not rerun for them.")
st.iframe("/widgets/live-ticks.html", height=130)
