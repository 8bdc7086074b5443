#!/usr/bin/env python3
"""Every answer carries the security headers, and Chromium renders the page with zero CSP violations."""

from _harness import Target, browser_report, expect, main

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def check(target: Target) -> None:
    for path in ("/", "/_stcore/health", "/does-not-exist"):
        answer = target.get(path)
        missing = [name for name in HEADERS if name not in answer.headers]
        expect(not missing, f"{path} lacks {missing}")
    expect("strict-transport-security" not in target.get("/").headers, "HSTS sent over plain http")
    csp = target.get("/").headers["content-security-policy"]
    expect("unsafe-inline" not in csp.split("script-src", 1)[-1].split(";", 1)[0], "scripts allowed inline")
    report = browser_report(target.url("/"), wait_for="h1")
    expect(not report["csp"], f"CSP violations: {report['csp']}")
    expect(not report["page"] and not report["console"], f"browser errors: {report}")


if __name__ == "__main__":
    main(__file__, check)
