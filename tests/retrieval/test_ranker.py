"""The shipped ranking model: readable weights for every feature, a confidence that means a probability."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.features import FEATURES
from retrieval.ranker import RankingModel
from retrieval.train import fit_confidence, fit_pairwise


def test_the_shipped_model_weighs_every_feature_and_nothing_else():
    model = RankingModel.load()
    assert set(model.weights) == set(FEATURES)
    assert model.weights["bm25"] > 0


def test_confidence_is_a_probability_that_grows_with_coverage():
    model = RankingModel.load()
    evidence = {"coverage": 0.2, "exact_coverage": 0.2, "margin": 0.5, "score": 3.0}
    low = model.probability(evidence)
    high = model.probability({**evidence, "coverage": 1.0, "exact_coverage": 1.0})
    assert 0 < low < high < 1


def test_switching_a_feature_off_zeroes_its_weight_only():
    model = RankingModel.load().without("answer_type")
    assert model.vector[FEATURES.index("answer_type")] == 0
    assert model.vector[FEATURES.index("bm25")] == RankingModel.load().weights["bm25"]


def test_unknown_features_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        RankingModel.from_json({"weights": {"colour": 1.0}, "confidence": {}})


def test_pairwise_training_learns_which_feature_separates_right_from_wrong():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(50):
        wrong = rng.random((5, 2))
        right = wrong[:1].copy()
        right[0, 0] += 1.0  # only the first feature tells them apart
        groups.append((right, wrong))
    weights = fit_pairwise(groups)
    assert weights[0] > 1 and abs(weights[1]) < weights[0] / 4


def test_confidence_training_fits_a_rising_curve():
    evidence = [{"coverage": c, "exact_coverage": c, "margin": 0.0, "score": 0.0} for c in np.linspace(0, 1, 40)]
    right = [item["coverage"] > 0.5 for item in evidence]
    fitted = fit_confidence(evidence, right)
    assert fitted["coverage"] + fitted["exact_coverage"] > 0
