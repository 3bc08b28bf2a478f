"""Follow-up questions: telling one from a new question, and answering it in the light of the conversation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.article import Article
from corpus.loader import load_paths
from corpus.store import ConversationTurn
from retrieval.answer import CANDIDATES, LEADING_ARTICLE_SENTENCES, answer_question, rank_candidates
from retrieval.followup import (
    NEIGHBOURS,
    FollowUp,
    FollowUpSettings,
    asks_for_more,
    asks_which_ones,
    could_stand_alone,
    follow_up,
    follows_on,
    read_follow_up,
    signs_of_leaning_back,
    topic_of,
)
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.retrieval.test_answer import MEASURES, seed_index  # noqa: F401 - the seed article's index, a fixture

SEED = "000_be628776acd63ea0"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SETTINGS = FollowUpSettings()
ASKED = datetime(2026, 1, 1, tzinfo=UTC)


def said(index: SentenceIndex, question: str, article_id: str | None = None, position: int | None = None) -> ConversationTurn:
    topic = topic_of(question, index.question_analyzer)
    return ConversationTurn(question, topic.terms, topic.names, article_id, position, ASKED)


def test_a_topic_holds_the_questions_terms_and_the_names_it_uses(seed_index):
    topic = topic_of("What did Vance tell the Wall Street Journal?", seed_index.analyzer)
    assert topic.names == ("Vance", "Wall", "Street", "Journal")
    assert "vanc" in topic.terms and "journal" in topic.terms and "what" not in topic.terms


def test_a_topic_read_by_the_question_analyzer_holds_the_terms_misspelt_words_mean(seed_index):
    as_meant = topic_of("What did Zelenskyy tell Vance?", seed_index.question_analyzer)
    assert as_meant.terms == topic_of("What did Zelensky tell Vance?", seed_index.question_analyzer).terms
    assert "zelenskyy" in topic_of("What did Zelenskyy tell Vance?", seed_index.analyzer).terms


def test_the_same_question_with_its_spelling_mended_does_not_follow_on(seed_index):
    conversation = [said(seed_index, "What did Zelenskyy tell Vance?")]
    retyped = topic_of("What did Zelensky tell Vance?", seed_index.question_analyzer)
    assert not follows_on("What did Zelensky tell Vance?", retyped, conversation, SETTINGS)


@pytest.mark.parametrize("question, signs", [
    ("would he talk to Putin?", 1),
    ("what did the company say?", 1),
    ("and in Japan?", 1),
    ("what about the banks that refuse to join?", 2),
    ("How much did Deutsche Bank cut savings rates in March?", 0),
])
def test_pointers_and_carrying_on_openings_are_signs_of_leaning_back(question, signs):
    assert signs_of_leaning_back(question) == signs


@pytest.mark.parametrize("question", ["why?", "where did they meet?", "and what did Vance tell him?", "how much?"])
def test_short_or_pointing_questions_follow_on(seed_index, question):
    conversation = [said(seed_index, "what did Zelensky demand?")]
    assert follows_on(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)


@pytest.mark.parametrize("question", [
    "How much did Deutsche Bank cut its savings rate for private customers in March 1987?",
    "When will the London Metal Exchange's new aluminium contract start trading?",
])
def test_a_question_that_names_its_own_topic_starts_afresh(seed_index, question):
    conversation = [said(seed_index, "what did Zelensky demand?")]
    assert not follows_on(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)


@pytest.mark.parametrize("question, alone", [
    ("Will the US send troops to Ukraine?", True),
    ("What did Hegseth say about peacekeeping forces?", True),
    ("will he send troops?", False),
    ("when will Kodak start shipping its new system?", True),
    ("when will its new floor layout be ready?", False),
    ("how much would their bill save?", False),
    ("what did the company say?", False),
    ("and what about the troops?", False),
    ("what concessions?", False),
    ("why?", False),
])
def test_a_question_with_words_to_search_by_and_nothing_pointing_back_could_stand_alone(
    seed_index, question, alone
):
    assert could_stand_alone(question, topic_of(question, seed_index.analyzer)) is alone


def test_a_question_asked_again_is_read_on_its_own(seed_index):
    conversation = [said(seed_index, "Who did Vance meet?"), said(seed_index, "why?")]
    question = "who did Vance meet?"
    assert not follows_on(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)


def test_nothing_follows_on_without_a_conversation(seed_index):
    assert read_follow_up("why?", topic_of("why?", seed_index.analyzer), [], SETTINGS) is None


def test_a_follow_up_borrows_the_conversations_topic_at_a_lower_weight_and_prefers_the_latest_answer(seed_index):
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, 3), said(seed_index, "why?", None, None)]
    question = "and what did Vance tell him?"
    reading = follow_up(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)
    assert reading.follows == "why?"
    assert reading.context == {"zelenski": SETTINGS.context_weight, "demand": SETTINGS.context_weight}
    assert (reading.article_id, reading.position) == (SEED, 3)
    assert reading.given == frozenset({(SEED, 3)})


def test_the_conversation_changes_the_answer_to_a_follow_up():
    # Who "they" are is the conversation's to say: Zelensky and Vance, or the cocoa producers.
    pact = Article(article_id="pact", title="Cocoa Pact Agreed In London", publisher="Wire", paragraphs=(
        "Cocoa producers and consumers agreed on buffer stock rules in London on Friday.",
        "The deal was reached because consumers accepted a lower price range.",
        "Producers said the package was acceptable.",
    ))
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([*load_paths([SEEDS]), pact])
    question = "and what did they say?"
    followed = {}
    for first in ("what did Zelensky demand?", "What did cocoa producers and consumers agree on?"):
        given = answer_question(index, first).best.passage
        conversation = [said(index, first, given.article.article_id, given.position)]
        reading = read_follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
        followed[first] = answer_question(index, question, follow_up=reading)
    after_zelensky, after_cocoa = followed.values()
    assert after_zelensky.best.passage.article.article_id == SEED
    assert after_cocoa.best.passage.text == "Producers said the package was acceptable."
    assert after_cocoa.follow_up_of == "What did cocoa producers and consumers agree on?"
    assert answer_question(index, question).follow_up_of is None


def test_a_follow_up_without_words_of_its_own_is_answered_from_the_conversation(seed_index):
    first = answer_question(seed_index, "How long was Trump's call with Putin?")
    conversation = [said(seed_index, "How long was Trump's call with Putin?", SEED, first.best.passage.position)]
    reading = read_follow_up("why?", topic_of("why?", seed_index.analyzer), conversation, SETTINGS)
    assert answer_question(seed_index, "why?").best is None
    followed = answer_question(seed_index, "why?", follow_up=reading, min_confidence=0.0)
    assert followed.best is not None and followed.best.passage.article.article_id == SEED
    assert followed.best.passage.position != first.best.passage.position


@pytest.mark.parametrize("question", ["what else?", "Anything else?", "more?", "and what else?", "go on", "tell me more",
                                      "more details?", "any more info?", "details?", "keep going"])
def test_a_request_for_more_of_the_same_is_told_by_its_words(question):
    assert asks_for_more(question)


@pytest.mark.parametrize("question", ["what else did Trump say?", "more troops?", "why?", "what more can Kyiv do?",
                                      "more details of the deal?", "continue the talks?"])
def test_a_question_with_words_of_its_own_is_not_a_request_for_more(question):
    assert not asks_for_more(question)


def test_a_request_for_more_asks_the_latest_question_with_words_of_its_own_again(seed_index):
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, 3), said(seed_index, "what else?", SEED, 5)]
    reading = follow_up("anything else?", topic_of("anything else?", seed_index.analyzer), conversation, SETTINGS)
    assert reading.repeats == "what did Zelensky demand?"
    assert reading.given == frozenset({(SEED, 3), (SEED, 5)})
    question = "and why?"
    assert follow_up(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS).repeats is None


def test_a_reading_kept_as_text_reads_back_the_same(seed_index):
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, 3), said(seed_index, "why?", SEED, 5)]
    for question in ("what else?", "and where did they meet?", "which ones?"):
        reading = follow_up(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)
        assert FollowUp.from_json(reading.to_json()) == reading


def test_a_reading_kept_before_which_ones_was_understood_still_reads(seed_index):
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, 3)]
    reading = follow_up("what else?", topic_of("what else?", seed_index.analyzer), conversation, SETTINGS)
    kept = json.loads(reading.to_json())
    del kept["lists_named"]
    assert FollowUp.from_json(json.dumps(kept)) == reading


def test_what_else_gets_the_next_answer_to_the_question_before_it_not_one_already_given(seed_index):
    first = answer_question(seed_index, "what did Zelensky demand?")
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, first.best.passage.position)]
    reading = read_follow_up("what else?", topic_of("what else?", seed_index.analyzer), conversation, SETTINGS)
    more = answer_question(seed_index, "what else?", follow_up=reading)
    assert more.best is not None, f"refused (confidence {more.confidence})"
    assert more.best.passage.position != first.best.passage.position
    assert more.best.passage == answer_question(seed_index, "what did Zelensky demand?", follow_up=reading).best.passage
    assert more.question == "what else?" and more.follow_up_of == "what did Zelensky demand?"


def test_what_else_does_not_answer_with_the_lead_in_already_shown_before_the_last_answer(seed_index):
    # "These included …" was shown after the sentence that names the concessions; that one was read too.
    first = answer_question(seed_index, "What concessions did Trump offer Putin?")
    assert first.best.lead_in is not None
    conversation = [said(seed_index, "What concessions did Trump offer Putin?", SEED, first.best.passage.position)]
    reading = read_follow_up("what else?", topic_of("what else?", seed_index.analyzer), conversation, SETTINGS)
    more = answer_question(seed_index, "what else?", follow_up=reading, min_confidence=0.0)
    assert more.best is not None
    assert more.best.passage.key not in {first.best.passage.key, first.best.lead_in.key}


@pytest.mark.parametrize("question", ["which ones?", "Which ones?", "and which ones?", "like what?", "such as?", "what are they?", "What were those?"])
def test_asking_which_ones_is_told_by_its_words(question):
    assert asks_which_ones(question)


@pytest.mark.parametrize("question", ["which ones did Trump offer?", "what are they doing?", "which one?", "why?", "what else?"])
def test_a_question_with_words_of_its_own_does_not_ask_which_ones(question):
    assert not asks_which_ones(question)


def test_which_ones_after_an_answer_naming_things_gets_the_sentence_that_lists_them_as_surely(seed_index):
    # "what did Trump offer Putin?" is answered by the sentence that says he appeared to offer concessions.
    first = answer_question(seed_index, "what did Trump offer Putin?")
    assert "concessions" in first.best.passage.text and first.best.lead_in is None
    conversation = [said(seed_index, "what did Trump offer Putin?", SEED, first.best.passage.position)]
    reading = read_follow_up("which ones?", topic_of("which ones?", seed_index.analyzer), conversation, SETTINGS)
    listed = answer_question(seed_index, "which ones?", follow_up=reading)
    assert listed.best is not None, f"refused (confidence {listed.confidence})"
    assert listed.best.passage.text.startswith("These included Ukraine potentially giving up")
    assert listed.best.lead_in == first.best.passage
    assert not listed.unsure and listed.question == "which ones?"


def test_which_ones_after_an_answer_that_is_the_list_gets_that_list_again(seed_index):
    # Until 3 Dec it got "I couldn't find that": the list was given, and nothing followed it.
    first = answer_question(seed_index, "What concessions did Trump offer Putin?")
    assert first.best.passage.text.startswith("These included") and first.best.lead_in is not None
    conversation = [said(seed_index, "What concessions did Trump offer Putin?", SEED, first.best.passage.position)]
    reading = read_follow_up("which ones?", topic_of("which ones?", seed_index.analyzer), conversation, SETTINGS)
    listed = answer_question(seed_index, "which ones?", follow_up=reading)
    assert listed.best is not None, f"refused (confidence {listed.confidence})"
    assert listed.best.passage == first.best.passage and listed.best.lead_in == first.best.lead_in
    assert not listed.unsure


def test_which_ones_after_an_answer_no_list_follows_is_read_as_any_other_follow_up(seed_index):
    first = answer_question(seed_index, "what did Zelensky demand?")
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, first.best.passage.position)]
    reading = read_follow_up("like what?", topic_of("like what?", seed_index.analyzer), conversation, SETTINGS)
    plain = replace(reading, repeats=None, lists_named=False)
    assert answer_question(seed_index, "like what?", follow_up=reading, min_confidence=0.0) == answer_question(
        seed_index, "like what?", follow_up=plain, min_confidence=0.0
    )


def test_a_follow_up_asking_for_the_things_the_last_answer_named_gets_the_sentence_that_lists_them():
    index = SentenceIndex(Analyzer())
    index.add([MEASURES])
    conversation = [said(index, "What did the government announce on Monday?", "measures", 0)]
    question = "what measures?"
    reading = follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    answer = answer_question(index, question, follow_up=reading, min_confidence=0.0)
    assert answer.best.passage.text == "They included a cut in fuel duty and cheaper loans."
    assert answer.best.lead_in.text == MEASURES.paragraphs[0]


def test_a_list_already_given_is_not_given_again_as_the_answer_to_what_named_it():
    index = SentenceIndex(Analyzer())
    index.add([MEASURES])
    conversation = [
        said(index, "What did the government announce on Monday?", "measures", 0),
        said(index, "what measures?", "measures", 1),
    ]
    question = "which measures?"
    reading = follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    answer = answer_question(index, question, follow_up=reading, min_confidence=0.0)
    assert answer.best is None or answer.best.lead_in is None


COCOA = Article(article_id="cocoa", title="Cocoa Buffer Stock Rules Agreed In London", publisher="Wire", paragraphs=(
    "Cocoa producers and consumers agreed on buffer stock rules in London on Friday.",
    "The delegates said the weather had hurt the harvest.",
    "Prices of cocoa in London rose after the agreement on buffer stock rules.",
))


def test_covering_the_follow_ups_own_words_adds_the_own_words_bonus():
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([COCOA])
    conversation = [said(index, "What did cocoa producers and consumers agree in London?", "cocoa", 0)]
    question = "what about the weather?"

    def scores(own_words: float) -> dict[str, float]:
        reading = follow_up(question, topic_of(question, index.analyzer), conversation,
                            FollowUpSettings(own_words=own_words))
        return {c.passage.text: c.score for c in rank_candidates(index, question, follow_up=reading)}

    without, with_bonus = scores(0.0), scores(2.0)
    weather, prices = COCOA.paragraphs[1], COCOA.paragraphs[2]
    assert with_bonus[weather] - without[weather] == pytest.approx(2.0)
    assert with_bonus[prices] - without[prices] == pytest.approx(0.0)


SUMMIT = Article(article_id="summit", title="Ministers To Meet In Geneva", publisher="Wire", paragraphs=(
    "Foreign ministers will meet in Geneva next week to discuss grain exports.",
))


def test_a_follow_up_whose_own_words_only_the_answer_given_holds_gets_that_answer_again():
    # The lead answered "Who did Vance meet?" and also says where; no other sentence of its
    # article says "meet", so the best new one would answer only through "Vance" and "Zelensky".
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([*load_paths([SEEDS]), SUMMIT])
    conversation = [said(index, "Who did Vance meet?", SEED, 0)]
    question = "where did they meet?"
    reading = read_follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    answer = answer_question(index, question, follow_up=reading)
    assert answer.best is not None and (answer.best.passage.article.article_id, answer.best.passage.position) == (SEED, 0)


def test_a_follow_up_whose_own_words_another_sentence_of_the_article_holds_gets_a_new_answer():
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([COCOA])
    conversation = [said(index, "What did cocoa producers and consumers agree in London?", "cocoa", 0)]
    question = "what did they agree?"
    reading = read_follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    answer = answer_question(index, question, follow_up=reading, min_confidence=0.0)
    assert answer.best is not None and answer.best.passage.position != 0


def test_a_long_article_followed_offers_its_best_matching_sentences_and_the_answers_neighbours():
    filler = [f"Cocoa stocks in warehouse {n} were counted on Monday." for n in range(300)]
    book = Article(article_id="book", title="Cocoa Warehouses", publisher="Upload",
                   paragraphs=("Cocoa prices rose 5 pct on Friday.", *filler, "Traders blamed the weather in Ghana."))
    index = SentenceIndex(Analyzer(Lexicon.empty()))
    index.add([book])
    conversation = [said(index, "How much did cocoa prices rise?", "book", 1)]
    question = "what about the warehouse stocks?"
    reading = follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    candidates = {c.passage.position for c in rank_candidates(index, question, follow_up=reading)}
    # Its best as the article followed, its next best as a leading article: not all 300.
    assert len(candidates) <= CANDIDATES + 2 * LEADING_ARTICLE_SENTENCES + 2 * NEIGHBOURS
    assert {0, 2, 3} <= candidates  # the answer's neighbours, though they match nothing of the question


@pytest.mark.parametrize("question", ["when?", "where?", "and when?"])
def test_a_bare_when_or_where_after_an_answer_that_says_it_gets_that_answer_again(seed_index, question):
    # "… met with … Zelensky on the sidelines of the Munich Security Conference this Friday."
    first = answer_question(seed_index, "Who did Vance meet?")
    assert first.best.passage.position == 0
    conversation = [said(seed_index, "Who did Vance meet?", SEED, 0)]
    reading = read_follow_up(question, topic_of(question, seed_index.analyzer), conversation, SETTINGS)
    answer = answer_question(seed_index, question, follow_up=reading, min_confidence=0.0)
    assert answer.best is not None and answer.best.passage.key == (SEED, 0)


def test_a_bare_when_after_an_answer_that_says_no_time_gets_the_sentence_that_does():
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([COCOA])
    conversation = [said(index, "What hurt the cocoa harvest?", "cocoa", 1)]
    reading = read_follow_up("when?", topic_of("when?", index.analyzer), conversation, SETTINGS)
    answer = answer_question(index, "when?", follow_up=reading, min_confidence=0.0)
    assert answer.best is not None and answer.best.passage.position != 1


def test_a_bare_why_is_not_answered_by_the_answer_it_follows_for_holding_a_reason_word(seed_index):
    # "… to negotiate with Moscow" reads as a purpose; "why?" still asks for a sentence not given yet.
    first = answer_question(seed_index, "what did Zelensky demand?")
    conversation = [said(seed_index, "what did Zelensky demand?", SEED, first.best.passage.position)]
    reading = read_follow_up("why?", topic_of("why?", seed_index.analyzer), conversation, SETTINGS)
    answer = answer_question(seed_index, "why?", follow_up=reading, min_confidence=0.0)
    assert answer.best is None or answer.best.passage.position != first.best.passage.position


STRIKE = Article(article_id="strike", title="Dock Workers Strike At Portmouth", publisher="Wire", paragraphs=(
    "Dock workers at Portmouth walked out over pay on Tuesday.",
    "The strike halted container traffic at the port.",
))
TONE = Article(article_id="tone", title="Ministers Take A Harder Line", publisher="Wire", paragraphs=(
    "The ministers struck a much tougher tone on Wednesday.",
))
BRIDGE = Article(article_id="bridge", title="Council Approves Harbour Bridge", publisher="Wire", paragraphs=(
    "The council approved the harbour bridge on Monday.",
    "The bridge will cost 40 million euros.",
))


def ask_after(index: SentenceIndex, question: str, asked_before: str, article_id: str, position: int):
    conversation = [said(index, asked_before, article_id, position)]
    reading = read_follow_up(question, topic_of(question, index.analyzer), conversation, SETTINGS)
    return answer_question(index, question, follow_up=reading, min_confidence=0.0)


@pytest.mark.parametrize("question", ["how much?", "and how much?"])
def test_a_bare_how_much_is_not_answered_by_a_sentence_that_holds_no_amount(question):
    # Until 3 Dec the strike's second sentence answered it, or "a much tougher tone" for its "much".
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([STRIKE, TONE])
    answer = ask_after(index, question, "When did the dock workers walk out?", "strike", 0)
    assert answer.best is None


def test_a_bare_how_much_gets_the_sentence_of_the_story_that_holds_the_amount():
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([STRIKE, TONE, BRIDGE])
    answer = ask_after(index, "how much?", "When was the bridge approved?", "bridge", 0)
    assert answer.best is not None and answer.best.passage.text == "The bridge will cost 40 million euros."


def test_a_bare_how_soon_asks_for_a_date_as_when_does():
    # Until 3 Dec "soon" was no measure word: "how soon?" asked about the word "soon", and got the ministers.
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([replace(TONE, paragraphs=("The ministers will meet again soon.",)), BRIDGE])
    answer = ask_after(index, "how soon?", "How much will the bridge cost?", "bridge", 1)
    assert answer.best is not None and answer.best.passage.text == "The council approved the harbour bridge on Monday."


def test_what_else_after_a_bare_how_much_gets_another_amount_not_the_one_given():
    # Until 3 Dec it got the amount just given again: the answer "how much?" followed holds one.
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add([TONE, replace(BRIDGE, paragraphs=(*BRIDGE.paragraphs, "The city will pay 10 million euros of it."))])
    conversation = [said(index, "How much will the bridge cost?", "bridge", 1), said(index, "how much?", "bridge", 1)]
    reading = read_follow_up("what else?", topic_of("what else?", index.analyzer), conversation, SETTINGS)
    assert reading is not None and reading.repeats == "how much?"
    answer = answer_question(index, "what else?", follow_up=reading, min_confidence=0.0)
    assert answer.best is not None and answer.best.passage.text == "The city will pay 10 million euros of it."
