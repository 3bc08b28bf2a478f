"""Adding sources: web pages, duplicates, feeds, polling and who sees what.

The corpus pipeline (:class:`Sources` over the :class:`Library` and the
:class:`FeedPoller`) runs against a real store and a local web server; the
index it tells is a :class:`ShelfSpy` that keeps each article's sentences and
who may see them, so these tests need nothing from ``retrieval`` but its
analysis of words, which tells the poller whether a page is its entry's article.
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corpus.article import Article
from corpus.database_file import DatabaseFile
from corpus import feed_poller
from corpus.feed_poller import Clock, FeedFollowed, FeedPoller, HostTurns, utc_now
from corpus.feeds import article_id_for
from corpus.fetch import FetchPolicy
from corpus.ingest import Failure
from corpus.library import Kept, Library
from corpus.sources import Sources
from corpus.store import EVERYONE, Store
from corpus.visibility import Visibility
from retrieval.text import Analyzer
from tests.support.web_server import ARTICLE_HTML, LocalWeb, Reply, Request, Route, big_feed, rss_feed

LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)
CHAT, OTHER_CHAT = 501, 502


class ShelfSpy:
    """A :class:`corpus.library.Shelf` that keeps what it is told: sentences by article, and who sees what."""

    def __init__(self, store: Store) -> None:
        self.sentences: dict[str, tuple[str, ...]] = {
            stored.article.article_id: stored.sentences for stored in store.load_articles()}
        self.visibility = Visibility()
        self.visibility.load(*store.visibility_rows())

    def shelve(self, article: Article, sentences: Sequence[str], *, chat: int, feed: int | None) -> None:
        self.sentences[article.article_id] = tuple(sentences)
        self.grant(article.article_id, chat=chat, feed=feed)

    def grant(self, article_id: str, *, chat: int, feed: int | None) -> None:
        if feed is None:
            self.visibility.grant(chat, article_id)
        else:
            self.visibility.add_to_feed(feed, article_id)

    def follow(self, chat: int, feed: int) -> None:
        self.visibility.follow(chat, feed)

    def unfollow(self, chat: int, feed: int) -> None:
        self.visibility.unfollow(chat, feed)

    def merge_feeds(self, old: int, new: int) -> None:
        self.visibility.merge_feeds(old, new)

    def replace(self, article: Article, sentences: Sequence[str]) -> None:
        self.sentences[article.article_id] = tuple(sentences)

    def quotable(self, chat: int, beginning: str) -> bool:
        """Whether ``chat`` may be quoted a sentence that begins so."""
        visible = self.visibility.rule_for(chat)
        return any(sentence.startswith(beginning) for article_id, sentences in self.sentences.items()
                   if visible(article_id) for sentence in sentences)


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    with LocalWeb() as server:
        yield server


class Corpus:
    """The corpus pipeline as Lede composes it, over one store."""

    def __init__(self, path: Path | str = ":memory:", interval: float = 60, policy: FetchPolicy = LOCAL_ONLY,
                 clock: Clock = utc_now) -> None:
        self.store = Store.open(path)
        self.shelf = ShelfSpy(self.store)
        self.poller = FeedPoller(Library(self.store, self.shelf), policy, interval, clock, terms=Analyzer().terms,
                                 hosts=HostTurns())
        self.sources = Sources(self.poller.library, self.poller)


def test_an_added_page_is_extracted_with_its_metadata_and_shelved(web):
    lede = Corpus()
    kept = lede.sources.add_url(web.url("/article.html?utm_source=x#top"), CHAT)
    assert isinstance(kept, Kept) and kept.new
    article = kept.article
    assert (article.title, article.publisher, article.author, article.published, article.language) == (
        "Harbour Bridge Approved", "The Riverton Daily", "Jane Roe", datetime(2025, 2, 14, tzinfo=UTC), "en")
    assert article.url == web.url("/article.html")
    assert kept.sentences == 4
    assert "© The Riverton Daily" not in article.text and "Home" not in article.text
    assert lede.shelf.quotable(CHAT, "The bridge will cost 40 million euros")


def test_the_same_article_twice_is_stored_once_by_url_and_by_text(web):
    lede = Corpus()
    first = lede.sources.add_url(web.url("/article.html"), CHAT)
    again = lede.sources.add_url(web.url("/redirect/3"), CHAT)  # same page, reached another way
    same_text = lede.sources.add_url(web.url("/news/levy"), CHAT)  # another URL serving the same text
    assert first.new and not again.new and not same_text.new
    assert again.article.article_id == first.article.article_id == same_text.article.article_id
    assert lede.store.article_count() == 1
    assert sum(map(len, lede.shelf.sentences.values())) == 4


def test_an_article_added_in_one_chat_is_not_quoted_in_another(web):
    lede = Corpus()
    lede.sources.add_url(web.url("/article.html"), CHAT)
    bridge = "The bridge will cost 40 million euros"
    assert lede.shelf.quotable(CHAT, bridge)
    assert not lede.shelf.quotable(OTHER_CHAT, bridge)
    lede.sources.add_url(web.url("/article.html"), OTHER_CHAT)  # known, but now this chat's too
    assert lede.shelf.quotable(OTHER_CHAT, bridge)


def test_a_page_added_again_after_its_text_changed_is_quoted_in_its_new_version_by_every_chat_that_added_it(web):
    lede = Corpus()
    lede.sources.add_url(web.url("/article.html"), CHAT)
    corrected = ARTICLE_HTML.replace("40 million euros", "45 million euros")
    web.routes["/article.html"] = lambda request: Reply(body=corrected.encode())
    again = lede.sources.add_url(web.url("/redirect/3"), OTHER_CHAT)  # the same page after redirects, in another chat
    unchanged = lede.sources.add_url(web.url("/article.html"), CHAT)
    assert isinstance(again, Kept) and (again.new, again.updated) == (True, True)
    assert isinstance(unchanged, Kept) and (unchanged.new, unchanged.updated) == (False, False)
    assert lede.store.article_count() == 1
    for chat in (CHAT, OTHER_CHAT):
        assert lede.shelf.quotable(chat, "The bridge will cost 45 million euros")
        assert not lede.shelf.quotable(chat, "The bridge will cost 40 million euros")
    web.routes["/article.html"] = lambda request: Reply(body=corrected.replace("45 million", "47 million").encode())
    ingested = lede.sources.ingest([web.url("/article.html")], chat=CHAT)
    assert ingested.to_json() == {"added": 0, "known": 0, "failed": [], "updated": 1}
    assert lede.shelf.quotable(CHAT, "The bridge will cost 47 million euros")


# What ``--ingest --json`` says of a file stored, stored again in a new version, and already known.
ADDED = {"added": 1, "known": 0, "failed": []}
UPDATED = {"added": 0, "known": 0, "failed": [], "updated": 1}
KNOWN = {"added": 0, "known": 1, "failed": []}


def strike_note(folder: Path, day: str) -> Path:
    """``folder``/strike.txt, on the dockers' return to work on ``day``."""
    folder.mkdir(exist_ok=True)
    note = folder / "strike.txt"
    note.write_text(f"Port strike ends\n\nDock workers returned to work on {day} after a deal was signed.\n")
    return note


def test_a_link_to_nothing_in_a_folder_or_named_alone_is_a_failed_source_naming_where_it_leads(tmp_path):
    # A link to a file on a volume not mounted: in a folder it was passed over in silence ("failed 0", exit code 0),
    # and named alone it was "no such file or folder", though the operator's ls shows it.
    strike_note(tmp_path / "news", "Monday")
    link = tmp_path / "news" / "memo.txt"
    link.symlink_to(tmp_path / "volume" / "memo.txt")
    leads_nowhere = f"memo.txt is a link to {tmp_path / 'volume' / 'memo.txt'}, which does not exist"
    lede = Corpus()
    assert lede.sources.ingest([str(tmp_path / "news")]).to_json() == {
        "added": 1, "known": 0, "failed": [{"source": str(link), "reason": leads_nowhere}]}
    assert lede.sources.ingest([str(link)]).to_json() == {
        "added": 0, "known": 0, "failed": [{"source": str(link), "reason": leads_nowhere}]}


def test_a_named_pipe_in_a_folder_is_a_failed_source_as_when_named_alone(tmp_path):
    # In a folder it was passed over in silence ("failed 0", exit code 0); named alone it was refused with a reason.
    strike_note(tmp_path / "news", "Monday")
    pipe = tmp_path / "news" / "wire.txt"
    os.mkfifo(pipe)
    failed = [{"source": str(pipe), "reason": "wire.txt is a device or a pipe, not a file; save what it gives to a "
                                              "file and give that"}]
    lede = Corpus()
    assert lede.sources.ingest([str(tmp_path / "news")]).to_json() == {"added": 1, "known": 0, "failed": failed}
    assert lede.sources.ingest([str(pipe)]).to_json() == {"added": 0, "known": 0, "failed": failed}


def test_a_file_ingested_again_after_its_text_changed_replaces_the_article_kept_from_it(tmp_path):
    lede = Corpus()
    note = strike_note(tmp_path, "Monday")
    first = lede.sources.ingest([str(note)])
    strike_note(tmp_path, "Tuesday")
    changed = lede.sources.ingest([str(note)])
    unchanged = lede.sources.ingest([str(note)])
    assert [report.to_json() for report in (first, changed, unchanged)] == [ADDED, UPDATED, KNOWN]
    assert lede.store.article_count() == 1
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Tuesday")
    assert not lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Monday")


def test_a_file_ingested_again_by_another_path_to_it_is_the_same_source(tmp_path, monkeypatch):
    lede = Corpus()
    monkeypatch.chdir(tmp_path)
    first = lede.sources.ingest([str(strike_note(Path("notes"), "Monday"))])
    changed = lede.sources.ingest([str(strike_note(tmp_path / "notes", "Tuesday"))])
    unchanged = lede.sources.ingest(["./notes/../notes/strike.txt"])
    assert [report.to_json() for report in (first, changed, unchanged)] == [ADDED, UPDATED, KNOWN]
    assert lede.store.article_count() == 1
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Tuesday")


def test_a_link_to_a_file_and_the_file_are_one_source(tmp_path):
    lede = Corpus()
    note = strike_note(tmp_path, "Monday")
    (tmp_path / "latest.txt").symlink_to(note)
    first = lede.sources.ingest([str(tmp_path / "latest.txt")])
    changed = lede.sources.ingest([str(strike_note(tmp_path, "Tuesday"))])
    assert [report.to_json() for report in (first, changed)] == [ADDED, UPDATED]
    assert lede.store.article_count() == 1


def test_a_file_kept_under_its_path_as_given_before_3_dec_is_replaced_when_read_again_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Corpus(tmp_path / "lede.db").sources.ingest([str(strike_note(Path("."), "Monday"))])
    with closing(sqlite3.connect(tmp_path / "lede.db")) as older:  # as Lede kept a file's source until 3 Dec
        older.execute("UPDATE articles SET source = 'strike.txt'")
        older.commit()
    lede = Corpus(tmp_path / "lede.db")
    unchanged = lede.sources.ingest([str(tmp_path / "strike.txt")])
    changed = lede.sources.ingest([str(strike_note(tmp_path, "Tuesday"))])
    assert [report.to_json() for report in (unchanged, changed)] == [KNOWN, UPDATED]
    assert lede.store.article_count() == 1
    assert lede.store.article("strike").article.source == str(tmp_path.resolve() / "strike.txt")


def test_two_files_of_one_name_in_different_folders_are_two_articles_each_known_when_read_again(tmp_path):
    lede = Corpus()
    strike_note(tmp_path / "monday", "Monday")
    strike_note(tmp_path / "tuesday", "Tuesday")
    together = lede.sources.ingest([str(tmp_path / "monday"), str(tmp_path / "tuesday")])
    again = [lede.sources.ingest([str(tmp_path / folder / "strike.txt")]) for folder in ("monday", "tuesday")]
    assert [report.to_json() for report in (together, *again)] == [{**ADDED, "added": 2}, KNOWN, KNOWN]
    assert lede.store.article_count() == 2
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Monday")
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Tuesday")


def test_a_file_whose_name_another_folder_s_file_has_is_replaced_by_its_own_new_version_only(tmp_path):
    lede = Corpus()
    lede.sources.ingest([str(strike_note(tmp_path / "monday", "Monday"))])
    tuesday = strike_note(tmp_path / "tuesday", "Tuesday")
    first = lede.sources.ingest([str(tuesday)])
    strike_note(tmp_path / "tuesday", "Wednesday")
    changed = lede.sources.ingest([str(tuesday)])
    unchanged = lede.sources.ingest([str(tuesday)])
    assert [report.to_json() for report in (first, changed, unchanged)] == [ADDED, UPDATED, KNOWN]
    assert lede.store.article_count() == 2
    assert lede.store.article("strike").article.source == str(tmp_path / "monday" / "strike.txt"), "kept its name"
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Monday")
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Wednesday")
    assert not lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Tuesday")


def test_bad_pages_are_refused_with_a_reason_and_nothing_is_stored(web):
    lede = Corpus()
    reasons = {path: lede.sources.add_url(web.url(path), CHAT)
               for path in ("/missing", "/image.png", "/empty.html", "/feed.xml", "/sitemap.xml")}
    assert all(isinstance(outcome, Failure) for outcome in reasons.values())
    assert reasons["/missing"].reason.endswith("answered 404 Not Found")
    assert reasons["/empty.html"].reason == "the page has no article text that I could find"
    assert reasons["/feed.xml"].reason == f"{web.url('/feed.xml')} is a feed, not an article (follow it as a feed instead)"
    assert reasons["/sitemap.xml"].reason == f"{web.url('/sitemap.xml')} is application/xml, not a web page"
    assert lede.store.article_count() == 0


def test_an_opml_file_that_lists_no_feed_is_a_failed_source_saying_so():
    # A reader's export of its folders, or of web pages (htmlUrl): it followed nothing and said "failed 0".
    lede = Corpus()
    pages = b'<opml version="2.0"><body><outline text="News"><outline htmlUrl="https://example.com/"/></outline></body></opml>'
    imported = lede.sources.import_opml("reader.opml", pages)
    assert imported.followed == ()
    assert imported.report.failed == [Failure("reader.opml", "this OPML file lists no feeds (none of its outlines "
                                                              "has an xmlUrl)")]


def test_an_address_that_does_not_parse_is_a_failed_source_saying_why_added_or_ingested():
    # Waiting for its host's turn, it was a ValueError: a traceback from --ingest, "something went wrong" from /add.
    lede = Corpus()
    why = "'http://[::1/story' is not a valid web address (Invalid IPv6 URL)"
    assert lede.sources.add_url("http://[::1/story", CHAT) == Failure("http://[::1/story", why)
    assert lede.sources.ingest(["http://[::1/story"]).to_json() == {
        "added": 0, "known": 0, "failed": [{"source": "http://[::1/story", "reason": why}]}


def test_a_followed_feed_brings_its_entries_cleaned_with_full_text_for_summaries(web):
    lede = Corpus()
    followed = lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    assert isinstance(followed, FeedFollowed) and not followed.already_followed
    assert followed.feed.title == "Coast & Harbour News"
    assert (followed.report.added, followed.report.known, followed.report.failed) == (2, 0, [])
    articles = {a.url: a for a in (s.article for s in lede.store.load_articles())}
    levy = articles[web.url("/news/levy")]  # relative link resolved, tracking parameters gone
    assert levy.title == "Oil & gas: port levy doubles"
    assert levy.publisher == "Coast & Harbour News"
    assert levy.published == datetime(2025, 2, 14, 10, tzinfo=UTC)
    assert levy.paragraphs[-1] == "Shipping firms said the new levy would add 2 dollars to every tonne of cargo."
    ferry = articles[web.url("/news/ferry-strike")]  # the feed had a summary only: the page was fetched
    assert ferry.title == "Ferry strike ends"
    assert ferry.paragraphs[0].startswith("Ferry crews on the northern routes returned to work on Thursday")
    assert lede.shelf.quotable(CHAT, "The union accepted a raise")
    assert not lede.shelf.quotable(OTHER_CHAT, "The union accepted a raise")


ZOO_SUMMARY = ("The Riverton city zoo opened a new penguin house on Monday, with twelve Humboldt penguins "
               "brought from Edinburgh.")
COOKIE_NOTICE = ("<html><head><title>Penguin house opens at the zoo</title></head><body><div class='consent'>"
                 "<p>We use cookies to improve your experience on our site. By continuing to browse you agree to our "
                 "use of cookies for analytics and personalised advertising.</p>"
                 "<p>Accept all, or manage your preferences at any time in the settings.</p></div></body></html>")
TEASER = ("<html><head><title>Penguin house opens at the zoo</title></head><body><article>"
          "<p>The city zoo opened its new penguin house on Monday morning.</p></article></body></html>")


@pytest.mark.parametrize(("page", "why"), [
    (COOKIE_NOTICE, "the page's text has 0 of the 12 words of the entry's title and summary, so it is not that article"),
    (TEASER, "the page's text (11 words) is shorter than the summary (18 words)"),
], ids=["cookie notice", "shorter teaser"])
def test_a_feed_summary_is_kept_when_the_page_at_its_link_is_not_the_article(web, caplog, page, why):
    zoo = ("<item><title>Penguin house opens at the zoo</title><link>/news/penguins</link>"
           f"<description>{ZOO_SUMMARY}</description></item>")
    web.serve_feed("/feed.xml", rss_feed(web.base, zoo), etag='"feed-zoo"')
    web.routes["/news/penguins"] = lambda request: Reply(body=page.encode())
    lede = Corpus()
    with caplog.at_level("INFO", logger="corpus.feed_poller"):
        followed = lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    assert followed.report.added == 3
    articles = {a.url: a for a in (s.article for s in lede.store.load_articles())}
    assert articles[web.url("/news/penguins")].paragraphs == (ZOO_SUMMARY,)
    assert lede.shelf.quotable(CHAT, "The Riverton city zoo opened a new penguin house")
    assert f"Kept the summary of {web.url('/news/penguins')}: {why}" in caplog.messages
    # The same feed's page that is its article is still read in full.
    assert articles[web.url("/news/ferry-strike")].paragraphs[0].startswith("Ferry crews on the northern routes")


def test_an_entry_of_a_title_alone_is_its_page_even_in_other_words(web):
    """A title is too few words to judge a page by, and there is no summary to keep instead."""
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coast News</title><link>{web.base}/</link>'
            "<item><title>Sailings resume</title><link>/news/ferry-strike</link></item></channel></rss>").encode()
    web.serve_feed("/sailings.xml", feed, etag='"sailings-1"')
    lede = Corpus()
    assert lede.sources.follow_feed(web.url("/sailings.xml"), CHAT).report.added == 1
    [stored] = lede.store.load_articles()
    assert stored.article.paragraphs[0].startswith("Ferry crews on the northern routes returned to work")


def test_polling_uses_conditional_get_and_picks_up_new_entries(web):
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    later = datetime.now(UTC) + timedelta(minutes=2)
    unchanged = lede.poller.poll_due(later)
    assert (unchanged.added, unchanged.known) == (0, 0)
    assert web.requests_for("/feed.xml")[-1].headers.get("if-none-match") == '"feed-v1"'

    new_item = ("<item><title>Lighthouse reopens</title><link>/news/lighthouse</link>"
                "<content:encoded><![CDATA[<p>The old lighthouse on Gull Point reopened to visitors on Sunday "
                "after a two-year restoration.</p>]]></content:encoded></item>")
    web.serve_feed("/feed.xml", rss_feed(web.base, new_item), etag='"feed-v2"')
    assert lede.poller.poll_due(datetime.now(UTC)).added == 0, "not due yet"
    changed = lede.poller.poll_due(later + timedelta(minutes=2))
    assert (changed.added, changed.known) == (1, 2)
    assert lede.shelf.quotable(CHAT, "The old lighthouse on Gull Point")


def test_a_site_s_page_given_to_follow_is_followed_through_the_feed_it_names(web):
    lede = Corpus()
    followed = lede.sources.follow_feed(web.url("/"), CHAT)
    assert followed.feed.url == web.url("/feed.xml")
    assert (followed.report.added, followed.feed.title) == (2, "Coast & Harbour News")
    again = lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    assert again.already_followed, "the feed itself, not the page, is what the chat follows"


def test_a_web_page_that_names_no_feed_is_refused_as_such(web):
    refused = Corpus().sources.follow_feed(web.url("/article.html"), CHAT)
    assert refused.reason == f"{web.url('/article.html')} is a web page that names no feed (add it as an article instead)"


def test_a_poll_while_a_feed_is_first_read_leaves_that_feed_to_the_reading(web, monkeypatch):
    lede = Corpus(interval=1)  # polls every second, and the first reading is slower than that
    read_entries = lede.poller._read_entries
    polled_meanwhile = []

    def reading_with_a_poll_in_between(feed, parsed):  # the bot's job, firing while /feed add reads
        polled_meanwhile.append(lede.poller.poll_due(datetime.now(UTC) + timedelta(seconds=5)))
        return read_entries(feed, parsed)

    monkeypatch.setattr(lede.poller, "_read_entries", reading_with_a_poll_in_between)
    followed = lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    assert (followed.report.added, followed.report.known) == (2, 0)
    assert (polled_meanwhile[0].added, polled_meanwhile[0].known) == (0, 0)
    assert len(web.requests_for("/feed.xml")) == 1


def test_the_feeds_of_a_read_only_store_are_not_polled(web, tmp_path, monkeypatch):
    writable = Corpus(tmp_path / "lede.db")
    writable.sources.follow_feed(web.url("/feed.xml"), CHAT)
    writable.store.close()
    # As on a read-only mount (root may write any file, so the check is told).
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    read_only = Corpus(tmp_path / "lede.db")
    fetched = len(web.requests_for("/feed.xml"))
    report = read_only.poller.poll_due(datetime.now(UTC) + timedelta(days=1))
    assert (report.added, report.failed) == (0, [])
    assert len(web.requests_for("/feed.xml")) == fetched


def test_a_failing_feed_backs_off_exponentially_and_recovers(web):
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    web.routes["/feed.xml"] = lambda request: Reply(500, b"oops")
    [feed] = lede.sources.feeds(CHAT)
    now = datetime.now(UTC)
    for failures, wait in ((1, 120), (2, 240), (3, 480)):
        now += timedelta(days=1)  # certainly due
        report = lede.poller.poll_due(now)
        assert report.failed[0].reason.endswith("answered 500 Internal Server Error")
        [feed] = lede.sources.feeds(CHAT)
        assert feed.failures == failures
        assert lede.store.due_feeds((datetime.now(UTC) + timedelta(seconds=wait - 5))) == []
        assert lede.store.due_feeds((datetime.now(UTC) + timedelta(seconds=wait + 5))) == [feed]


def test_a_broken_feed_is_refused_when_followed(web):
    lede = Corpus()
    outcome = lede.sources.follow_feed(web.url("/broken-feed.xml"), CHAT)
    assert isinstance(outcome, Failure) and "is not an RSS or Atom feed" in outcome.reason
    assert lede.sources.feeds(CHAT) == []


def test_feeds_are_listed_removed_exported_and_imported_per_chat(web, tmp_path):
    lede = Corpus(tmp_path / "lede.db")
    imported = lede.sources.import_opml("feeds.opml", web.routes["/feeds.opml"](None).body, CHAT)
    assert [feed.url for feed in imported.followed] == [web.url("/feed.xml")]
    assert imported.report.failed[0].source == web.url("/missing")
    assert [feed.title for feed in lede.sources.feeds(CHAT)] == ["Coast & Harbour News"]
    assert lede.sources.feeds(OTHER_CHAT) == []
    exported = lede.sources.export_opml(CHAT)
    assert f'xmlUrl="{web.url("/feed.xml")}"' in exported and 'title="Coast &amp; Harbour News"' in exported

    restarted = Corpus(tmp_path / "lede.db")  # the subscription survives a restart
    assert restarted.shelf.quotable(CHAT, "The union accepted a raise")
    assert isinstance(restarted.sources.unfollow_feed(2, CHAT), Failure)
    assert restarted.sources.unfollow_feed(1, CHAT).url == web.url("/feed.xml")
    assert restarted.sources.feeds(CHAT) == []
    assert not restarted.shelf.quotable(CHAT, "The union accepted a raise")


def test_removing_a_feed_number_the_chat_lacks_names_the_numbers_it_has_and_removes_nothing(web):
    lede = Corpus()
    web.serve_feed("/bulletins.xml", big_feed(web.base, 2), etag='"bulletins-1"')

    def refusal(number: int) -> str:
        outcome = lede.sources.unfollow_feed(number, CHAT)
        assert isinstance(outcome, Failure)
        return outcome.reason

    assert refusal(1) == "there is no feed number 1; this chat has no feeds"
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    assert refusal(0) == "there is no feed number 0; this chat has one feed: /feed remove 1"
    lede.sources.follow_feed(web.url("/bulletins.xml"), CHAT)
    assert refusal(3) == "there is no feed number 3; this chat has 2 feeds: /feed remove 1 to /feed remove 2"
    assert len(lede.sources.feeds(CHAT)) == 2


def test_a_document_that_is_not_opml_is_refused_by_its_name():
    imported = Corpus().sources.import_opml("mine.opml", b"<html/>", CHAT)
    assert imported.followed == ()
    assert imported.report.failed == [Failure("mine.opml", "this is not an OPML file (its root element is not <opml>)")]


def test_a_file_of_another_type_named_on_its_own_fails_naming_every_type_ingest_reads(tmp_path):
    slides = tmp_path / "slides.pdf"
    slides.write_bytes(b"%PDF-1.4")
    report = Corpus().sources.ingest([str(slides)])
    assert report.failed == [Failure(str(slides), "slides.pdf is not a file type Lede reads (it reads .txt, .md, .html, "
                                                  ".htm, .jsonl, .jsonl.gz, .xml, .rss, .atom, .rdf, .opml)")]
    assert report.added == 0 and report.skipped == []


def test_sources_lists_a_chats_feeds_and_articles_in_pages(web):
    lede = Corpus()
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    lede.sources.add_url(web.url("/article.html"), CHAT)
    page = lede.sources.page(CHAT)
    assert [feed.title for feed in page.feeds] == ["Coast & Harbour News"]
    assert [a.title for a in page.articles] == ["Harbour Bridge Approved", "Ferry strike ends", "Oil & gas: port levy doubles"]
    assert (page.page, page.pages, page.total_articles) == (1, 1, 3)
    assert lede.sources.page(OTHER_CHAT).total_articles == 0


def test_sources_refuses_a_page_the_articles_do_not_reach_naming_the_pages_there_are():
    lede = Corpus()
    for number in range(6):
        lede.sources.add_document(f"story-{number}.txt", f"Thing number {number} happened in the harbour.".encode(), CHAT)
    assert [a.title for a in lede.sources.page(CHAT, 2).articles] == ["story-0"]
    for page in (0, 3, None):  # None: what was asked for is no page number
        assert lede.sources.page(CHAT, page).reason == "this chat's sources fill 2 pages: /sources 1 to /sources 2"
    assert lede.sources.page(OTHER_CHAT, 2).reason == "this chat's sources fill one page: /sources 1"


def test_an_uploaded_document_becomes_an_article():
    lede = Corpus()
    kept = lede.sources.add_document("council-notes.txt", b"The council met on Monday.\nIt approved the budget for 2026.", CHAT)
    assert isinstance(kept, Kept) and kept.new and kept.article.title == "council-notes"
    assert kept.sentences == 2
    assert lede.sources.add_document("photo.jpg", b"\xff\xd8", CHAT).reason == "photo.jpg is not a file type I read (send .txt, .md or .html)"
    assert lede.sources.add_document("x.txt", b"\x00\x01binary", CHAT).reason == "x.txt looks like a binary file, not text"
    assert lede.sources.add_document("big.txt", b"a" * 2_000_001, CHAT).reason == (
        "big.txt is 2,000,001 bytes; I take documents up to 2,000,000 bytes")




def test_a_document_a_chat_sends_again_with_other_text_replaces_its_earlier_version_for_that_chat_only():
    lede = Corpus()
    monday, tuesday = (f"Port strike ends\n\nDock workers returned to work on {day} after a deal was signed.".encode()
                       for day in ("Monday", "Tuesday"))
    first = lede.sources.add_document("strike.txt", monday, CHAT)
    changed = lede.sources.add_document("strike.txt", tuesday, CHAT)
    unchanged = lede.sources.add_document("strike.txt", tuesday, CHAT)
    elsewhere = lede.sources.add_document("strike.txt", monday, OTHER_CHAT)
    assert [(kept.new, kept.updated) for kept in (first, changed, unchanged, elsewhere)] == [
        (True, False), (True, True), (False, False), (True, False)]
    assert lede.store.article_count() == 2, "the other chat's document of that name is its own"
    assert lede.shelf.quotable(CHAT, "Dock workers returned to work on Tuesday")
    assert not lede.shelf.quotable(CHAT, "Dock workers returned to work on Monday")
    assert lede.shelf.quotable(OTHER_CHAT, "Dock workers returned to work on Monday")


def test_a_file_added_from_the_console_is_its_own_source_as_when_ingested(tmp_path):
    lede = Corpus()
    monday = strike_note(tmp_path / "monday", "Monday")
    lede.sources.ingest([str(monday)])
    tuesday = lede.sources.add_file(strike_note(tmp_path / "tuesday", "Tuesday"))
    strike_note(tmp_path / "monday", "Wednesday")
    changed = lede.sources.add_file(tmp_path / "tuesday" / ".." / "monday" / "strike.txt")
    assert [(kept.new, kept.updated) for kept in (tuesday, changed)] == [(True, False), (True, True)]
    assert lede.store.article_count() == 2
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Tuesday")
    assert lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Wednesday")
    assert not lede.shelf.quotable(EVERYONE, "Dock workers returned to work on Monday")


def test_a_feed_an_opml_file_lists_twice_is_followed_and_read_once(web):
    # Feed readers export a feed once per folder it is filed in, and links differ in ways that name the same feed.
    opml = f"""<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="Local"><outline type="rss" text="Coast" xmlUrl="{web.url('/feed.xml')}"/></outline>
<outline text="Harbour"><outline type="rss" text="Coast" xmlUrl="{web.url('/feed.xml')}?utm_source=reader#top"/></outline>
</body></opml>""".encode()
    lede = Corpus()
    imported = lede.sources.import_opml("feeds.opml", opml, CHAT)
    assert [feed.url for feed in imported.followed] == [web.url("/feed.xml")]
    assert (imported.report.added, imported.report.known) == (2, 0)
    assert len(web.requests_for("/feed.xml")) == 1


def test_a_feed_whose_reading_fails_unexpectedly_holds_up_no_other_feed(web, monkeypatch, caplog):
    lede = Corpus(interval=60)
    web.serve_feed("/bulletins.xml", big_feed(web.base, 2), etag='"bulletins-1"')
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)  # due first: it was followed first
    lede.sources.follow_feed(web.url("/bulletins.xml"), CHAT)
    web.serve_feed("/bulletins.xml", big_feed(web.base, 3), etag='"bulletins-2"')
    parse = feed_poller.parse_feed

    def parse_with_a_bug(body: bytes, url: str) -> object:  # a failure nobody foresaw, met on one feed
        if url.endswith("/feed.xml"):
            raise RuntimeError("a bug met on what this feed serves")
        return parse(body, url)

    monkeypatch.setattr(feed_poller, "parse_feed", parse_with_a_bug)
    web.serve_feed("/feed.xml", rss_feed(web.base), etag='"feed-v2"')
    report = lede.poller.poll_due(datetime.now(UTC) + timedelta(days=1))
    assert report.added == 1, "the feed due after it was read"
    assert report.failed == [Failure(web.url("/feed.xml"), "reading it failed unexpectedly (RuntimeError)")]
    assert "a bug met on what this feed serves" in caplog.text  # with its traceback
    [broken, _] = lede.sources.feeds(CHAT)
    assert broken.failures == 1, "it backs off as a failing feed does"


def test_a_feed_that_moved_for_good_is_followed_where_it_went_and_one_that_moved_for_now_where_it_was(web):
    web.routes["/old-feed.xml"] = lambda request: Reply(301, headers={"Location": "/feed.xml"})
    web.routes["/feed-for-now.xml"] = lambda request: Reply(302, headers={"Location": "/feed.xml"})
    lede = Corpus()
    moved = lede.sources.follow_feed(web.url("/old-feed.xml"), CHAT)
    assert moved.feed.url == web.url("/feed.xml")  # as feed readers do: the old address may stop redirecting
    assert lede.sources.follow_feed(web.url("/feed.xml"), CHAT).already_followed, "one feed, not two"
    for_now = lede.sources.follow_feed(web.url("/feed-for-now.xml"), CHAT)
    assert for_now.feed.url == web.url("/feed-for-now.xml") and not for_now.already_followed
    assert [feed.url for feed in lede.sources.feeds(CHAT)] == [web.url("/feed.xml"), web.url("/feed-for-now.xml")]


@pytest.mark.parametrize(("status", "listed_at"), [(301, "/feed.xml"), (308, "/feed.xml"), (302, "/old-feed.xml"),
                                                   (307, "/old-feed.xml")])
def test_a_followed_feed_that_moves_for_good_is_listed_and_polled_at_its_new_address_and_one_moved_for_now_is_not(
        web, status, listed_at):
    web.serve_feed("/old-feed.xml", rss_feed(web.base), etag='"old-1"')
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/old-feed.xml"), CHAT)
    web.routes["/old-feed.xml"] = lambda request: Reply(status, headers={"Location": "/feed.xml"})
    now = datetime.now(UTC)
    lede.poller.poll_due(now + timedelta(minutes=2))
    assert [feed.url for feed in lede.sources.feeds(CHAT)] == [web.url(listed_at)]  # what /feed list shows
    asked = len(web.requests_for("/old-feed.xml"))
    lede.poller.poll_due(now + timedelta(minutes=4))
    assert len(web.requests_for("/old-feed.xml")) == asked + (listed_at == "/old-feed.xml"), (
        "the next poll goes to the address listed")

def test_a_followed_feed_that_moves_to_a_feed_already_followed_becomes_that_feed_with_its_articles(web):
    web.serve_feed("/old-feed.xml", rss_feed(web.base, "<item><title>Lighthouse reopens</title>"
                                                       "<link>/news/lighthouse</link><description>The old lighthouse on "
                                                       "Gull Point reopened to visitors on Sunday.</description></item>"),
                   etag='"old-1"')
    web.routes["/news/lighthouse"] = lambda request: Reply(404)
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/old-feed.xml"), CHAT)
    lede.sources.follow_feed(web.url("/feed.xml"), OTHER_CHAT)  # where the feed went, followed by another chat
    web.routes["/old-feed.xml"] = lambda request: Reply(301, headers={"Location": "/feed.xml"})
    lede.poller.poll_due(datetime.now(UTC) + timedelta(minutes=2))
    assert [feed.url for feed in lede.sources.feeds(CHAT)] == [web.url("/feed.xml")]
    assert lede.sources.feeds(CHAT) == lede.sources.feeds(OTHER_CHAT), "one feed, not two"
    assert lede.shelf.quotable(CHAT, "The old lighthouse on Gull Point"), "what the old address brought is still seen"
    assert lede.shelf.quotable(OTHER_CHAT, "The old lighthouse on Gull Point")
    fresh = ShelfSpy(lede.store)  # as the next start reads the store
    assert fresh.quotable(CHAT, "The old lighthouse on Gull Point") and fresh.quotable(OTHER_CHAT, "The old lighthouse")


LEVY_CORRECTED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Coast &amp; Harbour News</title><link>{base}/</link>
<item>
  <title>Port levy triples</title>
  <link>/news/levy?utm_source=rss</link>
  <pubDate>Fri, 14 Feb 2025 10:00:00 GMT</pubDate>
  <content:encoded><![CDATA[<p>The port authority tripled the levy on oil and gas tankers on Friday, citing the cost of dredging.</p>
<p>Shipping firms said the new levy would add 3 dollars to every tonne of cargo.</p>]]></content:encoded>
</item>
<item>
  <title>Ferry strike ends after nine days</title>
  <link>/news/ferry-strike</link>
  <pubDate>Thu, 13 Feb 2025 18:30:00 GMT</pubDate>
  <description>&lt;p&gt;Crews are back at work.&lt;/p&gt;</description>
</item>
</channel></rss>"""


def test_an_entry_the_feed_republishes_corrected_replaces_the_article_kept_from_it(web):
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    pages = len(web.requests_for("/news/ferry-strike"))
    web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v2"')
    report = lede.poller.poll_due(datetime.now(UTC) + timedelta(minutes=2))
    assert (report.added, report.updated, report.known) == (0, 2, 0)
    articles = {a.url: a for a in (s.article for s in lede.store.load_articles())}
    assert len(articles) == 2, "the same articles, in their new versions"
    levy = articles[web.url("/news/levy")]
    assert levy.title == "Port levy triples"
    assert levy.paragraphs[-1] == "Shipping firms said the new levy would add 3 dollars to every tonne of cargo."
    assert lede.shelf.quotable(CHAT, "The port authority tripled the levy")
    assert not lede.shelf.quotable(CHAT, "The port authority doubled the levy")
    # A summary's entry retitled: its page is read again, under the new title.
    assert articles[web.url("/news/ferry-strike")].title == "Ferry strike ends after nine days"
    assert len(web.requests_for("/news/ferry-strike")) == pages + 1
    again = lede.poller.poll_due(datetime.now(UTC) + timedelta(minutes=4))  # the same versions once more
    assert (again.added, again.updated, again.known) == (0, 0, 0), "not modified"
    web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v3"')
    unchanged = lede.poller.poll_due(datetime.now(UTC) + timedelta(minutes=6))
    assert (unchanged.added, unchanged.updated, unchanged.known) == (0, 0, 2)
    assert len(web.requests_for("/news/ferry-strike")) == pages + 1, "an unchanged entry's page is not read again"


def test_a_corrected_summary_whose_page_cannot_be_read_leaves_the_full_text_kept_until_the_page_can(web):
    lede = Corpus(interval=60)
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    page = web.routes["/news/ferry-strike"]
    web.routes["/news/ferry-strike"] = lambda request: Reply(503)
    web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v2"')
    now = datetime.now(UTC)
    report = lede.poller.poll_due(now + timedelta(minutes=2))
    assert (report.added, report.updated, report.known) == (0, 1, 1)
    ferry = lede.store.article(article_id_for(web.url("/news/ferry-strike"))).article
    assert ferry.title == "Ferry strike ends" and ferry.paragraphs[0].startswith("Ferry crews on the northern routes")
    web.routes["/news/ferry-strike"] = page
    web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v3"')
    retried = lede.poller.poll_due(now + timedelta(minutes=4))
    assert (retried.added, retried.updated, retried.known) == (0, 1, 1)
    ferry = lede.store.article(article_id_for(web.url("/news/ferry-strike"))).article
    assert ferry.title == "Ferry strike ends after nine days" and ferry.paragraphs[0].startswith("Ferry crews on the")


def test_an_entry_kept_before_lede_noted_versions_is_taken_as_it_is_once_and_replaced_when_corrected_after(web, tmp_path):
    lede = Corpus(tmp_path / "lede.db", interval=60)
    lede.sources.follow_feed(web.url("/feed.xml"), CHAT)
    lede.store.close()
    with closing(sqlite3.connect(tmp_path / "lede.db")) as older:  # as a store from before migration 10 left them
        older.execute("UPDATE feed_articles SET entry = NULL")
        older.commit()
    lede = Corpus(tmp_path / "lede.db", interval=60)
    now = datetime.now(UTC)
    web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v2"')
    first = lede.poller.poll_due(now + timedelta(minutes=2))
    assert (first.updated, first.known) == (0, 2), "what it was before is not known"
    retitled = LEVY_CORRECTED.replace("Port levy triples", "Port levy triples for tankers")
    web.serve_feed("/feed.xml", retitled.format(base=web.base).encode(), etag='"feed-v3"')
    corrected = lede.poller.poll_due(now + timedelta(minutes=4))
    assert (corrected.updated, corrected.known) == (1, 1)
    levy = lede.store.article(article_id_for(web.url("/news/levy"))).article
    assert (levy.title, levy.paragraphs[0]) == ("Port levy triples for tankers", "The port authority tripled the levy "
                                                "on oil and gas tankers on Friday, citing the cost of dredging.")


# How long a held request waits for what the poller must do meanwhile before the test gives up on it (a poller
# that does it takes a fraction of a second); a fetch waits longer, so the server, not Lede, ends the hold.
PATIENCE = 10.0
PATIENT = replace(LOCAL_ONLY, read_timeout=2 * PATIENCE, total_timeout=3 * PATIENCE)


class StalledHost:
    """A host whose server stalls: each of its routes holds a request until ``until`` is set (or the test gives up),
    counting the most requests it held at once."""

    def __init__(self, until: threading.Event) -> None:
        self._until = until
        self._lock = threading.Lock()
        self._held = 0
        self.most_held_at_once = 0
        self.gave_up = False

    def stall(self, route: Route) -> Route:
        def held(request: Request) -> Reply:
            with self._lock:
                self._held += 1
                self.most_held_at_once = max(self.most_held_at_once, self._held)
            if not self._until.wait(PATIENCE):
                self.gave_up = True
            with self._lock:
                self._held -= 1
            return route(request)

        return held


def stored(lede: Corpus, beginning: str) -> threading.Event:
    """An event set as soon as a sentence that begins so is shelved, that is stored and answerable."""
    shelved = threading.Event()
    shelve = lede.shelf.shelve

    def shelving(article: Article, sentences: Sequence[str], *, chat: int, feed: int | None) -> None:
        shelve(article, sentences, chat=chat, feed=feed)
        if any(sentence.startswith(beginning) for sentence in sentences):
            shelved.set()

    lede.shelf.shelve = shelving
    return shelved


def on_another_host(url: str) -> str:
    """The local web server's ``url`` under the name localhost: the same server, another host to Lede."""
    return url.replace("://127.0.0.1:", "://localhost:", 1)


class StepClock:
    """A clock that moves on only when told, so that feeds followed one after another are due in that order."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def step(self) -> None:
        self.now += timedelta(minutes=1)


NEW_BULLETIN = "Bulletin number 2 reports"


def follow_stalled_and_lively(web: LocalWeb, lede: Corpus, clock: StepClock, stalled_paths: Sequence[str]) -> None:
    """Follow feeds at ``stalled_paths`` (due first, in that order) and then a lively feed on another host, which
    has a new entry, ``NEW_BULLETIN``, at the next poll."""
    for path in stalled_paths:
        web.serve_feed(path, big_feed(web.base, 1), etag=f'"{path}"')
        lede.sources.follow_feed(web.url(path), CHAT)
        clock.step()
    web.serve_feed("/lively.xml", big_feed(web.base, 1), etag='"lively-1"')
    lede.sources.follow_feed(on_another_host(web.url("/lively.xml")), CHAT)
    web.serve_feed("/lively.xml", big_feed(web.base, 2), etag='"lively-2"')


def test_a_feed_whose_server_stalls_holds_up_no_other_feed_s_new_entries_in_the_same_poll(web):
    clock = StepClock()
    lede = Corpus(interval=60, policy=PATIENT, clock=clock)
    follow_stalled_and_lively(web, lede, clock, ["/stalled.xml"])
    stalled = StalledHost(until=stored(lede, NEW_BULLETIN))
    web.routes["/stalled.xml"] = stalled.stall(web.routes["/stalled.xml"])
    report = lede.poller.poll_due(clock.now + timedelta(days=1))
    assert not stalled.gave_up, "the lively feed's new entry was stored while the stalled server held its request"
    assert (report.added, report.known, report.failed) == (1, 1, [])
    assert lede.shelf.quotable(CHAT, NEW_BULLETIN)


def test_a_poll_asks_one_host_for_one_feed_at_a_time(web):
    clock = StepClock()
    lede = Corpus(interval=60, policy=PATIENT, clock=clock)
    # As many as a poll reads at once: read at once, they would all be held together.
    one_host = [f"/feed-{number}.xml" for number in range(feed_poller.CONCURRENT_FEED_READS)]
    follow_stalled_and_lively(web, lede, clock, one_host)
    # Each request to the host is held until the other host's new entry is stored.
    host = StalledHost(until=stored(lede, NEW_BULLETIN))
    for path in one_host:
        web.routes[path] = host.stall(web.routes[path])
    report = lede.poller.poll_due(clock.now + timedelta(days=1))
    assert host.most_held_at_once == 1
    assert [len(web.requests_for(path)) for path in one_host] == [2] * len(one_host), "each followed, then polled once"
    assert (report.added, report.failed) == (1, [])


# How long a poll's held request waits for a feed followed meanwhile to be asked for on the same host: ample for
# a request that nothing holds back (it comes in milliseconds), and what the test costs when the poller is right.
NOT_ASKED_MEANWHILE = 2.0


def test_a_feed_followed_while_a_poll_reads_its_host_is_asked_for_after_that_read(web):
    clock = StepClock()
    lede = Corpus(interval=60, policy=PATIENT, clock=clock)
    web.serve_feed("/polled.xml", big_feed(web.base, 1), etag='"polled"')
    lede.sources.follow_feed(web.url("/polled.xml"), CHAT)
    web.serve_feed("/followed.xml", big_feed(web.base, 2), etag='"followed"')  # one bulletin more
    polled, followed = web.routes["/polled.xml"], web.routes["/followed.xml"]
    reading, asked = threading.Event(), threading.Event()
    order: list[str] = []

    def held_poll(request: Request) -> Reply:
        reading.set()
        asked.wait(NOT_ASKED_MEANWHILE)
        order.append("the poll's read answered")
        return polled(request)

    def noted_follow(request: Request) -> Reply:
        order.append("the followed feed asked for")
        asked.set()
        return followed(request)

    web.routes["/polled.xml"], web.routes["/followed.xml"] = held_poll, noted_follow
    poll = threading.Thread(target=lede.poller.poll_due, args=(clock.now + timedelta(days=1),))
    poll.start()
    assert reading.wait(PATIENCE), "the poll read the feed"
    outcome = lede.sources.follow_feed(web.url("/followed.xml"), OTHER_CHAT)  # /feed add in another chat, meanwhile
    poll.join()
    assert order == ["the poll's read answered", "the followed feed asked for"], "one read at a time from a host"
    assert isinstance(outcome, FeedFollowed) and outcome.report.added == 1


def summaries_feed(base: str, entries: int) -> bytes:
    """A feed of ``entries`` summaries, each of whose pages (``/story/<n>``) is to be fetched for its full text."""
    items = "".join(f"<item><title>Story {n}</title><link>{base}/story/{n}</link><description>Pilots met.</description>"
                    "</item>" for n in range(entries))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Pilots</title>{items}</channel></rss>'.encode()


def story_page(number: int) -> bytes:
    return (f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>"
            f"<p>Story {number}: the harbour pilots met on day {number} to discuss the new bridge.</p>"
            f"<p>They agreed that ships longer than {100 + number} metres need two pilots from now on.</p>"
            "</article></body></html>").encode()


def test_a_poll_stopped_while_it_reads_an_entry_s_page_keeps_that_entry_whole_reads_no_more_and_leaves_the_feed_due(web):
    lede = Corpus(interval=60, policy=PATIENT)
    web.routes["/pilots.xml"] = lambda request: Reply(body=summaries_feed(web.base, 3), content_type="application/rss+xml")
    reading, stopped = threading.Event(), threading.Event()

    def held_page(request: Request) -> Reply:
        reading.set()
        stopped.wait(PATIENCE)
        return Reply(body=story_page(0))

    web.routes["/story/0"] = held_page
    for number in (1, 2):
        web.routes[f"/story/{number}"] = lambda request, n=number: Reply(body=story_page(n))
    lede.store.subscribe(CHAT, web.url("/pilots.xml"))  # due at once
    poll = threading.Thread(target=lede.poller.poll_due)
    poll.start()
    assert reading.wait(PATIENCE), "the poll read the first entry's page"
    lede.poller.stop()  # the bot or the console stopping
    stopped.set()
    poll.join()
    assert (len(web.requests_for("/story/1")), len(web.requests_for("/story/2"))) == (0, 0)
    [kept] = list(lede.store.load_articles())
    assert kept.article.title == "Story 0" and len(kept.sentences) == 2, "the entry read is kept whole"
    assert lede.store.due_feeds(datetime.now(UTC)), "the feed read in part is read again at the next start"
    assert lede.poller.poll_due(datetime.now(UTC) + timedelta(days=1)).added == 0, "a stopped poller reads no more"
    assert len(web.requests_for("/pilots.xml")) == 1
