"""Chats Telegram will not deliver to: a chat that blocked or removed the bot gets nothing until it writes again."""

from __future__ import annotations

import logging

from bot.briefing_service import Briefings
from corpus.store import Store

log = logging.getLogger(__name__)


class Reachability:
    """Which chats may be sent to; kept in memory (read on every update) with the lasting copy in the store."""

    def __init__(self, store: Store, briefings: Briefings) -> None:
        self.store = store
        self.briefings = briefings
        self._unreachable = store.unreachable_chats()

    def chat_unreachable(self, chat: int, reason: str) -> None:
        """Telegram refused to deliver to ``chat`` (403: the bot was blocked or removed).

        Its daily briefing ends, and its feeds are no longer polled for it,
        until the chat writes to the bot again.
        """
        log.info("Chat %d is unreachable (%s); sending it nothing more until it writes again", chat, reason)
        self.store.mark_unreachable(chat, reason)
        self._unreachable[chat] = reason
        self.briefings.unsubscribe(chat)

    def chat_reachable(self, chat: int) -> None:
        """The chat wrote to the bot (or re-added it): deliver to it again."""
        if self._unreachable.pop(chat, None) is not None:
            self.store.mark_reachable(chat)
