"""Gradient-boosted trees evaluated with numpy, from LightGBM's own model text.

LightGBM trains the ranker (:mod:`retrieval.train`), but answering does not
import it: the wheel brings SciPy along, and with SciPy installed NLTK loads
it at start-up, which costs a cold start more than half a second and the
process ~90 MB. The model text lists each tree's splits as parallel arrays
(feature, threshold, left and right child, where a negative child ``~n`` is
leaf ``n``), so all the trees can walk all the rows at once, one level per
step, and a ranking of a hundred candidates takes a fraction of a millisecond.

Only what LightGBM writes for numerical features is read: a categorical
split is refused rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# LightGBM's decision_type bits: categorical, default-left, and the missing-value kind.
_CATEGORICAL = 1
_DEFAULT_LEFT = 2
_MISSING_ZERO = 1
_MISSING_NAN = 2
# What LightGBM counts as zero when zero stands for missing.
_ZERO = 1e-35


@dataclass(frozen=True)
class Forest:
    """All trees' nodes in ``(tree, node)`` arrays, padded to the largest tree."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray  # child node, or ~leaf
    right: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray  # 0 none, 1 zero, 2 NaN
    leaf_value: np.ndarray  # (tree, leaf)
    single_leaf: np.ndarray  # trees that are one leaf (no split)
    depth: int

    @classmethod
    def from_lightgbm(cls, text: str) -> Forest:
        """The trees of a LightGBM model file (``Booster.model_to_string()``)."""
        trees = [_fields(block) for block in text.split("\nTree=")[1:]]
        if not trees:
            raise ValueError("no trees in the model text")
        nodes = max(max(len(t["split_feature"]) for t in trees), 1)
        leaves = max(len(t["leaf_value"]) for t in trees)
        shape = (len(trees), nodes)
        feature = np.zeros(shape, dtype=np.int64)
        threshold = np.zeros(shape)
        left = np.full(shape, -1, dtype=np.int64)
        right = np.full(shape, -1, dtype=np.int64)
        decision = np.zeros(shape, dtype=np.int64)
        leaf_value = np.zeros((len(trees), leaves))
        single_leaf = np.zeros(len(trees), dtype=bool)
        for n, tree in enumerate(trees):
            leaf_value[n, : len(tree["leaf_value"])] = tree["leaf_value"]
            count = len(tree["split_feature"])
            single_leaf[n] = count == 0
            feature[n, :count] = tree["split_feature"]
            threshold[n, :count] = tree["threshold"]
            left[n, :count] = tree["left_child"]
            right[n, :count] = tree["right_child"]
            decision[n, :count] = tree["decision_type"]
        if (decision & _CATEGORICAL).any():
            raise ValueError("categorical splits are not supported")
        return cls(
            feature,
            threshold,
            left,
            right,
            (decision & _DEFAULT_LEFT).astype(bool),
            (decision >> 2) & 3,
            leaf_value,
            single_leaf,
            _depth(left, right),
        )

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The sum of every tree's leaf for each row, as LightGBM's raw ``predict``."""
        rows = np.asarray(rows, dtype=np.float64)
        if not len(rows):
            return np.zeros(0)
        trees = np.arange(len(self.feature))
        node = np.zeros((len(rows), len(trees)), dtype=np.int64)
        for _ in range(self.depth):
            inner = node >= 0
            at = np.where(inner, node, 0)
            value = np.take_along_axis(rows, self.feature[trees, at], axis=1)
            missing = self.missing[trees, at]
            is_nan = np.isnan(value)
            # With no missing kind, NaN reads as 0; with "zero", zero is the missing value.
            value = np.where(is_nan & (missing != _MISSING_NAN), 0.0, value)
            absent = ((missing == _MISSING_ZERO) & (np.abs(value) <= _ZERO)) | ((missing == _MISSING_NAN) & is_nan)
            go_left = np.where(absent, self.default_left[trees, at], value <= self.threshold[trees, at])
            following = np.where(go_left, self.left[trees, at], self.right[trees, at])
            node = np.where(inner, following, node)
        leaf = np.where(self.single_leaf, 0, ~node)
        return self.leaf_value[trees, leaf].sum(axis=1)


def _fields(block: str) -> dict[str, list[float]]:
    """A tree's arrays by name, from its ``key=v v v`` lines."""
    wanted = {"split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value"}
    fields: dict[str, list[float]] = {name: [] for name in wanted}
    for line in block.splitlines():
        key, _, values = line.partition("=")
        if key in wanted and values:
            fields[key] = [float(v) for v in values.split()]
    for name in ("split_feature", "decision_type", "left_child", "right_child"):
        fields[name] = [int(v) for v in fields[name]]
    return fields


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    """The most splits any path from a root to a leaf passes."""
    deepest = 1
    for tree in range(len(left)):
        stack = [(0, 1)]
        while stack:
            node, level = stack.pop()
            deepest = max(deepest, level)
            for child in (left[tree, node], right[tree, node]):
                if child >= 0:
                    stack.append((int(child), level + 1))
    return deepest
