"""RSS and Atom feeds (through feedparser) and OPML subscription lists, as plain data.

Feeds are messy in known ways: relative links, HTML inside titles, entries
that carry only a summary, footers such as "The post … appeared first on …".
This module turns a feed document into entries with absolute canonical links,
plain-text titles and cleaned paragraphs, and says which entries need their
page fetched for the full text. Fetching is the caller's business.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin
from xml.sax.saxutils import escape, quoteattr

import feedparser

from corpus.article import Article
from corpus.html import fragment_paragraphs, plain_text
from corpus.errors import InvalidUrl, NotAFeed
from corpus.urls import canonical_url


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, cleaned; ``article`` is what the feed itself carries."""

    link: str | None
    article: Article
    summary_only: bool


# Entries read from one fetch of a feed. Feeds list their newest first; a feed
# of thousands is an archive dump (or an attack), and each entry kept costs a
# sentence split, a store write and maybe a page fetch.
MAX_FEED_ENTRIES = 100


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]
    unread: int = 0  # entries beyond MAX_FEED_ENTRIES, left unread


def looks_like_feed(body: bytes) -> bool:
    """Whether a document is RSS/Atom, whatever its server said its type was."""
    head = body[:2048].lstrip().lower()
    return (head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")
            or head.startswith(b"<rdf")) and bool(feedparser.parse(body).version)


def parse_feed(body: bytes, url: str, max_entries: int = MAX_FEED_ENTRIES) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (which resolves its relative links); its first ``max_entries``."""
    body, unread = _first_entries(body, max_entries)
    try:
        parsed = feedparser.parse(body, response_headers={"content-location": url})
    except (ValueError, OverflowError) as error:
        # feedparser's lenient reading of XML that is not well-formed fails on a character reference to no
        # character (&#xD800;, &#x110000;): a broken feed like any other, so a poll backs off and reads the rest.
        raise NotAFeed(f"{url} is not an RSS or Atom feed (it could not be read: {error})") from None
    problem = None if unread else parsed.get("bozo_exception")  # a cut document is broken on purpose
    publisher = plain_text(parsed.feed.get("title", "")) or None
    entries = tuple(entry for raw in parsed.entries[:max_entries] if (entry := _entry(raw, url, publisher)) is not None)
    # feedparser reads what it can of a broken feed; a broken one with no usable entry is just broken.
    if not parsed.version or (problem and not entries):
        raise NotAFeed(f"{url} is not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    return ParsedFeed(publisher, entries, unread=unread)


# The <link> a page names its feed with: <link rel="alternate" type="application/rss+xml" href="/feed">.
_FEED_LINK_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


class _FeedLinks(HTMLParser):
    """Collects the ``href`` of each ``<link rel="alternate">`` whose type is a feed's."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: (value or "") for name, value in attrs}
        if (tag == "link" and "alternate" in found.get("rel", "").lower().split()
                and found.get("type", "").lower().split(";")[0].strip() in _FEED_LINK_TYPES and found.get("href")):
            self.hrefs.append(found["href"])


def feed_links(page: bytes, url: str) -> list[str]:
    """The feeds a web page at ``url`` names in its ``<link rel="alternate">`` tags, as absolute URLs, in order.

    A reader who wants to follow a site pastes its address, not its feed's:
    feed readers look for these links, and so does following a feed here
    (:meth:`corpus.feed_poller.FeedPoller.follow`).
    """
    parser = _FeedLinks()
    parser.feed(page.decode("utf-8", "replace"))
    return list(dict.fromkeys(urljoin(url, href.strip()) for href in parser.hrefs))


_ENTRY_START = re.compile(rb"<(?:item|entry)[\s>/]")


def count_entries(body: bytes) -> int:
    """How many entries a feed document has, without parsing it."""
    return sum(1 for _ in _ENTRY_START.finditer(body))


def _first_entries(body: bytes, max_entries: int) -> tuple[bytes, int]:
    """The document cut just before its entry number ``max_entries + 1``, and how many entries were cut off.

    Cutting before parsing bounds the work a huge feed causes: feedparser
    would otherwise spend seconds on entries that are then dropped. It reads
    the cut document leniently, up to the cut.
    """
    starts = [match.start() for match in _ENTRY_START.finditer(body)]
    if len(starts) <= max_entries:
        return body, 0
    return body[: starts[max_entries]], len(starts) - max_entries


def _entry(raw: feedparser.FeedParserDict, feed_url: str, publisher: str | None) -> FeedEntry | None:
    link = _absolute_link(raw.get("link"), feed_url)
    contents = raw.get("content") or []
    full_html = max((content.get("value", "") for content in contents), key=len, default="")
    paragraphs = fragment_paragraphs(full_html or raw.get("summary", ""))
    title = plain_text(raw.get("title", ""))
    if not paragraphs and not link:
        return None
    identity = link or f"{feed_url}#{raw.get('id') or title}"
    article = Article(
        article_id=article_id_for(identity),
        title=title or (paragraphs[0][:80] if paragraphs else identity),
        paragraphs=paragraphs,
        publisher=publisher,
        url=link,
        published=_published(raw),
        source=feed_url,
        author=plain_text(raw.get("author", "")) or None,
        language=(raw.get("language") or None),
    )
    return FeedEntry(link, article, summary_only=not full_html and link is not None)


def article_id_for(identity: str) -> str:
    """A stable article id from what identifies it (its canonical URL, or feed + entry id)."""
    return "web-" + hashlib.sha256(identity.encode()).hexdigest()[:16]


def _absolute_link(link: str | None, base: str) -> str | None:
    if not link:
        return None
    try:
        return canonical_url(urljoin(base, link))
    except InvalidUrl:
        return None


# Year 1 is a placeholder for "no date" (DateTime.MinValue), never a news article's year.
_PLACEHOLDER_YEAR = 1


def _published(raw: feedparser.FeedParserDict) -> datetime | None:
    """The entry's date; None when it has none, or a placeholder or a date outside the calendar.

    Feeds write a placeholder for an entry without a date: a database's
    "zero date" (0000-00-00T00:00:00Z, which feedparser reads as year -1) or
    the calendar's first day (.NET's DateTime.MinValue, 0001-01-01). Kept as
    a date, year 1 would be shown as the source's date and keep the entry out
    of every briefing; undated, the entry counts from when it was added. The
    last moment of 9999 west of UTC is past the calendar too.
    """
    moment = raw.get("published_parsed") or raw.get("updated_parsed")
    if not moment:
        return None
    try:
        published = datetime.fromtimestamp(calendar.timegm(moment), UTC)
    except (ValueError, OverflowError):
        return None
    return None if published.year <= _PLACEHOLDER_YEAR else published


# ---- OPML ------------------------------------------------------------------------------------


def parse_opml(document: bytes) -> list[str]:
    """The feed URLs (``xmlUrl``) of an OPML subscription list, in document order, nested or not, each once.

    Feed readers export a feed once for every folder it is filed in, and two
    spellings of one address (a fragment, a tracking parameter) are one feed:
    followed twice, it would be fetched twice and its entries counted again as "already known".
    """
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise NotAFeed(f"this is not an OPML file ({error})") from None
    if root.tag.lower() != "opml":
        raise NotAFeed("this is not an OPML file (its root element is not <opml>)")
    urls: dict[str, str] = {}
    for outline in root.iter("outline"):
        if url := outline.attrib.get("xmlUrl", "").strip():
            urls.setdefault(_feed_key(url), url)
    return list(urls.values())


def _feed_key(url: str) -> str:
    """What tells feeds apart: the canonical URL, or the text itself when it is no URL (following it fails, naming it)."""
    try:
        return canonical_url(url)
    except InvalidUrl:
        return url


def export_opml(feeds: Iterable[tuple[str | None, str]], title: str) -> str:
    """An OPML 2.0 subscription list of ``(title, url)`` pairs that feed readers import."""
    outlines = "\n".join(
        f"    <outline type=\"rss\" text={quoteattr(name or url)} title={quoteattr(name or url)} xmlUrl={quoteattr(url)}/>"
        for name, url in feeds
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        f"  <head><title>{escape(title)}</title></head>\n  <body>\n{outlines}\n  </body>\n</opml>\n"
    )
