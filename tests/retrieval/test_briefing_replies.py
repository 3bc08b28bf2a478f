"""Which story of a briefing a reply to it is about: by its number or place, or by a word of its headline."""

from __future__ import annotations

import pytest

from retrieval.briefing_replies import (
    MAX_ARTICLES_PER_STORY,
    ToldBriefing,
    ToldStory,
    story_by_words,
    story_number,
    told_from_json,
    told_to_json,
    without_story_pointer,
)


@pytest.mark.parametrize(("reply", "story", "asked"), [
    ("more on the second one", 2, "more"),
    ("why, the second?", 2, "why?"),
    ("why? (2)", 2, "why?"),
    ("tell me more about the third story", 3, "tell me more"),
    ("what about story 3?", 3, "what?"),
    ("#2 why", 2, "why"),
    ("the last one: why?", 3, "why?"),
    ("2", 2, ""),
    # Answering "Which story?" as people do: an ordinal alone, or the story's number in words.
    ("second", 2, ""),
    ("2nd one?", 2, ""),
    ("2?", 2, ""),
    ("Last.", 3, ""),
    ("story two, why?", 2, "why?"),
    ("what's the second about?", 2, "what's about?"),
])
def test_a_reply_naming_a_story_by_its_number_or_place_is_about_that_story_asked_without_the_naming(reply, story, asked):
    assert story_number(reply, 3) == story
    assert without_story_pointer(reply) == asked


@pytest.mark.parametrize("question", [
    "why was the first quarter weak?", "what happened last week?", "how many of the 2 banks failed?",
    "why did no one come?", "who is the number two at the Fed?", "first quarter?", "last week?",
    "was the first about-face a mistake?",
])
def test_ordinals_and_numbers_that_are_part_of_a_question_name_no_story(question):
    assert story_number(question, 3) is None
    assert without_story_pointer(question) == question


def test_a_number_beyond_the_briefing_is_read_too_so_that_the_reader_can_be_told_there_is_no_such_story():
    assert story_number("why, the fifth?", 3) == 5
    assert story_number("7", 3) == 7
    assert story_number("tell me about story 7", 3) == 7
    assert story_number("what did the first quarter bring?", 3) is None


def test_a_story_named_by_a_word_of_its_headline_only_when_no_other_headline_has_it():
    headlines = [("riverton", "council", "bridge"), ("dock", "worker", "strike"), ("lakeside", "bridge")]
    assert story_by_words(("fed", "strike"), headlines) == 1
    assert story_by_words(("bridge", "cost"), headlines) is None
    assert story_by_words(("cost",), headlines) is None
    assert without_story_pointer("what did the Fed story say?") == "what did the Fed say?"


def test_a_sent_briefings_stories_are_kept_small_and_read_back_as_told():
    wide = ToldStory("Oil prices raised", tuple(f"r-{n}" for n in range(50)), (("r-3", 0), ("r-0", 2), ("r-3", 1)))
    [kept] = told_from_json(told_to_json(ToldBriefing((wide,)))).stories
    assert kept.headline == wide.headline and kept.quoted == wide.quoted
    # The articles its sentences were quoted from are kept first, the rest up to the bound.
    assert kept.article_ids[:2] == ("r-3", "r-0") and len(kept.article_ids) == MAX_ARTICLES_PER_STORY
    assert set(kept.article_ids) < set(wide.article_ids)


def test_a_which_story_question_is_kept_with_the_question_waiting_for_its_answer():
    story = ToldStory("Dock workers strike", ("s1",), (("s1", 0),))
    assert told_from_json(told_to_json(ToldBriefing((story,), waiting="why?"))) == ToldBriefing((story,), "why?")
    assert told_from_json(told_to_json(ToldBriefing((story,)))).waiting is None
