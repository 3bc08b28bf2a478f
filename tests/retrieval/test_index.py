"""The sentence index scores exactly as rank-bm25 does, and grows as articles arrive."""

from __future__ import annotations

import pytest
from rank_bm25 import BM25Okapi

from corpus.article import Article
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer

ARTICLES = [
    Article("a", "Rates", ("The central bank raised interest rates. Inflation stayed high in March.",)),
    Article("b", "Oil", ("Oil prices rose as the central bank met. Traders sold oil futures.", "Rates were unchanged.")),
    Article("c", "Crops", ("Farmers expect a large wheat crop. Rain helped the wheat.",)),
]


def test_sentences_are_indexed_in_reading_order_with_their_article():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    assert [(p.article.article_id, p.position) for p in index.passages][:4] == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    assert index.passages[2].text == "Oil prices rose as the central bank met."


@pytest.mark.parametrize("term", ["bank", "oil", "wheat", "rate", "rain"])
def test_term_scores_equal_rank_bm25_for_every_sentence_containing_the_term(term):
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    reference = BM25Okapi([index.analyzer.terms(p.text) for p in index.passages]).get_scores([term])
    scores = index.term_scores(term)
    assert scores, f"{term!r} should occur somewhere"
    for passage, score in scores.items():
        assert score == pytest.approx(reference[passage], abs=1e-9)
    assert all(reference[p] == 0 for p in range(len(index)) if p not in scores)


def test_articles_added_later_are_searchable_and_change_the_statistics():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES[:1])
    assert index.term_scores("wheat") == {}
    before = index.specificity("bank")
    assert index.add(ARTICLES[1:]) == 2
    assert index.term_scores("wheat")
    assert index.specificity("bank") != before


def test_an_article_already_indexed_is_not_indexed_twice():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    size = len(index)
    assert index.add(ARTICLES[:1]) == 0
    assert len(index) == size


def test_an_empty_index_scores_nothing():
    index = SentenceIndex(Analyzer())
    assert index.term_scores("bank") == {}
    assert index.specificity("bank") > 0


def test_unknown_terms_are_the_most_specific():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    assert index.specificity("zebra") > index.specificity("rain") > index.specificity("bank")
