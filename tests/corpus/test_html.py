"""Web pages to articles: the publication date is the page's own, never a guess shown as a fact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corpus.html import article_from_html

PAGE = """<html><head><title>Tariffs &amp; Trade</title>{head}</head><body><nav>Home | News</nav>
<article><h1>Tariffs &amp; Trade</h1>{dateline}
<p>The EU said on Monday it would raise tariffs on steel to 25% &amp; extend the quotas until 2027.</p>
<p>Officials said the move answered "unfair" dumping by producers &lt;abroad&gt;.</p></article>
<footer>© 2026 Trade Weekly</footer></body></html>"""


def page(head: str = "", dateline: str = "") -> str:
    return PAGE.format(head=head, dateline=dateline)


@pytest.mark.parametrize(
    ("html", "url", "published"),
    [
        (page(head='<meta property="article:published_time" content="2025-03-04T10:00:00Z">'), None,
         datetime(2025, 3, 4, tzinfo=UTC)),
        (page(dateline='<p><time datetime="2025-05-06">6 May 2025</time></p>'), None, datetime(2025, 5, 6, tzinfo=UTC)),
        (page(), "https://news.example/2025/04/07/tariffs.html", datetime(2025, 4, 7, tzinfo=UTC)),
        (page(dateline="<p>Published 6 May 2025</p>"), None, datetime(2025, 5, 6, tzinfo=UTC)),
        (page(), None, None),
        (page(dateline="<p>Posted in March 2025</p>"), None, None),
    ],
    ids=["meta-tag", "time-element", "url", "written-in-the-text", "only-a-copyright-year", "only-a-month"],
)
def test_the_publication_date_is_stated_by_the_page_or_left_out(html, url, published):
    assert article_from_html(html, "tariffs", url=url).published == published


def test_markup_characters_in_the_text_arrive_as_text():
    article = article_from_html(page(), "tariffs")
    assert article.title == "Tariffs & Trade"
    assert article.paragraphs[0] == "The EU said on Monday it would raise tariffs on steel to 25% & extend the quotas until 2027."
    assert article.paragraphs[1].endswith("dumping by producers <abroad>.")
