"""Briefings: articles grouped into stories, ranked, filtered by topic and told in their own sentences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from corpus.article import Article, article_moment
from corpus.loader import load_paths
from corpus.sentences import split_sentences
from retrieval import briefing as briefings
from retrieval.briefing import NewsItem
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

NOON = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
SINCE = NOON - timedelta(days=3)
ANALYZER = Analyzer()
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def item(article_id: str, title: str, text: str, *, hours_ago: float = 0, publisher: str = "Wire") -> NewsItem:
    sentences = tuple(split_sentences(text))
    article = Article(article_id, title, (text,), publisher=publisher)
    return NewsItem(article, sentences, NOON - timedelta(hours=hours_ago))


BRIDGE = [
    item("bridge-wire", "Riverton council approves harbour bridge",
         "The Riverton city council approved the harbour bridge on Monday. "
         "The bridge will cost 40 million euros and open in 2028. Opponents said the harbour ferry would close.",
         hours_ago=5, publisher="Wire"),
    item("bridge-daily", "Harbour bridge approved by Riverton council",
         "Riverton's council approved the harbour bridge on Monday after a long debate. "
         "The bridge will cost 40 million euros, the council said. Work starts next spring.",
         hours_ago=4, publisher="Riverton Daily"),
    item("bridge-radio", "Council says yes to Riverton harbour bridge",
         "The harbour bridge in Riverton was approved by the council on Monday. "
         "Ferry workers protested outside the council chamber.",
         hours_ago=3, publisher="Radio Riverton"),
]
STRIKE = item("strike", "Dock workers strike at Portmouth",
              "Dock workers at Portmouth walked out on Tuesday over pay. The strike halted container traffic.",
              hours_ago=2, publisher="Wire")
COCOA = item("cocoa", "Cocoa prices rise on Ivory Coast drought",
             "Cocoa futures rose sharply as drought hit Ivory Coast farms. Traders expect smaller harvests.",
             hours_ago=1, publisher="Markets Daily")


# How rare each word is, as Lede knows it: the seed articles plus these.
BACKGROUND = SentenceIndex(ANALYZER)
BACKGROUND.add(load_paths([SEEDS]))
BACKGROUND.add(entry.article for entry in [*BRIDGE, STRIKE, COCOA])


def brief(items, **options):
    return briefings.brief(items, ANALYZER, BACKGROUND.specificity, **options)


def headlines(briefing) -> list[str]:
    return [story.headline for story in briefing.stories]


def test_articles_about_one_event_from_several_sources_are_one_story_listing_them_all():
    briefing = brief([*BRIDGE, STRIKE, COCOA], since=SINCE)
    [bridge] = [story for story in briefing.stories if len(story.items) > 1]
    assert [entry.article.article_id for entry in bridge.items] == ["bridge-wire", "bridge-daily", "bridge-radio"]
    assert len(briefing.stories) == 3
    assert briefing.articles == 5


def test_the_same_event_reported_days_apart_is_two_stories():
    late = item("bridge-later", BRIDGE[0].article.title, BRIDGE[0].article.paragraphs[0], hours_ago=5 + 72)
    briefing = brief([BRIDGE[0], late], since=NOON - timedelta(days=5))
    assert [len(story.items) for story in briefing.stories] == [1, 1]


def test_stories_carried_by_more_sources_rank_first_and_equal_ones_by_recency():
    briefing = brief([*BRIDGE, STRIKE, COCOA], since=SINCE)
    assert headlines(briefing)[0] in {entry.article.title for entry in BRIDGE}
    assert headlines(briefing)[1:] == [COCOA.article.title, STRIKE.article.title]


def test_a_much_older_story_falls_behind_a_fresh_one_despite_more_sources():
    old_bridge = [NewsItem(entry.article, entry.sentences, entry.moment - timedelta(days=3)) for entry in BRIDGE]
    briefing = brief([*old_bridge, COCOA], since=NOON - timedelta(days=5))
    assert headlines(briefing)[0] == COCOA.article.title


def test_a_topic_keeps_only_the_stories_that_match_it():
    briefing = brief([*BRIDGE, STRIKE, COCOA], since=SINCE, topic="dock strike")
    assert headlines(briefing) == [STRIKE.article.title]
    assert brief([*BRIDGE, STRIKE], since=SINCE, topic="volcano").stories == ()


def test_a_story_already_told_is_left_out_unless_it_has_new_articles():
    told = {"bridge-wire", "bridge-daily", "strike"}
    without_radio = brief([*BRIDGE[:2], STRIKE, COCOA], since=SINCE, already_sent=told)
    assert headlines(without_radio) == [COCOA.article.title]
    with_radio = brief([*BRIDGE, STRIKE, COCOA], since=SINCE, already_sent=told)
    assert len(with_radio.stories[0].items) == 3


def test_key_sentences_are_verbatim_central_and_not_repetitive():
    [bridge] = brief(BRIDGE, since=SINCE).stories
    every_sentence = {sentence for entry in BRIDGE for sentence in entry.sentences}
    assert set(bridge.sentences) <= every_sentence
    assert len(bridge.sentences) == 2
    # What every report agrees on: the council approved the bridge.
    assert "approved" in bridge.sentences[0] and "bridge" in bridge.sentences[0]
    assert "approved" not in bridge.sentences[1]


def test_the_limit_keeps_the_best_stories_and_counts_the_rest():
    briefing = brief([*BRIDGE, STRIKE, COCOA], since=SINCE, limit=1)
    assert len(briefing.stories) == 1 and briefing.more == 2


def test_an_empty_period_is_an_empty_briefing():
    briefing = brief([], since=SINCE)
    assert briefing.stories == () and briefing.articles == 0 and briefing.more == 0


def test_an_empty_period_with_a_topic_is_an_empty_briefing():
    # The first /brief a new user types over the seed (which has no date) asks for a topic in no news.
    briefing = brief([], since=SINCE, topic="ukraine")
    assert briefing.stories == () and briefing.articles == 0 and briefing.more == 0


@pytest.mark.parametrize(
    ("published", "fetched", "expected"),
    [
        (datetime(1987, 10, 19, 9, 30, tzinfo=UTC), None, datetime(1987, 10, 19, 9, 30, tzinfo=UTC)),
        (datetime(2025, 5, 2, 14, tzinfo=timezone(timedelta(hours=2))), datetime(2025, 5, 3, tzinfo=UTC),
         datetime(2025, 5, 2, 12, 0, tzinfo=UTC)),
        (None, datetime(2025, 5, 1, 8, tzinfo=UTC), datetime(2025, 5, 1, 8, 0, tzinfo=UTC)),
        (None, None, None),
    ],
)
def test_an_article_happened_when_published_else_when_fetched_in_utc(published, fetched, expected):
    assert article_moment(Article("a", "t", ("x",), published=published, fetched=fetched)) == expected


def test_wire_copies_over_several_days_join_the_stories_of_their_own_days():
    wire, daily = BRIDGE[0], BRIDGE[1]
    copies = [item(f"bridge-wire-{n}", wire.article.title, wire.article.paragraphs[0], hours_ago=5 + 30 * n)
              for n in range(3)]
    briefing = brief([*copies, daily], since=NOON - timedelta(days=5))
    stories = sorted(sorted(entry.article.article_id for entry in story.items) for story in briefing.stories)
    # The earliest copy stands for all three in the search for pairs, yet the latest pairs with the daily's report.
    assert stories == [["bridge-daily", "bridge-wire-0"], ["bridge-wire-1", "bridge-wire-2"]]


def test_a_topic_of_words_too_common_to_search_by_is_not_searched():
    # "WHO" (the World Health Organization) reads as the word "who": no story could match it.
    briefing = brief([*BRIDGE, STRIKE, COCOA], since=SINCE, topic="WHO")
    assert briefing.stories == () and not briefing.searchable
    assert brief([*BRIDGE, STRIKE, COCOA], since=SINCE, topic="dock strike").searchable
