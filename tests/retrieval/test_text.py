"""Questions and sentences are reduced to the same terms."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from retrieval.text import Analyzer, words


class TinyLexicon:
    """A two-entry stand-in for the WordNet lexicon."""

    fingerprint = "tiny"

    def base_form(self, word: str) -> str:
        return {"met": "meet", "said": "say"}.get(word, word)

    def related(self, word: str) -> Mapping[str, float]:
        return {"demand": {"need": 1.0, "require": 0.5}, "often": {"frequently": 1.0}, "oppose": {"opponent": 1.0},
                "price": {"cost": 1.0}, "new": {"fresh": 1.0}}.get(word, {})

    def close_words(self, word: str) -> Mapping[str, float]:
        return {}


class Vocabulary:
    """The terms some article uses, as question analysis asks about them (no close spellings)."""

    def __init__(self, *terms: str) -> None:
        self.terms = set(terms)

    def knows(self, term: str) -> bool:
        return term in self.terms

    def close_terms(self, term: str) -> Mapping[str, float]:
        return {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S. troops", ["usa", "troops"]),
        ("the US and the United States", ["the", "usa", "and", "the", "usa"]),
        ("tell us", ["tell", "us"]),
        ("rejoin the G-7", ["rejoin", "the", "g7"]),
        ("a long-term deal", ["a", "long", "term", "deal"]),
        ("Trump’s call", ["trump", "call"]),
        ("155,221 bags at 5.93 mln", ["155221", "bags", "at", "5.93", "mln"]),
        ("the U.N. and U.K.", ["the", "un", "and", "uk"]),
        ("up 12% or 8 Per Cent, not 5 percent", ["up", "12", "percent", "or", "8", "percent", "not", "5", "percent"]),
        ("a recent percentage", ["a", "recent", "percentage"]),
    ],
)
def test_words_normalise_names_and_numbers(text, expected):
    assert words(text) == expected


def test_terms_drop_stop_words_and_stem():
    assert Analyzer().terms("What did they say about sending the troops?") == ["say", "send", "troop"]


def test_else_and_the_indefinite_pronouns_are_stop_words():
    # "else" is no word an answer holds: as a question term it would be the rarest one, and missing.
    assert Analyzer().terms("What else did anyone say about anything?") == ["say"]


def test_the_pronoun_us_is_a_stop_word_but_the_country_is_not():
    analyzer = Analyzer()
    assert analyzer.terms("tell us") == ["tell"]
    assert analyzer.terms("the U.S. said") == ["usa", "said"]


def test_irregular_forms_meet_their_base_through_the_lexicon():
    analyzer = Analyzer(TinyLexicon())
    assert analyzer.terms("Vance met Zelensky") == analyzer.terms("Vance meets Zelensky") == ["vanc", "meet", "zelenski"]


def test_query_carries_weighted_related_terms_per_question_term():
    query = Analyzer(TinyLexicon(), expansion_weight=0.5).query("What did Zelensky demand?")
    assert query.terms == ("zelenski", "demand")
    assert query.expansions["demand"] == {"need": 0.5, "requir": 0.25}
    assert query.expansions["zelenski"] == {}


@pytest.mark.parametrize(("question", "term", "related"), [
    ("Who opposed the bridge?", "oppos", {"oppon": 1.0}),
    ("Who is opposing it?", "oppos", {"oppon": 1.0}),
    ("What did Zelensky demand?", "demand", {"need": 1.0, "requir": 0.5}),
    ("What has Zelensky demanded?", "demand", {"need": 1.0, "requir": 0.5}),
    ("Why did prices fall?", "price", {"cost": 1.0}),
])
def test_a_regular_inflection_brings_the_related_words_of_its_base(question, term, related):
    assert Analyzer(TinyLexicon(), expansion_weight=1.0).query(question).expansions[term] == related


def test_a_word_is_not_read_as_another_that_only_looks_like_its_base():
    # "news" is no plural of "new": the stemmer keeps them apart, and so does the lookup.
    assert Analyzer(TinyLexicon(), expansion_weight=1.0).query("What is the latest news?").expansions["news"] == {}


def test_a_question_of_stop_words_only_is_an_empty_query():
    assert not Analyzer().query("what is it?")


@pytest.mark.parametrize(
    ("vocabulary", "terms"),
    [
        (("ferri", "sail", "hour"), ("ferri", "sail")),  # no article says "often": it names the kind of answer only
        (("ferri", "sail", "often"), ("often", "ferri", "sail")),  # an article says it: it may be the answer's word
        (("ferri", "sail", "frequent"), ("often", "ferri", "sail")),  # an article says a word related to it
    ],
)
def test_the_word_after_how_is_a_question_term_only_where_some_article_could_match_it(vocabulary, terms):
    analyzer = Analyzer(TinyLexicon(), spelling=Vocabulary(*vocabulary))
    assert analyzer.query("How often will the ferry sail?").terms == terms


def test_other_words_no_article_uses_stay_question_terms():
    analyzer = Analyzer(TinyLexicon(), spelling=Vocabulary("ferri", "sail"))
    assert analyzer.query("What did the ferry eat for breakfast?").terms == ("ferri", "eat", "breakfast")
