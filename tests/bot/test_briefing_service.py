"""Briefings through the service: a chat's sources, its last briefing, and what it was already told."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from bot.formatting import briefing_html, briefing_to_json
from bot.service import Lede
from corpus.article import Article
from corpus.store import Store
from retrieval.briefing import NewestArticle
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

NOW = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
CHAT, OTHER = -100200, -100300


def article(article_id: str, title: str, text: str, hours_ago: float) -> Article:
    return Article(article_id, title, (text,), publisher="Wire", published=NOW - timedelta(hours=hours_ago))


BRIDGE = article("bridge", "Riverton council approves harbour bridge",
                 "The Riverton city council approved the harbour bridge on Monday. It will cost 40 million euros.", 3)
STRIKE = article("strike", "Dock workers strike at Portmouth",
                 "Dock workers at Portmouth walked out over pay on Tuesday. The strike halted container traffic.", 2)
OLD = article("old", "Old news about the Riverton museum",
              "The Riverton museum reopened after a two-year renovation. Visitors queued for hours.", 40)


@pytest.fixture
def lede() -> Lede:
    lede = Lede.compose(SentenceIndex(Analyzer()), Store.open(":memory:"))
    for item in (BRIDGE, STRIKE, OLD):
        lede.sources.library.keep(item, chat=CHAT)
    return lede


def headlines(briefing) -> list[str]:
    return sorted(story.headline for story in briefing.stories)


def test_a_first_briefing_covers_the_last_24_hours_of_the_chats_own_sources(lede):
    briefing = lede.briefings.brief(CHAT, now=NOW)
    assert headlines(briefing) == [STRIKE.title, BRIDGE.title]
    assert briefing.since == NOW - timedelta(hours=24)
    assert lede.briefings.brief(OTHER, now=NOW).stories == ()


def test_the_next_briefing_starts_at_the_last_and_repeats_nothing(lede):
    lede.briefings.brief(CHAT, now=NOW)
    later = NOW + timedelta(hours=1)
    briefing = lede.briefings.brief(CHAT, now=later)
    assert briefing.since == NOW and briefing.stories == ()
    fresh = article("fire", "Fire at the Riverton mill", "A fire destroyed the old Riverton mill overnight.", -1.5)
    lede.sources.library.keep(fresh, chat=CHAT)
    assert headlines(lede.briefings.brief(CHAT, now=later + timedelta(hours=1))) == [fresh.title]


def test_a_topic_briefing_remembers_its_stories_but_does_not_move_since(lede):
    assert headlines(lede.briefings.brief(CHAT, now=NOW, topic="dock strike")) == [STRIKE.title]
    later = NOW + timedelta(minutes=5)
    briefing = lede.briefings.brief(CHAT, now=later)
    assert briefing.since == later - timedelta(hours=24)
    assert headlines(briefing) == [BRIDGE.title]


def test_a_topic_in_bytes_that_are_not_utf8_is_briefed_and_shown_with_a_replacement_character(lede):
    # ``--brief $'dock caf\xe9'`` from a Latin-1 terminal: Python passes the byte on as a lone surrogate.
    briefing = lede.briefings.brief(CHAT, now=NOW, topic=os.fsdecode(b"dock caf\xe9"))
    assert briefing.topic == "dock caf\ufffd"
    assert "caf\ufffd" in briefing_html(briefing)[0]


def test_a_look_back_tells_everything_in_the_period_and_changes_nothing(lede):
    lede.briefings.brief(CHAT, now=NOW)
    look_back = lede.briefings.brief(CHAT, now=NOW, since=NOW - timedelta(days=3))
    assert headlines(look_back) == [STRIKE.title, OLD.title, BRIDGE.title]
    assert lede.store.last_briefing(CHAT) == NOW.replace(microsecond=0)


def test_an_empty_briefing_over_old_news_says_how_old_the_newest_article_is(lede):
    a_week_on = NOW + timedelta(days=7)
    briefing = lede.briefings.brief(CHAT, now=a_week_on)
    assert briefing.stories == () and briefing.newest == NewestArticle(STRIKE.published)
    assert briefing_html(briefing) == ["Nothing new since 8 May 2025, 12:00 UTC. The newest article I have is dated 2 May 2025."]
    # An hour after a briefing that told everything, nothing new is simply nothing new.
    lede.briefings.brief(OTHER, now=NOW)
    lede.sources.library.keep(BRIDGE, chat=OTHER)
    assert lede.briefings.brief(OTHER, now=NOW + timedelta(hours=1)).newest is None


def test_an_empty_briefing_over_the_undated_articles_loaded_at_start_says_how_a_briefing_times_articles():
    lede = Lede.compose(SentenceIndex(Analyzer()), Store.open(":memory:"))
    lede.add_articles([Article("seed", "Vance meets Zelensky", ("Vance met Zelensky in Munich on Friday.",))])
    briefing = lede.briefings.brief(now=NOW)
    assert briefing.newest == NewestArticle(None)
    assert briefing_to_json(briefing)["message"] == (
        "Nothing new since 1 May 2025, 12:00 UTC. I have only undated articles loaded when I started, "
        "and a briefing tells articles by their date or by when they were added.")
    # As it says: an undated article added is told by when it was added.
    lede.sources.add_document("council.txt", b"Council Budget\n\nThe council passed the budget on Monday.")
    assert headlines(lede.briefings.brief(now=datetime.now(UTC))) == ["Council Budget"]


def test_news_dated_before_the_last_briefing_but_added_after_it_is_told_in_the_next(lede):
    lede.briefings.brief(CHAT, now=NOW)
    # A feed polled a few minutes after the briefing brings an article its publisher dated just before it.
    late = Article("ferry", "Ferry sinks off Portmouth", ("The Portmouth ferry sank in a storm; all passengers were rescued.",),
                   publisher="Wire", published=NOW - timedelta(minutes=10), fetched=NOW + timedelta(minutes=5))
    lede.sources.library.keep(late, chat=CHAT)
    assert headlines(lede.briefings.brief(CHAT, now=NOW + timedelta(hours=1))) == [late.title]
    assert lede.briefings.brief(CHAT, now=NOW + timedelta(hours=2)).stories == ()  # and only once


def test_an_old_article_added_after_the_last_briefing_is_not_news(lede):
    lede.briefings.brief(CHAT, now=NOW)
    # A feed followed after the briefing brings its archive too: a month-old entry is no news of the day.
    archived = Article("archive", "Riverton museum plans a new wing", ("The Riverton museum announced plans for a new wing.",),
                       publisher="Wire", published=NOW - timedelta(days=30), fetched=NOW + timedelta(minutes=5))
    lede.sources.library.keep(archived, chat=CHAT)
    assert lede.briefings.brief(CHAT, now=NOW + timedelta(hours=1)).stories == ()


def test_a_topic_of_words_too_common_to_search_by_is_said_to_be_so_not_to_have_no_news(lede):
    briefing = lede.briefings.brief(CHAT, now=NOW, topic="WHO")
    message = ("“WHO” gives me no word to search the news by (words such as “the” or “who” are too common); "
               "name the topic in other words.")
    assert briefing_html(briefing) == [message] and briefing_to_json(briefing)["message"] == message
