"""A chat whose slow request must wait is told so at once, in one line, rather than nothing until it is done.

A chat's briefings, and the sources it adds, are taken one at a time
(:class:`~bot.chat_turns.ChatTurns`), and each kind of slow work has a few
threads of its own (:class:`~bot.workers.Lane`). A request that waits for
either would otherwise hear nothing for as long as the work ahead of it
takes: a page whose server stalls takes ten seconds, three of them thirty.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Message

from bot.chat_turns import ChatTurns
from bot.telegram_failures import send_reply
from bot.workers import Lane

# The chat's earlier request (or its daily briefing) is still under way.
EARLIER_FIRST = "Working on it, right after what I'm already doing for this chat."
# Every thread for this kind of work is busy with other chats' requests.
OTHERS_FIRST = "Working on it: other chats' requests came first, so this takes a little longer."
# A wait for the chat's earlier request shorter than this goes untold: that request was finishing (noting
# what it told), and "/brief" sent again as its briefing arrives would otherwise hear "working on it" first.
NOTICE_AFTER = 1.0


@asynccontextmanager
async def turn_told(message: Message, turns: ChatTurns, lane: Lane) -> AsyncIterator[None]:
    """The chat's turn at ``lane``'s work; a request that must wait for it, or then for a thread, is told so, once."""
    chat = message.chat.id
    sending = asyncio.Event()
    notice = asyncio.create_task(_tell_after(message, sending)) if turns.waiting(chat) else None
    try:
        async with turns.turn(chat):
            told = sending.is_set()
            if notice is not None:
                if told:
                    await notice  # said before the reply it announces
                else:
                    notice.cancel()
            if lane.full and not told:
                await send_reply(message, OTHERS_FIRST)
            yield
    finally:  # the turn never came (the update was cancelled): nor does the notice
        if notice is not None and not sending.is_set():
            notice.cancel()


async def _tell_after(message: Message, sending: asyncio.Event) -> None:
    """Say :data:`EARLIER_FIRST` once the chat has waited :data:`NOTICE_AFTER` for its turn (cancelled before that)."""
    await asyncio.sleep(NOTICE_AFTER)
    sending.set()
    await send_reply(message, EARLIER_FIRST)
