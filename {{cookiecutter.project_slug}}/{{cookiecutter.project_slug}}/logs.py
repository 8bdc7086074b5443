"""Logging configured once: every server event and request is one line, at Streamlit's level.

Importing Streamlit gives uvicorn's loggers a handler of Streamlit's own, and ``uvicorn app:app``
has already given them uvicorn's, so each request was logged twice. Here each of those loggers
keeps Streamlit's handler alone: one format and one level (Streamlit's ``logger.level``, INFO by
default) under ``uvicorn app:app``, ``streamlit run app.py`` and ``python app.py`` alike. Streamlit
re-creates that handler when its config is reloaded, so this stays true afterwards too.
"""

import logging
import sys
from pathlib import Path

import streamlit as st
from streamlit.logger import get_logger, setup_formatter

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "websockets")


def not_connection_open(record: logging.LogRecord) -> bool:
    """The websockets library's "connection open" follows uvicorn's line for the same handshake
    (``"WebSocket /dashboard/_stcore/stream" [accepted]``): a second line for every session."""
    return record.msg != "connection open"


def configure_logging() -> None:
    for name in SERVER_LOGGERS:
        logger = get_logger(name)  # Streamlit's level, propagate=False
        logger.handlers.clear()
        setup_formatter(logger)  # Streamlit's one handler
    get_logger("uvicorn.error").addFilter(not_connection_open)  # a filter is added once, however often


def announce_url(url: str) -> None:
    """Where the app answers, said once its settings were read and it is about to serve.

    Streamlit prints its own welcome and URL before it imports app.py, so an app that then failed
    on a setting had been announced all the same: ``.streamlit/config.toml`` hides that one
    (``logger.hideWelcomeMessage``) and app.py calls this instead. uvicorn says it itself.
    """
    print(f"\n  You can now view your Streamlit app in your browser.\n\n  URL: {url}\n", flush=True)


def announce_under_streamlit_run(module_name: str, script: str, path: str) -> None:
    """``announce_url`` when ``script`` was imported by ``streamlit run script`` (sys.argv names the
    script there; ``python script`` runs it as ``__main__``; uvicorn and pytest name themselves)."""
    if module_name == "__main__" or Path(sys.argv[0]).resolve() != Path(script).resolve():
        return
    host = st.get_option("server.address") or "localhost"
    host = "localhost" if host in ("0.0.0.0", "::") else host  # all interfaces: this machine's name
    announce_url(f"http://{host}:{st.get_option('server.port')}{path}")
