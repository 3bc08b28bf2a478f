"""Which chat may quote which article: each chat answers from its own sources plus everyone's.

Kept in memory beside the index (and rebuilt from the store at start-up)
because it is consulted for every candidate sentence of every question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from corpus.store import EVERYONE


class Visibility:
    """Articles granted to chats directly or through the feeds they follow."""

    def __init__(self) -> None:
        self._chat_articles: defaultdict[int, set[str]] = defaultdict(set)
        self._feed_articles: defaultdict[int, set[str]] = defaultdict(set)
        self._chat_feeds: defaultdict[int, set[int]] = defaultdict(set)
        # Private channels: chat → the channels whose audience it is in, and each channel's audience.
        self._chat_channels: defaultdict[int, set[int]] = defaultdict(set)
        self._audiences: dict[int, frozenset[int]] = {}

    def load(
        self,
        chat_articles: Iterable[tuple[int, str]],
        feed_articles: Iterable[tuple[int, str]],
        chat_feeds: Iterable[tuple[int, int]],
    ) -> None:
        """Add the store's (chat, article), (feed, article) and (chat, feed) pairs."""
        for chat, article_id in chat_articles:
            self.grant(chat, article_id)
        for feed, article_id in feed_articles:
            self.add_to_feed(feed, article_id)
        for chat, feed in chat_feeds:
            self.follow(chat, feed)

    def grant(self, chat: int, article_id: str) -> None:
        self._chat_articles[chat].add(article_id)

    def add_to_feed(self, feed: int, article_id: str) -> None:
        self._feed_articles[feed].add(article_id)

    def follow(self, chat: int, feed: int) -> None:
        self._chat_feeds[chat].add(feed)

    def unfollow(self, chat: int, feed: int) -> None:
        self._chat_feeds[chat].discard(feed)

    def forget(self, article_ids: Collection[str]) -> None:
        """Drop articles that no longer exist from every chat's and feed's grants."""
        for pool in (*self._chat_articles.values(), *self._feed_articles.values()):
            pool.difference_update(article_ids)

    def set_audience(self, channel: int, chats: Iterable[int]) -> None:
        """Only ``chats`` (and the channel) see the articles kept for a private channel; whoever was in it before no longer."""
        for chat in self._audiences.get(channel, ()):
            self._chat_channels[chat].discard(channel)
        self._audiences[channel] = frozenset(chats)
        for chat in self._audiences[channel]:
            self._chat_channels[chat].add(channel)

    def move_chat(self, old: int, new: int) -> None:
        """What ``old`` saw, ``new`` now sees (a group upgraded to a supergroup), beside what ``new`` saw already."""
        self._chat_articles[new] |= self._chat_articles.pop(old, set())
        self._chat_feeds[new] |= self._chat_feeds.pop(old, set())
        for channel in self._chat_channels.pop(old, set()):
            self.set_audience(channel, (self._audiences[channel] - {old}) | {new})

    def merge_feeds(self, old: int, new: int) -> None:
        """Feed ``old`` is ``new`` now (it moved to ``new``'s address): its articles are ``new``'s, its followers follow ``new``."""
        self._feed_articles[new] |= self._feed_articles.pop(old, set())
        for feeds in self._chat_feeds.values():
            if old in feeds:
                feeds.discard(old)
                feeds.add(new)

    def rule_for(self, chat: int) -> Callable[[str], bool]:
        """Whether ``chat`` may see an article, by id; everyone's articles always count."""
        chats = (EVERYONE,) if chat == EVERYONE else (EVERYONE, chat)
        pools = [self._chat_articles[c] for c in chats]
        pools += [self._feed_articles[feed] for c in chats for feed in self._chat_feeds[c]]
        pools += [self._chat_articles[channel] for c in chats for channel in self._chat_channels[c]]
        if len(pools) == 1:
            # The usual case (one chat, no feeds or channels of its own), asked of every sentence a question ranks.
            return pools[0].__contains__
        return lambda article_id: any(article_id in pool for pool in pools)
