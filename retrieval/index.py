"""A sentence index scored with rank-bm25's BM25Okapi.

Articles can be added at any time: the index keeps every sentence's terms and
rebuilds rank-bm25's statistics (IDF, average length) lazily on the next
query, so a burst of arrivals costs one rebuild, not one per article.
Scoring walks a posting list per query term, so only sentences that contain
a term are touched; the per-term formula and IDF are rank-bm25's own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from corpus.article import Article
from corpus.sentences import split_sentences
from retrieval.text import Analyzer


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of one article, with where it stands in that article."""

    article: Article
    position: int
    text: str


class SentenceIndex:
    """Every sentence of the known articles, searchable by BM25."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.passages: list[Passage] = []
        self._terms: list[list[str]] = []
        self._article_ids: set[str] = set()
        self._bm25: BM25Okapi | None = None
        self._postings: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.passages)

    def add(self, articles: Iterable[Article]) -> int:
        """Index the sentences of ``articles`` not yet known; return how many articles were new."""
        added = 0
        for article in articles:
            if article.article_id in self._article_ids:
                continue
            self._article_ids.add(article.article_id)
            added += 1
            position = 0
            for paragraph in article.paragraphs:
                for sentence in split_sentences(paragraph):
                    self.passages.append(Passage(article, position, sentence))
                    self._terms.append(self.analyzer.terms(sentence))
                    position += 1
        if added:
            self._bm25 = None
        return added

    def article_sentences(self, article_id: str) -> list[Passage]:
        """The sentences of one article in reading order."""
        return [passage for passage in self.passages if passage.article.article_id == article_id]

    def score_terms(self, weighted_terms: Mapping[str, float]) -> dict[int, float]:
        """BM25Okapi scores of the passages that contain any of the terms.

        ``weighted_terms`` maps a term to how much it counts; with all weights
        1 this is exactly ``BM25Okapi.get_scores`` restricted to non-zero rows.
        """
        if not self.passages:
            return {}
        bm25 = self._statistics()
        scores: dict[int, float] = {}
        for term, weight in weighted_terms.items():
            for passage, contribution in self._term_scores(bm25, term):
                scores[passage] = scores.get(passage, 0.0) + weight * contribution
        return scores

    def term_scores(self, term: str) -> dict[int, float]:
        """BM25Okapi contribution of one term to each passage that contains it."""
        if not self.passages:
            return {}
        return dict(self._term_scores(self._statistics(), term))

    def specificity(self, term: str) -> float:
        """How rare a term is, always positive (unknown terms are the rarest).

        BM25Okapi's own IDF goes to its epsilon floor for common terms; for
        weighing which question words a sentence covers we want a smooth,
        positive measure, hence the Lucene-style ``log(1 + (N - df + .5) / (df + .5))``.
        """
        if self.passages:
            self._statistics()
        documents = max(len(self.passages), 1)
        frequency = len(self._postings.get(term, ()))
        return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))

    def contains(self, passage: int, term: str) -> bool:
        return term in self._statistics().doc_freqs[passage]

    def _term_scores(self, bm25: BM25Okapi, term: str) -> Iterable[tuple[int, float]]:
        idf = bm25.idf.get(term)
        if idf is None:
            return
        k1, b, average = bm25.k1, bm25.b, bm25.avgdl
        for passage in self._postings.get(term, ()):
            frequency = bm25.doc_freqs[passage][term]
            length = bm25.doc_len[passage]
            yield passage, idf * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * length / average))

    def _statistics(self) -> BM25Okapi:
        """rank-bm25's statistics over all passages (callers ensure there are some)."""
        if self._bm25 is None:
            self._bm25 = BM25Okapi(self._terms)
            postings: dict[str, list[int]] = {}
            for passage, frequencies in enumerate(self._bm25.doc_freqs):
                for term in frequencies:
                    postings.setdefault(term, []).append(passage)
            self._postings = postings
        return self._bm25
