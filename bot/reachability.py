"""Where Lede delivers: a chat that blocked or removed the bot gets nothing until it writes again, and a
group Telegram upgraded to a supergroup is followed to its new id with everything kept for it."""

from __future__ import annotations

import logging

from bot.briefing_service import Briefings
from bot.shared_index import SharedIndex
from corpus.store import Store

log = logging.getLogger(__name__)


class Reachability:
    """Which chats may be sent to; kept in memory (read on every update) with the lasting copy in the store."""

    def __init__(self, store: Store, briefings: Briefings, index: SharedIndex | None = None) -> None:
        self.store = store
        self.briefings = briefings
        self.index = index
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

    def chat_moved(self, old: int, new: int) -> None:
        """Telegram gave the group ``old`` the new id ``new`` (it became a supergroup).

        Its sources and feeds, daily briefing, settings and conversation go
        with it; the old id takes nothing more (Telegram refuses it).
        """
        log.info("Chat %d is now chat %d (a group upgraded to a supergroup); its sources and settings moved", old, new)
        self.store.move_chat(old, new)
        if self.index is not None:
            self.index.move_chat(old, new)
        self._unreachable.pop(old, None)
