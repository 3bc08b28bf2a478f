"""Local RSS, Atom and RDF files: read as feeds are, each entry an article with the text it carries."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.errors import UnreadableSource
from corpus.loader import expected_articles, load_file

# A WordPress RSS 2.0 export: full text in content:encoded, closed by the feed's furniture.
WORDPRESS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Gazette</title><link>https://gazette.example/</link>
<item><title>Ferry Line Reopens</title><link>https://gazette.example/ferry?utm_source=rss</link>
<pubDate>Mon, 24 Nov 2026 08:00:00 +0000</pubDate>
<description><![CDATA[The ferry to Gull Point runs again [&#8230;]]]></description>
<content:encoded><![CDATA[<p>The ferry to Gull Point reopened on Monday after a winter of repairs to its pier.</p>
<p>Tickets cost four euros, the harbour office said.</p>
<p><a href="https://gazette.example/ferry">Read more</a></p>
<p>The post <a href="https://gazette.example/ferry">Ferry Line Reopens</a> appeared first on
<a href="https://gazette.example">Harbour Gazette</a>.</p>]]></content:encoded>
</item>
<item><title>Market Day Moves</title><link>https://gazette.example/market</link>
<description><![CDATA[<p>The Saturday market moves to the old quay from December, the council decided on Thursday.</p>
<p>Continue reading <a href="https://gazette.example/market">Market Day Moves</a> &rarr;</p>]]></description>
</item>
</channel></rss>
"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Post</title>
<entry><title>Bridge Closed For Repairs</title><link href="https://valley.example/bridge"/><id>urn:bridge</id>
<updated>2026-11-20T10:00:00Z</updated>
<content type="html">&lt;p&gt;The old stone bridge closes for three weeks of repairs from Monday.&lt;/p&gt;</content></entry>
</feed>
"""
RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://hill.example/"><title>Hill News</title><link>https://hill.example/</link></channel>
<item rdf:about="https://hill.example/snow"><title>First Snow</title><link>https://hill.example/snow</link>
<description>The first snow of the winter fell on the hill villages overnight.</description></item>
</rdf:RDF>
"""


def test_a_local_rss_file_gives_each_entry_with_its_full_text_and_without_the_feed_footers(tmp_path):
    path = tmp_path / "gazette.rss"
    path.write_bytes(WORDPRESS_RSS)
    ferry, market = load_file(path)
    assert ferry.paragraphs == ("The ferry to Gull Point reopened on Monday after a winter of repairs to its pier.",
                                "Tickets cost four euros, the harbour office said.")
    assert (ferry.title, ferry.publisher, ferry.url, ferry.published) == (
        "Ferry Line Reopens", "Harbour Gazette", "https://gazette.example/ferry", datetime(2026, 11, 24, 8, tzinfo=UTC))
    assert market.paragraphs == ("The Saturday market moves to the old quay from December, the council decided on Thursday.",)


@pytest.mark.parametrize(("name", "document", "title", "text"), [
    ("valley.atom", ATOM, "Bridge Closed For Repairs", "The old stone bridge closes for three weeks of repairs from Monday."),
    ("hill.rdf", RDF, "First Snow", "The first snow of the winter fell on the hill villages overnight."),
    ("valley.xml", ATOM, "Bridge Closed For Repairs", "The old stone bridge closes for three weeks of repairs from Monday."),
])
def test_atom_and_rdf_files_are_feeds_too(tmp_path, name, document, title, text):
    path = tmp_path / name
    path.write_bytes(document)
    [article] = load_file(path)
    assert (article.title, article.paragraphs) == (title, (text,))


def test_an_xml_file_that_is_not_a_feed_is_refused_by_name(tmp_path):
    path = tmp_path / "settings.xml"
    path.write_bytes(b"<?xml version='1.0'?><settings><volume>3</volume></settings>")
    with pytest.raises(UnreadableSource, match="settings.xml is not an RSS or Atom feed"):
        list(load_file(path))


def test_the_expected_number_of_articles_counts_records_entries_and_documents(tmp_path):
    (tmp_path / "gazette.rss").write_bytes(WORDPRESS_RSS)
    (tmp_path / "note.md").write_text("# Note\n\nA short note about the harbour.\n")
    with gzip.open(tmp_path / "wires.jsonl.gz", "wt") as wires:
        wires.writelines(json.dumps({"id": str(n), "title": "T", "body": "B."}) + "\n" for n in range(3))
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    assert expected_articles([tmp_path]) == 2 + 1 + 3
    assert expected_articles([Path(tmp_path / "note.md")]) == 1
