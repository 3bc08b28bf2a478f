"""From a source (a file, an upload, a URL) to articles ready to store: read, split, fingerprint.

Nothing here touches the store or the index; :class:`bot.service.Lede`
decides what is new and keeps it. Each failure becomes a :class:`Failure`
with a reason a person can act on, so one bad source never stops the rest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from corpus.article import Article
from corpus.feeds import NotAFeed, ParsedFeed, article_id_for, looks_like_feed, parse_feed
from corpus.fetch import FEED_TYPES, HTML_TYPES, Fetched, FetchError, FetchPolicy, fetch
from corpus.html import NoArticleText, article_from_html
from corpus.loader import UnreadableSource, decode_text, parse_markdown, parse_plain_text, refuse_binary
from corpus.sentences import split_sentences

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
    """SHA-256 of the body's words, case-folded: the same text however it was wrapped or cased."""
    return hashlib.sha256(" ".join(" ".join(paragraphs).casefold().split()).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Failure:
    """A source that could not be read, and why, in one sentence."""

    source: str
    reason: str


@dataclass
class IngestReport:
    """What an ingestion did: the summary ``--ingest`` prints."""

    added: int = 0
    known: int = 0
    failed: list[Failure] = field(default_factory=list)
    unread: int = 0  # feed entries beyond what one poll reads (see corpus.feeds.MAX_FEED_ENTRIES)

    def include(self, other: IngestReport) -> None:
        """Add another report's counts and failures to this one."""
        self.added += other.added
        self.known += other.known
        self.failed.extend(other.failed)
        self.unread += other.unread

    def to_json(self) -> dict[str, Any]:
        """The ``--ingest --json`` summary; ``unread`` appears only when a feed was too long to read whole."""
        summary: dict[str, Any] = {"added": self.added, "known": self.known,
                                   "failed": [{"source": failure.source, "reason": failure.reason}
                                              for failure in self.failed]}
        if self.unread:
            summary["unread"] = self.unread
        return summary


#: Every way a source can fail that is the source's fault, not Lede's; each carries its reason.
SOURCE_ERRORS = (FetchError, UnreadableSource, NoArticleText, NotAFeed)


def reason(error: Exception) -> str:
    return error.reason if isinstance(error, FetchError) else str(error)


def fetch_page(url: str, policy: FetchPolicy) -> Article | ParsedFeed:
    """Fetch a URL that may be an article or a feed, and read whichever it is."""
    fetched = fetch(url, policy, accept=HTML_TYPES | FEED_TYPES)
    return read_fetched(fetched)


def fetch_article(url: str, policy: FetchPolicy) -> Article:
    """Fetch and extract one web article (feeds are refused by content type)."""
    return read_fetched(fetch(url, policy, accept=HTML_TYPES), allow_feed=False)


def read_fetched(fetched: Fetched, *, allow_feed: bool = True) -> Article | ParsedFeed:
    if fetched.media_type in FEED_TYPES or looks_like_feed(fetched.body):
        if not allow_feed:
            raise UnreadableSource(f"{fetched.url} is a feed, not an article")
        return parse_feed(fetched.body, fetched.url)
    return article_from_html(fetched.body, article_id_for(fetched.url), url=fetched.url, source=fetched.url)


def read_document(name: str, data: bytes) -> Article:
    """An uploaded document (.txt, .md, .html) as an article; its id comes from its content."""
    suffix = PurePath(name.lower()).suffix
    if suffix not in DOCUMENT_SUFFIXES:
        raise UnreadableSource(f"{name} is not a file type I read (send .txt, .md or .html)")
    article_id = "doc-" + hashlib.sha256(data).hexdigest()[:16]
    if suffix in (".html", ".htm"):
        refuse_binary(name, data)
        article = article_from_html(data, article_id, source=name)
    else:
        parse = parse_markdown if suffix == ".md" else parse_plain_text
        article = parse(decode_text(name, data), article_id, name)
        if article.title == article_id:  # no headline or footer: the file's name says most
            article = replace(article, title=PurePath(name).stem)
    if not article.paragraphs:
        raise UnreadableSource(f"{name} has no text to quote from")
    return article
