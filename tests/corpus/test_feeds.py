"""Feeds and OPML as plain data: links made absolute, titles made plain, footers dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corpus.cleaning import FEED_FOOTER, clean_paragraphs
from corpus.feeds import NotAFeed, export_opml, looks_like_feed, parse_feed, parse_opml
from corpus.html import fragment_paragraphs, plain_text
from tests.support.web_server import OPML, rss_feed

BASE = "https://coast.example"
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/blog/">
  <title type="html">Atom &lt;i&gt;Wire&lt;/i&gt;</title>
  <entry><title>Rates held</title><link href="posts/rates"/><id>tag:atom.example,2025:1</id>
    <updated>2025-03-01T12:00:00Z</updated><author><name>A. Writer</name></author>
    <content type="html">&lt;p&gt;The central bank held rates at 4 percent on Saturday.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_entries_get_absolute_canonical_links_plain_titles_and_no_footer():
    feed = parse_feed(rss_feed(BASE), f"{BASE}/feeds/news.xml")
    levy, ferry = feed.entries
    assert feed.title == "Coast & Harbour News"
    assert levy.link == f"{BASE}/news/levy"
    assert levy.article.title == "Oil & gas: port levy doubles"
    assert levy.article.published == datetime(2025, 2, 14, 10, tzinfo=UTC)
    assert not levy.summary_only
    assert levy.article.paragraphs == (
        "The port authority doubled the levy on oil and gas tankers on Friday, citing the cost of dredging.",
        "Shipping firms said the new levy would add 2 dollars to every tonne of cargo.",
    )
    assert ferry.summary_only and ferry.article.paragraphs == ("Crews are back at work.",)


def test_atom_entries_resolve_links_against_xml_base():
    feed = parse_feed(ATOM, "https://atom.example/feed")
    [entry] = feed.entries
    assert (feed.title, entry.link, entry.article.author) == ("Atom Wire", "https://atom.example/blog/posts/rates", "A. Writer")
    assert entry.article.paragraphs == ("The central bank held rates at 4 percent on Saturday.",)


def test_an_entry_whose_link_is_no_address_keeps_its_text_without_a_link():
    broken = ("<item><title>Tram line extended</title><link>http://[::1/tram</link><guid>tram-1</guid>"
              "<description>The tram line will reach the airport by 2027, the council said.</description></item>")
    feed = parse_feed(rss_feed(BASE, broken), f"{BASE}/feeds/news.xml")
    tram = next(entry for entry in feed.entries if entry.article.title == "Tram line extended")
    assert tram.link is None and tram.article.paragraphs == ("The tram line will reach the airport by 2027, the council said.",)


def test_a_web_page_is_not_a_feed():
    page = b"<!doctype html><html><body><p>Hello</p></body></html>"
    assert not looks_like_feed(page)
    with pytest.raises(NotAFeed, match="is not an RSS or Atom feed"):
        parse_feed(page, "https://x.example/")
    assert looks_like_feed(rss_feed(BASE))


@pytest.mark.parametrize("reference", ["&#xD800;", "&#55296;", "&#x110000;", "&#99999999999;"],
                         ids=["half a UTF-16 pair", "the same in decimal", "beyond Unicode", "beyond any integer"])
def test_a_feed_that_refers_to_a_character_there_is_not_is_refused_as_broken(reference):
    # Not well-formed XML; feedparser's lenient reading fails on it, which a feed poll must survive.
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Storm {reference}</title>'
            '<link>https://x.example/a</link><description>The port reopened on Monday after the storm.</description>'
            '</item></channel></rss>').encode()
    with pytest.raises(NotAFeed, match=r"^https://x\.example/feed is not an RSS or Atom feed \(it could not be read: "):
        parse_feed(body, "https://x.example/feed")


@pytest.mark.parametrize(
    "footer",
    ["The post Port levy doubles appeared first on Coast News.",
     "The post Port levy doubles first appeared on Coast News.",
     "The article Port levy doubles appeared first on Coast News"],
)
def test_feed_footers_are_recognised_in_their_common_wordings(footer):
    match = FEED_FOOTER.match(footer)
    assert match and (match["title"], match["publisher"]) == ("Port levy doubles", "Coast News")


def test_a_feed_footer_run_into_the_last_paragraph_is_cut_off_it():
    assert clean_paragraphs(["Fares for children under 12 stay free. The post Ferry fares rise appeared first on "
                             "Harbour News.", "The post Ferry fares rise appeared first on Harbour News."]) == (
        "Fares for children under 12 stay free.",)


def test_html_fragments_become_paragraphs_with_inline_markup_kept_inside():
    fragment = "<div>Intro line<br>second line</div><ul><li>One <b>bold</b> point.</li><li>Two.</li></ul><script>x()</script>tail"
    assert fragment_paragraphs(fragment) == ("Intro line", "second line", "One bold point.", "Two.", "tail")
    assert plain_text("Fish &amp; <i>chips</i>") == "Fish & chips"


def test_opml_lists_nested_feeds_and_exports_what_it_imports():
    urls = parse_opml(OPML.format(base=BASE).encode())
    assert urls == [f"{BASE}/feed.xml", f"{BASE}/missing"]
    exported = export_opml([("Coast & <Harbour>", f"{BASE}/feed.xml"), (None, f"{BASE}/other.xml")], "Lede feeds")
    assert parse_opml(exported.encode()) == [f"{BASE}/feed.xml", f"{BASE}/other.xml"]
    assert 'text="Coast &amp; &lt;Harbour&gt;"' in exported
    with pytest.raises(NotAFeed, match="not an OPML file"):
        parse_opml(b"<html/>")


def test_a_huge_feed_is_cut_before_parsing_to_its_first_entries_rss_or_atom():
    items = "".join(f"<item><title>Item {n}</title><guid>i{n}</guid><description>Item {n} happened.</description></item>"
                    for n in range(150))
    rss = parse_feed(f'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>{items}</channel></rss>'.encode(),
                     "https://example.com/rss", max_entries=100)
    entries = "".join(f"<entry><title>Entry {n}</title><id>e{n}</id><content type='html'>&lt;p&gt;Entry {n} "
                      "happened.&lt;/p&gt;</content></entry>" for n in range(150))
    atom = parse_feed(f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
                      .encode(), "https://example.com/atom", max_entries=100)
    for parsed, prefix in ((rss, "Item"), (atom, "Entry")):
        assert [entry.article.title for entry in parsed.entries] == [f"{prefix} {n}" for n in range(100)]
        assert parsed.unread == 50
        assert parsed.entries[-1].article.paragraphs == (f"{prefix} 99 happened.",)


def test_a_feed_within_the_cap_is_read_whole_and_strictly():
    items = "".join(f"<item><title>Item {n}</title><guid>i{n}</guid><description>Item {n} happened.</description></item>"
                    for n in range(3))
    parsed = parse_feed(f'<rss version="2.0"><channel><title>R</title>{items}</channel></rss>'.encode(), "https://e.com/r")
    assert (len(parsed.entries), parsed.unread) == (3, 0)


@pytest.mark.parametrize("stamp", ["0000-00-00T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"])
def test_an_entry_dated_with_a_placeholder_or_outside_the_calendar_is_read_undated(stamp):
    # A database's "zero date" or .NET's DateTime.MinValue written out as the entry's date: no moment at all,
    # neither a feed that cannot be read nor news of year 1.
    atom = ATOM.replace(b"2025-03-01T12:00:00Z", stamp.encode())
    [entry] = parse_feed(atom, "https://atom.example/feed").entries
    assert entry.article.title == "Rates held" and entry.article.published is None
