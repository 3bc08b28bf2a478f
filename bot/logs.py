"""Logging set-up that keeps secrets out of every line, tracebacks included."""

from __future__ import annotations

import logging
from collections.abc import Iterable


class MaskingFormatter(logging.Formatter):
    """A formatter that replaces each secret with a mask in the finished line.

    Masking the final text (not the message template) also covers exception
    tracebacks and third-party messages such as HTTP request URLs, which
    python-telegram-bot builds with the token in the path.
    """

    def __init__(self, fmt: str, secrets: Iterable[tuple[str, str]]) -> None:
        super().__init__(fmt)
        self._secrets = [(secret, mask) for secret, mask in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret, mask in self._secrets:
            line = line.replace(secret, mask)
        return line


def configure_logging(level: str, secrets: Iterable[tuple[str, str]] = ()) -> None:
    """Log to standard error at ``level``, with ``(secret, mask)`` pairs masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every long-poll request at INFO: noise, and it carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Other libraries' lines kept for DEBUG, each above the level it would bury Lede's lines at.
    # The job scheduler logs two lines for every run of every job (feed polls, daily briefings), which
    # bury the lines that say what the jobs did; timing matters only when debugging. trafilatura and
    # htmldate log ERROR lines ("empty HTML tree: None") for a page with no article in it, which Lede
    # says itself in one line, naming the page.
    quieted = {"apscheduler": logging.WARNING, "trafilatura": logging.CRITICAL, "htmldate": logging.CRITICAL}
    for name, quiet_level in quieted.items():
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else quiet_level)
