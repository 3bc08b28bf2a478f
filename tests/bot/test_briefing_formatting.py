"""How a briefing reads: Telegram HTML split at story boundaries, plain text and JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.formatting import MAX_MESSAGE_CHARS, briefing_html, briefing_to_json, pack_messages
from corpus.article import Article
from retrieval.briefing import Briefing, NewsItem, Story
from tests.support.telegram_html import parse_html, utf16_len

SINCE = datetime(1987, 10, 19, tzinfo=UTC)


def story(number: int, sentence: str = "Stocks fell sharply.", sources: int = 1) -> Story:
    items = tuple(
        NewsItem(Article(f"a{number}-{n}", f"Story {number} <Srd> & co, report {n}", (sentence,), publisher="Reuters",
                         url=f"https://example.com/{number}/{n}?a=1&b=2" if n % 2 == 0 else None,
                         published=datetime(1987, 10, 19, 10, tzinfo=UTC)), (sentence,), SINCE)
        for n in range(sources)
    )
    return Story(f"Story {number} <Srd> & co", (sentence,), items, 1.0)


def test_a_briefing_lists_each_story_with_its_sentences_and_linked_sources():
    [message] = briefing_html(Briefing(SINCE, None, (story(1, sources=7),), articles=7, more=0))
    text, entities = parse_html(message)
    assert text.startswith("Briefing: 1 story since 19 Oct 1987, 00:00 UTC\n\n1. Story 1 <Srd> & co\nStocks fell sharply.")
    assert "• Story 1 <Srd> & co, report 1 — Reuters, 19 Oct 1987" in text
    assert "• … and 2 more" in text
    assert [e["url"] for e in entities if e["type"] == "text_link"] == [
        "https://example.com/1/0?a=1&b=2", "https://example.com/1/2?a=1&b=2", "https://example.com/1/4?a=1&b=2"]


def test_a_long_briefing_is_split_between_stories_into_valid_messages_within_the_limit():
    stories = tuple(story(n, "Markets tumbled as investors sold. " * 40, sources=6) for n in range(1, 9))
    messages = briefing_html(Briefing(SINCE, "stocks", stories, articles=48, more=3))
    assert len(messages) > 1
    for message in messages:
        text, _ = parse_html(message)
        assert utf16_len(text) <= MAX_MESSAGE_CHARS
    assert "".join(messages).count("<b>") == 1 + len(stories)
    assert messages[0].startswith("<b>Briefing</b>: 8 stories since 19 Oct 1987, 00:00 UTC about “stocks” (3 more not shown)")
    assert all(message.startswith(("<b>Briefing", "<b>")) for message in messages)


def test_packing_never_cuts_a_block():
    blocks = ["a" * 30, "b" * 30, "<b>c</b>" * 5, "d" * 60]
    assert pack_messages(blocks, limit=64) == ["a" * 30 + "\n\n" + "b" * 30, "<b>c</b>" * 5, "d" * 60]


def test_an_empty_briefing_says_so_plainly():
    empty = Briefing(SINCE, "cocoa", (), articles=12, more=0)
    assert briefing_html(empty) == ["Nothing new about “cocoa” since 19 Oct 1987, 00:00 UTC."]
    assert briefing_to_json(empty)["message"] == "Nothing new about “cocoa” since 19 Oct 1987, 00:00 UTC."


def test_json_has_each_story_headline_sentences_and_every_source():
    data = briefing_to_json(Briefing(SINCE, None, (story(1, sources=2),), articles=2, more=0))
    [only] = data["stories"]
    assert only["headline"] == "Story 1 <Srd> & co"
    assert only["sentences"] == ["Stocks fell sharply."]
    assert [source["article_id"] for source in only["sources"]] == ["a1-0", "a1-1"]
    assert set(only["sources"][0]) == {"title", "publisher", "url", "published", "article_id"}


def test_a_wire_story_sent_again_the_same_day_is_one_source_line_that_says_so():
    sent = datetime(1987, 10, 20, 9, tzinfo=UTC)
    items = tuple(
        NewsItem(Article(article_id, title, ("US West said it is buying back shares.",), publisher="Reuters",
                         published=sent), ("US West said it is buying back shares.",), SINCE)
        for article_id, title in [("r1", "Us West <USW> Repurchasing Shares"), ("r2", "U S West <USW> 3rd Qtr Net"),
                                  ("r3", "Us West <USW> Repurchasing Shares"), ("r4", "Us West <USW> Repurchasing Shares")]
    )
    [message] = briefing_html(Briefing(SINCE, None, (Story("Us West", ("US West said it is buying back shares.",),
                                                                items, 1.0),), articles=4, more=0))
    text, _ = parse_html(message)
    assert text.splitlines()[-3:] == [
        "4 sources:",
        "• Us West <USW> Repurchasing Shares — Reuters, 20 Oct 1987 (sent 3 times)",
        "• U S West <USW> 3rd Qtr Net — Reuters, 20 Oct 1987",
    ]
