"""Lede's memory: articles, their sentences, feeds and chats in one SQLite file.

Why SQLite in WAL mode: one file, no server, readers never wait for the
writer, and a transaction either happened or did not, even when the process
is killed in the middle of it. Each article is written in one transaction with
all its sentences, so a killed ingestion leaves whole articles only, and
running it again adds the rest (known articles are recognised by id, URL or
content hash before anything is split).

Sentences are stored as split, so a restart loads them without running the
splitter again; the body is stored too, so that a better splitter can re-split
in a migration.

Visibility is by *chat*: a chat sees the articles it added, the articles of
the feeds it follows, and everything added for :data:`EVERYONE` (the operator's
command-line ingestion). Telegram chat ids are never 0, so 0 stands for
everyone.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from corpus.article import Article, read_moment
from corpus.database_file import (cannot_open, check_database_path, damage_found, named_tables, not_a_database,
                                  other_programs_tables, read_only_address)
from corpus.errors import ConfigurationError, ReadOnlyStore, StoreGone


EVERYONE = 0

# Each entry upgrades the schema by one version; PRAGMA user_version records
# how many have run. Append, never edit: databases in the field ran the old ones.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,             -- Telegram's chat id; 0 is everyone
        kind TEXT,                          -- private, group, supergroup, channel, everyone
        title TEXT,
        added TEXT NOT NULL
    );
    INSERT INTO chats (id, kind, title, added) VALUES (0, 'everyone', 'every chat', datetime('now'));
    CREATE TABLE chat_settings (
        chat INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (chat, name)
    ) WITHOUT ROWID;
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL UNIQUE,
        url TEXT UNIQUE,                    -- canonical URL
        title TEXT NOT NULL,
        publisher TEXT,
        author TEXT,
        published TEXT,
        fetched TEXT NOT NULL,
        language TEXT,
        content_hash TEXT NOT NULL UNIQUE,
        source TEXT,
        body TEXT NOT NULL                  -- paragraphs, one per line
    );
    CREATE TABLE sentences (
        article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (article, position)
    ) WITHOUT ROWID;
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,           -- canonical URL of the feed document
        title TEXT,
        etag TEXT,
        last_modified TEXT,
        added TEXT NOT NULL,
        checked TEXT,                       -- last poll, successful or not
        next_check TEXT NOT NULL,           -- when the poller may fetch it again
        failures INTEGER NOT NULL DEFAULT 0,-- consecutive failed polls, for backoff
        last_error TEXT
    );
    CREATE TABLE chat_feeds (
        chat INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        feed INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        added TEXT NOT NULL,
        UNIQUE (chat, feed)
    );
    CREATE TABLE chat_articles (
        chat INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        added TEXT NOT NULL,
        PRIMARY KEY (chat, article)
    ) WITHOUT ROWID;
    CREATE TABLE feed_articles (
        feed INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        article INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (feed, article)
    ) WITHOUT ROWID;
    CREATE INDEX feed_articles_by_article ON feed_articles(article);
    CREATE INDEX chat_articles_by_article ON chat_articles(article);
    """,
    """
    -- Briefings: which articles a chat was told about (so stories are not
    -- repeated), its daily schedule, and answers whose buttons may be pressed.
    CREATE TABLE briefed_articles (
        chat INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        briefed TEXT NOT NULL,
        PRIMARY KEY (chat, article_id)
    ) WITHOUT ROWID;
    CREATE TABLE briefing_schedules (
        chat INTEGER PRIMARY KEY REFERENCES chats(id) ON DELETE CASCADE,
        at TEXT NOT NULL,                   -- local time of day, HH:MM
        timezone TEXT NOT NULL,             -- IANA name, e.g. Europe/Kyiv
        thread INTEGER,                     -- forum topic to post in, if any
        created TEXT NOT NULL,
        last_run TEXT                       -- when the last scheduled briefing went out
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        chat INTEGER NOT NULL,
        question TEXT NOT NULL,
        article_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        asked TEXT NOT NULL,
        feedback INTEGER                    -- 1 helpful, -1 not, NULL not rated
    );
    """,
    # 3: chats Telegram will not deliver to (the bot was blocked or removed), so nothing is sent there.
    """
    ALTER TABLE chats ADD COLUMN unreachable_since TEXT;    -- NULL while messages can reach it
    ALTER TABLE chats ADD COLUMN unreachable_reason TEXT;   -- Telegram's words, e.g. "bot was blocked by the user"
    """,
    # 4: conversations, so that a follow-up ("why?") is read in the light of the questions before it,
    # and the messages that carry answers, so that a reply to one follows up that answer.
    """
    CREATE TABLE conversation_turns (
        id INTEGER PRIMARY KEY,
        chat INTEGER NOT NULL,
        thread INTEGER NOT NULL,            -- forum topic (message_thread_id); 0 outside topics
        question TEXT NOT NULL,
        terms TEXT NOT NULL,                -- the question's content terms, space-separated
        names TEXT NOT NULL,                -- the names it uses, one per line
        article_id TEXT,                    -- the answer's article and sentence; NULL when none was given
        position INTEGER,
        asked TEXT NOT NULL
    );
    CREATE INDEX conversation_turns_by_chat ON conversation_turns(chat, thread, id);
    CREATE TABLE answer_messages (
        chat INTEGER NOT NULL,
        message INTEGER NOT NULL,           -- Telegram's message_id of the reply that carries the answer
        answer INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        PRIMARY KEY (chat, message)
    ) WITHOUT ROWID;
    """,
    # 5: the reply to each question message, so that editing a question edits its reply.
    """
    CREATE TABLE question_replies (
        chat INTEGER NOT NULL,
        question_message INTEGER NOT NULL,  -- Telegram's message_id of the question
        reply_message INTEGER NOT NULL,     -- and of Lede's reply to it
        question TEXT NOT NULL,             -- the question as it was read
        asked TEXT NOT NULL,
        PRIMARY KEY (chat, question_message)
    ) WITHOUT ROWID;
    """,
    # 6: how a follow-up was read, so that "More" under its answer reads it the same way.
    """
    ALTER TABLE answers ADD COLUMN follow_up TEXT;      -- the reading (JSON); NULL for a question read alone
    """,
    # 7: the text of the sentence quoted, so that "Context" finds it again after an edit moved it in its article.
    """
    ALTER TABLE answers ADD COLUMN sentence TEXT;       -- NULL for answers given before this version
    """,
    # 8: the answers and conversation turns that quote an article, found without reading them all when it is edited.
    """
    CREATE INDEX answers_by_article ON answers(article_id);
    CREATE INDEX conversation_turns_by_article ON conversation_turns(article_id);
    """,
    # 9: which replacement stored each version, so that a running index finds what another process replaced.
    """
    ALTER TABLE articles ADD COLUMN replacement INTEGER NOT NULL DEFAULT 0;  -- the count it raised; 0 for a first version
    CREATE INDEX articles_by_replacement ON articles(replacement);
    """,
    # 10: each feed entry's version as the feed last carried it, so that a corrected entry replaces its article.
    """
    ALTER TABLE feed_articles ADD COLUMN entry TEXT;    -- a digest of its title and text; NULL until read since
    """,
    # 11: the stories of each briefing message sent, so that a question in reply to a briefing is read in their light.
    """
    CREATE TABLE briefing_messages (
        chat INTEGER NOT NULL,
        message INTEGER NOT NULL,           -- Telegram's message_id of one of the briefing's messages
        stories TEXT NOT NULL,              -- its stories' headlines, articles and quoted sentences (JSON)
        sent TEXT NOT NULL,
        PRIMARY KEY (chat, message)
    ) WITHOUT ROWID;
    """,
    # 12: the articles an answer to a briefing reply was found in, so that "More" under it searches them again.
    """
    ALTER TABLE answers ADD COLUMN within TEXT;         -- the scope (JSON); NULL for an answer from all the chat sees
    """,
    # 13: the forum topic of each answer, so that "More" under an answer deleted meanwhile is sent to that topic.
    """
    ALTER TABLE answers ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;  -- message_thread_id; 0 outside topics
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# The tables that keep something for a chat, in its ``chat`` column (a new one belongs here too).
_CHAT_TABLES = ("chat_settings", "chat_feeds", "chat_articles", "briefed_articles", "briefing_schedules", "answers",
                "conversation_turns")
# The tables that keep something for one of a chat's messages, by its message_id (a new one belongs here).
_MESSAGE_TABLES = ("answer_messages", "question_replies", "briefing_messages")
# A chat's briefing messages kept, the latest first: a few days of briefings, each split into a few messages.
KEEP_BRIEFING_MESSAGES = 30


def _stamp_now() -> str:
    """The current time as stored: ISO 8601 in UTC, to the second."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """A moment as stored: ISO 8601 in UTC, to the second, so that stored moments compare as text."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _moment(text: str | None) -> datetime | None:
    """A stored moment of a column that may be empty back as an aware datetime; None when it is empty."""
    return _stored_moment(text) if text else None


def _stored_moment(text: str) -> datetime:
    """A stored moment back as an aware datetime (UTC when it was stored without an offset)."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class NewerSchemaError(ConfigurationError):
    """The database was written by a newer Lede; opening it could lose data."""


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed as stored, with what conditional GET and backoff need."""

    feed_id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    checked: datetime | None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article with its sentences, as loaded at start-up."""

    article: Article
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """What tells a stored article's version from another: where it was read, its title and its text's fingerprint."""

    source: str | None
    title: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class StoreState:
    """Where the stored articles stand: the newest row, and how many replacements and removals so far.

    Storing an article raises the first, replacing or removing one the second,
    whichever process does it (``lede --ingest`` or ``lede --prune`` beside a
    running bot), and both are read in microseconds: cheap enough to ask
    before every question.
    """

    newest_row: int
    replacements: int


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A chat's daily briefing as stored: local time of day, time zone, forum topic, last run (UTC)."""

    chat: int
    at: time
    timezone: str
    thread: int | None
    last_run: datetime | None


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """An answer Lede gave, as its buttons find it again: the question and the sentence quoted."""

    number: int
    chat: int
    question: str
    article_id: str
    position: int
    feedback: int | None
    # How the question was read as a follow-up (opaque to the store), or None when it was read alone.
    follow_up: str | None = None
    # The sentence quoted, as it read then (None for an answer kept by a Lede that did not keep it).
    sentence: str | None = None
    # The articles the answer was found in (opaque to the store: a briefing's story), or None for all the chat sees.
    within: str | None = None
    # The forum topic it was given in (message_thread_id), 0 outside topics.
    thread: int = 0


@dataclass(frozen=True, slots=True)
class ConversationTurn:
    """A question of a conversation, what it was about and the sentence that answered it (None when none did)."""

    question: str
    terms: tuple[str, ...]
    names: tuple[str, ...]
    article_id: str | None
    position: int | None
    asked: datetime


@dataclass(frozen=True, slots=True)
class QuestionReply:
    """Lede's reply to a question message: the reply's message, and the question as it was read and when."""

    message: int
    question: str
    asked: datetime


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a chat's articles, newest first, and how many there are in all."""

    articles: tuple[Article, ...]
    total: int


class Store:
    """The SQLite database. Thread-safe: the Telegram shell reads and writes from worker threads.

    Writes go through one connection, one transaction at a time, under the
    store's lock. Reads of a database file go through a connection of the
    reading thread's own (WAL lets them read beside a writer), so a question
    never waits for an article's sentences to be written; an in-memory
    database has one connection, and reads share the writers' lock.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path | None, address: str | None = None,
                 *, read_only: bool = False) -> None:
        self._db = connection
        self.path = path
        self.read_only = read_only
        self._address = address or (str(path) if path else ":memory:")
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        # The file that was opened, to tell when another is at the path (or none): see _transaction.
        self._identity = file_identity(path) if path and not read_only else None

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, setting: str = "the database") -> Store:
        """Open (creating if needed) and migrate the database at ``path``; ``":memory:"`` for tests.

        ``setting`` names where the path came from (``--db``) in the
        :class:`~corpus.errors.ConfigurationError` a wrong path raises;
        ``create`` lets a missing folder be created. A file Lede may not write
        is opened read-only (see :mod:`corpus.database_file`): :attr:`read_only`
        says so, for the caller to tell what that means to it.
        """
        if str(path) == ":memory:":
            store = cls(_connect(":memory:"), None)
            store._configure()
            return store
        database = check_database_path(Path(path), create=create, setting=setting)
        address = read_only_address(database) if database.read_only else str(database.path)
        try:
            connection = _connect(address)
        except sqlite3.OperationalError as error:  # e.g. a folder that takes no files, as /proc
            raise cannot_open(database, setting, error) from None
        store = cls(connection, database.path, address, read_only=database.read_only)
        try:
            other_tables = other_programs_tables(connection)
            if not other_tables:
                store._configure()
        except sqlite3.DatabaseError as error:
            store.close()
            raise not_a_database(database, setting, f"SQLite: {error}") from None
        if other_tables:
            store.close()
            raise not_a_database(database, setting, f"it holds another program's tables: {named_tables(other_tables)}")
        return store

    def _configure(self) -> None:
        if not self.read_only:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a killed process loses nothing committed; only
            # a power cut can lose the last few transactions, never corrupt.
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        with self._lock, self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._db.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with: the thread's own for a file, else the shared one under the lock."""
        if self.path is None:
            with self._lock:
                yield self._db
            return
        reader = getattr(self._local, "reader", None)
        if reader is None:
            self._require_same_file()  # else SQLite would create an empty database where the store was
            reader = _connect(self._address)
            self._local.reader = reader
            with self._readers_lock:
                self._readers.append(reader)
        yield reader

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                raise NewerSchemaError(
                    f"{self.path} has schema version {version}, newer than this Lede's {SCHEMA_VERSION}; "
                    "upgrade Lede or use another --db"
                )
            if self.read_only and version < SCHEMA_VERSION:
                raise ReadOnlyStore(f"{self.path} is read-only and was written by an older Lede (schema version "
                                    f"{version}, now {SCHEMA_VERSION}); open it once where Lede may write, to upgrade it")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                # executescript commits first, so the version bump rides in the same script.
                self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    def require_writable(self) -> None:
        """Refuse a store opened read-only (:class:`ReadOnlyStore`) or gone (:class:`StoreGone`): for work that ends in a write, before it starts."""
        if self.read_only:
            raise ReadOnlyStore(f"{self.path} is read-only, so writes are off; "
                                "give a --db Lede may write to make changes")
        self._require_same_file()

    def _transaction(self) -> _Transaction:
        self.require_writable()
        return _Transaction(self._db, self._lock)

    def _require_same_file(self) -> None:
        """Refuse to write, or to open a thread's reader, once the store's file was removed (``rm``) or replaced.

        SQLite would go on writing to the file it opened, which no one can
        find any more: every change from then on would be lost without a word.
        Nor does Lede open a new file at the path and go on: its index and
        conversations hold the articles of the file it opened, which a new,
        empty store (or a restored copy) does not. So it says what happened,
        and the next start opens what is at the path then.
        """
        if self.path is None or self._identity is None or file_identity(self.path) == self._identity:
            return
        happened = "replaced" if self.path.exists() else "removed"
        raise StoreGone(f"the store at {self.path} was {happened} while Lede ran, so nothing more can be kept; "
                        "start Lede again to use what is at that path now")

    # ---- articles ------------------------------------------------------------------------

    def known_article(self, article_id: str, url: str | None, content_hash: str) -> str | None:
        """The id of a stored article with the same id, canonical URL or text, if any."""
        with self._reading() as db:
            row = db.execute(
                "SELECT article_id FROM articles WHERE article_id = ? OR content_hash = ? OR (url IS NOT NULL AND url = ?)",
                (article_id, content_hash, url),
            ).fetchone()
        return row["article_id"] if row else None

    def article_version(self, article_id: str) -> ArticleVersion | None:
        """The version of the stored article ``article_id`` (None when none is stored), read without its sentences."""
        with self._reading() as db:
            row = db.execute("SELECT source, title, content_hash FROM articles WHERE article_id = ?",
                             (article_id,)).fetchone()
        return ArticleVersion(row["source"], row["title"], row["content_hash"]) if row else None

    def has_article(self, article_id: str) -> bool:
        with self._reading() as db:
            return db.execute("SELECT 1 FROM articles WHERE article_id = ?", (article_id,)).fetchone() is not None

    def add_article(
        self,
        article: Article,
        sentences: tuple[str, ...],
        content_hash: str,
        *,
        chat: int = EVERYONE,
        feed: int | None = None,
    ) -> None:
        """Store an article, its sentences and who sees it, all in one transaction."""
        with self._transaction() as db:
            self._share(db, _insert_article(db, article, sentences, content_hash), chat, feed)

    def replace_article(self, article: Article, sentences: tuple[str, ...], content_hash: str) -> None:
        """Store a new version of an article (an edited post) in place of the old, in one transaction.

        Whoever saw the old version sees the new. The new version is stored
        last, as if just added: the order the index is built in at start-up,
        which appends it too (a saved index covering the old version is then
        rebuilt once, at the next start).
        """
        with self._transaction() as db:
            (row_id,) = db.execute("SELECT id FROM articles WHERE article_id = ?", (article.article_id,)).fetchone()
            chats = db.execute("SELECT chat, added FROM chat_articles WHERE article = ?", (row_id,)).fetchall()
            feeds = db.execute("SELECT feed, entry FROM feed_articles WHERE article = ?", (row_id,)).fetchall()
            old = dict(db.execute("SELECT position, text FROM sentences WHERE article = ?", (row_id,)).fetchall())
            db.execute("DELETE FROM articles WHERE id = ?", (row_id,))
            new_id = _insert_article(db, article, sentences, content_hash)
            db.executemany("INSERT INTO chat_articles (chat, article, added) VALUES (?, ?, ?)",
                           ((chat, new_id, added) for chat, added in chats))
            db.executemany("INSERT INTO feed_articles (feed, article, entry) VALUES (?, ?, ?)",
                           ((feed, new_id, entry) for feed, entry in feeds))
            _follow_moved_sentences(db, article.article_id, old, sentences)
            db.execute("UPDATE articles SET replacement = ? WHERE id = ?", (_count_replacement(db), new_id))

    def replacements(self) -> int:
        """How many times articles were replaced or removed: an index saved before the last time is out of date."""
        with self._reading() as db:
            row = db.execute("SELECT value FROM chat_settings WHERE chat = ? AND name = 'replacements'",
                             (EVERYONE,)).fetchone()
        return int(row["value"]) if row else 0

    def replaced_since(self, replacements: int) -> list[StoredArticle]:
        """The articles replaced after the count of replacements was ``replacements`` (a :attr:`StoreState.replacements`),
        in their new versions."""
        with self._reading() as db:
            ids = [article_id for (article_id,) in db.execute(
                "SELECT article_id FROM articles WHERE replacement > ? ORDER BY id", (replacements,))]
        return [self.article(article_id) for article_id in ids]

    def share_article(self, article_id: str, *, chat: int = EVERYONE, feed: int | None = None) -> None:
        """Let another chat or feed see an article that is already stored."""
        with self._transaction() as db:
            row = db.execute("SELECT id FROM articles WHERE article_id = ?", (article_id,)).fetchone()
            self._share(db, row["id"], chat, feed)

    @staticmethod
    def _share(db: sqlite3.Connection, row_id: int, chat: int, feed: int | None) -> None:
        if feed is not None:
            db.execute("INSERT OR IGNORE INTO feed_articles (feed, article) VALUES (?, ?)", (feed, row_id))
        else:
            _remember_chat(db, chat)
            db.execute("INSERT OR IGNORE INTO chat_articles (chat, article, added) VALUES (?, ?, ?)",
                       (chat, row_id, _stamp_now()))

    def article(self, article_id: str) -> StoredArticle:
        """One stored article with its sentences."""
        with self._reading() as db:
            row = db.execute("SELECT * FROM articles WHERE article_id = ?", (article_id,)).fetchone()
            sentences = db.execute("SELECT text FROM sentences WHERE article = ? ORDER BY position",
                                         (row["id"],)).fetchall()
        return StoredArticle(_article_from_row(row), tuple(text for (text,) in sentences))

    def article_count(self) -> int:
        with self._reading() as db:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def state(self) -> StoreState:
        """See :class:`StoreState`."""
        with self._reading() as db:
            (newest,) = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        return StoreState(int(newest), self.replacements())

    def article_ids(self) -> set[str]:
        with self._reading() as db:
            return {article_id for (article_id,) in db.execute("SELECT article_id FROM articles")}

    def articles(self) -> list[Article]:
        """Every stored article, without its sentences, in the order they were added."""
        with self._reading() as db:
            return [_article_from_row(row) for row in db.execute("SELECT * FROM articles ORDER BY id")]

    def load_articles(self, start: int = 0, *, after_row: int = 0) -> Iterator[StoredArticle]:
        """Stored articles with their sentences, in the order they were added, from the ``start``-th on
        of those stored after row ``after_row`` (a :attr:`StoreState.newest_row`).

        Two ordered scans merged in step: one query per article would cost a
        round trip each, and a join would repeat every article's body per sentence.
        """
        with self._reading() as db:
            articles = db.execute("SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT -1 OFFSET ?",
                                  (after_row, start)).fetchall()
            first = articles[0]["id"] if articles else None
            sentences = db.execute(
                "SELECT article, text FROM sentences WHERE article >= ? ORDER BY article, position", (first,)
            ).fetchall() if articles else []
        cursor = 0
        for row in articles:
            texts = []
            while cursor < len(sentences) and sentences[cursor][0] == row["id"]:
                texts.append(sentences[cursor][1])
                cursor += 1
            yield StoredArticle(_article_from_row(row), tuple(texts))

    def remove_articles(self, article_ids: Collection[str]) -> None:
        """Delete articles in one transaction; their sentences and who sees them go with them (ON DELETE CASCADE)."""
        if not article_ids:
            return
        with self._transaction() as db:
            db.executemany("DELETE FROM articles WHERE article_id = ?", ((article_id,) for article_id in article_ids))
            _count_replacement(db)

    # ---- the file ------------------------------------------------------------------------

    def size(self) -> int:
        """Bytes the store takes on disk: the database file and its write-ahead log (0 in memory)."""
        if self.path is None:
            return 0
        files = (self.path, self.path.with_name(self.path.name + "-wal"))
        return sum(file.stat().st_size for file in files if file.exists())

    def holds_free_space(self) -> bool:
        """Whether the file holds pages freed by deleted rows that :meth:`reclaim_space` would give back.

        A read-only store holds none it could give back.
        """
        if self.read_only:
            return False
        with self._reading() as db:
            return db.execute("PRAGMA freelist_count").fetchone()[0] > 0

    def reclaim_space(self) -> None:
        """Give the space of deleted rows back to the disk: SQLite only marks it free.

        VACUUM rewrites the whole file (seconds for a Reuters-sized store),
        holding the write lock meanwhile; readers go on. The checkpoint then
        empties the write-ahead log the rewrite went through.
        """
        with self._lock:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, target: Path, *, keep_target_if_damaged: bool = False) -> str | None:
        """Copy the store to ``target`` with SQLite's online backup API, consistent even while another process writes;
        returns the first fault SQLite's quick_check finds in the copy, else None.

        The copy is taken in one step from a connection of its own, so it is
        one transaction's view (WAL lets the writers go on meanwhile), and
        it is written beside ``target`` and renamed, so ``target`` is never
        half a database. A damaged store copies its damage: the copy is made
        all the same, as it may still save what the store holds, unless
        ``keep_target_if_damaged`` (an earlier copy is there, perhaps the last
        whole one), which leaves ``target`` as it was.
        """
        if self.path is None:
            raise ValueError("an in-memory store has nothing to back up")
        temporary = target.with_name(target.name + ".partial")
        temporary.unlink(missing_ok=True)
        try:
            with closing(_connect(self._address)) as source, closing(sqlite3.connect(temporary)) as copy:
                source.backup(copy)
                # One file, as a copy to keep should be: in the store's WAL mode, merely reading it (to tell an
                # earlier copy from another program's database) left a -wal and a -shm file beside it. Opened as
                # the store, it is switched back to WAL.
                copy.execute("PRAGMA journal_mode=DELETE")
                damage = damage_found(copy)
            if not (damage and keep_target_if_damaged):
                os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)  # left only by a failure or a damaged copy kept out: nothing to keep
        return damage

    def visibility_rows(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, int]]]:
        """(chat, article id), (feed, article id) and (chat, feed) pairs: who sees what."""
        with self._reading() as db:
            chat_articles = db.execute(
                "SELECT chat, article_id FROM chat_articles JOIN articles ON articles.id = article").fetchall()
            feed_articles = db.execute(
                "SELECT feed, article_id FROM feed_articles JOIN articles ON articles.id = article").fetchall()
            chat_feeds = db.execute("SELECT chat, feed FROM chat_feeds").fetchall()
        return ([tuple(row) for row in chat_articles], [tuple(row) for row in feed_articles],
                [tuple(row) for row in chat_feeds])

    def chat_articles(self, chat: int, *, limit: int, offset: int) -> Listing:
        """The articles a chat added or got from its feeds, newest first (its own, not everyone's)."""
        visible = (
            "SELECT article FROM chat_articles WHERE chat = :chat UNION "
            "SELECT article FROM feed_articles JOIN chat_feeds USING (feed) WHERE chat_feeds.chat = :chat"
        )
        with self._reading() as db:
            total = db.execute(f"SELECT count(*) FROM ({visible})", {"chat": chat}).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM articles WHERE id IN ({visible}) ORDER BY id DESC LIMIT :limit OFFSET :offset",
                {"chat": chat, "limit": limit, "offset": offset},
            ).fetchall()
        return Listing(tuple(_article_from_row(row) for row in rows), int(total))

    # ---- chats ---------------------------------------------------------------------------

    def set_audience(self, channel: int, chats: Iterable[int]) -> None:
        """Who may see a private channel's posts (its linked group, its administrators' private chats)."""
        with self._transaction() as db:
            _remember_chat(db, channel)
            db.execute("INSERT OR REPLACE INTO chat_settings (chat, name, value) VALUES (?, 'audience', ?)",
                       (channel, json.dumps(sorted(chats))))

    def audiences(self) -> dict[int, frozenset[int]]:
        """Every private channel's audience as last read from Telegram."""
        with self._reading() as db:
            rows = db.execute("SELECT chat, value FROM chat_settings WHERE name = 'audience'").fetchall()
        return {row["chat"]: frozenset(json.loads(row["value"])) for row in rows}

    def last_briefing(self, chat: int) -> datetime | None:
        """When the chat's last complete briefing (one without a topic) was given, if ever."""
        with self._reading() as db:
            row = db.execute("SELECT value FROM chat_settings WHERE chat = ? AND name = 'last_briefing'",
                                   (chat,)).fetchone()
        return _moment(row["value"]) if row else None

    def mark_unreachable(self, chat: int, reason: str) -> None:
        """Remember that Telegram refused to deliver to ``chat`` (kept until it writes again)."""
        with self._transaction() as db:
            _remember_chat(db, chat)
            db.execute("UPDATE chats SET unreachable_since = ?, unreachable_reason = ? WHERE id = ?",
                       (_stamp_now(), reason, chat))

    def move_chat(self, old: int, new: int) -> None:
        """Everything kept for chat ``old`` now belongs to ``new`` (a group Telegram upgraded to a supergroup).

        Its sources, feeds, daily briefing, settings, what it was told, its
        answers and its conversation move in one transaction. Where ``new``
        already has its own (it wrote before the move was noticed), its own is kept.
        """
        with self._transaction() as db:
            # A chat that only asked has no row here, but its answers and conversation still move.
            db.execute("INSERT OR IGNORE INTO chats (id, kind, title, added) SELECT ?, 'supergroup', title, added"
                       " FROM chats WHERE id = ?", (new, old))
            for table in _CHAT_TABLES:
                db.execute(f"UPDATE OR IGNORE {table} SET chat = ? WHERE chat = ?", (new, old))  # noqa: S608 - names from a constant
                db.execute(f"DELETE FROM {table} WHERE chat = ?", (old,))  # noqa: S608
            # A supergroup numbers its messages anew, so what was kept by the group's message ids
            # would name other messages there; the group's old messages stay behind with it.
            for table in _MESSAGE_TABLES:
                db.execute(f"DELETE FROM {table} WHERE chat = ?", (old,))  # noqa: S608 - names from a constant
            db.execute("DELETE FROM chats WHERE id = ?", (old,))
            # A private channel's audience (its linked group) names the group by id.
            for row in db.execute("SELECT chat, value FROM chat_settings WHERE name = 'audience'").fetchall():
                audience = set(json.loads(row["value"]))
                if old in audience:
                    db.execute("UPDATE chat_settings SET value = ? WHERE chat = ? AND name = 'audience'",
                               (json.dumps(sorted(audience - {old} | {new})), row["chat"]))

    def mark_reachable(self, chat: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE chats SET unreachable_since = NULL, unreachable_reason = NULL WHERE id = ?", (chat,))

    def unreachable_chats(self) -> dict[int, str]:
        """Chat id → why Telegram refused to deliver there."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT id, unreachable_reason FROM chats WHERE unreachable_since IS NOT NULL").fetchall()
        return {row["id"]: row["unreachable_reason"] or "" for row in rows}

    # ---- feeds ---------------------------------------------------------------------------

    def subscribe(self, chat: int, url: str, *, next_check: datetime | None = None) -> tuple[Feed, bool]:
        """Record that a chat follows the feed at ``url``; True when it did not already.

        A feed new to the store is first due at ``next_check`` (default: at once).
        """
        with self._transaction() as db:
            now = _stamp_now()
            db.execute("INSERT OR IGNORE INTO feeds (url, added, next_check) VALUES (?, ?, ?)",
                       (url, now, stamp(next_check) if next_check else now))
            feed = _feed_from_row(db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone())
            _remember_chat(db, chat)
            cursor = db.execute("INSERT OR IGNORE INTO chat_feeds (chat, feed, added) VALUES (?, ?, ?)",
                                (chat, feed.feed_id, now))
        return feed, cursor.rowcount == 1

    def unsubscribe(self, chat: int, feed_id: int) -> None:
        """Stop a chat following a feed; a feed nobody follows is no longer polled."""
        with self._transaction() as db:
            db.execute("DELETE FROM chat_feeds WHERE chat = ? AND feed = ?", (chat, feed_id))

    def move_feed(self, feed_id: int, url: str) -> int:
        """The feed ``feed_id`` is at ``url`` from now on (it moved there for good); returns the id of the feed there.

        When another stored feed is at ``url`` already (a chat followed it at its
        new address), the two are one feed: this one's chats and articles join
        that one, in one transaction, and this one is gone.
        """
        with self._transaction() as db:
            there = db.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
            if there is None or there["id"] == feed_id:
                db.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))
                return feed_id
            for table in ("chat_feeds", "feed_articles"):
                db.execute(f"UPDATE OR IGNORE {table} SET feed = ? WHERE feed = ?", (there["id"], feed_id))  # noqa: S608 - names from the code
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))  # and what the other had already
            return int(there["id"])

    def chat_feeds(self, chat: int) -> list[Feed]:
        """A chat's feeds in the order it added them (the numbers ``/feed remove`` uses)."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT feeds.* FROM chat_feeds JOIN feeds ON feeds.id = chat_feeds.feed"
                " WHERE chat_feeds.chat = ? ORDER BY chat_feeds.rowid", (chat,)).fetchall()
        return [_feed_from_row(row) for row in rows]

    def feed(self, feed_id: int) -> Feed:
        with self._reading() as db:
            return _feed_from_row(db.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone())

    def due_feeds(self, now: datetime) -> list[Feed]:
        """Feeds some reachable chat follows whose next check has come."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT * FROM feeds WHERE next_check <= ? AND id IN (SELECT feed FROM chat_feeds JOIN chats"
                " ON chats.id = chat_feeds.chat WHERE chats.unreachable_since IS NULL) ORDER BY next_check",
                (stamp(now),)).fetchall()
        return [_feed_from_row(row) for row in rows]

    def entry_versions(self, feed_id: int) -> dict[str, str | None]:
        """The id of each article a feed brought → the version of its entry the feed last carried (None: not known)."""
        with self._reading() as db:
            rows = db.execute("SELECT article_id, entry FROM feed_articles JOIN articles ON articles.id = article"
                              " WHERE feed = ?", (feed_id,)).fetchall()
        return {article_id: entry for article_id, entry in rows}

    def record_entry_version(self, feed_id: int, article_id: str, version: str) -> None:
        """Remember the version of the entry of ``feed_id`` whose article is ``article_id`` (see :meth:`entry_versions`)."""
        with self._transaction() as db:
            db.execute("UPDATE feed_articles SET entry = ? WHERE feed = ? AND article ="
                       " (SELECT id FROM articles WHERE article_id = ?)", (version, feed_id, article_id))

    def record_poll(
        self,
        feed_id: int,
        *,
        next_check: datetime,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
    ) -> None:
        """Remember a poll's outcome: validators after success, the error and one more failure otherwise."""
        with self._transaction() as db:
            if error is None:
                db.execute(
                    "UPDATE feeds SET checked = ?, next_check = ?, failures = 0, last_error = NULL,"
                    " title = coalesce(?, title), etag = ?, last_modified = ? WHERE id = ?",
                    (_stamp_now(), stamp(next_check), title, etag, last_modified, feed_id),
                )
            else:
                db.execute(
                    "UPDATE feeds SET checked = ?, next_check = ?, failures = failures + 1, last_error = ?"
                    " WHERE id = ?",
                    (_stamp_now(), stamp(next_check), error, feed_id),
                )


    # ---- briefings, schedules and answers --------------------------------------------------

    def briefed_articles(self, chat: int) -> frozenset[str]:
        """Ids of the articles a chat's briefings have told it about."""
        with self._reading() as db:
            rows = db.execute("SELECT article_id FROM briefed_articles WHERE chat = ?", (chat,)).fetchall()
        return frozenset(article_id for (article_id,) in rows)

    def record_briefing(self, chat: int, article_ids: Iterable[str], moment: datetime, *, complete: bool) -> None:
        """Remember what a briefing told; a ``complete`` one (no topic) is the chat's new "since"."""
        at = stamp(moment)
        with self._transaction() as db:
            _remember_chat(db, chat)
            db.executemany("INSERT OR IGNORE INTO briefed_articles (chat, article_id, briefed) VALUES (?, ?, ?)",
                           ((chat, article_id, at) for article_id in article_ids))
            if complete:
                db.execute("INSERT OR REPLACE INTO chat_settings (chat, name, value) VALUES (?, 'last_briefing', ?)",
                           (chat, at))

    def set_schedule(self, chat: int, at: time, timezone: str, thread: int | None, now: datetime) -> None:
        """A chat's daily briefing (replacing any other); it counts as run ``now``, so nothing is caught up."""
        with self._transaction() as db:
            _remember_chat(db, chat)
            db.execute("INSERT OR REPLACE INTO briefing_schedules (chat, at, timezone, thread, created, last_run)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (chat, f"{at:%H:%M}", timezone, thread, stamp(now), stamp(now)))

    def set_schedule_thread(self, chat: int, thread: int | None) -> None:
        """Where a chat's daily briefing is posted: a forum topic, or None for the chat's main thread."""
        with self._transaction() as db:
            db.execute("UPDATE briefing_schedules SET thread = ? WHERE chat = ?", (thread, chat))

    def remove_schedule(self, chat: int) -> bool:
        """Stop a chat's daily briefing; False when it had none."""
        with self._transaction() as db:
            return db.execute("DELETE FROM briefing_schedules WHERE chat = ?", (chat,)).rowcount == 1

    def schedules(self, chat: int | None = None) -> list[ScheduleRow]:
        """Every chat's daily briefing (or one chat's), as stored."""
        query = "SELECT chat, at, timezone, thread, last_run FROM briefing_schedules"
        with self._reading() as db:
            rows = (db.execute(query + " WHERE chat = ?", (chat,)) if chat is not None
                    else db.execute(query + " ORDER BY chat")).fetchall()
        return [ScheduleRow(row["chat"], time.fromisoformat(row["at"]), row["timezone"], row["thread"],
                            _moment(row["last_run"])) for row in rows]

    def record_scheduled_run(self, chat: int, moment: datetime) -> None:
        with self._transaction() as db:
            db.execute("UPDATE briefing_schedules SET last_run = ? WHERE chat = ?", (stamp(moment), chat))

    def remember_answer(self, chat: int, question: str, article_id: str, position: int, asked: datetime,
                        follow_up: str | None = None, sentence: str | None = None, within: str | None = None,
                        thread: int = 0) -> int:
        """Keep what an answer's buttons need (the question, how it was read and where, the sentence quoted, the
        forum topic it was given in); returns its number."""
        with self._transaction() as db:
            number = db.execute(
                "INSERT INTO answers (chat, question, article_id, position, asked, follow_up, sentence, within, thread)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (chat, question, article_id, position, stamp(asked), follow_up, sentence, within, thread)).lastrowid
            assert number is not None  # an INSERT sets it
            return number

    def answer_record(self, number: int) -> AnswerRecord | None:
        with self._reading() as db:
            row = db.execute("SELECT * FROM answers WHERE id = ?", (number,)).fetchone()
        if row is None:
            return None
        return AnswerRecord(row["id"], row["chat"], row["question"], row["article_id"], row["position"], row["feedback"],
                            row["follow_up"], row["sentence"], row["within"], row["thread"])

    def record_feedback(self, number: int, helpful: bool) -> None:
        with self._transaction() as db:
            db.execute("UPDATE answers SET feedback = ? WHERE id = ?", (1 if helpful else -1, number))

    def remember_answer_message(self, chat: int, message: int, number: int) -> None:
        """Note that Telegram message ``message`` in ``chat`` carries answer ``number`` (a reply to it follows it up)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO answer_messages (chat, message, answer) VALUES (?, ?, ?)",
                       (chat, message, number))

    def answer_in_message(self, chat: int, message: int) -> AnswerRecord | None:
        """The answer that message ``message`` of ``chat`` carries, if it carries one."""
        with self._reading() as db:
            row = db.execute("SELECT answer FROM answer_messages WHERE chat = ? AND message = ?",
                             (chat, message)).fetchone()
        return self.answer_record(row["answer"]) if row else None

    def remember_briefing_messages(self, chat: int, messages: Sequence[int], stories: str, sent: datetime) -> None:
        """Note that ``messages`` of ``chat`` carry a briefing of ``stories`` (a reply to one is read in their light).

        Only the chat's latest :data:`KEEP_BRIEFING_MESSAGES` are kept: a reply to an older one is a question alone.
        """
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO briefing_messages (chat, message, stories, sent) VALUES (?, ?, ?, ?)",
                           [(chat, message, stories, stamp(sent)) for message in messages])
            db.execute("DELETE FROM briefing_messages WHERE chat = ? AND message NOT IN (SELECT message FROM"
                       " briefing_messages WHERE chat = ? ORDER BY sent DESC, message DESC LIMIT ?)",
                       (chat, chat, KEEP_BRIEFING_MESSAGES))

    def briefing_in_message(self, chat: int, message: int) -> str | None:
        """The stories (as :meth:`remember_briefing_messages` kept them) of the briefing message ``message`` of ``chat``."""
        with self._reading() as db:
            row = db.execute("SELECT stories FROM briefing_messages WHERE chat = ? AND message = ?",
                             (chat, message)).fetchone()
        return row["stories"] if row else None

    def remember_reply(self, chat: int, question_message: int, reply: QuestionReply) -> None:
        """Note Lede's reply to question message ``question_message`` of ``chat`` (an edited question edits it)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO question_replies (chat, question_message, reply_message, question, asked)"
                       " VALUES (?, ?, ?, ?, ?)", (chat, question_message, reply.message, reply.question, stamp(reply.asked)))

    def reply_to_question(self, chat: int, question_message: int) -> QuestionReply | None:
        """Lede's reply to question message ``question_message`` of ``chat``, if it sent one."""
        with self._reading() as db:
            row = db.execute("SELECT reply_message, question, asked FROM question_replies"
                             " WHERE chat = ? AND question_message = ?", (chat, question_message)).fetchone()
        return QuestionReply(row["reply_message"], row["question"], _stored_moment(row["asked"])) if row else None

    # ---- conversations ---------------------------------------------------------------------

    def conversation(self, chat: int, thread: int) -> list[ConversationTurn]:
        """The turns of a chat's (or forum topic's) conversation, oldest first."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT question, terms, names, article_id, position, asked FROM conversation_turns "
                "WHERE chat = ? AND thread = ? ORDER BY id", (chat, thread)).fetchall()
        return [ConversationTurn(row["question"], tuple(row["terms"].split()), tuple(filter(None, row["names"].split("\n"))),
                                 row["article_id"], row["position"], _stored_moment(row["asked"])) for row in rows]

    def continue_conversation(self, chat: int, thread: int, turns: list[ConversationTurn], keep: int) -> None:
        """Make ``turns`` (oldest first) the conversation of ``chat`` and ``thread``, keeping only the last ``keep``."""
        with self._transaction() as db:
            db.execute("DELETE FROM conversation_turns WHERE chat = ? AND thread = ?", (chat, thread))
            db.executemany(
                "INSERT INTO conversation_turns (chat, thread, question, terms, names, article_id, position, asked) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(chat, thread, turn.question, " ".join(turn.terms), "\n".join(turn.names), turn.article_id,
                  turn.position, stamp(turn.asked)) for turn in turns[-keep:]])

    def forget_conversation(self, chat: int, thread: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM conversation_turns WHERE chat = ? AND thread = ?", (chat, thread))


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (or ``ROLLBACK`` on error), holding the store's lock."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self._lock.release()


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (its device and inode), or None when there is none."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _connect(address: str) -> sqlite3.Connection:
    """A connection to a path, ``:memory:`` or a ``file:`` URI (read-only stores)."""
    # Autocommit (transactions are explicit); closed by whichever thread closes the store.
    connection = sqlite3.connect(address, check_same_thread=False, isolation_level=None, timeout=30,
                                 uri=address.startswith("file:"))
    connection.row_factory = sqlite3.Row
    return connection


def _follow_moved_sentences(db: sqlite3.Connection, article_id: str, old: dict[int, str], new: tuple[str, ...]) -> None:
    """Point the answers and conversation turns that quote an edited article at their sentences' new places.

    The edit split the article again, so a sentence may stand elsewhere now (the
    occurrence nearest its old place, if it occurs more than once). A turn whose
    sentence the edit changed or removed counts as one that was given no sentence;
    an answer keeps its old place, and its Context says the sentence is gone.
    """
    places: dict[str, list[int]] = {}
    for place, text in enumerate(new):
        places.setdefault(text, []).append(place)

    def moved(position: int) -> int | None:
        return min(places.get(old.get(position, ""), ()), key=lambda place: abs(place - position), default=None)

    for table in ("answers", "conversation_turns"):
        rows = db.execute(f"SELECT id, position FROM {table} WHERE article_id = ? AND position IS NOT NULL",  # noqa: S608
                          (article_id,)).fetchall()
        for row_id, position in rows:
            now_at = moved(position)
            if now_at != position and (now_at is not None or table == "conversation_turns"):
                db.execute(f"UPDATE {table} SET position = ? WHERE id = ?", (now_at, row_id))  # noqa: S608


def _count_replacement(db: sqlite3.Connection) -> int:
    """Note that stored articles changed, which a saved index cannot follow (see :meth:`Store.replacements`); the new count."""
    db.execute("INSERT INTO chat_settings (chat, name, value) VALUES (?, 'replacements', '1') ON CONFLICT"
               " (chat, name) DO UPDATE SET value = CAST(value AS INTEGER) + 1", (EVERYONE,))
    (count,) = db.execute("SELECT value FROM chat_settings WHERE chat = ? AND name = 'replacements'",
                          (EVERYONE,)).fetchone()
    return int(count)


def _insert_article(db: sqlite3.Connection, article: Article, sentences: tuple[str, ...], content_hash: str) -> int:
    """Insert an article and its sentences; returns its row id."""
    row_id = db.execute(
        "INSERT INTO articles (article_id, url, title, publisher, author, published, fetched, language,"
        " content_hash, source, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article.article_id, article.url, article.title, article.publisher, article.author,
         stamp(article.published) if article.published else None, stamp(article.fetched or datetime.now(UTC)),
         article.language, content_hash, article.source, "\n".join(article.paragraphs)),
    ).lastrowid
    assert row_id is not None
    db.executemany("INSERT INTO sentences (article, position, text) VALUES (?, ?, ?)",
                   ((row_id, position, text) for position, text in enumerate(sentences)))
    return row_id


def _remember_chat(db: sqlite3.Connection, chat: int) -> None:
    """A chat gets its row when it first gets a source, so its settings have somewhere to live."""
    db.execute("INSERT OR IGNORE INTO chats (id, added) VALUES (?, ?)", (chat, _stamp_now()))


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        article_id=row["article_id"],
        title=row["title"],
        paragraphs=tuple(row["body"].split("\n")) if row["body"] else (),
        publisher=row["publisher"],
        url=row["url"],
        published=read_moment(row["published"]),
        source=row["source"],
        author=row["author"],
        language=row["language"],
        fetched=read_moment(row["fetched"]),
    )


def _feed_from_row(row: sqlite3.Row) -> Feed:
    return Feed(
        feed_id=row["id"],
        url=row["url"],
        title=row["title"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        last_error=row["last_error"],
        checked=_moment(row["checked"]),
    )
