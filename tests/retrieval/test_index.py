"""The sentence index scores exactly as rank-bm25 does, and grows as articles arrive."""

from __future__ import annotations

import functools
import itertools
import random
from pathlib import Path

import pytest
from rank_bm25 import BM25Okapi

from corpus.article import Article
from corpus.loader import load_file
from retrieval.index import SentenceIndex
from retrieval.postings import PostingLists
from retrieval.text import Analyzer

REUTERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "reuters21578.jsonl.gz"
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


def test_top_sums_terms_exactly_as_get_scores_does_and_ranks_best_first():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    query = ["central", "bank", "rate", "wheat"]
    reference = BM25Okapi([index.analyzer.terms(p.text) for p in index.passages]).get_scores(query)
    hits = index.top(dict.fromkeys(query, 1.0), limit=100)
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)
    assert {passage for passage, _ in hits} == {p for p in range(len(index)) if reference[p] != 0}
    for passage, score in hits:
        assert score == pytest.approx(reference[passage], abs=1e-9)


def test_common_terms_get_rank_bm25s_epsilon_floor_not_a_negative_idf():
    places = ["Tokyo bonds", "London metals", "Paris wines", "Chicago grains", "Sydney wool"]
    articles = [Article(str(n), "t", (f"Prices of {place} rose.",)) for n, place in enumerate(places)]
    index = SentenceIndex(Analyzer())
    index.add(articles)
    reference = BM25Okapi([index.analyzer.terms(p.text) for p in index.passages])
    assert reference.idf["price"] > 0  # floored: the raw IDF of a term in every sentence is negative
    assert index.idf("price") == pytest.approx(reference.idf["price"], abs=1e-12)
    assert index.top({"price": 1.0}, limit=1)[0][1] == pytest.approx(reference.get_scores(["price"])[0], abs=1e-9)


def test_top_keeps_only_accepted_passages_and_respects_the_limit():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    assert index.top({"bank": 1.0}, limit=0) == []
    hits = index.top({"bank": 1.0, "rate": 1.0}, limit=1, accept=lambda key: key[0] == "b")
    assert len(hits) == 1 and index.passages[hits[0][0]].article.article_id == "b"


def test_pre_split_sentences_are_indexed_as_given():
    index = SentenceIndex(Analyzer())
    article = Article("s", "Stored", ("ignored paragraphs",))
    assert index.add_article(article, ["First stored sentence.", "Second one about wheat."])
    assert not index.add_article(article, ["Again."])
    assert [p.text for p in index.article_sentences("s")] == ["First stored sentence.", "Second one about wheat."]
    assert index.ordered_terms(1) == ["second", "one", "wheat"]


@pytest.mark.skipif(not REUTERS.exists(), reason=f"shared Reuters data not found at {REUTERS}")
def test_scores_equal_rank_bm25_on_thousands_of_real_sentences():
    articles = list(itertools.islice(load_file(REUTERS), 500))
    index = SentenceIndex(Analyzer())
    index.add(articles)
    assert len(index) > 3000
    reference = BM25Okapi([index.analyzer.terms(p.text) for p in index.passages])
    vocabulary = sorted(reference.idf)
    queries = [random.Random(seed).sample(vocabulary, 4) for seed in range(20)] + [["said", "pct", "mln", "oil"]]
    for query in queries:
        expected = reference.get_scores(query)
        hits = dict(index.top(dict.fromkeys(query, 1.0), limit=len(index)))
        assert set(hits) == {p for p in range(len(index)) if expected[p] != 0}
        for passage, score in hits.items():
            assert abs(score - expected[passage]) <= 1e-9


@pytest.mark.skipif(not REUTERS.exists(), reason=f"shared Reuters data not found at {REUTERS}")
def test_postings_spread_over_many_segments_score_as_one_block(monkeypatch):
    """Folds at awkward points, many segments, articles added after: the same scores as a rebuild at once."""
    articles = list(itertools.islice(load_file(REUTERS), 300))
    whole = SentenceIndex(Analyzer())
    whole.add(articles)
    small_segments = functools.partial(PostingLists, merge_threshold=97, segment_size=500)
    monkeypatch.setattr("retrieval.index.PostingLists", small_segments)
    segmented = SentenceIndex(Analyzer())
    segmented.add(articles[:200])
    segmented.top({"oil": 1.0}, 5)  # statistics read between additions, as a running bot does
    segmented.add(articles[200:])
    assert [p.text for p in segmented.passages] == [p.text for p in whole.passages]
    for query in (["oil", "price"], ["bank", "rate", "cut"], ["wheat"], ["said", "pct", "mln", "dlrs"]):
        weights = dict.fromkeys(query, 1.0)
        assert segmented.top(weights, len(whole)) == whole.top(weights, len(whole))
        assert [segmented.document_frequency(term) for term in query] == [whole.document_frequency(term) for term in query]
    assert segmented.idf("said") == whole.idf("said")


def test_contains_tells_which_passages_have_a_term_without_reading_them():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    every = list(range(len(index)))
    for term in ("bank", "wheat", "oil", "zebra"):
        expected = [term in index.ordered_terms(p) for p in every]
        assert index.contains(term, every).tolist() == expected
        assert index.contains(term, every[::-1]).tolist() == expected[::-1]
    assert index.contains("bank", []).tolist() == []


def test_article_passages_and_articles_having_answer_from_the_postings():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    assert list(index.article_passages("b")) == [2, 3, 4]
    assert index.article_passages("nope") == range(0)
    assert index.articles_having(["oil", "rate", "zebra"], ["a", "b", "c", "x"]).tolist() == [
        [False, True, False],
        [True, True, False],
        [False, False, False],
        [False, False, False],
    ]
    assert index.articles_having(["rate"], ["b", "a", "c"]).tolist() == [[True], [True], [False]]
    assert index.articles_having([], ["a"]).shape == (1, 0)


def test_term_numbers_are_the_passages_terms_in_text_order():
    index = SentenceIndex(Analyzer())
    index.add([*ARTICLES, Article("d", "Stop words", ("It was so.", "Wheat was sold."))])
    asked = [4, 0, 7, 6, 2, 8]
    numbers, counts = index.term_numbers(asked)
    assert counts.tolist() == [len(index.ordered_terms(p)) for p in asked]
    assert 0 in counts.tolist()
    assert numbers.tolist() == [index.term_number(term) for p in asked for term in index.ordered_terms(p)]
    assert index.term_number("zebra") == -1
    assert [array.tolist() for array in index.term_numbers([])] == [[], []]


def test_ordered_terms_are_the_analysis_of_the_passage():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    for number, passage in enumerate(index.passages):
        assert index.ordered_terms(number) == index.analyzer.terms(passage.text)


def test_score_passages_equals_top_for_the_passages_asked_about():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    weights = {"bank": 1.0, "oil": 0.5, "wheat": 1.0}
    expected = dict(index.top(weights, limit=100))
    asked = [5, 0, 2, 1]
    assert index.score_passages(weights, asked).tolist() == pytest.approx([expected.get(p, 0.0) for p in asked], abs=1e-12)
    assert index.score_passages(weights, []).tolist() == []


def _live_reference(index: SentenceIndex) -> tuple[list[int], BM25Okapi]:
    """rank-bm25 over the sentences an index still has (its replaced articles' left out), and their numbers."""
    live = sorted({number for article in index.articles for number in index.article_passages(article.article_id)})
    return live, BM25Okapi([index.analyzer.terms(index.passages[number].text) for number in live])


def test_a_replaced_article_scores_exactly_as_rank_bm25_over_the_sentences_left():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    index.add([Article("d", "Wheat again", ("Wheat tankers waited. Wheat wheat rose.",))])
    edited = Article("b", "Oil (edited)", ("Wheat prices fell as farmers sold wheat. The bank was closed.",))
    index.replace_article(edited, ["Wheat prices fell as farmers sold wheat.", "The bank was closed."])
    live, reference = _live_reference(index)
    assert len(index) == len(live) == 8
    query = ["oil", "bank", "wheat", "rate", "trader", "futur"]
    expected = dict(zip(live, reference.get_scores(query), strict=True))
    hits = index.top(dict.fromkeys(query, 1.0), limit=len(live))
    assert {number for number, _ in hits} == {number for number, score in expected.items() if score}
    for number, score in hits:
        assert score == pytest.approx(expected[number], abs=1e-9)
    assert reference.idf["wheat"] == pytest.approx(0.25 * reference.average_idf)  # in 5 of 8: floored
    for term, idf in reference.idf.items():
        assert index.idf(term) == pytest.approx(idf, abs=1e-12), term


def test_a_replaced_articles_old_sentences_are_no_longer_found_and_its_new_ones_are():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    index.replace_article(Article("b", "Oil", ("Gold rallied.",)), ["Gold rallied."])
    assert index.term_scores("futur") == {}
    assert not index.knows("futur") and index.knows("gold")
    assert [passage.text for passage in index.article_sentences("b")] == ["Gold rallied."]
    assert [index.withdrawn(number) for number in range(len(index.articles))] == [False, True, False, False]


def test_replacing_an_unknown_article_adds_it():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES[:1])
    index.replace_article(ARTICLES[2], ["Farmers expect a large wheat crop.", "Rain helped the wheat."])
    assert [passage.text for passage in index.article_sentences("c")] == ["Farmers expect a large wheat crop.",
                                                                          "Rain helped the wheat."]
    assert len(index) == 4


def test_removed_articles_score_as_rank_bm25_over_the_sentences_left_and_are_found_no_more():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    index.add([Article("d", "Wheat again", ("Wheat tankers waited. Wheat wheat rose.",))])
    assert index.remove_articles(["b", "unknown", "d"]) == 2 and index.remove_articles(["b"]) == 0
    live, reference = _live_reference(index)
    assert len(index) == len(live)
    query = ["oil", "bank", "wheat", "rate", "trader", "futur"]
    expected = dict(zip(live, reference.get_scores(query), strict=True))
    for number, score in index.top(dict.fromkeys(query, 1.0), limit=len(live)):
        assert score == pytest.approx(expected[number], abs=1e-9)
    assert index.article_sentences("b") == index.article_sentences("d") == [] and index.term_scores("futur") == {}


def test_a_term_whose_every_article_was_removed_scores_and_holds_nowhere():
    index = SentenceIndex(Analyzer())
    index.add(ARTICLES)
    index.remove_articles(["c"])  # the only article about wheat
    weights = {"bank": 1.0, "wheat": 1.0}
    expected = dict(index.top(weights, limit=100))
    assert index.score_passages(weights, [0, 2, 6]).tolist() == pytest.approx([expected.get(p, 0.0) for p in (0, 2, 6)])
    assert index.contains("wheat", [5, 6]).tolist() == [False, False]
