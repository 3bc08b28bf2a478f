"""The evidence a candidate sentence offers for a question, as numbers a ranker can weigh.

BM25 picks the candidates; these features say why one of them answers and
the others only share words with the question. Each is cheap to compute for
a hundred candidates, all are scaled to about 0-1, and each names the idea
it stands for:

``bm25``            BM25 over question terms and related words, relative to the best candidate.
``coverage``        specificity-weighted share of the question's terms the sentence has
                    (a related word counts at its weight).
``exact_coverage``  the same with exact terms only: paraphrase is weaker evidence.
``local_coverage``  coverage weighted by how rare each term is *among the candidates*:
                    a word every candidate shares (the topic) does not tell them apart.
``proximity``       how tightly the matched terms sit together in the sentence.
``answer_type``     the question expects a type of answer (:mod:`retrieval.question`) and the
                    sentence holds one it does not already state. One weight for all types:
                    the training sets have few "why" questions, the news has many.
``defines``         the sentence reads as a definition ("X is a ..."): it says what its subject is.
``title``           coverage of the question by the article's title.
``article``         coverage of the question by the whole article.
``article_rare``    the same with each term weighted by its specificity squared: the story must
                    name what the question names (its rarest words: a country, a company, a
                    person). A story about Austria's exports does not answer a question about
                    Spain's, however well one of its sentences matches the rest.
``context``         coverage the previous sentence adds: "He said ..." answers a question about
                    the man named one sentence earlier.
``novelty``         share of the sentence's terms the question lacks: an answer says something
                    the question does not.
``length``          log of the sentence's term count, scaled.

Tried and left out, measured on dev: a lead/position prior (learned on
Wikipedia summaries, where the first sentence often answers, it sank news
accuracy@1 from 0.60 to 0.30: news questions ask for details below the
lead); BM25 of the whole article (hurt TrecQA, whose "articles" are single
sentences); question bigrams kept adjacent and the sentence repeating the
title (no measurable effect once proximity and title coverage are in).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from retrieval.index import Passage, SentenceIndex
from retrieval.question import AnswerType, expected_answer, question_words, sentence_holds, split_attribution
from retrieval.text import Analyzer, Query

# "The Titanic was a British passenger liner ...": a subject, then a copula early on.
_DEFINITION = re.compile(r"^(?:\S+\s+){0,12}?(?:is|was|are|were)\s+(?:\w+ly\s+)?(?:a|an|the|one)\b", re.IGNORECASE)

FEATURES: tuple[str, ...] = (
    "bm25",
    "coverage",
    "exact_coverage",
    "local_coverage",
    "proximity",
    "answer_type",
    "defines",
    "title",
    "article",
    "article_rare",
    "context",
    "novelty",
    "length",
)


@dataclass(frozen=True)
class Question:
    """A question analysed once for all its candidates.

    ``query`` is the whole question; ``core`` leaves out who is said to have
    said it ("according to the DIW"), which the article may name once while
    the answer sentence says "it said" (:func:`retrieval.question.split_attribution`).
    A sentence covers the question if it covers the whole or the core,
    whichever is more; article features use the whole question.
    """

    text: str
    query: Query
    core: Query

    @classmethod
    def analyse(cls, text: str, analyzer: Analyzer) -> Question:
        query = analyzer.query(text)
        core_text, attribution = split_attribution(text)
        return cls(text, query, analyzer.query(core_text) if attribution else query)

    def coverage(self, terms: frozenset[str], weights: Mapping[str, float], *, related: bool = True) -> float:
        """How much of the question ``terms`` account for: of the whole or of the core, the larger."""
        whole = coverage(self.query, terms, weights, related=related)
        return whole if self.core is self.query else max(whole, coverage(self.core, terms, weights, related=related))

    @cached_property
    def answer_type(self) -> AnswerType:
        return expected_answer(self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        return question_words(self.text)


def candidate_features(index: SentenceIndex, question: Question, hits: Sequence[tuple[int, float]]) -> np.ndarray:
    """One row of :data:`FEATURES` per hit ``(passage number, BM25 score)``, in hit order."""
    query, core = question.query, question.core
    specificity = {term: index.specificity(term) for term in {*query.terms, *core.terms}}
    ordered_terms = [index.ordered_terms(number) for number, _ in hits]
    term_sets = [frozenset(terms) for terms in ordered_terms]
    local = _local_specificity({*query.terms, *core.terms}, term_sets)
    top_score = hits[0][1] if hits and hits[0][1] > 0 else 1.0
    # Title and whole-article evidence are properties of the article, so they
    # are computed once per article, not once per candidate sentence.
    articles = {article.article_id: article for article in (index.passages[number].article for number, _ in hits)}
    title_coverage: dict[str, float] = {}
    article_coverage: dict[str, float] = {}
    article_rare_coverage: dict[str, float] = {}
    rarity = {term: weight * weight for term, weight in specificity.items()}
    for article, terms in zip(articles.values(), _article_terms(index, list(articles), query), strict=True):
        title = frozenset(index.analyzer.terms(article.title))
        title_coverage[article.article_id] = coverage(query, title, specificity)
        article_coverage[article.article_id] = coverage(query, terms | title, specificity)
        article_rare_coverage[article.article_id] = coverage(query, terms | title, rarity)
    rows = []
    for (number, score), terms, term_set in zip(hits, ordered_terms, term_sets, strict=True):
        passage = index.passages[number]
        article_id = passage.article.article_id
        own = coverage(query, term_set, specificity)
        rows.append(
            [
                score / top_score,
                question.coverage(term_set, specificity),
                question.coverage(term_set, specificity, related=False),
                question.coverage(term_set, local, related=False),
                _proximity(core.terms, terms),
                float(sentence_holds(question.answer_type, passage.text, question.words)),
                float(bool(_DEFINITION.match(passage.text))),
                title_coverage[article_id],
                article_coverage[article_id],
                article_rare_coverage[article_id],
                coverage(query, term_set | _previous_terms(index, number, passage), specificity) - own,
                len(term_set - set(core.terms)) / len(term_set) if term_set else 0.0,
                math.log1p(len(terms)) / 5,
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(hits), len(FEATURES))


def coverage(
    query: Query, terms: frozenset[str] | Mapping[str, int], weights: Mapping[str, float], *, related: bool = True
) -> float:
    """The weighted share of question terms that ``terms`` accounts for.

    A term counts fully when present; with ``related``, a missing term counts
    at the weight of its best related word that is present.
    """
    total = sum(weights[term] for term in query.terms)
    if total <= 0:
        return 0.0
    covered = 0.0
    for term in query.terms:
        if term in terms:
            match = 1.0
        elif related:
            match = max((weight for other, weight in query.expansions.get(term, {}).items() if other in terms), default=0.0)
        else:
            match = 0.0
        covered += match * weights[term]
    return min(covered / total, 1.0)


def _local_specificity(terms: Iterable[str], candidates: Sequence[frozenset[str]]) -> dict[str, float]:
    """Lucene-style IDF of each term with the candidate list as the collection."""
    count = len(candidates)
    weights = {}
    for term in terms:
        frequency = sum(term in candidate for candidate in candidates)
        weights[term] = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
    return weights


def _proximity(query_terms: Sequence[str], terms: Sequence[str]) -> float:
    """Distinct matched terms / the shortest window holding all of them (0 with fewer than two)."""
    wanted = set(query_terms)
    positions = [(place, term) for place, term in enumerate(terms) if term in wanted]
    distinct = len({term for _, term in positions})
    if distinct < 2:
        return 0.0
    best = len(terms)
    counts: dict[str, int] = {}
    start = 0
    for place, term in positions:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == distinct:
            first_place, first_term = positions[start]
            best = min(best, place - first_place + 1)
            counts[first_term] -= 1
            if not counts[first_term]:
                del counts[first_term]
            start += 1
    return distinct / best


def _article_terms(index: SentenceIndex, article_ids: Sequence[str], query: Query) -> list[frozenset[str]]:
    """Which of the query's terms (and related terms) each article has somewhere.

    Asked of the index's posting lists, one term at a time for all the
    articles at once, not by analysing the articles again: a question's
    candidates come from dozens of them.
    """
    wanted = {*query.terms, *(term for related in query.expansions.values() for term in related)}
    present: dict[str, np.ndarray] = {term: index.articles_having(term, article_ids) for term in wanted}
    return [frozenset(term for term, having in present.items() if having[number]) for number in range(len(article_ids))]


def _previous_terms(index: SentenceIndex, number: int, passage: Passage) -> frozenset[str]:
    if passage.position == 0 or number == 0:
        return frozenset()
    previous = index.passages[number - 1]
    if previous.article is not passage.article:
        return frozenset()
    return frozenset(index.ordered_terms(number - 1))
