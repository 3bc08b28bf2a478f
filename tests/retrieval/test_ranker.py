"""The shipped ranking model: trees over every feature, a confidence that means a probability."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.article import Article
from retrieval.features import FEATURES
from retrieval.index import Passage
from retrieval.ranker import RankingModel, uses
from retrieval.evaluate import roc_auc
from retrieval.train import SEED, Pool, cross_validate, fit_confidence, fit_linear, fit_trees, half_way, seeds_table

SOURCE_WEIGHTS = {"news": 1.0, "wikiqa": 1.0, "trecqa": 1.0}


def test_the_shipped_model_reads_every_feature_and_nothing_else():
    model = RankingModel.load()
    assert model.trees is not None
    assert tuple(uses(model)) == FEATURES


def test_confidence_is_a_probability_that_grows_with_the_lead_over_the_runner_up():
    model = RankingModel.load()
    evidence = {"coverage": 0.6, "exact_coverage": 0.6, "margin": 0.1, "score": 1.0}
    low = model.probability(evidence)
    high = model.probability({**evidence, "margin": 2.0})
    assert 0 < low < high < 1


def test_switching_a_feature_off_reads_it_as_absent():
    model = RankingModel.load()
    rows = np.zeros((2, len(FEATURES)))
    rows[:, FEATURES.index("coverage")] = 0.8
    rows[0, FEATURES.index("position")] = 1.0
    off = model.without("position")
    assert off.scores(rows)[0] == model.scores(rows)[1] == off.scores(rows)[1]


def test_unknown_features_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        RankingModel.from_json({"weights": {"colour": 1.0}, "confidence": {}})


def separable_pools(count: int = 60) -> list[Pool]:
    """Questions whose one right candidate differs from the wrong ones in ``coverage`` alone."""
    rng = np.random.default_rng(0)
    pools = []
    for n in range(count):
        features = rng.random((6, len(FEATURES)))
        features[0, FEATURES.index("coverage")] += 1.0
        right = np.zeros(6, dtype=bool)
        right[0] = True
        pools.append(Pool("news", f"q{n}", "open", f"a{n}", features, right, ()))
    return pools


@pytest.mark.parametrize("fit", [fit_linear, fit_trees])
def test_training_learns_which_feature_separates_right_from_wrong(fit):
    model = fit(separable_pools(), FEATURES, SOURCE_WEIGHTS)
    unseen = separable_pools(20)
    assert all(np.argmax(model.scores(pool.features)) == 0 for pool in unseen)


def test_confidence_training_fits_a_rising_curve():
    evidence = [{"coverage": c, "exact_coverage": c, "margin": 0.0, "score": 0.0} for c in np.linspace(0, 1, 40)]
    right = [item["coverage"] > 0.5 for item in evidence]
    fitted = fit_confidence(evidence, right)
    assert fitted["coverage"] + fitted["exact_coverage"] > 0


def test_half_way_is_the_confidence_at_which_answers_are_as_often_right_as_wrong():
    # Right with probability rising through one half at 0.6: 1 in 4 at 0.4, 3 in 4 at 0.8.
    scored = [(0.4, n < 1) for n in range(4)] + [(0.6, n < 2) for n in range(4)] + [(0.8, n < 3) for n in range(4)]
    assert half_way(scored) == pytest.approx(0.6, abs=1e-6)
    assert half_way([(confidence + 0.1, right) for confidence, right in scored]) == pytest.approx(0.7, abs=1e-6)


def test_roc_auc_is_the_chance_a_right_answer_outranks_a_wrong_one():
    assert roc_auc([(0.9, True), (0.2, False)]) == 1.0
    assert roc_auc([(0.2, True), (0.9, False)]) == 0.0
    assert roc_auc([(0.5, True), (0.5, False)]) == 0.5


def test_folds_keep_every_question_of_one_article_together_and_are_reproducible():
    from retrieval.train import folds

    pools = [Pool("news", f"q{n}", "open", f"article-{n % 7}", np.zeros((1, len(FEATURES))), np.zeros(1, bool), ())
             for n in range(40)]
    assignment = folds(pools, 5)
    by_article: dict[str, set[int]] = {}
    for pool, fold in zip(pools, assignment, strict=True):
        by_article.setdefault(pool.group, set()).add(fold)
    assert all(len(found) == 1 for found in by_article.values())
    assert len(set(assignment)) == 5
    assert folds(pools, 5) == assignment


def noisy_pools(count: int = 80) -> list[Pool]:
    """Questions whose right candidate stands out in ``coverage`` only now and then: what the trees learn varies."""
    rng = np.random.default_rng(1)
    pools = []
    for n in range(count):
        features = rng.random((8, len(FEATURES)))
        features[0, FEATURES.index("coverage")] += rng.normal(0.2, 0.5)
        right = np.zeros(8, dtype=bool)
        right[0] = True
        article = Article(f"a{n % 40}", "Story", ())
        passages = tuple(Passage(article, place, f"Sentence {place} of question {n}.") for place in range(8))
        pools.append(Pool("news", f"q{n}", "open", article.article_id, features, right, passages))
    return pools


def test_a_tree_seed_draws_other_trees_and_the_same_seed_the_same_ones():
    pools = noisy_pools()
    shipped = fit_trees(pools, FEATURES, SOURCE_WEIGHTS)
    assert fit_trees(pools, FEATURES, SOURCE_WEIGHTS, SEED).trees == shipped.trees
    assert fit_trees(pools, FEATURES, SOURCE_WEIGHTS, 7).trees != shipped.trees


def test_cross_validation_with_another_seed_is_another_draw_of_folds_and_trees():
    pools = noisy_pools()
    default = cross_validate(pools, FEATURES, 4).per_fold
    assert cross_validate(pools, FEATURES, 4, seed=SEED).per_fold == default
    assert cross_validate(pools, FEATURES, 4, seed=7).per_fold != default


def test_the_seeds_table_shows_each_seeds_means_then_their_range_and_mean():
    summaries = {1987: {"news_acc1": (0.60, 0.05), "wikiqa_map": (0.70, 0.02)},
                 7: {"news_acc1": (0.64, 0.04), "wikiqa_map": (0.68, 0.01)}}
    header, columns, first, second, spread, mean = seeds_table(summaries).splitlines()
    assert header == "CV means with 2 fold and tree seeds:"
    assert columns.split() == ["seed", "news", "acc@1", "WikiQA", "MAP"]
    assert first.split() == ["1987", "0.6000", "0.7000"] and second.split() == ["7", "0.6400", "0.6800"]
    assert spread.split() == ["range", "0.600-0.640", "0.680-0.700"]
    assert mean.split() == ["mean", "0.6200", "0.6900"]
