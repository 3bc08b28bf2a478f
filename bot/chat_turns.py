"""One question at a time per chat: a chat's questions, and the edits of them, are answered in order.

python-telegram-bot handles many updates at once (``concurrent_updates``),
which keeps one slow chat from holding up the others. Within one chat that
order matters: a follow-up is read against the answer before it, and the
edit of a question edits the reply Lede sent to it, which Lede knows only
once that reply has been sent and noted. Answered side by side, an edit
that came in right after the reply could find no reply noted yet and get a
second answer instead of editing the first. A briefing is sent and noted in
its chat's turn too, so that a question in reply to it finds it noted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ChatTurns:
    """A lock per chat, kept only while some question of that chat holds it or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @asynccontextmanager
    async def turn(self, chat: int) -> AsyncIterator[None]:
        """Wait until the chat's earlier questions are answered, then answer this one."""
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat], self._locks[chat]

    def waiting(self, chat: int) -> int:
        """How many of the chat's requests hold its turn or wait for it: a new one waits when any do."""
        return self._waiting.get(chat, 0)

    def __len__(self) -> int:
        """How many chats have a question being answered or waiting."""
        return len(self._locks)
