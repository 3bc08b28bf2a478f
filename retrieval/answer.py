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

from dataclasses import dataclass

from retrieval.index import Passage, SentenceIndex
from retrieval.text import Query

# Below this share of the question covered, an answer is more likely wrong
# than right; the seed questions and the off-topic ones sit far on either side.
MIN_CONFIDENCE = 0.4
# How much coverage weighs against the BM25 score when ordering candidates.
COVERAGE_WEIGHT = 0.5


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
) -> Answer:
    """Answer ``question`` from ``index``: the best sentence and distinct alternatives."""
    ranked = rank_candidates(index, index.analyzer.query(question), coverage_weight=coverage_weight)
    if not ranked:
        return Answer(question, None, 0.0)
    best = ranked[0]
    confidence = round(best.coverage, 3)
    if confidence < min_confidence:
        return Answer(question, None, confidence)
    supported = [candidate for candidate in ranked[1:] if candidate.coverage >= min_confidence]
    return Answer(question, best, confidence, _distinct(supported, best, alternatives))


def rank_candidates(
    index: SentenceIndex, query: Query, *, coverage_weight: float = COVERAGE_WEIGHT
) -> list[Candidate]:
    """All sentences that match the query, best first.

    The order mixes BM25 (scaled to the best score) with coverage; a
    ``coverage_weight`` of 0 ranks by BM25 alone.
    """
    if not query:
        return []
    evidence = _term_evidence(index, query)
    weights = {term: index.specificity(term) for term in query.terms}
    total_weight = sum(weights.values())
    scores: dict[int, float] = {}
    coverage: dict[int, float] = {}
    for term, per_passage in evidence.items():
        for passage, (score, match) in per_passage.items():
            scores[passage] = scores.get(passage, 0.0) + score
            coverage[passage] = coverage.get(passage, 0.0) + match * weights[term] / total_weight
    if not scores:
        return []
    top_score = max(scores.values())
    candidates = [
        Candidate(index.passages[passage], score, min(coverage[passage], 1.0))
        for passage, score in scores.items()
    ]
    candidates.sort(
        key=lambda candidate: (
            (1 - coverage_weight) * candidate.score / top_score + coverage_weight * candidate.coverage,
            -candidate.passage.position,
        ),
        reverse=True,
    )
    return candidates


def _term_evidence(index: SentenceIndex, query: Query) -> dict[str, dict[int, tuple[float, float]]]:
    """Per question term and passage: (BM25 score, how well it is matched).

    A passage that contains the term itself scores it fully (match 1); one
    that only contains a related word scores that word's BM25 at the
    relation's weight (match = the weight). Only the best piece of evidence
    per term counts, so a sentence full of synonyms cannot outscore one that
    uses the question's own word.
    """
    evidence: dict[str, dict[int, tuple[float, float]]] = {}
    for term in query.terms:
        best: dict[int, tuple[float, float]] = {
            passage: (score, 1.0) for passage, score in index.term_scores(term).items()
        }
        for related, weight in query.expansions.get(term, {}).items():
            for passage, score in index.term_scores(related).items():
                if passage not in best or best[passage][1] < weight:
                    best[passage] = (weight * score, weight)
        evidence[term] = best
    return evidence


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
