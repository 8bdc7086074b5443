#!/usr/bin/env python3
"""/_stcore/metrics answers only a scraper with METRICS_TOKEN; the page is unaffected."""

import os

from _harness import Target, expect, is_streamlit_page, main


def check(target: Target) -> None:
    token = os.environ.get("METRICS_TOKEN") or "metrics-test-token-0123456789abcdefghij"  # evals.json's value
    for path in ("/_stcore/metrics", "/_stcore/metrics/"):
        expect(target.get(path).status_code >= 400, f"{path} answers without the token")
    wrong = target.get("/_stcore/metrics", headers={"Authorization": "Bearer " + "y" * 40})
    expect(wrong.status_code >= 400, "a wrong token gets the metrics")
    scraped = target.get("/_stcore/metrics", headers={"Authorization": f"Bearer {token}"})
    expect(scraped.status_code == 200, f"the scraper with the token got {scraped.status_code}")
    expect(is_streamlit_page(target.get("/")), "/ is not the Streamlit page")


if __name__ == "__main__":
    main(__file__, check)
