"""HTML to articles: whole pages through trafilatura, feed-entry fragments through lxml.

A web page is mostly not the article (menus, teasers, cookie notices, related
links); trafilatura finds the main text and the metadata (title, author, date,
site name) and leads the public article-extraction benchmarks. A feed entry's
``content`` is already just the article, so there every block element becomes
a paragraph.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, cast

import lxml.html
from lxml.etree import ParserError

from corpus.article import Article, read_moment
from corpus.cleaning import clean_paragraphs
from corpus.errors import NoArticleText

if TYPE_CHECKING:
    from trafilatura.settings import Document

_BREAKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "pre", "table", "tr", "td", "dd", "dt", "figure", "figcaption", "section", "article"})
# Fewer words than this is navigation or a cookie notice that survived extraction, not an article.
MIN_ARTICLE_WORDS = 8
# Dates the page's markup states (meta tags, JSON-LD, <time>, the URL): what trafilatura is asked for.
_MARKED_UP_DATES = {"original_date": True, "extensive_search": False}
_NO_ARTICLE_TEXT = "the page has no article text that I could find"
_HTML_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)


def article_from_html(
    html: str | bytes, article_id: str, *, url: str | None = None, source: str | None = None
) -> Article:
    """Extract the article of a web page: main text as paragraphs plus its metadata."""
    # Imported on first use: it adds a quarter second to every start-up, and
    # answering questions (``--ask``) never reads HTML.
    import trafilatura

    # A dict only when asked for one (its deprecated as_dict=True).
    document = cast("Document | None", trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_tables=False, include_comments=False,
        date_extraction_params=_MARKED_UP_DATES))
    if document is None:
        raise NoArticleText(_NO_ARTICLE_TEXT)
    paragraphs = list(clean_paragraphs((document.text or "").split("\n")))
    title = " ".join((document.title or "").split())
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # trafilatura keeps the headline as the first line
    if sum(len(paragraph.split()) for paragraph in paragraphs) < MIN_ARTICLE_WORDS:
        raise NoArticleText(_NO_ARTICLE_TEXT)
    return Article(
        article_id=article_id,
        title=title or article_id,
        paragraphs=tuple(paragraphs),
        publisher=document.sitename or None,
        url=url,
        published=read_moment(document.date) or _date_in_text(html),
        source=source,
        author=document.author or None,
        language=_language(html),
    )


def _date_in_text(html: str | bytes) -> datetime | None:
    """A publication date written in the page's text ("Published 6 May 2025"), when its markup has none.

    htmldate's wider search ends with guesses: the first of the month of a
    month-and-year it saw, and the 1st of January of the copyright year
    ("© 2026" became "1 Jan 2026"). A source's date is shown as a fact, so a
    date on the 1st from that search is dropped rather than risked.
    """
    from htmldate import find_date

    found = find_date(html, extensive_search=True, original_date=True)
    return None if found is None or found.endswith("-01") else read_moment(found)


def fragment_paragraphs(fragment: str) -> tuple[str, ...]:
    """The paragraphs of an HTML fragment (a feed entry's content or summary), markup removed.

    Every block element and line break ends a paragraph; inline markup (links,
    emphasis) stays inside the sentence it belongs to.
    """
    if "<" not in fragment:
        return clean_paragraphs(fragment.split("\n"))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except ParserError:
        return ()
    for element in list(root.iter("script", "style")):
        element.drop_tree()
    # A line break in the markup is white space (a <p> wrapped over two lines is one paragraph); only elements break.
    for element in root.iter():
        if element.tag != "pre":
            element.text = element.text and element.text.replace("\n", " ")
        element.tail = element.tail and element.tail.replace("\n", " ")
    for element in root.iter():
        if element.tag in _BREAKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return clean_paragraphs(root.text_content().split("\n"))


def plain_text(fragment: str) -> str:
    """Text of an inline HTML fragment such as a feed title ("<b>Oil</b> &amp; gas" → "Oil & gas")."""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    try:
        return " ".join(lxml.html.fragment_fromstring(fragment, create_parent="span").text_content().split())
    except ParserError:
        return " ".join(fragment.split())


def _language(html: str | bytes) -> str | None:
    raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
    match = _HTML_LANG.search(raw[:4096])
    return match.group(1).decode().lower() if match else None
