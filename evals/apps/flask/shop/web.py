"""An existing Flask app, as an agent finds it."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def home() -> str:
    return "<!doctype html><title>Shop</title><h1>Welcome to the Shop</h1>"


@app.get("/products.json")
def products():
    return jsonify(products=[{"name": "tea", "price": 3.5}, {"name": "cake", "price": 4.0}])
