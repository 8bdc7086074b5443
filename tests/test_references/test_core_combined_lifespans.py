"""core_combined_lifespans.py: the user's warm-up runs inside Streamlit's lifespan, beside fastmcp's.

A real MCP client calls its tool live in tests/test_evals.py (eval 13).
"""

import sys

import pytest
from starlette.testclient import TestClient

from tests.conftest import load_reference
from tests.support import ROOT

pytestmark = pytest.mark.isolated


def test_both_lifespans_run_and_merge_their_state():
    sys.path.insert(0, str(ROOT / "references"))  # the lifespan imports lifespan_resources by its own name
    module = load_reference("core_combined_lifespans")
    with TestClient(module.app) as client:
        assert client.get("/api/state").json() == {"products": 3}
        import lifespan_resources

        assert lifespan_resources.load_prices()["apple"] == 1.2


def test_cached_functions_are_not_imported_at_module_level():
    source = (ROOT / "references" / "core_combined_lifespans.py").read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in top_level if "lifespan_resources" in line]
