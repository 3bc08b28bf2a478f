"""Where the Telegram shell runs Lede's work: never on the event loop.

Every call into the service can take long (a briefing ranks a day of news,
an upload is split and indexed, a question is ranked, the store is written),
and anything done on the event loop holds up every chat. So handlers await
:meth:`Workers.quick` or :meth:`Workers.heavy`, which run the call in a
worker thread.

Two pools, so that heavy work never queues the quick: however many
briefings, uploads and feed polls are under way, a question finds a free
thread at once. Threads share one GIL, so a busy heavy thread slows a
question by a share of the CPU, never by the heavy work's whole length.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# Questions, buttons and listings: short, many at once.
QUICK_THREADS = 8
# Briefings, sources being added, feed polls: long, few at once (the rest wait their turn).
HEAVY_THREADS = 3


class Workers:
    """The two thread pools; :meth:`close` when the application stops."""

    def __init__(self, quick_threads: int = QUICK_THREADS, heavy_threads: int = HEAVY_THREADS) -> None:
        self._quick = ThreadPoolExecutor(quick_threads, thread_name_prefix="lede-quick")
        self._heavy = ThreadPoolExecutor(heavy_threads, thread_name_prefix="lede-heavy")

    async def quick(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a short call (a question, a button, a listing) in a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._quick, functools.partial(call, *args, **kwargs))

    async def heavy(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a long call (a briefing, a source added, a feed poll) in a worker thread of its own pool."""
        return await asyncio.get_running_loop().run_in_executor(self._heavy, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        self._quick.shutdown(wait=False, cancel_futures=True)
        self._heavy.shutdown(wait=False, cancel_futures=True)
