"""Dashboard for route_agent_api.py: an agent drives it like a person, as the signed-in user."""

import streamlit as st

st.set_page_config(page_title="Agent API dashboard", page_icon=":robot_face:")
st.title("Agent API dashboard")

email = st.user.get("email")
st.write(f"Signed in as {email}" if email else "Anonymous")
points = st.slider("Points", min_value=1, max_value=20, value=5)
st.write(f"Sum of 1..{points} = {sum(range(1, points + 1))}")
