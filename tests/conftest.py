"""Shared fixtures: a real Chromium for the whole session, and a clean env for references."""

from __future__ import annotations

import importlib
import sys

import pytest

from tests.support import ROOT, chromium

TEST_SECRET_KEY = "test-secret-key-" + "x" * 32  # test-only value, not a real secret
TEST_PASSWORD = "correct horse battery staple"
TEST_USER = "alice"
# argon2id of TEST_PASSWORD (what `python -m references.middleware_auth hash alice` prints).
TEST_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$W4orHywRGX4pFEHt1RXlHw$9ss3QkPMOFXOF5f9W7wwHSA+rOPePwpRLuwE3ytrHeY"
)
TEST_API_TOKEN = "test-api-token-" + "y" * 32  # test-only value
# The environment of a password-mode app in the tests: one account, one agent token.
AUTH_ENV = {
    "APP_USERS": f"{TEST_USER}:{TEST_PASSWORD_HASH}",
    "APP_API_TOKENS": "agent:062dc7e84234cfac121912e94d2e7b03532750de82da978e58527422c7e93187",
    "APP_SECRET_KEY": TEST_SECRET_KEY,
}


@pytest.fixture(scope="session")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def auth_env(monkeypatch) -> dict[str, str]:
    for key, value in AUTH_ENV.items():
        monkeypatch.setenv(key, value)
    return AUTH_ENV


def load_reference(name: str):
    """Import ``references.<name>`` afresh (call inside a forked test: one st.App per process)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.modules.pop(f"references.{name}", None)
    return importlib.import_module(f"references.{name}")


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
    names = pyfuncitem._fixtureinfo.argnames
    _run_forked(pyfuncitem.obj, {name: pyfuncitem.funcargs[name] for name in names})
    return True


_STARTED: list[float] = []


def pytest_sessionstart(session):
    import time

    _STARTED.append(time.monotonic())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line a person can read at the end of a long run."""
    import time

    def calls(outcome: str, kind) -> int:
        reports = terminalreporter.stats.get(outcome, [])
        return sum(1 for r in reports if getattr(r, "when", "") == "call" and kind(r))

    def tally(kind) -> tuple[int, int]:
        passed = calls("passed", kind)
        return passed, passed + calls("failed", kind) + calls("error", kind)

    matrix = tally(lambda report: "test_matrix.py::test_combination" in report.nodeid)
    live = tally(lambda report: "live" in report.keywords)
    everything = tally(lambda report: True)
    wall = time.monotonic() - _STARTED[0] if _STARTED else float("nan")
    terminalreporter.write_line(
        f"summary: combinations baked/passed {matrix[0]}/{matrix[1]}, "
        f"live checks passed {live[0]}/{live[1]}, "
        f"all tests passed {everything[0]}/{everything[1]}, wall time {wall:.0f} s"
    )
