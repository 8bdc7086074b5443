"""The small Streamlit script the references serve (``st.App(Path(__file__).parent / "dashboard.py")``)."""

import streamlit as st

st.set_page_config(page_title="st.App reference dashboard", page_icon=":bar_chart:")
st.title("st.App reference dashboard")
st.caption("Served by an ASGI parent through st.App.")

points = st.slider("Points", min_value=1, max_value=20, value=5)
st.write(f"Sum of 1..{points} = {sum(range(1, points + 1))}")
st.line_chart([i * i for i in range(points)])

# What the server-side parts put in front of the script, read through st.context.
# The auth guard sets X-Forwarded-User; server.trustedUserHeaders turns it into st.user.
# (Read with .get: st.user.is_logged_in needs an [auth] secrets section.)
user = st.user.get("name")
if user:
    st.success(f"Signed in as {user}")
visitor = st.context.cookies.get("visitor_id")
if visitor:
    st.info(f"Visitor cookie: {visitor}")
