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


def test_a_forest_reading_zero_as_missing_also_matches():
    rng = np.random.default_rng(5)
    x = rng.random((400, 3))
    x[rng.random(x.shape) < 0.3] = 0.0
    y = x[:, 0] * 3 - (x[:, 1] == 0)
    booster = lightgbm.train(
        {"objective": "regression", "num_leaves": 6, "verbose": -1, "seed": 1, "deterministic": True,
         "zero_as_missing": True},
        lightgbm.Dataset(x, y),
        30,
    )
    rows = rng.random((200, 3))
    rows[rng.random(rows.shape) < 0.3] = 0.0
    text = booster.model_to_string()
    assert Forest.from_lightgbm(text).missing.tolist().count(1) > 0  # the splits do read zero as missing
    assert np.allclose(Forest.from_lightgbm(text).predict(rows), booster.predict(rows), rtol=0, atol=1e-9)


@pytest.mark.parametrize("leaves", [12, 40])
def test_trees_of_many_leaves_and_of_different_sizes_also_match(leaves):
    # Each tree's leaves are the bits of one integer: 16 bits for 12 leaves, 64 for 40.
    rng = np.random.default_rng(11)
    x = rng.random((2000, 5))
    y = np.sin(6 * x[:, 0]) + x[:, 1] * x[:, 2] + (x[:, 3] > 0.7)
    booster = lightgbm.train(
        {"objective": "regression", "num_leaves": leaves, "learning_rate": 0.5, "min_data_in_leaf": 5,
         "min_gain_to_split": 0.05, "verbose": -1, "seed": 1, "deterministic": True},
        lightgbm.Dataset(x, y),
        25,
    )
    text = booster.model_to_string()
    sizes = {int(line.split("=")[1]) for line in text.splitlines() if line.startswith("num_leaves=")}
    assert leaves in sizes and len(sizes) > 1  # some trees are smaller, and padded
    rows = rng.random((300, 5))
    assert np.allclose(Forest.from_lightgbm(text).predict(rows), booster.predict(rows), rtol=0, atol=1e-9)


def test_trees_of_more_than_64_leaves_are_refused():
    text = "tree\nTree=0\nnum_leaves=65\nleaf_value=" + " ".join(["0"] * 65) + "\n"
    with pytest.raises(ValueError, match="more than 64 leaves"):
        Forest.from_lightgbm(text)


def test_trees_of_a_single_leaf_add_their_value_to_every_row():
    text = "tree\nTree=0\nnum_leaves=1\nleaf_value=0.5\n\nTree=1\nnum_leaves=1\nleaf_value=0.25\n"
    assert Forest.from_lightgbm(text).predict(np.zeros((3, 2))).tolist() == [0.75, 0.75, 0.75]


def test_a_model_without_trees_is_refused():
    with pytest.raises(ValueError, match="no trees"):
        Forest.from_lightgbm("tree\nversion=v4\n")
