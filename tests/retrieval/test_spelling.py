"""A question word the index does not know is read as the known words spelt closest to it."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from benchmarks.spelling import misspell
from corpus.article import Article
from corpus.loader import load_file
from retrieval.answer import rank_candidates
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon, encode_related
from retrieval.snapshot import load_snapshot, save_snapshot
from retrieval.spelling import (
    MAX_CLOSE_TERMS,
    ONE_EDIT_WEIGHT,
    TWO_EDITS_WEIGHT,
    SpellingIndex,
    allowed_edits,
    osa_distances,
)
from retrieval.text import Analyzer

REUTERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "reuters21578.jsonl.gz"
DEMAND = "Kyiv needs real security guarantees, Zelensky told Vance on Friday."
ARTICLES = [
    Article("talks", "Vance meets Zelensky", (DEMAND + " Zelensky met Vance in Munich.",)),
    Article("oil", "Oil rises", ("Oil prices rose as traders demanded more supply. Demand for oil stayed strong.",)),
]


def seed_like_index() -> SentenceIndex:
    index = SentenceIndex(Analyzer(Lexicon.empty()))
    index.add(ARTICLES)
    return index


@pytest.mark.parametrize(
    ("term", "others", "expected"),
    [
        ("demnad", ["demand", "demnad", "demands", "dem", ""], [1, 0, 2, 3, 6]),
        ("zelenksi", ["zelenski"], [1]),  # two neighbours swapped: one edit
        ("zelenskyy", ["zelenski"], [2]),
        ("ca", ["abc"], [3]),  # optimal string alignment never edits a swapped pair again
        ("abcdef", ["badcfe", "bacdef"], [3, 1]),
    ],
)
def test_distances_count_insertions_deletions_substitutions_and_swaps(term, others, expected):
    assert osa_distances(term, others).tolist() == expected


def test_an_unknown_word_one_typo_away_stands_for_the_known_one():
    index = seed_like_index()
    assert index.close_terms("demnad") == {"demand": ONE_EDIT_WEIGHT}
    assert index.close_terms("zelenksi") == {"zelenski": ONE_EDIT_WEIGHT}  # "zelenksy", swapped letters


def test_two_typos_are_matched_only_between_long_words():
    index = seed_like_index()
    assert index.close_terms("zelenskyy") == {"zelenski": TWO_EDITS_WEIGHT}  # "Zelenskyy", 9 and 8 letters
    assert index.close_terms("demnadd") == {}  # two edits from "demand", which is too short for two
    assert allowed_edits(len("demand")) == 1 and allowed_edits(len("zelenski")) == 2


def test_known_words_and_short_words_are_never_changed():
    index = seed_like_index()
    assert index.close_terms("zelenski") == {}
    assert index.close_terms("demand") == {}
    assert index.close_terms("oill") == {}  # four letters: too many neighbours to guess from
    assert index.close_terms("oil") == {}
    assert index.close_terms("zelenksi")  # while an unknown long word is matched


def test_a_question_keeps_its_own_terms_and_gains_the_close_ones_as_weighted_expansions():
    index = seed_like_index()
    query = index.question_analyzer.query("What did Zelenskyy demnad? Did Zelensky?")
    assert query.terms == ("zelenskyy", "demnad", "zelenski")
    assert query.expansions["demnad"] == {"demand": ONE_EDIT_WEIGHT}
    assert query.expansions["zelenskyy"] == {}  # its match is a term of the question already
    assert query.expansions["zelenski"] == {}
    assert index.analyzer.query("What did Zelenskyy demnad?").expansions == {"zelenskyy": {}, "demnad": {}}


def test_a_misspelt_question_finds_the_sentence_the_right_spelling_finds():
    index = seed_like_index()
    right = rank_candidates(index, "What did Zelensky demand?")
    for typed in ("What did Zelenskyy demand?", "what did zelenksy demnad"):
        misspelt = rank_candidates(index, typed)
        assert [c.passage.text for c in misspelt[:1]] == [c.passage.text for c in right[:1]] == [DEMAND]


def test_the_nearest_matches_win_and_the_most_frequent_among_them():
    vocabulary = ["marker", "marked", "market", "markets", "marten", "markup"]
    frequencies = dict(zip(range(len(vocabulary)), [5, 1, 9, 20, 7, 3], strict=True))
    spelling = SpellingIndex()
    # "marken" is one edit from marker, marked, market and marten, two from markets.
    close = spelling.close_terms("marken", vocabulary, frequencies.__getitem__)
    assert MAX_CLOSE_TERMS == 3
    assert close == dict.fromkeys(["market", "marten", "marker"], ONE_EDIT_WEIGHT)


def nearest_by_brute_force(term: str, vocabulary: list[str]) -> list[str]:
    """The vocabulary terms nearest ``term`` within the allowed edits, measured one by one, alphabetically."""
    distances = osa_distances(term, vocabulary).tolist()
    within = [
        (distance, other)
        for other, distance in zip(vocabulary, distances, strict=True)
        if distance <= min(allowed_edits(len(term)), allowed_edits(len(other)))
    ]
    return [other for distance, other in sorted(within) if distance == min(within)[0]]


@pytest.mark.parametrize("variants", [40, 400])  # 400: candidates enough for the letter-count bound to rule some out
def test_the_index_finds_every_term_within_the_allowed_edits_and_no_other(variants):
    """Symmetric deletes over prefixes, and the bounds that spare measuring, miss nothing that measuring finds."""
    generator = random.Random(11)
    words = ["zelenski", "demand", "guarante", "negotiat"]
    known = {misspell(word, generator, generator.choice((1, 2))) for word in words * variants}
    vocabulary = sorted(known | {"zelenski", "demand", "guarante", "negotiat", "prime", "minist"})
    spelling = SpellingIndex()
    for word in ["zelenski", "demand", "guarante", "negotiat", "minist"] * 20:
        typed = misspell(word, generator, generator.choice((1, 2)))
        if typed in vocabulary:
            continue
        found = spelling.close_terms(typed, vocabulary, lambda number: 1)  # equal frequencies: ties go alphabetically
        assert list(found) == nearest_by_brute_force(typed, vocabulary)[:MAX_CLOSE_TERMS]


@pytest.mark.skipif(not REUTERS.exists(), reason=f"shared Reuters data not found at {REUTERS}")
def test_articles_added_between_questions_are_matched_as_if_indexed_at_once():
    articles = list(itertools.islice(load_file(REUTERS), 400))
    whole = SentenceIndex(Analyzer())
    whole.add(articles)
    growing = SentenceIndex(Analyzer())
    misspelt = ["exprot", "goverment", "recieved", "presidnet", "compnay", "dollr", "bankss"]
    for start in range(0, len(articles), 50):  # each batch brings new terms, and questions between batches
        growing.add(articles[start : start + 50])
        for typed in misspelt:
            growing.close_terms(typed)
    assert len(growing._spelling._runs) > 1
    for typed in misspelt:
        assert growing.close_terms(typed) == whole.close_terms(typed)
    assert whole.close_terms("exprot") == {"export": ONE_EDIT_WEIGHT}


def test_a_restored_index_matches_misspelt_words_like_the_original(tmp_path):
    original = seed_like_index()
    original.close_terms("demnad")  # the original has built its structure; the snapshot does not carry it
    path = tmp_path / "index.npz"
    save_snapshot(original, path)
    restored = load_snapshot(path, Analyzer(Lexicon.empty()), ARTICLES)
    assert restored is not None
    for typed in ("demnad", "zelenksi", "zelenskyy"):
        assert restored.close_terms(typed) == original.close_terms(typed) != {}
    restored.add([Article("later", "Guarantees", ("Allies offered guarantees to Kyiv.",))])
    assert restored.close_terms("guarrante") == {"guarante": ONE_EDIT_WEIGHT}


def test_a_slip_on_a_word_no_article_uses_reaches_the_words_the_articles_use_for_it(monkeypatch):
    lexicon = Lexicon({}, {"demand": encode_related({"need": 0.68})})
    index = SentenceIndex(Analyzer(lexicon))
    index.add([Article("k", "Kyiv", ("Kyiv needs real guarantees, Zelensky said.", "Markets rose on Friday."))])
    assert index.question_analyzer.query("what did Zelensky demnad").expansions["demnad"]["need"] > 0
    monkeypatch.setattr(Lexicon, "close_words", lambda self, word: {})
    assert "need" not in index.question_analyzer.query("what did Zelensky demnad").expansions["demnad"]


def test_a_slip_on_a_word_the_articles_use_also_reaches_that_words_relatives(monkeypatch):
    lexicon = Lexicon({}, {"demand": encode_related({"need": 0.68})})
    index = SentenceIndex(Analyzer(lexicon))
    index.add([Article("k", "Kyiv", ("Kyiv needs real guarantees, Zelensky said.", "Demand for oil rose."))])
    expansions = index.question_analyzer.query("what did Zelensky demnad").expansions["demnad"]
    assert expansions["demand"] == ONE_EDIT_WEIGHT
    assert expansions["need"] == pytest.approx(ONE_EDIT_WEIGHT * index.question_analyzer.query("demand").expansions["demand"]["need"])
    assert [c.passage.text for c in rank_candidates(index, "what did Zelensky demnad")][:1] == [
        c.passage.text for c in rank_candidates(index, "what did Zelensky demand")][:1]
    monkeypatch.setattr(Lexicon, "close_words", lambda self, word: {})
    assert "need" not in index.question_analyzer.query("what did Zelensky demnad").expansions["demnad"]
