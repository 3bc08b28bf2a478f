"""Where the Telegram shell runs Lede's work: never on the event loop.

Every call into the service can take long (a briefing ranks a day of news,
an upload is split and indexed, a question is ranked, the store is written),
and anything done on the event loop holds up every chat. So handlers await
one of :class:`Workers`' lanes, which runs the call in a worker thread.

One lane, with threads of its own, per kind of work, so that no kind waits
for another: however many briefings, sources being added, daily briefings
and feed polls are under way, a question finds a free thread at once, and
so does each of the others. Sharing threads, three slow pages (each read
may wait ten seconds for its server) or three long briefings held every
other chat's ``/add`` or ``/brief`` for as long as they took. Threads share
one GIL, so a busy thread slows another lane's call by a share of the CPU,
never by the busy call's whole length.

Within a lane, calls wait for a free thread in the order they came. The
handlers take one chat's briefings, and one chat's sources, one at a time
(:class:`~bot.chat_turns.ChatTurns`), so no chat holds more than one of a
lane's threads, and tell a chat whose request must wait that it does
(:mod:`bot.waiting`).
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
# /brief: long, a few chats at once (one briefing at a time per chat).
BRIEFING_THREADS = 3
# Daily briefings, and each subscribed chat's check whether its briefing is due: nobody waits on them in a chat.
DAILY_THREADS = 2
# Sources a chat adds (/add, files, /feed add, OPML lists, forwarded posts) and channel posts: each may
# fetch pages that take their time (one source at a time per chat).
SOURCE_THREADS = 3
# Feed polls (each waits here while the poller's own threads read its due feeds, a few hosts at once),
# following the store and pruning it.
BACKGROUND_THREADS = 2


class Lane:
    """Threads for one kind of work: ``await lane(call, *args)`` runs the call in one of them."""

    def __init__(self, name: str, threads: int) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=f"lede-{name}")
        self._threads = threads
        # Calls running or waiting for a thread. Counted on the event loop, the only place that calls the lane.
        self._pending = 0

    @property
    def full(self) -> bool:
        """Whether a call made now would wait for a thread."""
        return self._pending >= self._threads

    async def __call__(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        self._pending += 1
        try:
            return await loop.run_in_executor(self._pool, functools.partial(call, *args, **kwargs))
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Workers:
    """The lanes, one per kind of work; :meth:`close` when the application stops."""

    def __init__(self) -> None:
        self.quick = Lane("quick", QUICK_THREADS)
        self.briefings = Lane("briefing", BRIEFING_THREADS)
        self.daily = Lane("daily", DAILY_THREADS)
        self.sources = Lane("source", SOURCE_THREADS)
        self.background = Lane("background", BACKGROUND_THREADS)

    def close(self) -> None:
        for lane in (self.quick, self.briefings, self.daily, self.sources, self.background):
            lane.close()
