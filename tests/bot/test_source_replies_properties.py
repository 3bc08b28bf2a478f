"""Whatever a source contains, the replies about sources are HTML that Telegram accepts, within its limit."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import source_replies
from bot.telegram_app import GROUP_WAYS_TO_ADD
from corpus.feed_poller import FeedFollowed
from corpus.library import Kept
from corpus.sources import SourcesPage
from corpus.article import Article
from corpus.ingest import Failure, IngestReport
from corpus.store import Feed
from tests.support.telegram_html import parse_html, utf16_len

TELEGRAM_LIMIT = 4096
NASTY = st.text(alphabet=st.sampled_from(list("<>&\"';/=:#?abc xyz😀\u0301\u200b\u202e&amp;&lt;")), max_size=60)
# Long texts built by repetition: as long as Telegram's limit, cheap to generate.
LONG = st.builds(lambda piece, times: piece * times, st.sampled_from(["<&>", "😀", "word ", "e\u0301", "a"]),
                 st.integers(1000, 6000))
ANY_TEXT = st.one_of(st.text(max_size=200), NASTY, LONG)
URLS = st.one_of(st.none(), st.just("https://example.com/a?x=1&y=<2>#frag"), st.text(max_size=40))
ARTICLES = st.builds(lambda title, url, publisher: Article("a", title, ("x",), publisher=publisher, url=url),
                     ANY_TEXT, URLS, st.one_of(st.none(), NASTY))
FEEDS = st.builds(lambda title, url, error: Feed(1, url or "https://example.com/f", title, None, None,
                                                  3 if error else 0, error, None),
                  st.one_of(st.none(), ANY_TEXT), URLS, st.one_of(st.none(), ANY_TEXT))
REPORTS = st.builds(lambda failures, unread: IngestReport(1, 2, failures, unread),
                    st.lists(st.builds(Failure, ANY_TEXT, ANY_TEXT), max_size=8), st.integers(0, 10_000))


def accepted(reply: str) -> None:
    visible, _entities = parse_html(reply)  # raises HtmlError where Telegram would answer 400
    assert utf16_len(visible) <= TELEGRAM_LIMIT


@settings(max_examples=60, deadline=None)
@given(article=ARTICLES, sentences=st.integers(0, 10**6), new=st.booleans(), reason=ANY_TEXT)
def test_adding_an_article_replies_acceptably(article, sentences, new, reason):
    accepted(source_replies.added(Kept(article, sentences, new)))
    accepted(source_replies.added(Failure("x", reason)))


@settings(max_examples=60, deadline=None)
@given(feed=FEEDS, report=REPORTS, already=st.booleans())
# Found by this test on 1 Dec 2026: an unclosed IPv6 bracket made the link check raise.
@example(feed=Feed(1, "//[", None, None, None, 0, None, None), report=IngestReport(1, 2, [], 0), already=False)
def test_following_a_feed_replies_acceptably(feed, report, already):
    accepted(source_replies.feed_added(FeedFollowed(feed, already, report)))


@settings(max_examples=40, deadline=None)
@given(feeds=st.lists(FEEDS, max_size=30), articles=st.lists(ARTICLES, max_size=5))
def test_the_sources_page_and_feed_list_reply_acceptably(feeds, articles):
    accepted(source_replies.sources_page(SourcesPage(tuple(feeds), tuple(articles), 1, 3, 12), GROUP_WAYS_TO_ADD))
    accepted(source_replies.feed_list(feeds, GROUP_WAYS_TO_ADD))


def test_a_chat_following_a_feed_that_corrected_entries_already_kept_is_told_how_many_were_updated():
    feed = Feed(1, "https://coast.example/feed.xml", "Coast News", None, None, 0, None, None)
    reply = source_replies.feed_followed(FeedFollowed(feed, True, IngestReport(added=1, known=1, updated=2)))
    assert reply.endswith("Coast News</a>. 1 new article, 1 already known, 2 updated.")
