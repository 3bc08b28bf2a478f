"""The one service every front end calls: Telegram handlers and the console alike.

:class:`Lede` owns the store (what Lede has read, kept across restarts), the
sentence index (what it can quote, in memory) and who may see what. Every
way of adding a source, from ``--ingest`` to a document sent in Telegram,
ends in :meth:`Lede._keep`, so they all deduplicate, store and index alike.
"""

from __future__ import annotations

import logging
import math
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.briefing_service import Briefings
from bot.config import Config, Mode
from corpus.article import Article
from corpus.feeds import ParsedFeed, export_opml, parse_feed, parse_opml
from corpus.fetch import FEED_TYPES, HTML_TYPES, FetchPolicy, fetch
from corpus.ingest import (
    SOURCE_ERRORS,
    Failure,
    IngestReport,
    UnreadableSource,
    content_hash,
    fetch_article,
    fetch_page,
    prepare,
    read_document,
    reason,
)
from corpus.loader import SUPPORTED_SUFFIXES, load_file, load_paths
from corpus.store import EVERYONE, Feed, Store, utc_now
from corpus.urls import InvalidUrl, canonical_url, looks_like_url
from corpus.visibility import Visibility
from retrieval.answer import Answer, answer_question
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.snapshot import load_snapshot, save_snapshot
from retrieval.text import Analyzer, words

log = logging.getLogger(__name__)

# Long enough for any real question, short enough that nobody pastes an
# article into the question box by mistake and waits for a useless answer.
MAX_QUESTION_CHARS = 500
# A feed that keeps failing is tried less and less often, but at least daily.
MAX_FEED_BACKOFF = timedelta(days=1)
SOURCES_PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class InvalidQuestion:
    """A question Lede will not try to answer, with the reason to show the user."""

    question: str
    reason: str


Outcome = Answer | InvalidQuestion


@dataclass(frozen=True, slots=True)
class Kept:
    """An article Lede now answers from: just stored (``new``) or already known."""

    article: Article
    sentences: int
    new: bool


@dataclass(frozen=True, slots=True)
class Refused:
    """A source Lede could not add, with the reason to show the user."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class FeedFollowed:
    """A feed a chat now follows, and what its first poll brought."""

    feed: Feed
    already_followed: bool
    report: IngestReport


@dataclass(frozen=True, slots=True)
class FeedsImported:
    """The outcome of an OPML import: feeds followed, articles they brought, failures."""

    followed: tuple[Feed, ...]
    report: IngestReport


@dataclass(frozen=True, slots=True)
class SourcesPage:
    """One page of a chat's sources: its feeds, then its articles, newest first."""

    feeds: tuple[Feed, ...]
    articles: tuple[Article, ...]
    page: int
    pages: int
    total_articles: int


class Lede(Briefings):
    """Lede's engine: the articles it knows, where they came from, and the questions it answers.

    Briefings, schedules and the answers' buttons live in :class:`Briefings`.
    """

    def __init__(
        self,
        index: SentenceIndex | None,
        store: Store | None = None,
        *,
        fetch_policy: FetchPolicy | None = None,
        feed_interval: float = 900.0,
        max_upload_bytes: int = 2_000_000,
    ) -> None:
        # None for a run that only stores (``--ingest``): indexing would cost as much again, for nothing.
        self.index = index
        self.store = store if store is not None else Store.open(":memory:")
        self.fetch_policy = fetch_policy or FetchPolicy()
        self.feed_interval = feed_interval
        self.max_upload_bytes = max_upload_bytes
        self.visibility = Visibility()
        # Questions, briefings and new sources run in worker threads at once.
        # The index and the visibility are not safe to share unlocked, so this
        # lock covers their reads and mutations, which are all in memory and
        # short; fetching, splitting, analysing and storing happen outside it.
        self._lock = threading.Lock()
        # One article stored at a time, so that two chats sending the same
        # one store it once; readers never take this lock.
        self._storing = threading.Lock()
        # Read on every incoming update, so kept in memory; the store has the lasting copy.
        self._unreachable = self.store.unreachable_chats()

    @classmethod
    def from_config(cls, config: Config) -> Lede:
        """Open the store and load it; add the configured corpora, else the bundled seed articles.

        An ``--ingest`` run only stores, so it neither loads nor builds the index.
        """
        store = Store.open(config.db_path)
        if config.mode is Mode.INGEST:
            return cls(None, store, fetch_policy=config.fetch_policy, feed_interval=config.feed_interval)
        lede = cls(
            SentenceIndex(Analyzer(Lexicon.load())),
            store,
            fetch_policy=config.fetch_policy,
            feed_interval=config.feed_interval,
            max_upload_bytes=config.max_upload_bytes,
        )
        # Stored articles first: the snapshot covers exactly those, so it can be
        # saved before this run's bundled or --corpus articles join the index.
        lede.load_store()
        paths = config.corpus_paths or (config.seeds_dir,)
        lede.add_articles(load_paths(Path(path) for path in paths))
        log.info("Loaded %d sentences from %s and %s", len(lede.index), ", ".join(map(str, paths)), config.db_path)
        return lede

    def load_store(self) -> int:
        """Index every stored article; returns how many.

        The index saved beside the store at the last start is read back as
        arrays; only articles stored since are indexed from their stored
        sentences (never split again), and the snapshot is then renewed.
        Call it before any article that is not in the store joins the index.
        """
        assert self.index is not None, "this Lede only stores"
        with self._lock:
            assert not len(self.index), "load the store into an empty index"
            articles = self.store.articles()
            snapshot = self._snapshot_path()
            restored = load_snapshot(snapshot, self.index.analyzer, articles) if snapshot else None
            if restored is not None:
                self.index = restored
            already = restored.article_count if restored is not None else 0
            for stored in self.store.load_articles(start=already):
                self.index.add_article(stored.article, stored.sentences)
            if snapshot and len(articles) > already:
                save_snapshot(self.index, snapshot)
            self.visibility.load(*self.store.visibility_rows())
        return len(articles)

    def save_index(self) -> None:
        """After a store-only run (``--ingest``): bring the saved index up to date with the store.

        Indexing here, once, is what lets every later start read the index
        instead of building it.
        """
        if self.index is None and self._snapshot_path():
            self.index = SentenceIndex(Analyzer(Lexicon.load()))
            self.load_store()

    def _snapshot_path(self) -> Path | None:
        """Where the index is saved: beside the database file (nowhere for an in-memory store)."""
        return self.store.path.with_name(self.store.path.name + ".index.npz") if self.store.path else None

    def add_articles(self, articles: Iterable[Article]) -> int:
        """Make articles answerable in every chat for this run only (the bundled corpus, ``--corpus``)."""
        assert self.index is not None, "this Lede only stores"
        added = 0
        with self._lock:
            for article in articles:
                if self.index.add([article]):
                    added += 1
                self.visibility.grant(EVERYONE, article.article_id)
        return added

    # ---- questions -----------------------------------------------------------------------

    def ask(self, question: str, chat: int = EVERYONE) -> Outcome:
        """Answer a question typed by a person, from what ``chat`` may see, or say why it cannot be asked."""
        # Invisible format characters (zero-width spaces, direction marks) split
        # words without showing it; the question means the same without them.
        question = " ".join("".join(c for c in question if unicodedata.category(c) != "Cf").split())
        if not question:
            return InvalidQuestion(question, "Ask me a question about the news, for example: what did Zelensky demand?")
        if len(question) > MAX_QUESTION_CHARS:
            return InvalidQuestion(
                question[:80] + "…",
                f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.",
            )
        assert self.index is not None, "this Lede only stores"
        if not self.index.analyzer.terms(question):
            reason = ("That has only common words like “what” and “the”; say who or what you are asking about."
                      if words(question) else "There are no words in that to search for; ask me a question in words.")
            return InvalidQuestion(question, reason)
        return self._answer_from_visible(question, chat)

    def _answer_from_visible(self, question: str, chat: int, **options: Any) -> Answer:
        """Rank ``question`` over the articles ``chat`` may see (``options`` go to :func:`answer_question`)."""
        assert self.index is not None, "this Lede only stores"
        with self._lock:
            visible = self.visibility.rule_for(chat)
            return answer_question(
                self.index, question, accept=lambda passage: visible(passage.article.article_id), **options
            )

    # ---- adding sources ------------------------------------------------------------------

    def ingest(
        self, sources: Sequence[str], *, chat: int = EVERYONE, progress: Callable[[], None] | None = None
    ) -> IngestReport:
        """Store the articles of files, folders, OPML lists, web pages and feeds; one bad source never stops the rest.

        ``progress`` is called after each article, for a progress bar.
        """
        report = IngestReport()
        for source in sources:
            if looks_like_url(source):
                self._ingest_url(source, chat, report)
                if progress:
                    progress()
                continue
            path = Path(source)
            if not path.exists():
                report.failed.append(Failure(source, "no such file or folder"))
                continue
            for file in _files(path):
                try:
                    if file.name.lower().endswith(".opml"):
                        imported = self.import_opml(file.read_bytes(), chat)
                        report.include(imported.report)
                        continue
                    for article in load_file(file):
                        self._tally(report, article.source or str(file), lambda a=article: self._keep(a, chat=chat))
                        if progress:
                            progress()
                except (OSError, ValueError) as error:
                    report.failed.append(Failure(str(file), reason(error) if isinstance(error, SOURCE_ERRORS) else str(error)))
        return report

    def _ingest_url(self, url: str, chat: int, report: IngestReport) -> None:
        try:
            page = fetch_page(url, self.fetch_policy)
        except SOURCE_ERRORS as error:
            report.failed.append(Failure(url, reason(error)))
            return
        if isinstance(page, ParsedFeed):
            followed = self.follow_feed(url, chat)
            if isinstance(followed, Refused):
                report.failed.append(Failure(url, followed.reason))
            else:
                report.include(followed.report)
        else:
            self._tally(report, url, lambda: self._keep(page, chat=chat))

    def add_url(self, url: str, chat: int = EVERYONE) -> Kept | Refused:
        """``/add <url>``: fetch one web article and keep it for ``chat``."""
        try:
            return self._keep(fetch_article(url, self.fetch_policy), chat=chat)
        except SOURCE_ERRORS as error:
            return Refused(url, reason(error))

    def add_document(self, name: str, data: bytes, chat: int = EVERYONE) -> Kept | Refused:
        """A document sent to the bot (.txt, .md, .html) becomes an article of ``chat``."""
        if len(data) > self.max_upload_bytes:
            return Refused(name, self.too_large(name, len(data)))
        try:
            return self._keep(read_document(name, data), chat=chat)
        except SOURCE_ERRORS as error:
            return Refused(name, reason(error))

    def add_file(self, path: Path, chat: int = EVERYONE) -> Kept | Refused | FeedsImported:
        """The console's upload: ``/add notes.txt`` (or ``feeds.opml``) reads a local file as a sent document.

        Its size is checked before it is read, as Telegram's is before it is downloaded.
        """
        try:
            size = path.stat().st_size
        except OSError as error:
            return Refused(str(path), f"{path} could not be read ({error.strerror})")
        if reason := self.too_large(path.name, size):
            return Refused(path.name, reason)
        data = path.read_bytes()
        if path.suffix.lower() == ".opml":
            return self.import_opml(data, chat)
        return self.add_document(path.name, data, chat)

    def too_large(self, name: str, size: int) -> str | None:
        """Why an upload of ``size`` bytes is refused before it is even downloaded, if it is."""
        if size <= self.max_upload_bytes:
            return None
        return f"{name} is {size / 1e6:.1f} MB; I take documents up to {self.max_upload_bytes / 1e6:.0f} MB"

    def _keep(self, article: Article, *, chat: int = EVERYONE, feed: int | None = None) -> Kept:
        """Store and index an article unless its id, URL or text is known; either way ``chat`` (or ``feed``) sees it.

        Splitting and analysing run before any lock is taken, storing under
        :attr:`_storing` only; questions wait for nothing but the index's own update.
        """
        fingerprint = content_hash(article.paragraphs)
        known = self.store.known_article(article.article_id, article.url, fingerprint)
        if known is None:
            prepared = prepare(replace(article, fetched=article.fetched or utc_now()))
            if not prepared.sentences:
                raise UnreadableSource(f"{article.source or article.article_id} has no text to quote from")
            terms = [self.index.analyzer.terms(sentence) for sentence in prepared.sentences] if self.index else None
            with self._storing:
                known = self.store.known_article(article.article_id, article.url, fingerprint)
                if known is None:
                    self.store.add_article(prepared.article, prepared.sentences, prepared.content_hash, chat=chat, feed=feed)
            if known is None:
                with self._lock:
                    if self.index is not None:
                        self.index.add_article(prepared.article, prepared.sentences, terms)
                    self._grant(article.article_id, chat, feed)
                return Kept(prepared.article, len(prepared.sentences), new=True)
        self.store.share_article(known, chat=chat, feed=feed)
        with self._lock:
            self._grant(known, chat, feed)
        stored = self.store.article(known)
        return Kept(stored.article, len(stored.sentences), new=False)

    def _grant(self, article_id: str, chat: int, feed: int | None) -> None:
        if feed is None:
            self.visibility.grant(chat, article_id)
        else:
            self.visibility.add_to_feed(feed, article_id)

    @staticmethod
    def _tally(report: IngestReport, source: str, keep: Callable[[], Kept]) -> None:
        try:
            kept = keep()
        except SOURCE_ERRORS as error:
            report.failed.append(Failure(source, reason(error)))
            return
        if kept.new:
            report.added += 1
        else:
            report.known += 1

    # ---- feeds ---------------------------------------------------------------------------

    def follow_feed(self, url: str, chat: int = EVERYONE) -> FeedFollowed | Refused:
        """``/feed add <url>``: check that it is a feed, follow it for ``chat`` and read it now."""
        try:
            canonical = canonical_url(url)
        except InvalidUrl as error:
            return Refused(url, str(error))
        try:
            fetched = fetch(canonical, self.fetch_policy, accept=FEED_TYPES | HTML_TYPES)
            parsed = parse_feed(fetched.body, fetched.url)
        except SOURCE_ERRORS as error:
            return Refused(url, reason(error))
        feed, new = self.store.subscribe(chat, canonical)
        with self._lock:
            self.visibility.follow(chat, feed.feed_id)
        report = self._read_entries(feed, parsed)
        self.store.record_poll(feed.feed_id, next_check=self._after(self.feed_interval), title=parsed.title,
                               etag=fetched.etag, last_modified=fetched.last_modified)
        return FeedFollowed(self.store.feed(feed.feed_id), not new, report)

    def feeds(self, chat: int = EVERYONE) -> list[Feed]:
        """``/feed list``: a chat's feeds, numbered from 1 in this order."""
        return self.store.chat_feeds(chat)

    def unfollow_feed(self, number: int, chat: int = EVERYONE) -> Feed | Refused:
        """``/feed remove <n>``: stop following the chat's n-th feed (as ``/feed list`` numbers them)."""
        feeds = self.store.chat_feeds(chat)
        if not 1 <= number <= len(feeds):
            count = f"feeds 1 to {len(feeds)}" if feeds else "no feeds"
            return Refused(str(number), f"there is no feed number {number}; this chat has {count}")
        feed = feeds[number - 1]
        self.store.unsubscribe(chat, feed.feed_id)
        with self._lock:
            self.visibility.unfollow(chat, feed.feed_id)
        return feed

    def export_opml(self, chat: int = EVERYONE) -> str:
        """``/feed export``: the chat's feeds as an OPML file that feed readers import."""
        return export_opml(((feed.title, feed.url) for feed in self.store.chat_feeds(chat)), "Lede feeds")

    def import_opml(self, data: bytes, chat: int = EVERYONE) -> FeedsImported:
        """An OPML file (sent in Telegram or given to ``--ingest``): follow every feed in it."""
        report = IngestReport()
        followed: list[Feed] = []
        try:
            urls = parse_opml(data)
        except SOURCE_ERRORS as error:
            report.failed.append(Failure("OPML", reason(error)))
            return FeedsImported((), report)
        for url in urls:
            outcome = self.follow_feed(url, chat)
            if isinstance(outcome, Refused):
                report.failed.append(Failure(url, outcome.reason))
            else:
                followed.append(outcome.feed)
                report.include(outcome.report)
        return FeedsImported(tuple(followed), report)

    def poll_feeds(self, now: datetime | None = None) -> IngestReport:
        """Read every followed feed that is due (the JobQueue calls this; so may a cron job)."""
        report = IngestReport()
        for feed in self.store.due_feeds((now or datetime.now(UTC)).replace(microsecond=0).isoformat()):
            report.include(self._poll(feed))
        return report

    def _poll(self, feed: Feed) -> IngestReport:
        """One conditional GET of a feed; failures back off exponentially."""
        try:
            fetched = fetch(feed.url, self.fetch_policy, accept=FEED_TYPES | HTML_TYPES,
                            etag=feed.etag, last_modified=feed.last_modified)
            parsed = None if fetched.not_modified else parse_feed(fetched.body, fetched.url)
        except SOURCE_ERRORS as error:
            delay = min(timedelta(seconds=self.feed_interval * 2 ** (feed.failures + 1)), MAX_FEED_BACKOFF)
            self.store.record_poll(feed.feed_id, next_check=self._after(delay.total_seconds()), error=reason(error))
            log.warning("Feed %s failed (%d in a row): %s", feed.url, feed.failures + 1, reason(error))
            return IngestReport(failed=[Failure(feed.url, reason(error))])
        report = self._read_entries(feed, parsed) if parsed is not None else IngestReport()
        self.store.record_poll(
            feed.feed_id, next_check=self._after(self.feed_interval), title=parsed.title if parsed else None,
            etag=fetched.etag or feed.etag, last_modified=fetched.last_modified or feed.last_modified,
        )
        return report

    def _read_entries(self, feed: Feed, parsed: ParsedFeed) -> IngestReport:
        """Keep a feed's entries, fetching the page of each new one that carries only a summary."""
        report = IngestReport(unread=parsed.unread)
        for entry in parsed.entries:
            article = entry.article
            known = self.store.known_article(article.article_id, article.url, content_hash(article.paragraphs))
            if entry.summary_only and entry.link and known is None:
                article = self._full_text(entry.link, article)
            self._tally(report, entry.link or feed.url, lambda a=article: self._keep(a, feed=feed.feed_id))
        return report

    def _full_text(self, link: str, summary: Article) -> Article:
        """The entry's page as the article, keeping what the feed knew better; the summary if that fails."""
        try:
            page = fetch_article(link, self.fetch_policy)
        except SOURCE_ERRORS as error:
            log.info("Kept the summary of %s: %s", link, reason(error))
            return summary
        return replace(page, article_id=summary.article_id, title=summary.title or page.title,
                       publisher=summary.publisher or page.publisher, published=summary.published or page.published,
                       author=page.author or summary.author, source=summary.source)

    @staticmethod
    def _after(seconds: float) -> str:
        return (datetime.now(UTC) + timedelta(seconds=math.ceil(seconds))).replace(microsecond=0).isoformat()

    # ---- what a chat has -----------------------------------------------------------------

    def sources(self, chat: int = EVERYONE, page: int = 1) -> SourcesPage:
        """``/sources``: the chat's feeds and a page of its articles, newest first."""
        listing = self.store.chat_articles(chat, limit=SOURCES_PAGE_SIZE, offset=0)
        pages = max(1, math.ceil(listing.total / SOURCES_PAGE_SIZE))
        page = min(max(page, 1), pages)
        if page > 1:
            listing = self.store.chat_articles(chat, limit=SOURCES_PAGE_SIZE, offset=(page - 1) * SOURCES_PAGE_SIZE)
        return SourcesPage(tuple(self.store.chat_feeds(chat)), listing.articles, page, pages, listing.total)

    # ---- chats Telegram will not deliver to ---------------------------------------------

    def chat_unreachable(self, chat: int, reason: str) -> None:
        """Telegram refused to deliver to ``chat`` (403: the bot was blocked or removed).

        Its daily briefing ends, and its feeds are no longer polled for it,
        until the chat writes to the bot again.
        """
        log.info("Chat %d is unreachable (%s); sending it nothing more until it writes again", chat, reason)
        self.store.mark_unreachable(chat, reason)
        self._unreachable[chat] = reason
        self.unsubscribe(chat)

    def chat_reachable(self, chat: int) -> None:
        """The chat wrote to the bot (or re-added it): deliver to it again."""
        if chat in self._unreachable:
            self.store.mark_reachable(chat)
            del self._unreachable[chat]

    def is_reachable(self, chat: int) -> bool:
        """Whether anything may be sent to ``chat``; schedules check this before they send."""
        return chat not in self._unreachable

    def close(self) -> None:
        self.store.close()


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name.lower().endswith((*SUPPORTED_SUFFIXES, ".opml")):
                yield child
    else:
        yield path
