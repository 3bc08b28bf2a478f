"""Whatever an article contains, the reply is HTML that Telegram accepts, within its length limit."""

from __future__ import annotations

from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.formatting import format_html
from corpus.article import Article
from retrieval.answer import Answer, Candidate
from retrieval.index import Passage
from tests.support.telegram_html import parse_html, utf16_len

TELEGRAM_LIMIT = 4096
NASTY = st.text(alphabet=st.sampled_from(list("<>&\"';/=:#?abc xyz😀\u0301\u200b\u202e&amp;&lt;")), max_size=60)
ANY_TEXT = st.one_of(st.text(max_size=200), NASTY, st.text(min_size=3000, max_size=6000))
URLS = st.one_of(
    st.none(),
    st.just("https://example.com/a?x=1&y=<2>#frag"),
    st.text(max_size=40),
    st.builds(lambda path: f"https://example.com/{path}", st.text(max_size=30)),
)
DATES = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))


@settings(max_examples=300, deadline=None)
@given(title=ANY_TEXT, text=ANY_TEXT.filter(str.strip), publisher=st.one_of(st.none(), NASTY), url=URLS, published=DATES)
def test_any_answer_formats_to_html_telegram_accepts(title, text, publisher, url, published):
    article = Article("a", title, (text,), publisher=publisher, url=url, published=published)
    answer = Answer("q?", Candidate(Passage(article, 0, text), 1.0, 1.0), 1.0)
    visible, _entities = parse_html(format_html(answer))  # raises HtmlError where Telegram would say 400
    assert utf16_len(visible) <= TELEGRAM_LIMIT
