"""Dashboard for core_secrets_and_errors.py: reads st.secrets, raises on request."""

import streamlit as st

st.set_page_config(page_title="Secrets and errors", page_icon=":key:")
st.title("Secrets and errors")

service = st.secrets["service"]
st.write(f"Service **{service['name']}**, token of {len(service['api_token'])} characters.")

if st.button("Raise an error"):
    raise RuntimeError("raised on purpose")
