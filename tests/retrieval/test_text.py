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
        return {"demand": {"need": 1.0, "require": 0.5}}.get(word, {})


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
    ],
)
def test_words_normalise_names_and_numbers(text, expected):
    assert words(text) == expected


def test_terms_drop_stop_words_and_stem():
    assert Analyzer().terms("What did they say about sending the troops?") == ["say", "send", "troop"]


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


def test_a_question_of_stop_words_only_is_an_empty_query():
    assert not Analyzer().query("what is it?")
