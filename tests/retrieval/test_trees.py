"""The numpy forest scores exactly as LightGBM itself does on the same model."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.ranker import RankingModel
from retrieval.trees import Forest

lightgbm = pytest.importorskip("lightgbm", reason="LightGBM comes with the test extra; it trains the ranker")


def test_the_forest_predicts_what_lightgbm_predicts_for_the_shipped_model():
    model = RankingModel.load()
    rng = np.random.default_rng(7)
    rows = rng.random((500, len(model.inputs)))
    rows[rng.random(rows.shape) < 0.3] = 0.0  # features are often exactly 0
    expected = lightgbm.Booster(model_str=model.trees).predict(rows, num_threads=1)
    assert np.allclose(Forest.from_lightgbm(model.trees).predict(rows), expected, rtol=0, atol=1e-9)


def test_a_regression_forest_with_missing_values_also_matches():
    rng = np.random.default_rng(3)
    x = rng.random((400, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    y = np.nan_to_num(x[:, 0]) * 2 + (np.nan_to_num(x[:, 1]) > 0.5)
    booster = lightgbm.train(
        {"objective": "regression", "num_leaves": 5, "verbose": -1, "seed": 1, "deterministic": True},
        lightgbm.Dataset(x, y),
        40,
    )
    rows = rng.random((200, 4))
    rows[rng.random(rows.shape) < 0.2] = np.nan
    expected = booster.predict(rows)
    assert np.allclose(Forest.from_lightgbm(booster.model_to_string()).predict(rows), expected, rtol=0, atol=1e-9)


def test_a_model_without_trees_is_refused():
    with pytest.raises(ValueError, match="no trees"):
        Forest.from_lightgbm("tree\nversion=v4\n")
