"""An existing Streamlit app, as an agent finds it (run with `streamlit run report.py` until now)."""

import streamlit as st

st.title("Sales report")
user = st.user.get("name")
if user:
    st.success(f"Signed in as {user}")
points = st.slider("Points", min_value=1, max_value=20, value=5)
st.write(f"Sum of 1..{points} = {sum(range(1, points + 1))}")
