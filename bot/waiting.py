"""A chat whose slow request must wait is told so at once, in one line, rather than nothing until it is done.

A chat's briefings, and the sources it adds, are taken one at a time
(:class:`~bot.chat_turns.ChatTurns`), and each kind of slow work has a few
threads of its own (:class:`~bot.workers.Lane`). A request that waits for
either would otherwise hear nothing for as long as the work ahead of it
takes: a page whose server stalls takes ten seconds, three of them thirty.
"""

from __future__ import annotations

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


@asynccontextmanager
async def turn_told(message: Message, turns: ChatTurns, lane: Lane) -> AsyncIterator[None]:
    """The chat's turn at ``lane``'s work; a request that must wait for it, or then for a thread, is told so, once."""
    chat = message.chat.id
    told = chat in turns
    if told:
        await send_reply(message, EARLIER_FIRST)
    async with turns.turn(chat):
        if lane.full and not told:
            await send_reply(message, OTHERS_FIRST)
        yield
