"""middleware_private_metrics.py: /_stcore/metrics only with the scrape token, mounted paths included."""

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from tests.conftest import load_reference

pytestmark = pytest.mark.isolated

TOKEN = "metrics-test-token-0123456789abcdefghij"


def test_metrics_need_the_token_and_the_page_does_not(monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", TOKEN)
    module = load_reference("middleware_private_metrics")
    with TestClient(module.app) as client:
        for path in ("/_stcore/metrics", "/_stcore/metrics/"):
            assert client.get(path).status_code == 404
        assert (
            client.get("/_stcore/metrics", headers={"Authorization": "Bearer " + "y" * 40}).status_code == 404
        )
        assert client.get("/_stcore/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert '<div id="root">' in client.get("/").text


def test_guards_a_mounted_dashboard_from_the_parent(monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    module = load_reference("middleware_private_metrics")
    inner = Starlette(routes=[Route("/_stcore/metrics", lambda request: PlainTextResponse("secret"))])
    parent = Starlette(
        routes=[Mount("/dashboard", app=inner)],
        middleware=[Middleware(module.PrivateMetricsMiddleware, token=TOKEN)],
    )
    client = TestClient(parent)
    assert client.get("/dashboard/_stcore/metrics").status_code == 404
    assert (
        client.get("/dashboard/_stcore/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
        == "secret"
    )
    with pytest.raises(ValueError, match="METRICS_TOKEN"):
        module.PrivateMetricsMiddleware(inner, token="short")
    closed = TestClient(module.PrivateMetricsMiddleware(parent, token=None))  # unset: closed to everyone
    assert closed.get("/dashboard/_stcore/metrics", headers={"Authorization": "Bearer "}).status_code == 404
