"""Pick the sentence that answers a question, or admit there is none.

BM25 finds sentences that share the question's words; two things make the
choice better than raw BM25:

* related words: a question that says "demand" is matched against sentences
  that say "need" (from the lexicon), counted at a discount, so wording that
  differs from the article does not hide the answer;
* coverage: the share of the question's meaning, weighted by how specific
  each word is, that the sentence accounts for. A sentence that matches one
  common word many times loses to one that matches every specific word once,
  and coverage is also what confidence is built on: when no sentence covers
  enough of the question, Lede says it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from retrieval.index import Passage, SentenceIndex
from retrieval.text import Query

# Below this share of the question covered, an answer is more likely wrong
# than right; the seed questions and the off-topic ones sit far on either side.
MIN_CONFIDENCE = 0.4
# How much coverage weighs against the BM25 score when ordering candidates.
COVERAGE_WEIGHT = 0.5
# Sentences scored beyond BM25; the rest of the corpus never gets that far.
CANDIDATES = 100


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored sentence: the BM25 evidence and the question coverage behind it."""

    passage: Passage
    score: float
    coverage: float


@dataclass(frozen=True, slots=True)
class Answer:
    """The best sentence (or none), how sure we are, and the runners-up."""

    question: str
    best: Candidate | None
    confidence: float
    alternatives: tuple[Candidate, ...] = ()


def answer_question(
    index: SentenceIndex,
    question: str,
    *,
    alternatives: int = 3,
    min_confidence: float = MIN_CONFIDENCE,
    coverage_weight: float = COVERAGE_WEIGHT,
    accept: Callable[[Passage], bool] | None = None,
) -> Answer:
    """Answer ``question`` from ``index``: the best sentence and distinct alternatives.

    ``accept`` limits the answer to some passages, e.g. the articles one chat may see.
    """
    query = index.analyzer.query(question)
    ranked = rank_candidates(index, query, coverage_weight=coverage_weight, accept=accept)
    if not ranked:
        return Answer(question, None, 0.0)
    best = ranked[0]
    confidence = round(best.coverage, 3)
    if confidence < min_confidence:
        return Answer(question, None, confidence)
    supported = [candidate for candidate in ranked[1:] if candidate.coverage >= min_confidence]
    return Answer(question, best, confidence, _distinct(supported, best, alternatives))


def rank_candidates(
    index: SentenceIndex,
    query: Query,
    *,
    coverage_weight: float = COVERAGE_WEIGHT,
    accept: Callable[[Passage], bool] | None = None,
) -> list[Candidate]:
    """The best-matching sentences, best first.

    BM25 over the question's terms and their related words picks the
    candidates; the order then mixes BM25 (scaled to the best score) with
    coverage. A ``coverage_weight`` of 0 ranks by BM25 alone.
    """
    if not query:
        return []
    hits = index.top(_term_weights(query), CANDIDATES, accept)
    if not hits:
        return []
    specificity = {term: index.specificity(term) for term in query.terms}
    total = sum(specificity.values())
    # BM25Okapi can score a match 0 or below (rank-bm25's IDF floor may be
    # negative on tiny corpora); scale against a positive number regardless.
    top_score = max(hits[0][1], 1e-9)
    candidates = [
        Candidate(index.passages[number], score, _coverage(query, index.passage_terms(number), specificity, total))
        for number, score in hits
    ]
    candidates.sort(
        key=lambda candidate: (1 - coverage_weight) * candidate.score / top_score + coverage_weight * candidate.coverage,
        reverse=True,
    )
    return candidates


def _term_weights(query: Query) -> dict[str, float]:
    """Each question term at full weight, each related term at its relation's weight."""
    weights = dict.fromkeys(query.terms, 1.0)
    for related in query.expansions.values():
        for term, weight in related.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def _coverage(query: Query, terms: Mapping[str, int], specificity: Mapping[str, float], total: float) -> float:
    """The specificity-weighted share of question terms the sentence matches.

    A term counts fully when the sentence has it, at the relation's weight
    when the sentence has only a related word (the best one), else not at all.
    """
    covered = 0.0
    for term in query.terms:
        if term in terms:
            match = 1.0
        else:
            match = max((weight for related, weight in query.expansions.get(term, {}).items() if related in terms), default=0.0)
        covered += match * specificity[term]
    return min(covered / total, 1.0)


def _distinct(candidates: list[Candidate], best: Candidate, limit: int) -> tuple[Candidate, ...]:
    """Up to ``limit`` candidates whose sentences differ from each other and from the best."""
    seen = {_fingerprint(best.passage.text)}
    chosen: list[Candidate] = []
    for candidate in candidates:
        if len(chosen) == limit:
            break
        fingerprint = _fingerprint(candidate.passage.text)
        if fingerprint not in seen:
            seen.add(fingerprint)
            chosen.append(candidate)
    return tuple(chosen)


def _fingerprint(text: str) -> str:
    return " ".join(text.lower().split())
