"""Train the ranking model shipped in ``retrieval/data/ranker.json``, reproducibly.

    python -m retrieval.train --wikiqa ../shared/data/wikiqa/WikiQA-train.tsv \\
        --trecqa ../shared/data/trecqa/train.csv [--output retrieval/data/ranker.json]

Training splits only: dev is for measuring (:mod:`retrieval.evaluate`) and
the test splits are held out. Two things are fitted, both with a few Newton
steps in numpy, deterministic and done in seconds:

* **Ranking weights**: pairwise logistic regression (every right candidate
  should outscore every wrong one of the same question) over the exact
  candidates and features the bot computes (:func:`retrieval.answer.candidate_pool`).
  Each question contributes twice, once per setting the bot meets: ranking
  its own candidates (``rerank``) and ranking the whole pooled file
  (``open``), where article and title evidence matter. Every question weighs
  the same however many pairs it has.
* **Confidence**: a logistic curve from the best answer's evidence
  (:func:`retrieval.answer.confidence_evidence`) to whether it is right,
  over every WikiQA training question, unanswerable ones included, ranked
  among its own candidates as in WikiQA's answer-triggering task.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from retrieval.answer import candidate_pool, confidence_evidence, merge_near_duplicates, rank_candidates
from retrieval.datasets import LabelledQuestion, SentenceSet, read_trecqa, read_wikiqa
from retrieval.features import FEATURES
from retrieval.index import Passage, SentenceIndex
from retrieval.ranker import CONFIDENCE_INPUTS, MODEL_FILE_NAME, RankingModel

DEFAULT_OUTPUT = Path(__file__).parent / "data" / MODEL_FILE_NAME
# L2 penalty: enough to keep correlated features (the coverages) from
# trading huge opposite weights, small enough not to flatten the signal.
RANKING_L2 = 1.0
CONFIDENCE_L2 = 0.1

# One question's training signal: feature rows of its right and its wrong candidates.
Group = tuple[np.ndarray, np.ndarray]


def ranking_groups(sentence_set: SentenceSet, index: SentenceIndex) -> list[Group]:
    """Right and wrong candidate features for each answerable question, in both settings."""
    groups = []
    for question in sentence_set.questions:
        if not question.answerable:
            continue
        groups.append(_group(index, question, question.has_candidate, _label_by_position(question)))
        groups.append(_group(index, question, None, _label_by_text(question)))
    return [group for group in groups if len(group[0]) and len(group[1])]


def _group(
    index: SentenceIndex,
    question: LabelledQuestion,
    accept: Callable[[Passage], bool] | None,
    is_right: Callable[[Passage], bool],
) -> Group:
    _, hits, features = candidate_pool(index, question.question, accept=accept)
    right = np.array([is_right(index.passages[number]) for number, _ in hits], dtype=bool)
    return features[right], features[~right]


def _label_by_position(question: LabelledQuestion) -> Callable[[Passage], bool]:
    labels = question.labels
    return lambda passage: labels.get((passage.article.article_id, passage.position), False)


def _label_by_text(question: LabelledQuestion) -> Callable[[Passage], bool]:
    right = {c.text for c in question.candidates if c.correct}
    return lambda passage: passage.text in right


def fit_pairwise(groups: Sequence[Group], l2: float = RANKING_L2) -> np.ndarray:
    """Weights ``w`` minimising the mean per-question logistic loss of ``w·(right - wrong)``, plus L2.

    A question's pairs share one unit of weight, however many there are.
    """
    differences = []
    pair_weights = []
    for right, wrong in groups:
        pairs = (right[:, None, :] - wrong[None, :, :]).reshape(-1, right.shape[1])
        differences.append(pairs)
        pair_weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    x = np.concatenate(differences)
    sample_weights = np.concatenate(pair_weights)
    return _newton_logistic(x, np.ones(len(x)), sample_weights, l2 * len(groups) / 1000)


def fit_confidence(evidence: Sequence[dict[str, float]], right: Sequence[bool], l2: float = CONFIDENCE_L2) -> dict[str, float]:
    """Logistic regression from the best answer's evidence to whether it is right."""
    x = np.array([[1.0, *(item[name] for name in CONFIDENCE_INPUTS)] for item in evidence])
    y = np.array(right, dtype=np.float64)
    coefficients = _newton_logistic(x, y, np.ones(len(y)), l2, unpenalised=(0,))
    return {"bias": float(coefficients[0]), **{name: float(c) for name, c in zip(CONFIDENCE_INPUTS, coefficients[1:])}}


def _newton_logistic(
    x: np.ndarray, y: np.ndarray, sample_weights: np.ndarray, l2: float, unpenalised: Iterable[int] = (), steps: int = 50
) -> np.ndarray:
    """Weighted, L2-penalised logistic regression without intercept, by Newton's method."""
    penalty = np.full(x.shape[1], l2)
    penalty[list(unpenalised)] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        gradient = x.T @ (sample_weights * (p - y)) + penalty * w
        hessian = (x * (sample_weights * p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def confidence_examples(
    sentence_set: SentenceSet, index: SentenceIndex, model: RankingModel
) -> tuple[list[dict[str, float]], list[bool]]:
    """Evidence and rightness of the best answer for every question, answerable or not."""
    evidence, right = [], []
    for question in sentence_set.questions:
        ranked = merge_near_duplicates(rank_candidates(index, question.question, accept=question.has_candidate, model=model))
        if ranked:
            evidence.append(confidence_evidence(ranked))
            best = ranked[0].passage
            right.append(question.labels[(best.article.article_id, best.position)])
    return evidence, right


def train(wikiqa: Path, trecqa: Path, without: Sequence[str] = ()) -> RankingModel:
    """Fit ranking weights on both training sets, then confidence on WikiQA's."""
    wiki = read_wikiqa(wikiqa)
    wiki_index = wiki.index()
    trec = read_trecqa(trecqa)
    groups = ranking_groups(wiki, wiki_index) + ranking_groups(trec, trec.index())
    used = [n for n, name in enumerate(FEATURES) if name not in without]
    weights = fit_pairwise([(right[:, used], wrong[:, used]) for right, wrong in groups])
    ranking = RankingModel({FEATURES[n]: round(float(w), 6) for n, w in zip(used, weights)}, {})
    evidence, right = confidence_examples(wiki, wiki_index, ranking)
    confidence = {name: round(value, 6) for name, value in fit_confidence(evidence, right).items()}
    return RankingModel(ranking.weights, confidence)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--wikiqa", type=Path, required=True, help="WikiQA-train.tsv")
    parser.add_argument("--trecqa", type=Path, required=True, help="TrecQA train.csv")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--without", action="append", default=[], choices=FEATURES, help="leave a feature out (ablation)")
    args = parser.parse_args(argv)
    model = train(args.wikiqa, args.trecqa, args.without)
    args.output.write_text(json.dumps(model.to_json(), indent=2) + "\n", encoding="utf-8")
    for name, weight in model.weights.items():
        print(f"{name:>16} {weight:+.4f}")
    print(f"confidence: {model.confidence}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
