"""Adding and listing a chat's sources: routes each source (URL, file, folder, OPML list) to the library or the feed poller.

Every front end adds sources here: ``--ingest``, ``/add``, a document sent
in Telegram, ``/feed``. A source that cannot be added comes back as a
:class:`~corpus.ingest.Failure` carrying the reason to show, never as an
exception; one bad source never stops the rest.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.article import Article
from corpus.errors import LedeError, NoSuchFeed, SourceError
from corpus.feed_poller import FeedFollowed, FeedPoller
from corpus.feeds import ParsedFeed, export_opml, parse_opml
from corpus.ingest import Failure, IngestReport, fetch_article, fetch_page, read_document, sent_document_id
from corpus.library import Kept, Library
from corpus.loader import (
    SUPPORTED_SUFFIXES,
    FileLimits,
    absence,
    document_identity,
    expected_articles,
    folder_contents,
    load_file,
    special_file,
    unsupported_reason,
    without_lone_surrogates,
)
from corpus.sizes import megabytes, sizes_apart
from corpus.store import EVERYONE, Feed
from corpus.urls import looks_like_url

# Telegram lets bots download files up to 20 MB; documents this big are already more than an article.
DEFAULT_MAX_UPLOAD_BYTES = 2_000_000
SOURCES_PAGE_SIZE = 5
OPML_SUFFIX = ".opml"


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
    # Articles every chat is answered from that the store does not keep: the bundled seed or the
    # ``--corpus`` files, loaded at start. Listed nowhere else, so the page at least counts them.
    loaded_at_start: int = 0


class Sources:
    """A chat's sources: adding articles and feeds, listing them, exporting and importing feed lists."""

    def __init__(self, library: Library, poller: FeedPoller, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, *,
                 read: Callable[[str, bytes, str, str], Article] = read_document,
                 loaded_at_start: Callable[[], int] = lambda: 0) -> None:
        # ``read`` turns an uploaded document into an article (a bot reads a 2 MB upload in another
        # process: cleaning its thousands of paragraphs is a tenth of a second of pure Python).
        self.library = library
        self.poller = poller
        self.store = library.store
        self.max_upload_bytes = max_upload_bytes
        self._read = read
        self._loaded_at_start = loaded_at_start

    # ---- adding ----------------------------------------------------------------------------

    def ingest(
        self, sources: Sequence[str], *, chat: int = EVERYONE, progress: Callable[[], None] | None = None,
        report: IngestReport | None = None,
    ) -> IngestReport:
        """Store the articles of files, folders, OPML lists, web pages and feeds; one bad source never stops the rest.

        ``progress`` is called after each article, for a progress bar. ``report`` (else a new one) counts
        each article as it is kept, so that a caller stopped mid-way (Ctrl-C) can still say what was stored.
        """
        report = report if report is not None else IngestReport()
        for source in sources:
            if looks_like_url(source):
                report.include(self._ingest_url(source, chat))
                if progress:
                    progress()
                continue
            path = Path(source)
            if reason := absence(path):
                report.failed.append(Failure(source, reason))
                continue
            readable = (*SUPPORTED_SUFFIXES, OPML_SUFFIX)
            if path.is_file() and not path.name.lower().endswith(readable):
                # Named on its own, a file of another type fails, naming every type read here (.opml too).
                report.failed.append(Failure(source, unsupported_reason(path, readable)))
                continue
            contents = folder_contents(path, readable)
            report.skipped += [Failure(str(file), unsupported_reason(file, readable)) for file in contents.unsupported]
            report.failed += [Failure(str(entry), reason) for entry, reason in contents.unreachable]
            for file in contents.sources:
                try:
                    if file.name.lower().endswith(OPML_SUFFIX):
                        report.include(self.import_opml(str(file), file.read_bytes(), chat).report)
                        continue
                    for article in load_file(file):
                        report.tally(article.source or str(file), functools.partial(self.library.reread, article, chat=chat))
                        if progress:
                            progress()
                except OSError as error:
                    report.failed.append(Failure(str(file), f"{file} could not be read ({error.strerror})"))
                except SourceError as error:
                    report.failed.append(Failure(str(file), error.reason))
        return report

    @staticmethod
    def expected_articles(sources: Sequence[str]) -> int | None:
        """How many articles :meth:`ingest` will go through, for a progress bar; None when unknown (URLs, feeds)."""
        if any(looks_like_url(source) or source.lower().endswith(OPML_SUFFIX) for source in sources):
            return None
        return expected_articles(Path(source) for source in sources if Path(source).exists())

    def _ingest_url(self, url: str, chat: int) -> IngestReport:
        try:
            fetched, page = fetch_page(url, self.poller.policy)
            if isinstance(page, ParsedFeed):
                return self.poller.follow(url, chat, (fetched, page)).report
        except SourceError as error:
            return IngestReport(failed=[Failure(url, error.reason)])
        report = IngestReport()
        report.tally(url, lambda: self.library.reread(page, chat=chat))
        return report

    def add_url(self, url: str, chat: int = EVERYONE) -> Kept | Failure:
        """``/add <url>``: fetch one web article and keep it for ``chat`` (its new version, when it changed since)."""
        try:
            return self.library.reread(fetch_article(url, self.poller.policy), chat=chat)
        except SourceError as error:
            return Failure(url, error.reason)

    def add_document(self, name: str, data: bytes, chat: int = EVERYONE) -> Kept | Failure:
        """A document sent to the bot (.txt, .md, .html) becomes an article of ``chat``; one of the same name that
        chat sent before is its earlier version, which the new one replaces when its text or title changed."""
        return self._reread_document(name, data, chat, sent_document_id(chat, name), name)

    def _reread_document(self, name: str, data: bytes, chat: int, article_id: str, source: str) -> Kept | Failure:
        """The document ``name`` as the article ``article_id`` from ``source``, kept or updated for ``chat``."""
        if reason := self.too_large(name, len(data)):
            return Failure(name, reason)
        try:
            return self.library.reread(self._read(name, data, article_id, source), chat=chat)
        except SourceError as error:
            return Failure(name, error.reason)

    def add_file(self, path: Path, chat: int = EVERYONE) -> Kept | Failure | FeedsImported:
        """The console's upload: ``/add notes.txt`` (or ``feeds.opml``) reads a local file as a sent document.

        Its size is checked before it is read, as Telegram's is before it is downloaded.
        """
        try:
            size = path.stat().st_size
            if reason := special_file(path):
                return Failure(path.name, reason)
            if reason := self.too_large(path.name, size):
                # An upload's limit is Telegram's; a file on this machine may also be stored whole from the shell.
                longest = FileLimits().max_document_bytes
                if size <= longest:
                    reason += f" (lede --ingest stores files up to {megabytes(longest)})"
                return Failure(path.name, reason)
            data = path.read_bytes()
        except IsADirectoryError:
            return Failure(str(path), f"{path} is a folder; add its files one by one, or all of them with --ingest")
        except ValueError:  # a NUL in the name: no file can have it
            return Failure(str(path), f"{str(path)!r} is not a file name")
        except OSError as error:
            return Failure(str(path), f"{path} could not be read ({error.strerror})")
        if path.suffix.lower() == OPML_SUFFIX:
            return self.import_opml(str(path), data, chat)
        # The file is its own source, as for --ingest: read again (by any path to it), it is the same article.
        return self._reread_document(without_lone_surrogates(path.name), data, chat, *document_identity(path))

    def too_large(self, name: str, size: int) -> str | None:
        """Why an upload of ``size`` bytes is refused before it is even downloaded, if it is."""
        if size <= self.max_upload_bytes:
            return None
        shown, limit = sizes_apart(size, self.max_upload_bytes)
        return f"{name} is {shown}; I take documents up to {limit}"

    # ---- feeds -----------------------------------------------------------------------------

    def follow_feed(self, url: str, chat: int = EVERYONE) -> FeedFollowed | Failure:
        """``/feed add <url>``: check that it is a feed, follow it for ``chat`` and read it now."""
        try:
            return self.poller.follow(url, chat)
        except SourceError as error:
            return Failure(url, error.reason)

    def feeds(self, chat: int = EVERYONE) -> list[Feed]:
        """``/feed list``: a chat's feeds, numbered from 1 in this order."""
        return self.store.chat_feeds(chat)

    def unfollow_feed(self, number: int, chat: int = EVERYONE) -> Feed | Failure:
        """``/feed remove <n>``: stop following the chat's n-th feed (as ``/feed list`` numbers them)."""
        try:
            feed = self._numbered_feed(number, chat)
        except LedeError as error:
            return Failure(str(number), error.reason)
        self.poller.unfollow(chat, feed)
        return feed

    def _numbered_feed(self, number: int, chat: int) -> Feed:
        feeds = self.store.chat_feeds(chat)
        if not 1 <= number <= len(feeds):
            raise NoSuchFeed(f"there is no feed number {number}; this chat has {_feed_numbers(len(feeds))}")
        return feeds[number - 1]

    def export_opml(self, chat: int = EVERYONE) -> str | Failure:
        """``/feed export``: the chat's feeds as an OPML file that feed readers import, or why there is none."""
        feeds = self.store.chat_feeds(chat)
        if not feeds:  # an empty file would look like an export gone wrong
            # How to follow one is the shell's to word: in a Telegram group only administrators may.
            return Failure("/feed export", "this chat follows no feeds yet")
        return export_opml(((feed.title, feed.url) for feed in feeds), "Lede feeds")

    def import_opml(self, name: str, data: bytes, chat: int = EVERYONE) -> FeedsImported:
        """An OPML file (sent in Telegram or given to ``--ingest``): follow every feed in it; ``name`` names a file that is not OPML."""
        report = IngestReport()
        followed: list[Feed] = []
        try:
            urls = parse_opml(data)
        except SourceError as error:
            report.failed.append(Failure(name, error.reason))
            return FeedsImported((), report)
        if not urls:  # outlines of web pages or of folders alone: "Added 0 … failed 0" would pass for a success
            report.failed.append(Failure(name, "this OPML file lists no feeds (none of its outlines has an xmlUrl)"))
        for url in urls:
            outcome = self.follow_feed(url, chat)
            if isinstance(outcome, Failure):
                report.failed.append(outcome)
            else:
                followed.append(outcome.feed)
                report.include(outcome.report)
        return FeedsImported(tuple(followed), report)

    # ---- listing ---------------------------------------------------------------------------

    def page(self, chat: int = EVERYONE, page: int | None = 1) -> SourcesPage | Failure:
        """``/sources [n]``: the chat's feeds and page ``n`` of its articles, newest first.

        A page the articles do not reach (``None``: what was asked for is no
        page number) is refused, naming the pages there are: typed, or on a
        button under a list that has since grown shorter.
        """
        listing = self.store.chat_articles(chat, limit=SOURCES_PAGE_SIZE, offset=0)
        pages = max(1, math.ceil(listing.total / SOURCES_PAGE_SIZE))
        if page is None or not 1 <= page <= pages:
            return Failure("" if page is None else str(page), f"this chat's sources fill {_page_numbers(pages)}")
        if page > 1:
            listing = self.store.chat_articles(chat, limit=SOURCES_PAGE_SIZE, offset=(page - 1) * SOURCES_PAGE_SIZE)
        return SourcesPage(tuple(self.store.chat_feeds(chat)), listing.articles, page, pages, listing.total,
                           self._loaded_at_start())


def _feed_numbers(count: int) -> str:
    """The feeds a chat has, as the ``/feed remove`` commands that name them."""
    if count == 0:
        return "no feeds"
    if count == 1:
        return "one feed: /feed remove 1"
    return f"{count} feeds: /feed remove 1 to /feed remove {count}"


def _page_numbers(count: int) -> str:
    """The pages of a chat's sources, as the ``/sources`` commands that show them."""
    return "one page: /sources 1" if count == 1 else f"{count} pages: /sources 1 to /sources {count}"
