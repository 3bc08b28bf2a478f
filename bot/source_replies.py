"""How the outcomes of adding and listing sources read, in Telegram HTML and on the console.

Each reply is written once, as Telegram HTML; the console prints the same text
with the markup taken out (:func:`to_plain`), so the two cannot drift apart.
Everything that comes from a source (titles, URLs, reasons) is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.formatting import MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, escape, is_web_link, source_details, source_title
from corpus.article import Article
from corpus.feed_poller import FeedFollowed
from corpus.feeds import MAX_FEED_ENTRIES
from corpus.ingest import Failure, IngestReport
from corpus.library import Kept
from corpus.sources import FeedsImported, SourcesPage
from corpus.store import Feed

MAX_LISTED_FAILURES = 5
# Each outside piece gets a share of Telegram's limit, and lists stop in time,
# leaving room for their "… and N more." line.
MAX_PART_CHARS = 300
MORE_LINE_CHARS = 96
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"</?(?:b|i|code)>")


@dataclass(frozen=True, slots=True)
class WaysToAdd:
    """How a chat without sources is told to get some, in Telegram HTML: an article and a feed. Each front end
    takes a file its own way, and in a group only administrators add, so its members are pointed to them."""

    article: str
    feed: str


def _fit(lines: list[str], reserved: int = 0) -> list[str]:
    """As many ``lines`` as fit in one Telegram message beside ``reserved`` characters, then "… and N more".

    The HTML's length bounds its visible length, so counting HTML is safe.
    """
    budget = MAX_MESSAGE_CHARS - MORE_LINE_CHARS - reserved
    for count, line in enumerate(lines):
        budget -= _length(line) + 1
        if budget < 0:
            return lines[:count] + [f"… and {len(lines) - count} more."]
    return lines


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_plain(reply: str) -> str:
    """A reply without its markup, links written out: what the console prints."""
    reply = _LINK.sub(lambda m: m.group(2) if m.group(2) == m.group(1) else f"{m.group(2)} <{m.group(1)}>", reply)
    return html.unescape(_TAG.sub("", reply))


def refused(outcome: Failure, action: str = "add") -> str:
    """Why ``action`` (add, remove) could not be done, in one sentence."""
    return f"I couldn't {action} that: {escape(outcome.reason.rstrip('.'), MAX_PART_CHARS)}."


def added(outcome: Kept | Failure) -> str:
    """``/add`` and uploads: the article's title, publisher and number of sentences, or why not."""
    return refused(outcome) if isinstance(outcome, Failure) else kept(outcome)


def feed_added(outcome: FeedFollowed | Failure) -> str:
    return refused(outcome) if isinstance(outcome, Failure) else feed_followed(outcome)


def feed_removal(outcome: Feed | Failure) -> str:
    return refused(outcome, "remove") if isinstance(outcome, Failure) else feed_removed(outcome)


def feeds_export_refused(outcome: Failure, ways: WaysToAdd) -> str:
    """``/feed export`` with no feeds to export, and who may follow one there."""
    return f"{refused(outcome, 'export').removesuffix('.')}; {ways.feed} adds one."


def kept(outcome: Kept) -> str:
    details = " · ".join(escape(part) for part in source_details(outcome.article))
    title = _title(outcome.article)
    sentences = f"{outcome.sentences} sentence{'s' if outcome.sentences != 1 else ''}"
    if outcome.new:
        done = "Updated" if outcome.updated else "Added"  # updated: a page, file or document changed since
        return f"{done} {title}" + (f" ({details})" if details else "") + f": {sentences}. Ask me about it."
    return f"I already have {title}" + (f" ({details})" if details else "") + f" ({sentences}); this chat can ask about it."


def feed_followed(outcome: FeedFollowed) -> str:
    name = _feed_name(outcome.feed)
    if outcome.already_followed:
        head = f"This chat already follows {name}."
    else:
        head = f"Following {name}."
    return f"{head} {_counts(outcome.report)}"


def feeds_imported(outcome: FeedsImported) -> str:
    head = f"Imported {len(outcome.followed)} feed{'s' if len(outcome.followed) != 1 else ''} from the OPML file."
    return f"{head} {_counts(outcome.report)}"


def feed_list(feeds: list[Feed], ways: WaysToAdd) -> str:
    if not feeds:
        return f"This chat follows no feeds yet: {ways.feed} adds one."
    head = "<b>Feeds</b> (remove one with /feed remove &lt;n&gt;):"
    lines = [f"{number}. {_feed_name(feed)}{_feed_health(feed)}" for number, feed in enumerate(feeds, start=1)]
    return "\n".join([head, *_fit(lines, reserved=len(head))])


def feed_removed(feed: Feed) -> str:
    return f"Stopped following {_feed_name(feed)}. Articles it brought stay in the store but not in this chat's answers."


def sources_page(page: SourcesPage, ways: WaysToAdd) -> str:
    articles = [f"• {_title(article)}" + (f" · {escape(article.publisher, MAX_PART_CHARS)}" if article.publisher else "")
                for article in page.articles]
    feeds = [f"• {_feed_name(feed)}" for feed in page.feeds] or [f"none — {ways.feed}"]
    lines = [f"<b>Feeds</b> ({len(page.feeds)})", *_fit(feeds, reserved=200 + sum(map(_length, articles)))]
    lines += ["", f"<b>Articles</b> ({page.total_articles}), newest first" + (f", page {page.page} of {page.pages}" if page.pages > 1 else "")]
    lines += articles
    if not page.articles:
        lines.append(f"none — {ways.article}")
    if page.loaded_at_start:
        count = f"{page.loaded_at_start:,} article" + ("s" if page.loaded_at_start > 1 else "")
        lines += ["", f"Every chat is also answered from {count} loaded when I started."]
    return "\n".join(lines)


def sources_listed(outcome: SourcesPage | Failure, ways: WaysToAdd) -> str:
    """``/sources [n]``: the page, or which pages there are."""
    if isinstance(outcome, Failure):
        return f"There is no such page; {escape(outcome.reason, MAX_PART_CHARS)}."
    return sources_page(outcome, ways)


def ingest_summary(report: IngestReport) -> str:
    """The summary ``--ingest`` prints: counts, then each failure with its reason."""
    skipped = f", skipped {len(report.skipped)}" if report.skipped else ""
    updated = f", updated {report.updated}" if report.updated else ""
    lines = [f"Added {report.added}{updated}, already known {report.known}, failed {len(report.failed)}{skipped}"
             f"{_unread(report)}."]
    lines += [f"  {_failure_line(failure)}" for failure in (*report.failed, *report.skipped)]
    return "\n".join(lines)


def _failure_line(failure: Failure) -> str:
    """A failed source and why, naming the source once: a reason that begins with it ("<url> answered 404") says it."""
    reason = escape(failure.reason, MAX_PART_CHARS)
    if failure.reason.startswith(failure.source + " "):
        return reason
    return f"{escape(failure.source, MAX_PART_CHARS)}: {reason}"


def _counts(report: IngestReport) -> str:
    parts = f"{report.added} new article{'s' if report.added != 1 else ''}, {report.known} already known"
    if report.updated:
        parts += f", {report.updated} updated"
    if report.failed:
        parts += f", {len(report.failed)} failed"
    text = f"{parts}{_unread(report)}."
    shown = [f"\n• {_failure_line(failure)}" for failure in report.failed[:MAX_LISTED_FAILURES]]
    more = len(report.failed) - MAX_LISTED_FAILURES
    return text + "".join(shown) + (f"\n… and {more} more." if more > 0 else "")


def _unread(report: IngestReport) -> str:
    if not report.unread:
        return ""
    return f"; {report.unread:,} older feed entries left unread (I read the first {MAX_FEED_ENTRIES} entries of a feed at a time)"


def _title(article: Article) -> str:
    return source_title(article, as_html=True)


def _feed_name(feed: Feed) -> str:
    name = escape(feed.title or feed.url, MAX_TITLE_CHARS)
    return _link(feed.url, name) if is_web_link(feed.url) else name


def _link(url: str | None, text: str) -> str:
    return f'<a href="{html.escape(url or "", quote=True)}">{text}</a>'


def _feed_health(feed: Feed) -> str:
    return f" — failing ({feed.failures} in a row): {escape(feed.last_error, MAX_PART_CHARS)}" if feed.failures else ""
