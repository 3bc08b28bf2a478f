"""Before the bot starts polling: wait until Telegram answers, and stop only if it rejects the token.

A service starts at boot, often before the network is up, so an unreachable
Bot API server is waited for, with one log line per attempt naming the URL
and growing waits between them (1, 2, 4 … up to 60 s). A rejected token
(401, or 404 for a malformed one) will never start working, so it is a
:class:`~corpus.errors.ConfigurationError`. A stop signal (SIGTERM, Ctrl-C)
ends the wait at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.config import Config
from bot.stopping import STOP_SIGNALS
from corpus.errors import ConfigurationError

log = logging.getLogger(__name__)

FIRST_WAIT = 1.0
LONGEST_WAIT = 60.0


def waits() -> Iterator[float]:
    """Seconds between attempts: doubling from :data:`FIRST_WAIT` up to :data:`LONGEST_WAIT`, forever."""
    wait = FIRST_WAIT
    while True:
        yield wait
        wait = min(wait * 2, LONGEST_WAIT)


def wait_for_telegram(config: Config) -> bool:
    """True once the Bot API at ``config.base_url`` knows the token; False if a stop signal came first.

    Raises :class:`ConfigurationError` when the server rejects the token.
    """
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in STOP_SIGNALS}
    attempts = enumerate(waits(), start=1)
    try:
        while not stop.is_set():
            attempt, wait = next(attempts)
            try:
                asyncio.run(_initialize(config))
                return True
            except InvalidToken as error:
                raise ConfigurationError(f"TELEGRAM_BOT_TOKEN was rejected by {config.shown_base_url} ({error}); "
                                         "check the token with @BotFather") from None
            except NetworkError as error:
                if stop.is_set():
                    return False
                log.warning("Telegram at %s is unreachable (%s); attempt %d failed, trying again in %g s",
                            config.shown_base_url, error, attempt, wait)
            stop.wait(wait)
        return False
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


async def _initialize(config: Config) -> None:
    """Initialising a bot asks the server ``getMe``: the token is checked, and nothing is sent to anyone."""
    async with Bot(config.token or "", base_url=config.base_url):
        pass
