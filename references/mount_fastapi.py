"""Streamlit owns the root; a FastAPI app is mounted under ``/api`` with its own docs.

What it shows
    ``st.App(routes=[Mount("/api", app=api)])``: the dashboard at ``/``, FastAPI's
    endpoints at ``/api/*`` and its Swagger UI at ``/api/docs``, on one port, one
    process, no CORS.

When to use it
    The dashboard is the product; the API is a side door (webhooks, data for other
    tools, health checks).

Files that come with it
    dashboard.py  .streamlit/config.toml

Run it (from the folder it is copied into; in this repository: ``cd references``)
    uvicorn mount_fastapi:app --lifespan on --port 8000
    streamlit run mount_fastapi.py

Open
    http://127.0.0.1:8000/            the dashboard
    http://127.0.0.1:8000/api/docs    FastAPI's interactive docs
    http://127.0.0.1:8000/api/items   a JSON endpoint
"""

from pathlib import Path

import streamlit as st
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.routing import Mount

api = FastAPI(title="Dashboard API")  # docs at /api/docs, schema at /api/openapi.json


class Prediction(BaseModel):
    value: float
    doubled: float


@api.get("/items")
async def list_items() -> dict[str, list[str]]:
    return {"items": ["apple", "banana", "cherry"]}


@api.post("/predict")
async def predict(value: float) -> Prediction:
    return Prediction(value=value, doubled=value * 2)


app = st.App(Path(__file__).parent / "dashboard.py", routes=[Mount("/api", app=api)])
