"""Logging configured once: every server event and request is one line, at Streamlit's level.

Importing Streamlit gives uvicorn's loggers a handler of Streamlit's own, and ``uvicorn app:app``
has already given them uvicorn's, so each request was logged twice. Here each of those loggers
keeps Streamlit's handler alone: one format and one level (Streamlit's ``logger.level``, INFO by
default) under ``uvicorn app:app``, ``streamlit run app.py`` and ``python app.py`` alike. Streamlit
re-creates that handler when its config is reloaded, so this stays true afterwards too.
"""

from streamlit.logger import get_logger, setup_formatter

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "websockets")


def configure_logging() -> None:
    for name in SERVER_LOGGERS:
        logger = get_logger(name)  # Streamlit's level, propagate=False
        logger.handlers.clear()
        setup_formatter(logger)  # Streamlit's one handler
