"""Dashboard for core_combined_lifespans.py: reads the prices the lifespan warmed."""

import streamlit as st

from lifespan_resources import load_prices

st.set_page_config(page_title="Combined lifespans", page_icon=":link:")
st.title("Combined lifespans")
prices = load_prices()
product = st.selectbox("Product", sorted(prices))
st.metric("Price", prices[product])
