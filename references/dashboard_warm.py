"""Dashboard for core_lifespan_lifecycle.py: reads the caches the lifespan warmed."""

import time

import streamlit as st

from core_lifespan_lifecycle import load_model, load_reference_data

st.set_page_config(page_title="Warm caches", page_icon=":fire:")
st.title("Warm caches")

started = time.perf_counter()
model = load_model()
rows = load_reference_data()
elapsed_ms = (time.perf_counter() - started) * 1000

st.write(f"Model **{model['name']}** loaded at {time.ctime(model['loaded_at'])}.")
st.metric("Cache read time (ms)", f"{elapsed_ms:.1f}")
st.bar_chart(rows, x="region", y="sales")
