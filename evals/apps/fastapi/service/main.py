"""An existing FastAPI service, as an agent finds it: a lifespan that loads its data, JSON routes."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

STATE: dict[str, object] = {"loaded": False}


@asynccontextmanager
async def lifespan(app: FastAPI):
    STATE["loaded"] = True  # the service's own start-up must still run once composed
    yield
    STATE["loaded"] = False


app = FastAPI(title="Inventory service", lifespan=lifespan)


@app.get("/")
async def home() -> dict[str, str]:
    return {"service": "inventory"}


@app.get("/items")
async def items() -> dict[str, object]:
    return {"items": ["bolt", "nut"], "loaded": STATE["loaded"]}
