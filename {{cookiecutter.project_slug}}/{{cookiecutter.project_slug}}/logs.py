"""Logging configured once: every server event and request is one line, at Streamlit's level.

Importing Streamlit gives uvicorn's loggers a handler of Streamlit's own, and ``uvicorn app:app``
has already given them uvicorn's, so each request was logged twice. Here each of those loggers
keeps Streamlit's handler alone: one format and one level (Streamlit's ``logger.level``, INFO by
default) under ``uvicorn app:app``, ``streamlit run app.py`` and ``python app.py`` alike. Streamlit
re-creates that handler when its config is reloaded, so this stays true afterwards too.
"""

import logging

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
