"""Shared fixtures: a real Chromium for the whole session, and a clean env for references."""

from __future__ import annotations

import inspect
import sys

import pytest

# TEST_* and load_reference are re-exported for modules that import them from here.
from tests.support import (  # noqa: F401
    AUTH_ENV,
    OIDC_USER_CLAIMS,
    TEST_API_TOKEN,
    TEST_PASSWORD,
    TEST_PASSWORD_HASH,
    TEST_SECRET_KEY,
    TEST_USER,
    chromium,
    free_port,
    load_reference,
    oidc_provider,
    redis_server_missing,
    started_redis,
    strict_oidc_missing,
    strict_oidc_provider,
)


@pytest.fixture(scope="session")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def oidc_issuer():
    """One real OpenID provider (PyPI oidc-provider-mock, in a thread) per worker: auth=oidc apps'.

    Forked tests (``isolated``) reach it too: it serves from this process while the child runs.
    """
    with oidc_provider() as issuer:
        yield issuer


@pytest.fixture(scope="session")
def strict_oidc(tmp_path_factory):
    """The stricter provider (npm oidc-provider, a Node process) for one app URL, per worker."""
    if missing := strict_oidc_missing():
        pytest.fail(missing, pytrace=False)
    app_url = f"http://127.0.0.1:{free_port()}"  # the app that uses it listens there
    with strict_oidc_provider(app_url, tmp_path_factory.mktemp("strict-oidc")) as provider:
        yield provider


@pytest.fixture
def redis_server(tmp_path_factory):
    """A real redis-server (Debian's) of this test alone: ``.url`` for REDIS_URL, ``.kill()``,
    ``.start()`` (same port), ``with redis_server.down():``; stopped by PID afterwards."""
    if missing := redis_server_missing():
        pytest.fail(missing, pytrace=False)
    with started_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server) -> str:
    """``redis://127.0.0.1:<port>/0`` of this test's own redis-server."""
    return redis_server.url


@pytest.fixture
def auth_env(monkeypatch) -> dict[str, str]:
    for key, value in AUTH_ENV.items():
        monkeypatch.setenv(key, value)
    return dict(AUTH_ENV)


CHILD_TIMEOUT_SECONDS = 120


def _run_forked(function, kwargs) -> None:
    """Run ``function(**kwargs)`` in a forked child; re-raise its failure here."""
    import faulthandler
    import os
    import signal
    import traceback

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: whatever happens, it must never return into pytest's loop
        payload = b"child did not finish"
        try:
            os.close(read_end)
            faulthandler.dump_traceback_later(CHILD_TIMEOUT_SECONDS - 5, file=sys.__stderr__)
            signal.alarm(CHILD_TIMEOUT_SECONDS)  # then end it
            function(**kwargs)
            payload = b""
        except BaseException:  # everything goes back to the parent
            payload = traceback.format_exc().encode()
        finally:
            os.write(write_end, payload) if len(payload) < 60_000 else os.write(write_end, payload[-60_000:])
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        pytest.fail(payload.decode(errors="replace"), pytrace=False)
    if status != 0:
        pytest.fail(f"isolated test process ended with status {status}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Tests marked ``isolated`` run in a forked process: Streamlit allows one runtime per process."""
    if pyfuncitem.get_closest_marker("isolated") is None:
        return None
    # pytest-forked 1.7.5 cannot serialise pytest 9's reports, so a small fork with public API only:
    # the test function's own parameters, filled from the fixtures pytest has set up.
    names = inspect.signature(pyfuncitem.obj).parameters
    _run_forked(pyfuncitem.obj, {name: pyfuncitem.funcargs[name] for name in names})
    return True


_STARTED: list[float] = []


def pytest_sessionstart(session):
    import time

    _STARTED.append(time.monotonic())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line a person can read at the end of a long run."""
    import os
    import time

    def calls(outcome: str, kind) -> int:
        reports = terminalreporter.stats.get(outcome, [])
        return sum(1 for r in reports if getattr(r, "when", "") == "call" and kind(r))

    def tally(kind) -> tuple[int, int]:
        passed = calls("passed", kind)
        return passed, passed + calls("failed", kind) + calls("error", kind)

    def in_matrix(report) -> bool:
        return "test_matrix.py::test_combination" in report.nodeid

    matrix = tally(in_matrix)
    # The matrix's own time: its tests' durations over the workers that shared them (target 600 s).
    workers = getattr(config.option, "numprocesses", None) or 1
    workers = (os.cpu_count() or 1) if workers in ("auto", "logical") else int(workers)
    matrix_seconds = sum(
        report.duration for reports in terminalreporter.stats.values() for report in reports
        if in_matrix(report) and hasattr(report, "duration")
    ) / workers  # fmt: skip
    live = tally(lambda report: "live" in report.keywords)
    everything = tally(lambda report: True)
    wall = time.monotonic() - _STARTED[0] if _STARTED else float("nan")
    terminalreporter.write_line(
        f"summary: combinations baked/passed {matrix[0]}/{matrix[1]}"
        + (f" in {matrix_seconds:.0f} s on {workers} workers" if matrix[1] else "")
        + ", "
        f"live checks passed {live[0]}/{live[1]}, "
        f"all tests passed {everything[0]}/{everything[1]}, wall time {wall:.0f} s"
    )
