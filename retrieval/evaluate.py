"""Measure answer quality with the bot's own ranking code, against plain BM25.

    python -m retrieval.evaluate wikiqa ../shared/data/wikiqa/WikiQA-dev.tsv [--json]
    python -m retrieval.evaluate trecqa ../shared/data/trecqa/dev.csv [--json]
    python -m retrieval.evaluate newsqa ../shared/data/newsqa/reuters-qa-dev.jsonl \\
        --corpus ../shared/data/reuters21578.jsonl.gz [--json]

WikiQA and TrecQA are measured in two modes:

* ``rerank``: each question ranks only its own candidates, as the published
  results do (MAP, MRR, P@1 over the questions that have a right candidate;
  for TrecQA, a right and a wrong one, the usual "clean" setting);
* ``open``: each question ranks every distinct sentence of the file, as the
  bot ranks its whole corpus (P@1, MRR; a right sentence beyond the bot's
  candidate list counts as not found).

Lede uses one index over all the file's sentences in both modes, so term
statistics (IDF, average length) are global, as in the published setups: an
index over a question's 10-30 candidates alone would call a word rare
because those few sentences lack it. What per-question statistics do get
right (a topic word that every candidate shares tells them apart no better
than a stop word) Lede gets from its ``local_coverage`` feature instead.

WikiQA also gets answer triggering (Yang et al. 2015): over every question,
including those with no right candidate, the bot answers when its confidence
clears :data:`retrieval.answer.MIN_CONFIDENCE`; precision, recall and F1 of
"answered, and the answer is right".

News questions rank every sentence of the corpus (``--corpus``); an answer is
right when it comes from the gold article and contains the gold answer span.

The baseline is rank-bm25's ``BM25Okapi`` on lower-cased ``\\w+`` tokens with
no other processing, over the same sentences, computed in the same run. In
``rerank`` mode it is run as it usually is, with each question's candidates
as its collection: on WikiQA dev that is the stronger plain baseline (MAP
0.617 against 0.572 with the pooled statistics), so it is the one to beat.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from corpus.loader import load_paths
from retrieval.answer import MIN_CONFIDENCE, answer_question, rank_candidates
from retrieval.datasets import LabelledQuestion, NewsQuestion, read_news_questions, read_sentence_set
from retrieval.index import Passage, SentenceFilter, SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.ranker import RankingModel
from retrieval.text import Analyzer

# How deep the open-mode ranking looks; a right sentence below it counts as missed.
OPEN_DEPTH = 100

# A ranking: the passages a ranker puts first, best first (possibly fewer than all).
Ranker = Callable[[str, SentenceFilter | None], list[Passage]]


# ---- metrics -----------------------------------------------------------------------------


def average_precision(labels: Sequence[bool]) -> float:
    """Mean of precision at each right item of a full ranking (0 when none is right)."""
    hits = 0
    total = 0.0
    for rank, correct in enumerate(labels, start=1):
        if correct:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def reciprocal_rank(labels: Sequence[bool]) -> float:
    """1 / the rank of the first right item (0 when none is right)."""
    return next((1.0 / rank for rank, correct in enumerate(labels, start=1) if correct), 0.0)


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


# ---- rankers -----------------------------------------------------------------------------


def lede_ranker(index: SentenceIndex, model: RankingModel, depth: int = OPEN_DEPTH) -> Ranker:
    """The bot's ranking: :func:`retrieval.answer.rank_candidates`, passages only."""

    def rank(question: str, accept: SentenceFilter | None) -> list[Passage]:
        ranked = rank_candidates(index, question, accept=accept, limit=depth, model=model)
        return [candidate.passage for candidate in ranked]

    return rank


class PlainBM25:
    """rank-bm25's BM25Okapi on lower-cased ``\\w+`` tokens: the baseline."""

    _TOKEN = re.compile(r"\w+")

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self._bm25 = BM25Okapi([self.tokens(passage.text) for passage in passages])
        self._documents: dict[str, list[int]] = {}
        for number, frequencies in enumerate(self._bm25.doc_freqs):
            for token in frequencies:
                self._documents.setdefault(token, []).append(number)
        self._lengths = np.array(self._bm25.doc_len, dtype=np.float64)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """``BM25Okapi.get_scores(query)``, computed only where a query token occurs.

        rank-bm25 scans every document for every token, ~0.7 s a question over
        all of Reuters; a document without the token adds exactly 0, so the
        same formula over the token's documents gives the same floats.
        """
        bm25 = self._bm25
        scores = np.zeros(len(self._lengths))
        for token in query:
            documents = self._documents.get(token)
            if not documents:
                continue
            frequency = np.array([bm25.doc_freqs[n][token] for n in documents], dtype=np.float64)
            lengths = self._lengths[documents]
            idf = bm25.idf.get(token) or 0
            scores[documents] += idf * (
                frequency * (bm25.k1 + 1) / (frequency + bm25.k1 * (1 - bm25.b + bm25.b * lengths / bm25.avgdl))
            )
        return scores

    @classmethod
    def tokens(cls, text: str) -> list[str]:
        return cls._TOKEN.findall(text.lower())

    def ranker(self, depth: int = OPEN_DEPTH) -> Ranker:
        def rank(question: str, accept: SentenceFilter | None) -> list[Passage]:
            scores = self.scores(self.tokens(question))
            order = np.argsort(-scores, kind="stable")
            ranked = []
            for number in order.tolist():
                if scores[number] <= 0:
                    break
                passage = self.passages[number]
                if accept is None or accept(passage.key):
                    ranked.append(passage)
                    if len(ranked) == depth:
                        break
            return ranked

        return rank


def per_question_bm25(index: SentenceIndex) -> Ranker:
    """Plain BM25 in the rerank setting as it is usually run: each question's candidates are its collection.

    On WikiQA dev this beats plain BM25 with the pooled statistics (a topic
    word every candidate shares gets no weight), so it is the baseline to beat.
    """

    def rank(question: str, accept: SentenceFilter | None) -> list[Passage]:
        candidates = [passage for passage in index.passages if accept is None or accept(passage.key)]
        return PlainBM25(candidates).ranker(depth=len(candidates))(question, None) if candidates else []

    return rank


# ---- sentence-selection sets (WikiQA, TrecQA) --------------------------------------------


@dataclass(frozen=True, slots=True)
class SelectionScores:
    questions: int
    rerank: dict[str, float]
    open: dict[str, float]


def rerank_labels(rank: Ranker, question: LabelledQuestion) -> list[bool]:
    """The question's candidates in the ranker's order, as right/wrong.

    Candidates the ranker does not return (they share no term with the
    question) follow in their original order.
    """
    labels = question.labels
    keys = [passage.key for passage in rank(question.question, question.has_candidate)]
    seen = set(keys)
    keys += [key for key in labels if key not in seen]
    return [labels[key] for key in keys]


def open_labels(rank: Ranker, question: LabelledQuestion) -> list[bool]:
    """The ranker's top distinct sentences from the whole set, as right/wrong."""
    right = {c.text for c in question.candidates if c.correct}
    seen: set[str] = set()
    labels = []
    for passage in rank(question.question, None):
        if passage.text not in seen:
            seen.add(passage.text)
            labels.append(passage.text in right)
    return labels


def score_selection(rerank: Ranker, open_: Ranker, questions: Sequence[LabelledQuestion]) -> SelectionScores:
    reranked = [rerank_labels(rerank, question) for question in questions]
    opened = [open_labels(open_, question) for question in questions]
    return SelectionScores(
        questions=len(questions),
        rerank={
            "map": _mean(map(average_precision, reranked)),
            "mrr": _mean(map(reciprocal_rank, reranked)),
            "p_at_1": _mean(float(labels[0]) for labels in reranked),
        },
        open={
            "p_at_1": _mean(float(bool(labels) and labels[0]) for labels in opened),
            "mrr": _mean(map(reciprocal_rank, opened)),
        },
    )


def answer_triggering(
    index: SentenceIndex, model: RankingModel, questions: Sequence[LabelledQuestion], threshold: float
) -> dict[str, float]:
    """Precision, recall and F1 of answering (confidence ≥ threshold) and being right, per question."""
    answered = right = 0
    for question in questions:
        answer = answer_question(
            index, question.question, alternatives=0, min_confidence=threshold, accept=question.has_candidate, model=model
        )
        if answer.best is not None:
            answered += 1
            right += question.labels[answer.best.passage.key]
    answerable = sum(question.answerable for question in questions)
    precision = right / answered if answered else 0.0
    recall = right / answerable if answerable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "questions": len(questions),
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def evaluate_selection(dataset: str, path: Path, model: RankingModel) -> dict:
    sentence_set = read_sentence_set(dataset, path)
    index = sentence_set.index()
    scored = [q for q in sentence_set.questions if (q.mixed if dataset == "trecqa" else q.answerable)]
    lede = lede_ranker(index, model)
    lede_scores = score_selection(lede, lede, scored)
    baseline = score_selection(per_question_bm25(index), PlainBM25(index.passages).ranker(), scored)
    result = {
        "questions": lede_scores.questions,
        "rerank": lede_scores.rerank,
        "open": lede_scores.open,
        "baseline": {"rerank": baseline.rerank, "open": baseline.open},
    }
    if dataset == "wikiqa":
        result["answer_triggering"] = answer_triggering(index, model, sentence_set.questions, MIN_CONFIDENCE)
    return result


# ---- news questions over a corpus --------------------------------------------------------


def accuracy(rank: Ranker, questions: Sequence[NewsQuestion]) -> dict[str, float]:
    tops = []
    for question in questions:
        ranked = rank(question.question, None)[:3]
        tops.append([question.is_answered_by(p.article.article_id, p.text) for p in ranked])
    return {
        "questions": len(questions),
        "accuracy_at_1": _mean(float(any(top[:1])) for top in tops),
        "accuracy_at_3": _mean(float(any(top)) for top in tops),
    }


def score_news(rank: Ranker, questions: Sequence[NewsQuestion]) -> dict:
    overall = accuracy(rank, questions)
    paraphrased = accuracy(rank, [q for q in questions if q.paraphrased])
    return {**overall, "paraphrased": paraphrased}


def confidence_auc(index: SentenceIndex, model: RankingModel, questions: Sequence[NewsQuestion]) -> float:
    """ROC AUC of the bot's confidence as a test of "its answer is right", over every question."""
    scored = []
    for question in questions:
        answer = answer_question(index, question.question, alternatives=0, min_confidence=0.0, model=model)
        best = answer.best
        right = best is not None and question.is_answered_by(best.passage.article.article_id, best.passage.text)
        scored.append((answer.confidence, right))
    return round(roc_auc(scored), 4)


def roc_auc(scored: Sequence[tuple[float, bool]]) -> float:
    """The probability that a right answer's confidence exceeds a wrong one's (ties count half)."""
    right = np.array([s for s, r in scored if r])
    wrong = np.array([s for s, r in scored if not r])
    if not len(right) or not len(wrong):
        return float("nan")
    greater = (right[:, None] > wrong[None, :]).sum() + 0.5 * (right[:, None] == wrong[None, :]).sum()
    return float(greater / (len(right) * len(wrong)))


def evaluate_news(path: Path, corpus: Sequence[Path], model: RankingModel) -> dict:
    questions = read_news_questions(path)
    index = SentenceIndex(Analyzer(Lexicon.load()))
    index.add(load_paths(corpus))
    lede = score_news(lede_ranker(index, model), questions)
    baseline = score_news(PlainBM25(index.passages).ranker(depth=3), questions)
    return {**lede, "confidence_auc": confidence_auc(index, model, questions), "baseline": baseline}


# ---- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=("wikiqa", "trecqa", "newsqa"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="articles for newsqa (repeatable)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    parser.add_argument("--model", type=Path, help="a ranking model other than the shipped one (ablations)")
    args = parser.parse_args(argv)
    model = RankingModel.load(args.model)
    started = time.perf_counter()
    if args.dataset == "newsqa":
        if not args.corpus:
            parser.error("newsqa needs --corpus (e.g. ../shared/data/reuters21578.jsonl.gz)")
        result = evaluate_news(args.path, args.corpus, model)
    else:
        result = evaluate_selection(args.dataset, args.path, model)
    print(_table(args.dataset, args.path, result), file=sys.stdout)
    print(f"({time.perf_counter() - started:.1f} s)")
    if args.json:
        print(json.dumps(result))
    return 0


def _table(dataset: str, path: Path, result: dict) -> str:
    lines = [f"{dataset} {path}: {result['questions']} questions", f"{'':24}{'plain BM25':>12}{'Lede':>10}"]
    baseline = result["baseline"]
    if dataset == "newsqa":
        rows = [
            ("accuracy@1", baseline["accuracy_at_1"], result["accuracy_at_1"]),
            ("accuracy@3", baseline["accuracy_at_3"], result["accuracy_at_3"]),
            (
                f"paraphrased ({result['paraphrased']['questions']}) acc@1",
                baseline["paraphrased"]["accuracy_at_1"],
                result["paraphrased"]["accuracy_at_1"],
            ),
            ("paraphrased acc@3", baseline["paraphrased"]["accuracy_at_3"], result["paraphrased"]["accuracy_at_3"]),
        ]
        lines.append(f"confidence ROC AUC (is the first answer right?): {result['confidence_auc']:.4f}")
    else:
        rows = [
            (f"{mode} {metric}", baseline[mode][metric], result[mode][metric])
            for mode, metrics in (("rerank", ("map", "mrr", "p_at_1")), ("open", ("p_at_1", "mrr")))
            for metric in metrics
        ]
    lines += [f"{name:24}{plain:>12.4f}{lede:>10.4f}" for name, plain, lede in rows]
    if "answer_triggering" in result:
        trig = result["answer_triggering"]
        lines.append(
            f"answer triggering over all {trig['questions']} questions (confidence ≥ {trig['threshold']}): "
            f"precision {trig['precision']:.4f}, recall {trig['recall']:.4f}, F1 {trig['f1']:.4f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
