"""A stop signal while Lede is already stopping ends it at once, in one line.

The first Ctrl-C (SIGINT) or SIGTERM winds a run down: the bot lets the
update in hand and the feed reads under way finish, the console its feed
poll, then the store is closed. That can take as long as a fetch (up to
its 30 s timeout). A second one meanwhile means "now": it printed a Python
traceback (the bot's, or the threads' whose work was cut from under them)
and ended with status 0, as if all had gone well.

Ending at once is safe for the store: each article is written with its
sentences in one SQLite transaction, so a process that ends mid-way leaves
whole articles (README, Hardening: as a killed ``--ingest`` or feed poll
does), and the same work again (the next start's poll) does the rest.
"""

from __future__ import annotations

import multiprocessing.util
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

# What stops a run: Ctrl-C, and SIGTERM (systemd stopping a unit, ``timeout``).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def end_at_once(signum: int, frame: FrameType | None = None) -> NoReturn:
    """One line on standard error, then the end, with the status of a process the signal ended (130 for Ctrl-C).

    ``os._exit``: Python's own exit would wait for the threads still reading (and tell of each cut short).
    Only multiprocessing's finalizers are run first, as Python's exit runs them: they remove the semaphores of
    the preparing process's queues (bot/preparing.py), which its resource tracker would otherwise report, in a
    warning of its own after this line, as leaked.
    """
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    print(f"lede: {name} while stopping: stopped at once, without waiting for the work under way "
          "(what was stored is whole; the next start reads again the feeds left unread)", file=sys.stderr, flush=True)
    multiprocessing.util._run_finalizers(0)  # type: ignore[attr-defined]  # noqa: SLF001 - private, so unstubbed: what multiprocessing's exit function runs
    os._exit(128 + signum)


@contextmanager
def ending_at_once_on_a_stop_signal() -> Iterator[None]:
    """While a run winds down (on the main thread): a stop signal ends it at once (:func:`end_at_once`)."""
    before = {number: signal.signal(number, end_at_once) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
