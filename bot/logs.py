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
    # The job scheduler logs two lines for every run of every job (feed polls, daily briefings), which
    # bury the lines that say what the jobs did; they are kept for DEBUG, where timing matters.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
