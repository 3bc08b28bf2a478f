"""The sentence index and who may see what, shared by every worker thread under one short lock.

Questions, briefings and new sources run in worker threads at once. The
index and the visibility are not safe to change while they are read (an
article is registered before its sentences), so a readers-writer lock
guards them: readers (questions, a briefing's reads) share it, a writer
(a new article, a grant, a follow) has it alone, and only for the in-memory
update. Everything slow stays outside it: a new article is split and
analysed before the lock is taken, and a briefing gathers its news a batch
at a time and reads a sentence only when it tells it. Questions also take
turns among themselves, because ranking reuses one scratch buffer.

:class:`SharedIndex` is the :class:`corpus.library.Shelf` the library tells
about each article it keeps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np

from corpus.article import Article, article_moment
from corpus.ingest import prepare
from corpus.store import EVERYONE, Store, StoreState, StoredArticle
from corpus.visibility import Visibility
from retrieval.answer import Answer, answer_question
from retrieval.briefing import ArticleSentences, NewsItem
from retrieval.followup import Topic, topic_of
from retrieval.briefing_replies import Scope
from retrieval.index import Passage, SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.sentence_terms import SentenceTerms, analyse
from retrieval.snapshot import load_snapshot, save_snapshot
from retrieval.story_terms import StoryTerms, indexed_story_terms
from retrieval.text import Analyzer

log = logging.getLogger(__name__)

# Turns sentences into their index terms.
Analyse: TypeAlias = Callable[[Sequence[str]], SentenceTerms]

# Articles read under the lock at a time while a briefing gathers its news.
BRIEFING_BATCH = 256


def new_index() -> SentenceIndex:
    """An empty index with the bundled lexicon: the one way Lede builds its index."""
    return SentenceIndex(Analyzer(Lexicon.load()))


def snapshot_path(store: Store) -> Path | None:
    """Where the index is saved: beside the database file (nowhere for an in-memory store)."""
    return snapshot_beside(store.path) if store.path else None


def snapshot_beside(database: Path) -> Path:
    """The index snapshot of the database file ``database``."""
    return database.with_name(database.name + ".index.npz")


class ReadWriteLock:
    """Many readers at once, or one writer; a writer that waits goes before readers that come after it.

    Writers are rare (an in-memory index update), so letting them go first
    costs readers little, and a stream of questions never starves them. A
    long write pauses now and then (:meth:`pause_writing`) to let the readers
    that are waiting in.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._readers = 0
        self._readers_waiting = 0
        self._writing = False
        self._paused = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._changed:
            self._readers_waiting += 1
            while (self._writing or self._writers_waiting) and not self._paused:
                self._changed.wait()
            self._readers_waiting -= 1
            self._readers += 1
            self._changed.notify_all()  # a paused writer waits for the waiting readers to come in
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                if not self._readers:
                    self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._changed:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._changed.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()

    def pause_writing(self) -> None:
        """For the writer in the middle of a long write: let the waiting readers in, and go on once they are done.

        No other writer gets in meanwhile, so the write resumes where it paused.
        """
        with self._changed:
            if not self._readers_waiting:
                return
            self._paused = True
            self._changed.notify_all()
            while self._readers_waiting:
                self._changed.wait()
            self._paused = False
            while self._readers:
                self._changed.wait()


class SharedIndex:
    """What Lede can quote, and to whom: the index and the visibility behind a readers-writer lock."""

    def __init__(self, index: SentenceIndex, *, analyse: Analyse | None = None, prepare_ahead: bool = True) -> None:
        self._index = index
        # Whether loading prepares what later questions and briefings would otherwise pay for on
        # first use (the misspelling structure, the titles' terms): a few tenths of a second at
        # Reuters size that a run answering one question (--ask) would wait through for nothing.
        self._prepare_ahead = prepare_ahead
        # How a new article's sentences become terms: in this thread unless the composition
        # hands the work to another process (see bot.preparing).
        self._analyse = analyse or self._analyse_here
        self._visibility = Visibility()
        self._loaded_at_start = 0
        # The bundled and --corpus articles: in the index for this run, never in the store.
        self._everywhere: set[str] = set()
        # The store as this index last followed it (see catch_up); one catch-up at a time.
        self._followed = StoreState(0, 0)
        self._catching_up = threading.Lock()
        self._lock = ReadWriteLock()
        self._ranking = threading.Lock()

    @property
    def analyzer(self) -> Analyzer:
        """The index's analyzer (immutable, so it needs no lock)."""
        return self._index.analyzer

    def __len__(self) -> int:
        with self._lock.reading():
            return len(self._index)

    @property
    def loaded_at_start(self) -> int:
        """How many articles :meth:`add_everywhere` indexed that the store does not hold."""
        return self._loaded_at_start

    @property
    def passages(self) -> Sequence[Passage]:
        """Every sentence indexed, in order (for checks after loading; not for use while sources are added)."""
        return self._index.passages

    # ---- loading -----------------------------------------------------------------------------

    def load(self, store: Store) -> int:
        """Index every stored article, and learn who sees which; returns how many articles.

        The index saved beside the store at the last start is read back as
        arrays; only articles stored since are indexed from their stored
        sentences (never split again), and the snapshot is then renewed.
        Call it before any article that is not in the store joins the index.
        """
        with self._lock.writing():
            assert not len(self._index), "load the store into an empty index"
            # Read first: whatever is stored from here on, catch_up finds (and skips what this load took).
            self._followed = store.state()
            articles = store.articles()
            snapshot = snapshot_path(store)
            generation = store.replacements()
            restored = load_snapshot(snapshot, self._index.analyzer, articles, generation) if snapshot else None
            if restored is not None:
                self._index = restored
            already = restored.article_count if restored is not None else 0
            for stored in store.load_articles(start=already):
                self._index.add_article(stored.article, stored.sentences)
            if snapshot and len(articles) > already and not store.read_only:
                self._save_snapshot(snapshot, generation)
            if self._prepare_ahead:
                self._index.prepare_spelling()
                self._learn_titles(article.title for article in articles)
            self._visibility.load(*store.visibility_rows())
            for channel, chats in store.audiences().items():
                self._visibility.set_audience(channel, chats)
        return len(articles)

    def _save_snapshot(self, path: Path, generation: int) -> None:
        """Save the index beside the store; a disk that is full (or a path in the way) only costs the next start time.

        The snapshot is a cache of what the store holds: the articles are stored
        whatever becomes of it, and a start without it indexes them again.
        """
        try:
            save_snapshot(self._index, path, generation)
        except OSError as error:
            log.warning("Could not save the index to %s (%s); the next start indexes the stored articles again",
                        path, error.strerror or error)

    def add_everywhere(self, articles: Iterable[Article]) -> int:
        """Make articles answerable in every chat for this run only (the bundled corpus, ``--corpus``)."""
        added = 0
        for article in articles:
            prepared = prepare(article)
            terms = self._analyse_here(prepared.sentences)
            with self._lock.writing():
                new = self._index.add_article(article, prepared.sentences, terms)
                added += new
                self._loaded_at_start += new
                self._everywhere.add(article.article_id)
                self._visibility.grant(EVERYONE, article.article_id)
                if self._prepare_ahead:
                    self._learn_titles([article.title])
        if self._prepare_ahead:
            with self._lock.writing():
                self._index.prepare_spelling()
        return added

    # ---- another process's changes -----------------------------------------------------------

    def catch_up(self, store: Store) -> tuple[int, int, int]:
        """Index what another process stored or replaced since the last look, and forget what it removed:
        (added, replaced, removed).

        ``lede --ingest`` and ``lede --prune`` beside a running bot or console,
        or another run's feed polls and edited posts, change only the store:
        without this the run would never quote the new articles or versions,
        and would go on quoting the removed ones and the old versions, until
        its next start. Two tiny queries say whether the store changed at all;
        what this process stored or replaced itself is indexed already and
        skipped. After a replacement or removal the stored and indexed ids are
        compared whole, because SQLite may give a new article the row of a
        removed one, and the versions stored since are read by the count of
        replacements that stored them.
        """
        with self._catching_up:
            state, followed = store.state(), self._followed
            if state == followed:
                return 0, 0, 0
            gone: set[str] = set()
            versions: list[StoredArticle] = []
            if state.replacements == followed.replacements:
                new = store.load_articles(after_row=followed.newest_row)
            else:
                kept = store.article_ids()
                with self._lock.reading():
                    indexed = set(self._index.article_ids())
                gone = indexed - kept - self._everywhere
                new = (store.article(article_id) for article_id in sorted(kept - indexed))
                versions = [stored for stored in store.replaced_since(followed.replacements) if stored.article.article_id in indexed]
            added = sum(self._index_stored(stored) for stored in new)
            replaced = sum(self._replace_stored(stored) for stored in versions)
            with self._lock.writing():
                if added or replaced:
                    self._index.prepare_spelling()
                if added:
                    self._visibility.load(*store.visibility_rows())
                if gone:
                    self._index.remove_articles(gone)
                    self._visibility.forget(gone)
            self._followed = state  # only now: a look that failed half-way is taken again next time
            return added, replaced, len(gone)

    def _index_stored(self, stored: StoredArticle) -> bool:
        """Index an article another process stored, unless this one has it already (it stored it too)."""
        with self._lock.reading():
            if stored.article.article_id in self._index.article_ids():
                return False
        terms = self._analyse(stored.sentences)
        with self._lock.writing():
            self._learn_titles([stored.article.title])
            return self._index.add_article(stored.article, stored.sentences, terms, pause=self._lock.pause_writing)

    def _replace_stored(self, stored: StoredArticle) -> bool:
        """Index the version of an article another process stored in place of the one indexed here, unless this one
        has it already (it replaced the article itself)."""
        with self._lock.reading():
            indexed = self._index.article_sentences(stored.article.article_id)
        if [(passage.article.title, passage.text) for passage in indexed] == [
                (stored.article.title, sentence) for sentence in stored.sentences]:
            return False
        self.replace(stored.article, stored.sentences)
        return True

    # ---- retention ---------------------------------------------------------------------------

    def forget(self, article_ids: Collection[str]) -> None:
        """Stop quoting articles just removed from the store, exactly as if they had never been indexed.

        They leave the posting lists and the BM25 statistics together under the
        write lock (one pass over the postings, see :meth:`SentenceIndex.remove_articles`).
        The store counted the removal as a replacement, so the snapshot saved
        before it is rebuilt from the store at the next start.
        """
        with self._lock.writing():
            self._index.remove_articles(article_ids)
            self._visibility.forget(article_ids)

    # ---- the library's shelf -------------------------------------------------------------------

    def shelve(self, article: Article, sentences: Sequence[str], *, chat: int, feed: int | None) -> None:
        terms = self._analyse(sentences)
        with self._lock.writing():
            # A long article lets questions in every retrieval.index.PAUSE_EVERY sentences; none can quote it before it is granted.
            self._index.add_article(article, sentences, terms, pause=self._lock.pause_writing)
            self._index.prepare_spelling()
            self._learn_titles([article.title])
            self._grant(article.article_id, chat, feed)

    def replace(self, article: Article, sentences: Sequence[str]) -> None:
        terms = self._analyse(sentences)
        with self._lock.writing():
            # No pauses: the new version is visible under the old one's id, so no question may see it half indexed.
            self._index.replace_article(article, sentences, terms)
            self._index.prepare_spelling()
            self._learn_titles([article.title])

    def set_audience(self, channel: int, chats: frozenset[int]) -> None:
        with self._lock.writing():
            self._visibility.set_audience(channel, chats)

    def grant(self, article_id: str, *, chat: int, feed: int | None) -> None:
        with self._lock.writing():
            self._grant(article_id, chat, feed)

    def move_chat(self, old: int, new: int) -> None:
        with self._lock.writing():
            self._visibility.move_chat(old, new)

    def follow(self, chat: int, feed: int) -> None:
        with self._lock.writing():
            self._visibility.follow(chat, feed)

    def unfollow(self, chat: int, feed: int) -> None:
        with self._lock.writing():
            self._visibility.unfollow(chat, feed)

    def merge_feeds(self, old: int, new: int) -> None:
        with self._lock.writing():
            self._visibility.merge_feeds(old, new)

    def _grant(self, article_id: str, chat: int, feed: int | None) -> None:
        if feed is None:
            self._visibility.grant(chat, article_id)
        else:
            self._visibility.add_to_feed(feed, article_id)

    def _learn_titles(self, titles: Iterable[str]) -> None:
        """Analyse titles as their articles join the index (under the write lock).

        A briefing groups a day's ~18,700 articles by their titles, and
        analysing them then took a second of pure Python that every question
        waited through for the GIL.
        """
        for title in titles:
            self._index.title_terms(title)

    def _analyse_here(self, sentences: Sequence[str]) -> SentenceTerms:
        """The sentences' index terms: most of the cost of indexing, and done before the lock is taken."""
        return analyse(self._index.analyzer, sentences)

    # ---- reading -------------------------------------------------------------------------------

    def answer(self, question: str, chat: int, *, within: Scope | None = None, **options: Any) -> Answer:
        """Rank ``question`` over the articles ``chat`` may see, only the sentences ``within`` when given (a
        briefing's): ``options`` go to :func:`answer_question`."""
        # Questions queue for their turn before they read, so a writer waits for one question at most.
        with self._ranking, self._lock.reading():
            visible = self._visibility.rule_for(chat)

            def accept(key: tuple[str, int]) -> bool:
                return visible(key[0]) and (within is None or within.accepts(key))

            return answer_question(self._index, question, accept=accept, **options)

    def topic(self, question: str) -> Topic:
        """What ``question`` is about, its misspelt words read as the indexed terms they most likely mean."""
        # Matching a misspelt word may extend the spelling structure, which one question at a time may do.
        with self._ranking, self._lock.reading():
            return topic_of(question, self._index.question_analyzer)

    def article_sentences(self, article_id: str) -> list[Passage]:
        with self._lock.reading():
            return self._index.article_sentences(article_id)

    def sees(self, chat: int, article_id: str) -> bool:
        """Whether ``chat`` may see the article now (it may have stopped following its feed since)."""
        with self._lock.reading():
            return self._visibility.rule_for(chat)(article_id)

    def specificity(self, term: str) -> float:
        with self._lock.reading():
            return self._index.specificity(term)

    def news_since(self, since: datetime, chat: int) -> Iterator[NewsItem]:
        """The articles ``chat`` may see from ``since`` on, their sentences read only when asked for.

        A day's briefing groups ~20,000 articles by their titles and leads
        (:meth:`story_terms`) but tells the sentences of a few dozen, so each
        item's sentences are an :class:`ArticleSentences` that reads one
        under the read lock when it is needed. The articles are gathered a
        batch at a time, so that a new article waits for one batch at most,
        not for all.
        """
        with self._lock.reading():
            visible = self._visibility.rule_for(chat)
            count = len(self._index.articles)
        for start in range(0, count, BRIEFING_BATCH):
            with self._lock.reading():
                batch = [
                    NewsItem(article, ArticleSentences(self._sentence_text, self._index.article_passages(article.article_id)),
                             moment)
                    for article, moment in self._dated(visible, start, start + BRIEFING_BATCH) if moment >= since
                ]
            yield from batch

    def newest_moment(self, chat: int) -> datetime | None:
        """When the newest article ``chat`` may see was dated (None when none of them is)."""
        with self._lock.reading():
            return max((moment for _, moment in self._dated(self._visibility.rule_for(chat))), default=None)

    def _dated(self, visible: Callable[[str], bool], start: int = 0,
               stop: int | None = None) -> Iterator[tuple[Article, datetime]]:
        """The dated articles ``visible`` admits among numbers ``start`` to ``stop``, not withdrawn, with their moments.

        Read it whole under the read lock.
        """
        index = self._index
        for number, article in enumerate(index.articles[start:stop], start):
            if (moment := article_moment(article)) is not None and visible(article.article_id) and not index.withdrawn(number):
                yield article, moment

    def story_terms(self, items: Sequence[NewsItem]) -> StoryTerms:
        """The items' (from :meth:`news_since`) title-and-lead terms for grouping them into stories, as indexed.

        Analysing 20,000 leads again would take seconds, and their titles a
        second: both were analysed when their articles joined the index. One
        read of the index (a few numpy gathers, a fraction of a second for a
        week) numbers and weighs every term.
        """
        numbers: dict[str, int] = {}
        title_of = np.fromiter((numbers.setdefault(item.article.title, len(numbers)) for item in items),
                               dtype=np.int64, count=len(items))
        with self._lock.reading():
            titles = [self._index.title_terms(title) for title in numbers]
            return indexed_story_terms(self._index, [item.article.article_id for item in items], titles, title_of)

    def _sentence_text(self, number: int) -> str:
        """One indexed sentence; passage numbers stay valid, as adding articles only appends."""
        with self._lock.reading():
            return self._index.passages[number].text
