"""Train the ranking model shipped in ``retrieval/data/ranker.json``, and measure it honestly.

    python -m retrieval.train --news ../shared/data/newsqa/reuters-qa-train.jsonl \\
        --corpus ../shared/data/reuters21578.jsonl.gz \\
        --wikiqa ../shared/data/wikiqa/WikiQA-train.tsv --trecqa ../shared/data/trecqa/train.csv \\
        [--cv 5 [--cv-seeds 7,42,1,2,3]] [--output retrieval/data/ranker.json]

Training splits only. The news dev file and the WikiQA/TrecQA dev files are
for the last check (:mod:`retrieval.evaluate`); nothing here reads them.

What is fitted, seeded and in about a minute on two cores:

* **Ranking**: gradient-boosted trees, LightGBM's lambdarank (:data:`TREE_PARAMETERS`),
  over the exact candidates and features the bot computes
  (:func:`retrieval.answer.candidate_pool`). News questions rank the whole
  Reuters corpus, as the bot does; WikiQA and TrecQA questions count twice,
  once ranking their own candidates (``rerank``) and once the whole pooled
  file (``open``). A news question weighs :data:`NEWS_WEIGHT` times a
  WikiQA or TrecQA one, since news is what Lede answers. ``--model linear``
  fits the pairwise logistic model the trees replaced, for comparison.
* **Confidence**: a logistic curve from the best answer's evidence
  (:func:`retrieval.answer.confidence_evidence`) to whether it is right,
  fitted on news answers given by rankers that had not seen the question.

``--cv K`` first runs K-fold cross-validation (folds grouped by article for
news, by question for WikiQA and TrecQA, seeded) and prints the mean and the
spread (standard deviation over folds) of news accuracy@1 and @3, all
questions and paraphrased ones, WikiQA and TrecQA rerank MAP and MRR, plain
BM25's news accuracy on the same folds, and how well the out-of-fold
confidence separates right answers from wrong ones (ROC AUC, reliability).
``--cv-seeds`` repeats the cross-validation with other fold and tree seeds
and prints each seed's figures and their range: one seed is one draw.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from corpus.loader import load_paths
from retrieval.answer import Candidate, candidate_pool, confidence_evidence, merge_near_duplicates
from retrieval.datasets import LabelledQuestion, NewsQuestion, SentenceSet, read_news_questions, read_trecqa, read_wikiqa
from retrieval.evaluate import PlainBM25, average_precision, reciprocal_rank, roc_auc
from retrieval.features import FEATURES
from retrieval.index import Passage, SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.ranker import CONFIDENCE_INPUTS, MODEL_FILE_NAME, RankingModel, uses
from retrieval.text import Analyzer

DEFAULT_OUTPUT = Path(__file__).parent / "data" / MODEL_FILE_NAME
# L2 penalty: enough to keep correlated features (the coverages) from
# trading huge opposite weights, small enough not to flatten the signal.
RANKING_L2 = 1.0
CONFIDENCE_L2 = 0.1
# How much one news question weighs against one WikiQA or TrecQA question.
NEWS_WEIGHT = 10.0
SEED = 1987
# Rankers trained to give the confidence curve answers to questions they have not seen.
CONFIDENCE_FOLDS = 3


@dataclass(frozen=True)
class Pool:
    """One question's candidates in one setting, as the ranker sees them, with the truth about each.

    ``unranked`` are the labels of a rerank question's candidates that BM25
    did not return (they share no term with it); they follow the ranked
    ones in their original order, as in :func:`retrieval.evaluate.rerank_labels`.
    """

    source: str  # "news", "wikiqa" or "trecqa"
    question: str
    mode: str  # "open" (the whole corpus) or "rerank" (the question's own candidates)
    group: str  # what a fold keeps together
    features: np.ndarray
    right: np.ndarray
    passages: tuple[Passage, ...]
    unranked: tuple[bool, ...] = ()
    paraphrased: bool = False
    scored: bool = True  # counted in the metrics (WikiQA: answerable; TrecQA: mixed)

    @property
    def trainable(self) -> bool:
        return bool(self.right.any()) and not bool(self.right.all())

    def order(self, model: RankingModel) -> np.ndarray:
        """Candidate order under ``model``, best first, ties in BM25 order (as the bot)."""
        return np.argsort(-model.scores(self.features), kind="stable")


# ---- building the pools ------------------------------------------------------------------


def news_pools(questions: Sequence[NewsQuestion], index: SentenceIndex) -> list[Pool]:
    """Each news question ranking the whole corpus, labelled by gold article and answer span."""
    pools = []
    for question in questions:
        candidates = candidate_pool(index, question.question)
        passages = tuple(candidates.passages)
        right = np.array([question.is_answered_by(p.article.article_id, p.text) for p in passages], dtype=bool)
        pools.append(Pool("news", question.question, "open", question.article_id, candidates.features, right, passages,
                          paraphrased=question.paraphrased))
    return pools


def selection_pools(source: str, sentence_set: SentenceSet, index: SentenceIndex) -> list[Pool]:
    """Each answerable question in both settings: among its own candidates, and over the whole file."""
    pools = []
    for question in sentence_set.questions:
        if not question.answerable:
            continue
        scored = question.mixed if source == "trecqa" else True
        pools.append(_rerank_pool(source, question, index, scored))
        candidates = candidate_pool(index, question.question)
        passages = tuple(candidates.passages)
        right_texts = {c.text for c in question.candidates if c.correct}
        right = np.array([p.text in right_texts for p in passages], dtype=bool)
        pools.append(Pool(source, question.question, "open", question.question, candidates.features, right, passages,
                          scored=False))
    return pools


def _rerank_pool(source: str, question: LabelledQuestion, index: SentenceIndex, scored: bool) -> Pool:
    candidates = candidate_pool(index, question.question, accept=question.has_candidate)
    passages = tuple(candidates.passages)
    keys = [p.key for p in passages]
    labels = question.labels
    right = np.array([labels[key] for key in keys], dtype=bool)
    seen = set(keys)
    unranked = tuple(correct for key, correct in labels.items() if key not in seen)
    return Pool(source, question.question, "rerank", question.question, candidates.features, right, passages, unranked,
                scored=scored)


# ---- fitting -----------------------------------------------------------------------------


def fit_pairwise(pools: Iterable[Pool], source_weights: Mapping[str, float], l2: float = RANKING_L2) -> np.ndarray:
    """Weights ``w`` minimising the weighted mean per-question logistic loss of ``w·(right - wrong)``, plus L2.

    A question's pairs share its weight, however many there are.
    """
    differences = []
    pair_weights = []
    total = 0.0
    for pool in pools:
        if not pool.trainable:
            continue
        right, wrong = pool.features[pool.right], pool.features[~pool.right]
        pairs = (right[:, None, :] - wrong[None, :, :]).reshape(-1, right.shape[1])
        weight = source_weights[pool.source]
        differences.append(pairs)
        pair_weights.append(np.full(len(pairs), weight / len(pairs)))
        total += weight
    x = np.concatenate(differences)
    return _newton_logistic(x, np.ones(len(x)), np.concatenate(pair_weights), l2 * total / 1000)


def fit_confidence(evidence: Sequence[Mapping[str, float]], right: Sequence[bool], l2: float = CONFIDENCE_L2) -> dict[str, float]:
    """Logistic regression from the best answer's evidence to whether it is right."""
    x = np.array([[1.0, *(item[name] for name in CONFIDENCE_INPUTS)] for item in evidence])
    y = np.array(right, dtype=np.float64)
    coefficients = _newton_logistic(x, y, np.ones(len(y)), l2, unpenalised=(0,))
    return {"bias": float(coefficients[0]), **{name: float(c) for name, c in zip(CONFIDENCE_INPUTS, coefficients[1:])}}


def half_way(scored: Sequence[tuple[float, bool]]) -> float:
    """Where a logistic curve of "right" on the confidence, fitted to ``scored`` (confidence, right), crosses one half."""
    x = np.array([[1.0, confidence] for confidence, _ in scored])
    y = np.array([right for _, right in scored], dtype=np.float64)
    bias, slope = _newton_logistic(x, y, np.ones(len(y)), 0.0)
    return float(-bias / slope)


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


def best_answer(pool: Pool, model: RankingModel) -> tuple[dict[str, float], bool] | None:
    """The evidence behind the answer the bot would give for ``pool``, and whether it is right."""
    if not len(pool.passages):
        return None
    scores = model.scores(pool.features)
    order = np.argsort(-scores, kind="stable")
    coverage, exact = FEATURES.index("coverage"), FEATURES.index("exact_coverage")
    ranked = [
        Candidate(pool.passages[i], float(scores[i]), float(pool.features[i, coverage]), float(pool.features[i, exact]))
        for i in order.tolist()
    ]
    # The best candidate always leads its group of near-duplicates.
    merged = merge_near_duplicates(ranked, keep=2)
    return confidence_evidence(merged), bool(pool.right[order[0]])


# LightGBM lambdarank, chosen by 5-fold CV on the training questions (README, "Answer quality").
# Small trees and a slow rate: 630 news questions are few, and a deep model learns their quirks.
# The seed is fit_trees' own argument (SEED for the shipped model).
TREE_PARAMETERS = {
    "objective": "lambdarank",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambdarank_truncation_level": 10,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
TREE_ROUNDS = 300


def fit_trees(
    pools: Sequence[Pool], used: Sequence[str], source_weights: Mapping[str, float], seed: int = SEED
) -> RankingModel:
    """Gradient-boosted trees ranking each question's candidates (lambdarank), questions weighted by source.

    ``seed`` draws the rows and features each tree sees (bagging): another seed, other trees.
    """
    import lightgbm

    columns = [FEATURES.index(name) for name in used]
    trainable = [pool for pool in pools if pool.trainable]
    sizes = [len(pool.right) for pool in trainable]
    data = lightgbm.Dataset(
        np.concatenate([pool.features[:, columns] for pool in trainable]),
        np.concatenate([pool.right.astype(np.int32) for pool in trainable]),
        group=sizes,
        weight=np.repeat([source_weights[pool.source] for pool in trainable], sizes),
    )
    booster = lightgbm.train({**TREE_PARAMETERS, "seed": seed}, data, TREE_ROUNDS)
    return RankingModel({}, {}, booster.model_to_string(), tuple(used))


def fit_linear(
    pools: Sequence[Pool], used: Sequence[str], source_weights: Mapping[str, float], seed: int = SEED
) -> RankingModel:
    """Pairwise logistic weights, one per feature: the model trees replaced, kept for comparison (no ``seed``
    changes it)."""
    columns = [FEATURES.index(name) for name in used]
    weights = fit_pairwise((_select(pool, columns) for pool in pools), source_weights)
    return RankingModel({name: round(float(w), 6) for name, w in zip(used, weights)}, {})


FITTERS = {"trees": fit_trees, "linear": fit_linear}


def fit_model(
    pools: Sequence[Pool], used: Sequence[str], news_weight: float = NEWS_WEIGHT, kind: str = "trees", seed: int = SEED
) -> RankingModel:
    """Ranking on every pool, then confidence on news answers the ranking gives to questions it never saw.

    A ranker is right far more often on the questions it was trained on, so
    a confidence fitted on those would promise too much: the answers it
    learns from come from :data:`CONFIDENCE_FOLDS` rankers, each trained
    without the questions it answers.
    """
    weights = {"news": news_weight, "wikiqa": 1.0, "trecqa": 1.0}
    ranking = FITTERS[kind](pools, used, weights, seed)
    assignment = folds(pools, CONFIDENCE_FOLDS, seed=seed + 1)
    answers = []
    for fold in range(CONFIDENCE_FOLDS):
        held_out = FITTERS[kind]([p for p, f in zip(pools, assignment) if f != fold], used, weights, seed)
        answers += [best_answer(p, held_out) for p, f in zip(pools, assignment) if f == fold and p.source == "news"]
    given = [answer for answer in answers if answer]
    confidence = fit_confidence([evidence for evidence, _ in given], [right for _, right in given])
    return ranking.with_confidence({name: round(value, 6) for name, value in confidence.items()})


def _select(pool: Pool, columns: Sequence[int]) -> Pool:
    return replace(pool, features=pool.features[:, columns])


# ---- measuring ---------------------------------------------------------------------------


def news_accuracy(pools: Sequence[Pool], model: RankingModel) -> dict[str, float]:
    """accuracy@1 and @3 of news questions, all and paraphrased."""
    tops = [(pool.paraphrased, pool.right[pool.order(model)[:3]]) for pool in pools]

    def share(values: list[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    return {
        "news_acc1": share([bool(top[:1].any()) for _, top in tops]),
        "news_acc3": share([bool(top.any()) for _, top in tops]),
        "news_para_acc1": share([bool(top[:1].any()) for para, top in tops if para]),
        "news_para_acc3": share([bool(top.any()) for para, top in tops if para]),
    }


def rerank_quality(pools: Sequence[Pool], model: RankingModel, source: str) -> dict[str, float]:
    """MAP and MRR of rerank pools, as :mod:`retrieval.evaluate` counts them."""
    ranked = [list(pool.right[pool.order(model)]) + list(pool.unranked) for pool in pools if pool.scored]
    if not ranked:
        return {}
    return {
        f"{source}_map": statistics.fmean(map(average_precision, ranked)),
        f"{source}_mrr": statistics.fmean(map(reciprocal_rank, ranked)),
    }


def measure(pools: Sequence[Pool], model: RankingModel) -> dict[str, float]:
    news = [p for p in pools if p.source == "news"]
    figures = news_accuracy(news, model) if news else {}
    for source in ("wikiqa", "trecqa"):
        figures |= rerank_quality([p for p in pools if p.source == source and p.mode == "rerank"], model, source)
    return figures


def folds(pools: Sequence[Pool], k: int, seed: int = SEED) -> list[int]:
    """A fold number for each pool; every pool of one group (article or question) in the same fold."""
    groups = sorted({(pool.source, pool.group) for pool in pools})
    random.Random(seed).shuffle(groups)
    fold_of = {group: n % k for n, group in enumerate(groups)}
    return [fold_of[(pool.source, pool.group)] for pool in pools]


@dataclass(frozen=True)
class CrossValidation:
    """Per-fold figures, and the out-of-fold confidence of every news answer with its rightness."""

    per_fold: list[dict[str, float]]
    confidence: list[tuple[float, bool]]
    questions: int  # news questions, answered or not

    def summary(self) -> dict[str, tuple[float, float]]:
        """Each figure's mean and spread (standard deviation over folds)."""
        names = self.per_fold[0].keys()
        return {
            name: (statistics.fmean(f[name] for f in self.per_fold), statistics.stdev(f[name] for f in self.per_fold))
            for name in names
        }


def cross_validate(
    pools: Sequence[Pool],
    used: Sequence[str],
    k: int,
    baseline: Mapping[int, bool] | None = None,
    news_weight: float = NEWS_WEIGHT,
    kind: str = "trees",
    seed: int = SEED,
) -> CrossValidation:
    """Train on k-1 folds, measure on the k-th, k times.

    ``baseline`` maps a news pool's position in ``pools`` to whether plain
    BM25's first answer is right: its accuracy is reported on the same folds.
    ``seed`` draws the folds and the trees.
    """
    assignment = folds(pools, k, seed)
    per_fold, confidence = [], []
    for fold in range(k):
        train_pools = [p for p, f in zip(pools, assignment) if f != fold]
        test_positions = [n for n, f in enumerate(assignment) if f == fold]
        test_pools = [pools[n] for n in test_positions]
        model = fit_model(train_pools, used, news_weight, kind, seed)
        figures = measure(test_pools, model)
        if baseline is not None:
            news_tests = [n for n in test_positions if pools[n].source == "news"]
            figures["bm25_news_acc1"] = statistics.fmean(baseline[n] for n in news_tests)
            para = [n for n in news_tests if pools[n].paraphrased]
            figures["bm25_news_para_acc1"] = statistics.fmean(baseline[n] for n in para)
        for pool in test_pools:
            if pool.source == "news":
                answer = best_answer(pool, model)
                if answer:
                    confidence.append((model.probability(answer[0]), answer[1]))
        per_fold.append(figures)
    return CrossValidation(per_fold, confidence, sum(pool.source == "news" for pool in pools))


def reliability(scored: Sequence[tuple[float, bool]], edges: Sequence[float] = (0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0001)) -> list[tuple[str, int, float, float]]:
    """Per confidence bin: its range, how many answers, mean confidence, share right."""
    rows = []
    for low, high in zip(edges, edges[1:]):
        inside = [(s, r) for s, r in scored if low <= s < high]
        if inside:
            rows.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(inside), statistics.fmean(s for s, _ in inside),
                         statistics.fmean(float(r) for _, r in inside)))
    return rows


def thresholds(scored: Sequence[tuple[float, bool]], questions: int, cuts: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)) -> list[tuple[float, float, float, float]]:
    """Per abstain threshold: share of questions answered, precision of the answers, recall of right answers."""
    rows = []
    for cut in cuts:
        answered = [right for confidence, right in scored if confidence >= cut]
        rows.append((cut, len(answered) / questions, sum(answered) / len(answered) if answered else 0.0,
                     sum(answered) / questions))
    return rows


def plain_bm25_news(pools: Sequence[Pool], questions: Sequence[NewsQuestion], index: SentenceIndex) -> dict[int, bool]:
    """Whether rank-bm25's first sentence is right, for each news pool (by its position in ``pools``)."""
    ranker = PlainBM25(index.passages).ranker(depth=1)
    by_text = {q.question: q for q in questions}
    result = {}
    for n, pool in enumerate(pools):
        if pool.source != "news":
            continue
        question = by_text[pool.question]
        top = ranker(question.question, None)
        result[n] = bool(top) and question.is_answered_by(top[0].article.article_id, top[0].text)
    return result


# ---- command line ------------------------------------------------------------------------


def build_pools(args: argparse.Namespace, log: Callable[[str], None]) -> tuple[list[Pool], dict[int, bool] | None]:
    pools: list[Pool] = []
    baseline = None
    if args.news:
        started = time.perf_counter()
        index = SentenceIndex(Analyzer(Lexicon.load()))
        index.add(load_paths(args.corpus))
        questions = read_news_questions(args.news)
        pools += news_pools(questions, index)
        if args.cv:
            baseline = plain_bm25_news(pools, questions, index)
        log(f"news: {len(questions)} questions over {index.article_count} articles ({time.perf_counter() - started:.0f} s)")
    for source, path, reader in (("wikiqa", args.wikiqa, read_wikiqa), ("trecqa", args.trecqa, read_trecqa)):
        if path:
            sentence_set = reader(path)
            pools += selection_pools(source, sentence_set, sentence_set.index())
            log(f"{source}: {len(sentence_set.questions)} questions")
    return pools, baseline


def cv_table(result: CrossValidation) -> str:
    summary = result.summary()
    labels = {
        "news_acc1": "news accuracy@1",
        "news_acc3": "news accuracy@3",
        "news_para_acc1": "news paraphrased acc@1",
        "news_para_acc3": "news paraphrased acc@3",
        "bm25_news_acc1": "plain BM25 news acc@1",
        "bm25_news_para_acc1": "plain BM25 paraphrased acc@1",
        "wikiqa_map": "WikiQA rerank MAP",
        "wikiqa_mrr": "WikiQA rerank MRR",
        "trecqa_map": "TrecQA rerank MAP",
        "trecqa_mrr": "TrecQA rerank MRR",
    }
    lines = [f"{len(result.per_fold)}-fold cross-validation on the training sets: mean ± spread (sd over folds)"]
    lines += [f"  {labels.get(name, name):30} {mean:.4f} ± {spread:.4f}" for name, (mean, spread) in summary.items()]
    if result.confidence:
        lines.append(f"  {'confidence ROC AUC (news)':30} {roc_auc(result.confidence):.4f}")
        lines.append("  reliability of out-of-fold confidence (news): bin, answers, mean confidence, share right")
        lines += [f"    {b:>8} {n:5d} {c:8.3f} {r:8.3f}" for b, n, c, r in reliability(result.confidence)]
        lines.append("  abstaining below a confidence (news): threshold, answered, precision, recall")
        lines += [f"    {t:8.2f} {a:8.3f} {p:8.3f} {r:8.3f}" for t, a, p, r in thresholds(result.confidence, result.questions)]
    return "\n".join(lines)


# The figures :func:`seeds_table` shows for each fold and tree seed.
SEED_FIGURES = {"news_acc1": "news acc@1", "news_para_acc1": "paraphrased", "wikiqa_map": "WikiQA MAP",
                "trecqa_map": "TrecQA MAP"}


def seeds_table(summaries: Mapping[int, Mapping[str, tuple[float, float]]]) -> str:
    """Each seed's CV means, then their range and mean over the seeds.

    One seed's folds and trees are one draw: a change that moves a few
    pools moves the trees' bagging, and a figure by a hundredth, so a figure
    is better read across seeds.
    """
    names = [name for name in SEED_FIGURES if all(name in summary for summary in summaries.values())]
    lines = [f"CV means with {len(summaries)} fold and tree seeds:",
             f"  {'seed':>6}" + "".join(f"{SEED_FIGURES[name]:>14}" for name in names)]
    lines += [f"  {seed:>6}" + "".join(f"{summary[name][0]:>14.4f}" for name in names)
              for seed, summary in summaries.items()]
    ranges = [[summary[name][0] for summary in summaries.values()] for name in names]
    lines.append(f"  {'range':>6}" + "".join(f"{f'{min(r):.3f}-{max(r):.3f}':>14}" for r in ranges))
    lines.append(f"  {'mean':>6}" + "".join(f"{statistics.fmean(r):>14.4f}" for r in ranges))
    return "\n".join(lines)


def seed_list(text: str) -> list[int]:
    """``--cv-seeds 7,42,1``: whole numbers, comma-separated."""
    return [int(part) for part in text.split(",")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, help="news training questions (reuters-qa-train.jsonl)")
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="the articles the news questions are over")
    parser.add_argument("--wikiqa", type=Path, help="WikiQA-train.tsv")
    parser.add_argument("--trecqa", type=Path, help="TrecQA train.csv")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="print K-fold cross-validation figures first")
    parser.add_argument("--cv-only", action="store_true", help="cross-validate, write no model")
    parser.add_argument("--cv-seeds", type=seed_list, default=[], metavar="SEED,...",
                        help=f"with --cv: also cross-validate with these fold and tree seeds (besides {SEED}) and "
                             "print each seed's figures and their range")
    parser.add_argument("--news-weight", type=float, default=NEWS_WEIGHT)
    parser.add_argument("--model", choices=sorted(FITTERS), default="trees", help="the kind of ranker (default: trees)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--without", action="append", default=[], choices=FEATURES, help="leave a feature out (ablation)")
    parser.add_argument("--json", action="store_true", help="end with the CV summary as one JSON line")
    args = parser.parse_args(argv)
    if args.news and not args.corpus:
        parser.error("--news needs --corpus (e.g. ../shared/data/reuters21578.jsonl.gz)")
    if not (args.news or args.wikiqa or args.trecqa):
        parser.error("give at least one training set: --news, --wikiqa or --trecqa")
    if args.cv_seeds and not args.cv:
        parser.error("--cv-seeds needs --cv K")

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    pools, baseline = build_pools(args, log)
    used = [name for name in FEATURES if name not in args.without]
    if args.cv:
        result = cross_validate(pools, used, args.cv, baseline, args.news_weight, args.model)
        print(cv_table(result))
        seeds = {SEED: result.summary()}
        for seed in args.cv_seeds:
            log(f"cross-validating with seed {seed}")
            seeds[seed] = cross_validate(pools, used, args.cv, None, args.news_weight, args.model, seed).summary()
        if args.cv_seeds:
            print(seeds_table(seeds))
        if args.json:
            summary: dict[str, object] = {name: [round(m, 4), round(s, 4)] for name, (m, s) in result.summary().items()}
            if result.confidence:
                summary["confidence_auc"] = round(roc_auc(result.confidence), 4)
            if args.cv_seeds:
                summary["seeds"] = {str(seed): {name: round(figures[name][0], 4) for name in SEED_FIGURES if name in figures}
                                    for seed, figures in seeds.items()}
            print(json.dumps(summary))
    if args.cv_only:
        return 0
    model = fit_model(pools, used, args.news_weight, args.model)
    args.output.write_text(json.dumps(model.to_json(), indent=2) + "\n", encoding="utf-8")
    print(f"features: {', '.join(uses(model))}")
    print(f"confidence: {model.confidence}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
