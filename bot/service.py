"""Lede: the use cases every front end calls (Telegram handlers and the console alike), composed in one place.

:meth:`Lede.compose` is the only place the parts are put together:

* :class:`~corpus.sources.Sources` routes each source (URL, file, folder,
  OPML list) to the :class:`~corpus.library.Library`, which keeps articles,
  or the :class:`~corpus.feed_poller.FeedPoller`, which follows feeds;
* :class:`~bot.questions.Questions` answers and serves an answer's buttons;
* :class:`~bot.briefing_service.Briefings` tells the news, on demand or daily;
* :class:`~bot.reachability.Reachability` stops sending to chats that left;
* :class:`~corpus.retention.Retention` forgets articles older than ``LEDE_KEEP_DAYS``;
* :class:`~corpus.channel_posts.ChannelPosts` keeps channel posts and forwarded posts;

all over one store (what Lede has read, kept across restarts) and one
:class:`~bot.shared_index.SharedIndex` (what it can quote, and to whom).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.briefing_service import Briefings, TellStories
from bot.config import Config, Mode
from bot.conversations import DEFAULT_QUIET, Conversations
from bot.preparing import PreparingProcess
from bot.questions import Questions
from bot.reachability import Reachability
from bot.shared_index import SharedIndex, new_index, snapshot_path
from corpus.article import Article
from corpus.channel_posts import ChannelPosts
from corpus.feed_poller import DEFAULT_FEED_INTERVAL, FeedPoller, HostTurns
from corpus.fetch import FetchPolicy
from corpus.ingest import Prepared, prepare, read_document
from corpus.errors import ConfigurationError, SourceError
from corpus.library import Library
from corpus.loader import absence, load_paths
from corpus.retention import Retention
from corpus.sources import DEFAULT_MAX_UPLOAD_BYTES, Sources
from corpus.store import Store
from retrieval.briefing import GroupStories, brief
from retrieval.followup import FollowUpSettings
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lede:
    """Lede's engine: its use cases over one store and one shared index (None for a run that only stores)."""

    store: Store
    index: SharedIndex | None
    sources: Sources
    poller: FeedPoller
    questions: Questions
    briefings: Briefings
    chats: Reachability
    retention: Retention
    posts: ChannelPosts
    preparing: PreparingProcess | None = None

    @classmethod
    def compose(
        cls,
        index: SentenceIndex | None,
        store: Store | None = None,
        *,
        fetch_policy: FetchPolicy | None = None,
        feed_interval: float = DEFAULT_FEED_INTERVAL,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        prepare: Callable[[Article], Prepared] = prepare,
        tell: TellStories = brief,
        keep_days: int | None = None,
        preparing: PreparingProcess | None = None,
        group_stories: GroupStories | None = None,
        follow_ups: FollowUpSettings = FollowUpSettings(),
        conversation_quiet: timedelta = DEFAULT_QUIET,
        prepare_ahead: bool = True,
    ) -> Lede:
        """Put the parts together. ``prepare`` (splitting) and ``tell`` (story grouping) can be replaced in tests.

        ``follow_ups`` weighs what a follow-up borrows from its conversation;
        a conversation quiet for ``conversation_quiet`` is over. ``prepare_ahead``: see :class:`SharedIndex`.

        Without an ``index`` Lede only stores (``--ingest``): indexing would cost as much again, for nothing.
        With ``preparing``, uploads are read and new articles split and analysed in that process instead of here.
        ``group_stories`` groups a briefing's articles into stories (by default in the briefing's thread).
        """
        store = store if store is not None else Store.open(":memory:")
        shared = (SharedIndex(index, analyse=preparing.analyse if preparing else None, prepare_ahead=prepare_ahead)
                  if index is not None else None)
        library = Library(store, shared, prepare=preparing.prepare if preparing else prepare)
        # A store-only run never answers or briefs; its questions and briefings would read an empty index.
        readable = shared if shared is not None else SharedIndex(SentenceIndex(Analyzer()))
        # One for the polls and every chat's first reads: a host is sent one feed request at a time by them all.
        poller = FeedPoller(library, fetch_policy or FetchPolicy(), feed_interval, terms=readable.analyzer.terms,
                            hosts=HostTurns())
        briefings = Briefings(readable, store, tell, group_stories)
        return cls(
            store=store,
            index=shared,
            sources=Sources(library, poller, max_upload_bytes,
                            read=preparing.read_document if preparing else read_document,
                            loaded_at_start=lambda: readable.loaded_at_start),
            poller=poller,
            questions=Questions(readable, store, Conversations(store, readable, follow_ups, conversation_quiet)),
            briefings=briefings,
            chats=Reachability(store, briefings, shared),
            retention=Retention(store, shared, keep_days),
            posts=ChannelPosts(library, poller.policy),
            preparing=preparing,
        )

    @classmethod
    def from_config(cls, config: Config, progress: Callable[[], None] | None = None) -> Lede:
        """Open the store and load it; add the configured corpora, else the bundled seed articles.

        ``--ingest`` and ``--prune`` runs only change the store, so they neither load nor build the index
        (the bot's next start renews its saved index after a pruning). ``progress`` is called after each
        ``--corpus`` article, for a progress bar.
        """
        paths = corpus_paths(config.corpus_paths or (config.seeds_dir,))
        store = Store.open(config.db_path, create=config.create_db, setting=config.db_setting)
        if store.read_only:  # said here, where Lede answers from it: a backup only reads, and it would be noise there
            log.warning("%s %s is read-only: Lede answers from it, but writes are off", config.db_setting, store.path)
        if config.mode in (Mode.INGEST, Mode.PRUNE):
            return cls.compose(None, store, fetch_policy=config.fetch_policy, feed_interval=config.feed_interval,
                               keep_days=config.keep_days)
        index = new_index()
        preparing = PreparingProcess(index.analyzer)
        # Many chats at once: a briefing's stories are grouped in the preparing process, so that the
        # others' answers keep the GIL (see bot.preparing). A run with one user groups them itself,
        # without starting a process for it.
        group_stories = preparing.group_stories if config.mode is Mode.TELEGRAM else None
        lede = cls.compose(index, store, fetch_policy=config.fetch_policy, feed_interval=config.feed_interval,
                           max_upload_bytes=config.max_upload_bytes, preparing=preparing, group_stories=group_stories,
                           conversation_quiet=config.conversation_quiet, keep_days=config.keep_days,
                           prepare_ahead=config.mode is not Mode.ASK)
        # Stored articles first: the snapshot covers exactly those, so it can be
        # saved before this run's bundled or --corpus articles join the index.
        lede.load_store()
        try:
            lede.add_articles(_counted(_corpus_articles(paths), progress))
        except ConfigurationError:
            lede.close()
            raise
        log.info("Loaded %d sentences from %s and %s", len(lede.answering_index), ", ".join(map(str, paths)), config.db_path)
        return lede

    @property
    def answering_index(self) -> SharedIndex:
        """The index of a Lede that answers (every run's but ``--ingest``'s and ``--prune``'s, which only store)."""
        assert self.index is not None, "this Lede only stores"
        return self.index

    def load_store(self) -> int:
        """Index every stored article (see :meth:`SharedIndex.load`); returns how many."""
        assert self.index is not None, "this Lede only stores"
        return self.index.load(self.store)

    def follow_store(self) -> None:
        """Index what another process stored or replaced, and forget what it removed, since the last look (see
        :meth:`SharedIndex.catch_up`)."""
        assert self.index is not None, "this Lede only stores"
        added, replaced, removed = self.index.catch_up(self.store)
        if added or replaced or removed:
            log.info("The store changed beside this run: indexed %d articles stored and %d replaced, and forgot %d removed",
                     added, replaced, removed)

    def add_articles(self, articles: Iterable[Article]) -> int:
        """Make articles answerable in every chat for this run only (the bundled corpus, ``--corpus``)."""
        assert self.index is not None, "this Lede only stores"
        return self.index.add_everywhere(articles)

    def save_index(self) -> None:
        """After a store-only run (``--ingest``): bring the saved index up to date with the store.

        Indexing here, once, is what lets every later start read the index
        instead of building it.
        """
        if self.index is None and snapshot_path(self.store):
            SharedIndex(new_index()).load(self.store)

    def close(self) -> None:
        """End the work under way in Lede's own threads and process, then close the store: the feed reads first,
        as they use the other two."""
        self.poller.close()
        if self.preparing is not None:
            self.preparing.close()
        self.store.close()


def corpus_paths(paths: Iterable[Path]) -> list[Path]:
    """The ``--corpus`` paths (else the bundled seeds), each checked to exist before anything is opened."""
    checked = [Path(path) for path in paths]
    for path in checked:
        if reason := absence(path):
            raise ConfigurationError(f"--corpus {path}: {reason}")
    return checked


def _corpus_articles(paths: Iterable[Path]) -> Iterator[Article]:
    """The articles of the ``--corpus`` paths; a file named there that Lede cannot read is refused, by its path.

    A folder's unreadable files are skipped with a warning instead (see :func:`corpus.loader.load_paths`).
    """
    for path in paths:
        try:
            yield from load_paths([path])
        except SourceError as error:
            raise ConfigurationError(f"--corpus {path}: {error.reason}") from None


def _counted(articles: Iterable[Article], progress: Callable[[], None] | None) -> Iterator[Article]:
    """``articles``, calling ``progress`` after each has been taken in."""
    for article in articles:
        yield article
        if progress:
            progress()
