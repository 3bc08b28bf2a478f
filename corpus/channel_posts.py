"""Channel posts and forwarded posts as sources: the use case behind Lede's channels and forwards.

A channel Lede administers sends it every post; each becomes an article of
that channel (:mod:`corpus.telegram_posts` converts it), an edit replaces
it, and an album's captions make one article. A public channel's posts are
everyone's; a private channel's are kept for the channel, and only its
audience (:meth:`ChannelPosts.set_audience`) sees them. A post forwarded to
Lede becomes an article of the chat it was forwarded to.

A post that is little more than a headline and a link brings in the linked
page, fetched like ``/add`` fetches: the post first, as its summary, then
the page's text, all cited to the post.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace

from corpus.article import Article
from corpus.errors import SourceError
from corpus.fetch import FetchPolicy
from corpus.ingest import Failure, fetch_article
from corpus.library import Kept, Library
from corpus.store import EVERYONE
from corpus.telegram_posts import (
    MIN_NEWS_WORDS,
    Forward,
    Post,
    TextLink,
    forward_article,
    headline_link,
    is_news,
    post_article,
)

log = logging.getLogger(__name__)

TOO_SHORT = f"a forwarded post needs at least {MIN_NEWS_WORDS} words of text to be news, and this one has fewer"
# Albums whose items are remembered, so that a caption arriving on a later item (or edited) joins the rest.
MAX_ALBUMS = 1024


class ChannelPosts:
    """Posts of the channels Lede administers, and posts forwarded to it."""

    def __init__(
        self, library: Library, policy: FetchPolicy, fetch: Callable[[str, FetchPolicy], Article] = fetch_article
    ) -> None:
        self.library = library
        self.policy = policy
        self._fetch = fetch
        self._albums: OrderedDict[tuple[int, str], dict[int, Post]] = OrderedDict()
        self._albums_lock = threading.Lock()

    def receive(self, post: Post, *, edited: bool = False) -> Kept | None:
        """Keep a channel's post (or its new version); None when it is skipped quietly (no text, not news)."""
        parts = self._album_parts(post)
        article = self._with_linked_page(post_article(post, parts), post.text, post.links)
        if not is_news(article.text):
            return None
        chat = EVERYONE if post.chat.public else post.chat.chat_id
        try:
            if edited or len(parts) > 1:
                return self.library.revise(article, chat=chat)
            return self.library.keep(article, chat=chat)
        except SourceError as error:
            log.info("Skipped post %s: %s", article.article_id, error.reason)
            return None

    def add_forward(self, forward: Forward, chat: int) -> Kept | Failure:
        """A forwarded post becomes an article of ``chat``; the same post forwarded again is stored once."""
        article = self._with_linked_page(forward_article(forward), forward.text, forward.links)
        if not is_news(article.text):
            return Failure(forward.origin.name, TOO_SHORT)
        try:
            return self.library.keep(article, chat=chat)
        except SourceError as error:
            return Failure(forward.origin.name, error.reason)

    def set_audience(self, channel: int, chats: frozenset[int]) -> None:
        """Who sees a private channel's posts from now on, as its administrators and linked group are now."""
        self.library.store.set_audience(channel, chats)
        if self.library.shelf is not None:
            self.library.shelf.set_audience(channel, chats)

    def _album_parts(self, post: Post) -> tuple[Post, ...]:
        """The album's items that have a caption, this one included (in its latest version); none outside an album."""
        if post.album is None:
            return ()
        with self._albums_lock:
            items = self._albums.setdefault((post.chat.chat_id, post.album), {})
            items[post.message_id] = post
            self._albums.move_to_end((post.chat.chat_id, post.album))
            while len(self._albums) > MAX_ALBUMS:
                self._albums.popitem(last=False)
            return tuple(item for item in items.values() if item.text.strip())

    def _with_linked_page(self, article: Article, text: str, links: Sequence[TextLink]) -> Article:
        """A headline-and-link post followed by the linked page's text; the post alone if there is none or it fails."""
        link = headline_link(text, links)
        if link is None:
            return article
        try:
            page = self._fetch(link, self.policy)
        except SourceError as error:
            log.info("Kept post %s without its link: %s", article.article_id, error.reason)
            return article
        return replace(article, paragraphs=article.paragraphs + page.paragraphs, author=page.author)
