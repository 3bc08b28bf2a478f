"""Following feeds: the first read when a chat follows one, then conditional polls that back off on failure.

Each entry goes to the :class:`~corpus.library.Library`; an entry that
carries only a summary is kept as its page's full text when the page can
be fetched and its text is that entry's article (the feed's own title,
publisher and date win over the page's).

A poll reads its due feeds a few at once, one host's feeds one after
another: read all in turn, a feed whose server stalls (each read may wait
the fetch's timeout) would hold up every other feed's new entries, and
thirty such feeds by minutes; read all at once, a publisher with many
feeds would be sent as many requests together. A feed's summaries have
their pages fetched in its turn (they are mostly on the feed's host). A
feed's first read, when a chat follows it, takes its turn too: the turns
are a :class:`HostTurns` that the poll and every first read share.

Stopping (:meth:`FeedPoller.stop`, when the bot or the console stops)
lets the fetches under way end, but no feed read starts after them, and
no more entries are kept: a poll under way ends after those fetches, not
after all its due feeds and all their entries' pages. A feed read in part
is not recorded as polled, so the next start reads it again (its entries
kept already are known then); each entry is kept whole or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from corpus.article import Article
from corpus.errors import NotAFeed, SourceError
from corpus.feeds import FeedEntry, ParsedFeed, feed_links, parse_feed
from corpus.fetch import FEED_TYPES, HTML_TYPES, Fetched, FetchPolicy, fetch
from corpus.ingest import Failure, IngestReport, fetch_article
from corpus.library import Kept, Library
from corpus.store import Feed
from corpus.urls import canonical_url

log = logging.getLogger(__name__)

# How often a followed feed is read, unless configured otherwise.
DEFAULT_FEED_INTERVAL = 900.0
# A feed that keeps failing is tried less and less often, but at least daily.
MAX_FEED_BACKOFF = timedelta(days=1)
# A feed being followed is not due before this, however short the interval: its first reading
# (which may fetch a page for every entry) ends sooner and then sets its next poll itself.
FIRST_READING = 3600.0
# The least share of an entry's terms (its title's and summary's) that its page's text must hold to be taken
# for the entry's article. What a site serves in an article's place (a cookie notice, a consent, sign-in or
# subscription wall) holds next to none. With 1,500 Reuters articles as entries (title and first sentence),
# every article held at least 0.37 of its entry's terms (99 in 100 at least 0.57), four such notices at most
# 0.21, and the article without its first sentence (as if summarised in other words) fell under 0.25 one time in five.
MIN_SHARED_TERMS = 0.25
# Feeds a poll reads at once (each host's one at a time): enough that a few stalled servers hold up no other
# feed, few enough to be light on a small machine, its store and the network.
CONCURRENT_FEED_READS = 4
Clock = Callable[[], datetime]
# Text to the terms it is about, as the index reads them (stop words out, words stemmed).
Terms = Callable[[str], Iterable[str]]


def utc_now() -> datetime:
    return datetime.now(UTC)


class HostTurns:
    """One feed read at a time from each host, in the order they asked, whoever reads: a poll or a first read.

    A poll alone reads a host's feeds one after another (:func:`by_host`),
    but a chat's ``/feed add`` runs in another thread, beside the poll, and
    would send the host a second request at once. First come, first served:
    a poll that reads a host's feeds one after another lets a first read in
    between two of them, rather than making it wait for them all.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        # Each host read from or waited for: its readers in turn, the first reading now.
        self._queues: dict[str, deque[object]] = {}

    @contextmanager
    def turn(self, url: str) -> Iterator[None]:
        """Wait for the turn of ``url``'s host, and hold it until the read ends."""
        host, ticket = _host(url), object()
        with self._changed:
            queue = self._queues.setdefault(host, deque())
            queue.append(ticket)
            self._changed.wait_for(lambda: queue[0] is ticket)
        try:
            yield
        finally:
            with self._changed:
                queue.popleft()
                if not queue:
                    del self._queues[host]
                self._changed.notify_all()


def _host(url: str) -> str:
    """The host whose turn ``url`` waits for; "" for none, as for an address that does not parse ("http://[::1/x"),
    whose read is refused at once, saying why."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


@dataclass(frozen=True, slots=True)
class FeedFollowed:
    """A feed a chat now follows, and what its first read brought."""

    feed: Feed
    already_followed: bool
    report: IngestReport


class FeedPoller:
    """Reads followed feeds into the library: once when followed, then whenever one is due."""

    def __init__(self, library: Library, policy: FetchPolicy, interval: float = DEFAULT_FEED_INTERVAL,
                 clock: Clock = utc_now, *, terms: Terms, hosts: HostTurns) -> None:
        # ``terms`` tells whether an entry's page is its article (the analysis is the index's business).
        # ``hosts``: whose turn it is to read from each host (see HostTurns).
        self.library = library
        self.store = library.store
        self.policy = policy
        self.interval = interval
        self._clock = clock
        self._terms = terms
        self._hosts = hosts
        # Kept from poll to poll, not made for each: the store opens a reading connection for every thread
        # that reads it, and keeps it until it closes.
        self._reading = ThreadPoolExecutor(CONCURRENT_FEED_READS, thread_name_prefix="lede-feed")
        self._stopping = threading.Event()
        # Held while a poll hands its feeds to the threads, so that none is handed over once they are shut down.
        self._handing_over = threading.Lock()

    def follow(self, url: str, chat: int, read: tuple[Fetched, ParsedFeed] | None = None) -> FeedFollowed:
        """Check that ``url`` is a feed, follow it for ``chat`` and read it now.

        ``read`` is the feed, fetched and parsed, when the caller has read it
        already (``--ingest`` reads a URL to learn whether it is a page or a
        feed). Raises :class:`SourceError` when it is not a feed or cannot be fetched.
        """
        canonical = canonical_url(url)
        with self._hosts.turn(canonical):
            if read is None:
                canonical, fetched, parsed = self._read_feed(canonical)
            else:
                fetched, parsed = read
                canonical = fetched.moved_to or canonical
            # Not due while it is read here: a poll running meanwhile would read the same entries and
            # leave this reply saying they were "already known".
            feed, new = self.store.subscribe(chat, canonical, next_check=self._after(max(self.interval, FIRST_READING)))
            if self.library.shelf is not None:
                self.library.shelf.follow(chat, feed.feed_id)
            report = self._read_entries(feed, parsed)
            if not self._stopping.is_set():  # else read in part: its first poll after the start reads the rest
                self.store.record_poll(feed.feed_id, next_check=self._after(self.interval), title=parsed.title,
                                       etag=fetched.etag, last_modified=fetched.last_modified)
        return FeedFollowed(self.store.feed(feed.feed_id), not new, report)

    def _read_feed(self, url: str) -> tuple[str, Fetched, ParsedFeed]:
        """The feed at ``url`` or, when ``url`` is a site's page, the first feed the page names; with its URL
        (where it moved for good, if it did)."""
        fetched = fetch(url, self.policy, accept=FEED_TYPES | HTML_TYPES)
        try:
            return fetched.moved_to or url, fetched, parse_feed(fetched.body, fetched.url)
        except NotAFeed:
            if fetched.media_type not in HTML_TYPES:
                raise
            linked = feed_links(fetched.body, fetched.url)
            if not linked:
                raise NotAFeed(f"{url} is a web page that names no feed (add it as an article instead)") from None
        feed_url = canonical_url(linked[0])
        fetched = fetch(feed_url, self.policy, accept=FEED_TYPES)
        return fetched.moved_to or feed_url, fetched, parse_feed(fetched.body, fetched.url)

    def unfollow(self, chat: int, feed: Feed) -> None:
        self.store.unsubscribe(chat, feed.feed_id)
        if self.library.shelf is not None:
            self.library.shelf.unfollow(chat, feed.feed_id)

    def poll_due(self, now: datetime | None = None) -> IngestReport:
        """Read every followed feed that is due (the bot's job and the console's poller call this).

        Up to :data:`CONCURRENT_FEED_READS` hosts' feeds are read at once,
        each host's one after another, and each feed's entries are stored as
        it is read. Returns when every due feed was read. A read-only store
        cannot keep what a poll finds, so it is not polled (its opening
        already warned that writes are off).
        """
        report = IngestReport()
        if self.store.read_only:
            return report
        with self._handing_over:
            if self._stopping.is_set():
                return report
            readings = [self._reading.submit(self._poll_in_turn, feeds)
                        for feeds in by_host(self.store.due_feeds(now or self._clock()))]
        # Every reading ends before the poll does, even when one raised (the store went away): the poll
        # under way is what the console lets finish before it closes the store.
        wait(readings)
        for reading in readings:
            if reading.cancelled():  # stopped before its turn came: read at the next start
                continue
            for feed_report in reading.result():
                report.include(feed_report)
        if report.added or report.updated or report.failed:
            log.info("Feeds polled: %d new articles, %d updated, %d failures", report.added, report.updated,
                     len(report.failed))
        return report

    def _poll_in_turn(self, feeds: Sequence[Feed]) -> list[IngestReport]:
        """One host's due feeds, one after another, each in the host's turn: a publisher gets one request at a time."""
        reports = []
        for feed in feeds:
            with self._hosts.turn(feed.url):
                if self._stopping.is_set():
                    break
                reports.append(self._poll_alone(feed))
        return reports

    def _poll_alone(self, feed: Feed) -> IngestReport:
        """One feed's poll, whatever happens in it: the feeds due after it are read all the same.

        A failure nobody foresaw (a bug, met on what one feed serves) is
        logged with its traceback and backs off as a feed that fails does.
        Left to escape, it would end every poll at that feed, which stays
        the first due, and no feed after it would be read again.
        """
        try:
            return self._poll(feed)
        except Exception as error:  # noqa: BLE001 - logged with its traceback; the other feeds go on
            log.exception("Feed %s failed unexpectedly", feed.url)
            return self._failed(feed, f"reading it failed unexpectedly ({type(error).__name__})")

    def _poll(self, feed: Feed) -> IngestReport:
        """One conditional GET of a feed; failures back off exponentially."""
        try:
            fetched = fetch(feed.url, self.policy, accept=FEED_TYPES | HTML_TYPES,
                            etag=feed.etag, last_modified=feed.last_modified)
            parsed = None if fetched.not_modified else parse_feed(fetched.body, fetched.url)
        except SourceError as error:
            log.warning("Feed %s failed (%d in a row): %s", feed.url, feed.failures + 1, error.reason)
            return self._failed(feed, error.reason)
        if fetched.moved_to and fetched.moved_to != feed.url:
            feed = self._moved(feed, fetched.moved_to)
        report = self._read_entries(feed, parsed) if parsed is not None else IngestReport()
        if self._stopping.is_set():  # maybe read in part: still due, so the next start reads it again
            return report
        self.store.record_poll(
            feed.feed_id, next_check=self._after(self.interval), title=parsed.title if parsed else None,
            etag=fetched.etag or feed.etag, last_modified=fetched.last_modified or feed.last_modified,
        )
        return report

    def _moved(self, feed: Feed, url: str) -> Feed:
        """The feed at ``url``, where ``feed`` moved for good (as :meth:`follow` does at once): listed and polled there
        from now on, and one feed with any feed already followed there."""
        log.info("Feed %s moved for good to %s", feed.url, url)
        moved_to = self.store.move_feed(feed.feed_id, url)
        if moved_to != feed.feed_id and self.library.shelf is not None:
            self.library.shelf.merge_feeds(feed.feed_id, moved_to)
        return self.store.feed(moved_to)

    def _failed(self, feed: Feed, reason: str) -> IngestReport:
        """Record a failed poll: the feed waits twice as long as after its last failure, at most a day."""
        delay = min(timedelta(seconds=self.interval * 2 ** (feed.failures + 1)), MAX_FEED_BACKOFF)
        self.store.record_poll(feed.feed_id, next_check=self._after(delay.total_seconds()), error=reason)
        return IngestReport(failed=[Failure(feed.url, reason)])

    def _read_entries(self, feed: Feed, parsed: ParsedFeed) -> IngestReport:
        """Keep a feed's entries, fetching the page of each new one that carries only a summary; an entry the feed
        carries in another version than last time (its text or title corrected) replaces the article kept from it."""
        report = IngestReport(unread=parsed.unread)
        versions = self.store.entry_versions(feed.feed_id)
        for entry in parsed.entries:
            if self._stopping.is_set():  # each may fetch its page: the stop would wait for them all
                break
            version, last = entry_version(entry), versions.get(entry.article.article_id)
            # None: a new entry, or one kept before versions were noted (taken as it is, and its version noted).
            corrected = last is not None and last != version
            report.tally(entry.link or feed.url,
                         functools.partial(self._keep, feed, entry, version, corrected, last != version))
        return report

    def _keep(self, feed: Feed, entry: FeedEntry, version: str, corrected: bool, remember: bool) -> Kept:
        """Keep an entry's article (its page's, for a summary that is new or was corrected): new, known, or the new version
        of the one kept before; and note the entry's ``version`` when it is not the one noted."""
        page = entry.link if entry.summary_only else None  # what to read when the feed carries only a summary
        if corrected:
            whole = self._full_text(page, entry.article) if page else entry.article
            if whole is entry.article and page and (kept_before := self._longer_than(whole)) is not None:
                # The page was read before and cannot be now: its text is worth more than the corrected summary.
                log.info("Kept the text read before of %s until its page can be read again", entry.link)
                return kept_before
            kept = self.library.revise(whole, feed=feed.feed_id)
        else:
            full_text = functools.partial(self._full_text, page) if page else None
            kept = self.library.keep(entry.article, feed=feed.feed_id, full_text=full_text)
        if remember:
            self.store.record_entry_version(feed.feed_id, entry.article.article_id, version)
        return kept

    def _longer_than(self, summary: Article) -> Kept | None:
        """The article kept under the summary's id, when its text is longer than the summary (it is its page's)."""
        stored = self.store.article(summary.article_id)
        if len(stored.article.text.split()) <= len(summary.text.split()):
            return None
        return Kept(stored.article, len(stored.sentences), new=False)

    def _full_text(self, link: str, summary: Article) -> Article:
        """The entry's page as the article, keeping what the feed knew better; the summary if the page fails or is not it."""
        try:
            page = fetch_article(link, self.policy)
        except SourceError as error:
            log.info("Kept the summary of %s: %s", link, error.reason)
            return summary
        # A title alone is too few words to judge the page by, and leaves nothing to keep instead.
        if summary.paragraphs and (unlike := self._unlike_its_summary(page, summary)):
            log.info("Kept the summary of %s: %s", link, unlike)
            return summary
        return replace(page, article_id=summary.article_id, title=summary.title or page.title,
                       publisher=summary.publisher or page.publisher, published=summary.published or page.published,
                       author=page.author or summary.author, source=summary.source)

    def _unlike_its_summary(self, page: Article, summary: Article) -> str | None:
        """Why the page's text is not the article the feed summarised, if it is not.

        The article is longer than its summary and speaks of what its title
        and summary do; a cookie notice or a sign-in page served at its link
        does not, and kept instead of the summary would leave the entry unanswerable.
        """
        page_words, summary_words = len(page.text.split()), len(summary.text.split())
        if page_words < summary_words:
            return f"the page's text ({page_words} words) is shorter than the summary ({summary_words} words)"
        entry_terms = set(self._terms(f"{summary.title}\n{summary.text}"))
        shared = entry_terms.intersection(self._terms(page.text))
        if len(shared) < MIN_SHARED_TERMS * len(entry_terms):
            return (f"the page's text has {len(shared)} of the {len(entry_terms)} words of the entry's title and summary, "
                    "so it is not that article")
        return None

    def stop(self) -> None:
        """Start no feed read from now on, nor keep any more entries: the reads under way end with their fetch.

        Returns at once (the bot calls it on its event loop, as it begins to stop); :meth:`close` waits.
        """
        with self._handing_over:
            self._stopping.set()

    def close(self) -> None:
        """:meth:`stop`, then wait for the reads under way and end the poller's threads (before the store closes)."""
        self.stop()
        self._reading.shutdown(wait=True, cancel_futures=True)

    def _after(self, seconds: float) -> datetime:
        return self._clock() + timedelta(seconds=math.ceil(seconds))


def by_host(feeds: Iterable[Feed]) -> list[list[Feed]]:
    """``feeds`` by the host they are read from, each host's in their order (and the hosts in their first feed's)."""
    hosts: dict[str, list[Feed]] = {}
    for feed in feeds:
        hosts.setdefault(_host(feed.url), []).append(feed)
    return list(hosts.values())


def entry_version(entry: FeedEntry) -> str:
    """What tells one version of a feed entry from another: a digest of its title and text as the feed carries them."""
    return hashlib.sha256("\n".join((entry.article.title, *entry.article.paragraphs)).encode()).hexdigest()
