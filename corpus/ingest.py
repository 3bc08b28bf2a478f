"""From a source (a file, an upload, a URL) to articles ready to store: read, split, fingerprint.

Nothing here touches the store or the index; :class:`corpus.library.Library`
decides what is new and keeps it. Each failure becomes a :class:`Failure`
with a reason a person can act on, so one bad source never stops the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal, overload

from corpus.article import Article
from corpus.errors import SourceError, UnreadableSource
from corpus.feeds import ParsedFeed, article_id_for, looks_like_feed, parse_feed
from corpus.fetch import FEED_TYPES, HTML_TYPES, Fetched, FetchPolicy, fetch
from corpus.html import article_from_html
from corpus.loader import parse_document, without_lone_surrogates
from corpus.sentences import split_sentences

if TYPE_CHECKING:
    from corpus.library import Kept

DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article split into sentences, with the fingerprint that recognises its text."""

    article: Article
    sentences: tuple[str, ...]
    content_hash: str


def prepare(article: Article) -> Prepared:
    sentences = tuple(sentence for paragraph in article.paragraphs for sentence in split_sentences(paragraph))
    return Prepared(article, sentences, content_hash(article.paragraphs))


def content_hash(paragraphs: tuple[str, ...]) -> str:
    """SHA-256 of the body's words, case-folded: the same text however it was wrapped or cased.

    That is the hash of ``" ".join(" ".join(paragraphs).casefold().split())``,
    taken a paragraph at a time: splitting a 2 MB upload's words in one
    call held the GIL 30 ms, while the bot's other chats waited.
    """
    digest = hashlib.sha256()
    separator = b""
    for paragraph in paragraphs:
        if words := paragraph.casefold().split():
            digest.update(separator + " ".join(words).encode())
            separator = b" "
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Failure:
    """A source that could not be added (or a command that was refused), and why, in one sentence."""

    source: str
    reason: str

    def __post_init__(self) -> None:
        # Both may name a file whose name is not UTF-8; as it came, no summary could print it.
        object.__setattr__(self, "source", without_lone_surrogates(self.source))
        object.__setattr__(self, "reason", without_lone_surrogates(self.reason))


@dataclass
class IngestReport:
    """What an ingestion did: the summary ``--ingest`` prints."""

    added: int = 0
    known: int = 0
    failed: list[Failure] = field(default_factory=list)
    unread: int = 0  # feed entries beyond what one poll reads (see corpus.feeds.MAX_FEED_ENTRIES)
    skipped: list[Failure] = field(default_factory=list)  # files in folders that are not a type Lede reads
    updated: int = 0  # known articles replaced by a new version (a feed entry corrected, a file or page changed)

    def tally(self, source: str, keep: Callable[[], Kept]) -> None:
        """Count what ``keep`` did with an article of ``source`` (stored, updated or known), or why it failed."""
        try:
            kept = keep()
        except SourceError as error:
            self.failed.append(Failure(source, error.reason))
            return
        if not kept.new:
            self.known += 1
        elif kept.updated:
            self.updated += 1
        else:
            self.added += 1

    def include(self, other: IngestReport) -> None:
        """Add another report's counts and failures to this one."""
        self.added += other.added
        self.known += other.known
        self.updated += other.updated
        self.failed.extend(other.failed)
        self.unread += other.unread
        self.skipped.extend(other.skipped)

    def to_json(self) -> dict[str, Any]:
        """The ``--ingest --json`` summary; ``updated`` appears only when articles already kept changed (a feed's
        entries corrected, a file's or a page's text),
        ``unread`` only when a feed was too long to read whole, ``skipped`` only when a folder held files of other types."""
        summary: dict[str, Any] = {"added": self.added, "known": self.known,
                                   "failed": [{"source": failure.source, "reason": failure.reason}
                                              for failure in self.failed]}
        if self.updated:
            summary["updated"] = self.updated
        if self.unread:
            summary["unread"] = self.unread
        if self.skipped:
            summary["skipped"] = [{"source": skip.source, "reason": skip.reason} for skip in self.skipped]
        return summary


def fetch_page(url: str, policy: FetchPolicy) -> tuple[Fetched, Article | ParsedFeed]:
    """Fetch a URL that may be an article or a feed, and read whichever it is (the fetched body too)."""
    fetched = fetch(url, policy, accept=HTML_TYPES | FEED_TYPES)
    return fetched, read_fetched(fetched)


def fetch_article(url: str, policy: FetchPolicy) -> Article:
    """Fetch and extract one web article; a feed is refused as a feed, so the reply can say to follow it."""
    return read_fetched(fetch(url, policy, accept=HTML_TYPES | FEED_TYPES), allow_feed=False)


@overload
def read_fetched(fetched: Fetched, *, allow_feed: Literal[False]) -> Article: ...
@overload
def read_fetched(fetched: Fetched, *, allow_feed: bool = True) -> Article | ParsedFeed: ...
def read_fetched(fetched: Fetched, *, allow_feed: bool = True) -> Article | ParsedFeed:
    if fetched.media_type in FEED_TYPES or looks_like_feed(fetched.body):
        if allow_feed:
            return parse_feed(fetched.body, fetched.url)
        if looks_like_feed(fetched.body):
            raise UnreadableSource(f"{fetched.url} is a feed, not an article (follow it as a feed instead)")
        raise UnreadableSource(f"{fetched.url} is {fetched.media_type}, not a web page")
    return article_from_html(fetched.body, article_id_for(fetched.url), url=fetched.url, source=fetched.url)


def read_document(name: str, data: bytes, article_id: str, source: str) -> Article:
    """An uploaded document (.txt, .md, .html) as the article ``article_id``, read from ``source``."""
    suffix = PurePath(name.lower()).suffix
    if suffix not in DOCUMENT_SUFFIXES:
        raise UnreadableSource(f"{name} is not a file type I read (send .txt, .md or .html)")
    return parse_document(name, data, article_id, source)


def sent_document_id(chat: int, name: str) -> str:
    """The id of the article a document named ``name`` sent in ``chat`` is: the same for every version of it that
    chat sends, so that a new one takes the old one's place (until 3 Dec an id came from the document's content)."""
    return "doc-" + hashlib.sha256(f"{chat}/{name}".encode()).hexdigest()[:16]
