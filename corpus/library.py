"""Keeping an article: de-duplicate, prepare outside any lock, store, then tell the shelf.

Every way of adding a source (``--ingest``, ``/add``, a document, a feed
entry) ends in :meth:`Library.keep`, so they all de-duplicate, store and
index alike. What makes an article answerable (the sentence index, in
memory) is not corpus's business: it is told through the :class:`Shelf`
protocol, so that ``corpus`` never imports ``retrieval``.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from corpus.article import Article
from corpus.errors import UnreadableSource
from corpus.ingest import Prepared, content_hash, prepare
from corpus.loader import file_source
from corpus.store import EVERYONE, Store


class Shelf(Protocol):
    """Where kept articles become answerable, and who may see them (the sentence index, in the bot).

    Each call is made outside the library's locks; the shelf guards its own state.
    """

    def shelve(self, article: Article, sentences: Sequence[str], *, chat: int, feed: int | None) -> None:
        """Make a newly stored article answerable for ``chat`` (or the followers of ``feed``)."""

    def grant(self, article_id: str, *, chat: int, feed: int | None) -> None:
        """Let ``chat`` (or the followers of ``feed``) see an article already shelved."""

    def follow(self, chat: int, feed: int) -> None:
        """``chat`` now sees what ``feed`` brings."""

    def unfollow(self, chat: int, feed: int) -> None:
        """``chat`` no longer sees what ``feed`` brings."""

    def merge_feeds(self, old: int, new: int) -> None:
        """Feed ``old`` moved to the address of ``new``: its followers and articles are ``new``'s now."""

    def replace(self, article: Article, sentences: Sequence[str]) -> None:
        """Answer from a new version of an article already shelved (an edited post) instead of the old."""

    def set_audience(self, channel: int, chats: frozenset[int]) -> None:
        """Only ``chats`` see what was kept for the private ``channel`` (besides the channel itself)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """An article Lede now answers from: just stored (``new``), a new version of one kept before (``updated``, new
    too), or already known."""

    article: Article
    sentences: int
    new: bool
    updated: bool = False


class Library:
    """The articles Lede keeps: each stored once, however many chats and feeds bring it."""

    def __init__(self, store: Store, shelf: Shelf | None, *, prepare: Callable[[Article], Prepared] = prepare) -> None:
        # No shelf for a run that only stores (``--ingest``): indexing would cost as much again, for nothing.
        self.store = store
        self.shelf = shelf
        self._prepare = prepare
        # One article stored at a time, so that two chats sending the same one
        # store it once; questions never take this lock.
        self._storing = threading.Lock()

    def keep(
        self,
        article: Article,
        *,
        chat: int = EVERYONE,
        feed: int | None = None,
        full_text: Callable[[Article], Article] | None = None,
    ) -> Kept:
        """Store an article unless its id, URL or text is known; either way ``chat`` (or ``feed``) sees it.

        ``full_text`` turns a feed's summary into the whole article; it is
        called only for an article not already known. Splitting runs before
        any lock is taken and storing under the library's own lock only.
        """
        known = self.store.known_article(article.article_id, article.url, content_hash(article.paragraphs))
        if known is None:
            whole = full_text(article) if full_text else article
            prepared = self._prepare(replace(whole, fetched=whole.fetched or datetime.now(UTC)))
            if not prepared.sentences:
                raise UnreadableSource(f"{article.source or article.article_id} has no text to quote from")
            with self._storing:
                known = self.store.known_article(whole.article_id, whole.url, prepared.content_hash)
                if known is None:
                    self.store.add_article(prepared.article, prepared.sentences, prepared.content_hash,
                                           chat=chat, feed=feed)
            if known is None:
                if self.shelf is not None:
                    self.shelf.shelve(prepared.article, prepared.sentences, chat=chat, feed=feed)
                return Kept(prepared.article, len(prepared.sentences), new=True)
        self._share(known, chat=chat, feed=feed)
        stored = self.store.article(known)
        return Kept(stored.article, len(stored.sentences), new=False)

    def reread(self, article: Article, *, chat: int = EVERYONE) -> Kept:
        """An article read again from where it was kept from (a file, a web page): a new version of its text or
        title takes the old one's place (see :meth:`revise`) and ``chat`` sees it; else it is kept as :meth:`keep` does.

        The same source is the same id read from the same ``source`` (a file's resolved path, a page's address after
        redirects). An id another source's article holds (two files of one name in different folders: a file's id is
        its name) is not this source's: its article is kept under an id of its own, made from its source, so that
        it is stored beside the other, and found again when read again. The first file of a name keeps the name as
        its id, as every file did until 3 Dec. An unchanged article is recognised before anything is split, as
        :meth:`keep` does.
        """
        stored = self.store.article_version(article.article_id)
        if stored is not None and article.source is not None and not _same_source(stored.source, article.source):
            article = replace(article, article_id=_own_id(article.article_id, article.source))
            stored = self.store.article_version(article.article_id)
        if (stored is None or not _same_source(stored.source, article.source)
                or (stored.title, stored.content_hash) == (article.title, content_hash(article.paragraphs))):
            return self.keep(article, chat=chat)
        kept = self.revise(article, chat=chat)
        if kept.updated:  # revise leaves who sees a replaced article as it was: this chat read it too
            self._share(article.article_id, chat=chat, feed=None)
        return kept

    def _share(self, article_id: str, *, chat: int, feed: int | None) -> None:
        """Let ``chat`` (or the followers of ``feed``) see a stored article, in the store and on the shelf."""
        self.store.share_article(article_id, chat=chat, feed=feed)
        if self.shelf is not None:
            self.shelf.grant(article_id, chat=chat, feed=feed)

    def revise(self, article: Article, *, chat: int = EVERYONE, feed: int | None = None) -> Kept:
        """A new version of a kept article (an edited post, a corrected feed entry) takes its place for whoever saw it.

        An article not kept yet (edited before Lede read it) is kept for
        ``chat`` (or the followers of ``feed``); a version whose text is
        another article's, or whose text and title are unchanged, is that
        article. Versions are stored and shelved under the library's lock, so
        two edits in quick succession end with the later one everywhere; an
        edit is rare, and its sentences were split before.
        """
        prepared = self._prepare(replace(article, fetched=article.fetched or datetime.now(UTC)))
        if not prepared.sentences:
            raise UnreadableSource(f"{article.source or article.article_id} has no text to quote from")
        with self._storing:
            stored = self.store.has_article(article.article_id)
            same_text = self.store.known_article("", None, prepared.content_hash)
            # A headline corrected over the same text is a new version too.
            retitled = same_text == article.article_id and self.store.article(same_text).article.title != article.title
            replaced = stored and (same_text is None or retitled)
            if replaced:
                self.store.replace_article(prepared.article, prepared.sentences, prepared.content_hash)
                if self.shelf is not None:
                    self.shelf.replace(prepared.article, prepared.sentences)
            elif same_text is None:
                self.store.add_article(prepared.article, prepared.sentences, prepared.content_hash, chat=chat, feed=feed)
                if self.shelf is not None:
                    self.shelf.shelve(prepared.article, prepared.sentences, chat=chat, feed=feed)
        if same_text is not None and not retitled:
            return self.keep(article, chat=chat, feed=feed)
        return Kept(prepared.article, len(prepared.sentences), new=True, updated=replaced)


def _own_id(article_id: str, source: str) -> str:
    """The id of ``source``'s article when another source's article holds ``article_id``."""
    return f"{article_id}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def _same_source(kept: str | None, read: str | None) -> bool:
    """Whether an article kept from ``kept`` and one read from ``read`` were read from one place.

    A file's source is its resolved path (see :func:`corpus.loader.file_source`); until 3 Dec it was its path
    as given, perhaps relative to where Lede ran then: read from here, such a path is still the same file.
    """
    if kept == read:
        return True
    return kept is not None and read is not None and not Path(kept).is_absolute() and file_source(Path(kept)) == read
