"""Indexing a long article in steps: its adder may pause, and until the end the article is not found by id."""

from __future__ import annotations

from corpus.article import Article
from retrieval.index import PAUSE_EVERY, SentenceIndex
from retrieval.text import Analyzer


def test_a_long_article_is_indexed_in_steps_and_is_found_by_id_only_once_whole():
    index = SentenceIndex(Analyzer())
    index.add_article(Article("short", "Short", ("The ferry sails at noon.",)), ["The ferry sails at noon."])
    sentences = [f"Quarter {number} brought {number * 7} containers to the harbour." for number in range(2 * PAUSE_EVERY + 5)]
    seen_at_pauses: list[tuple[int, int, int]] = []

    def pause() -> None:
        seen_at_pauses.append((len(index), len(index.article_passages("long")), index.article_count))

    assert index.add_article(Article("long", "Long", tuple(sentences)), sentences, pause=pause)
    assert seen_at_pauses == [(1 + PAUSE_EVERY, 0, 1), (1 + 2 * PAUSE_EVERY, 0, 1)]
    assert [passage.text for passage in index.article_sentences("long")] == sentences
    assert index.document_frequency(index.analyzer.terms("containers")[0]) == len(sentences)
