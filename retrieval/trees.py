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
from functools import cached_property

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
    """Every tree's nodes and leaves in flat arrays, a leaf being a node that leads to itself.

    A leaf's threshold is +inf and both its children are itself, so a row
    that reached a leaf stays there while rows in deeper trees go on, and a
    step is the same few array operations for every (row, tree) pair.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray  # 0 none, 1 zero, 2 NaN
    value: np.ndarray  # a leaf's value, 0 for a split
    roots: np.ndarray  # deepest tree first
    deeper: tuple[int, ...]  # per step, how many trees (a prefix of ``roots``) still have splits to take

    @classmethod
    def from_lightgbm(cls, text: str) -> Forest:
        """The trees of a LightGBM model file (``Booster.model_to_string()``)."""
        trees = [_fields(block) for block in text.split("\nTree=")[1:]]
        if not trees:
            raise ValueError("no trees in the model text")
        parts: dict[str, list[np.ndarray]] = {name: [] for name in ("feature", "threshold", "left", "right", "decision", "value")}
        roots, depths, offset = [], [], 0
        for tree in trees:
            splits, leaves = len(tree["split_feature"]), len(tree["leaf_value"])

            def place(child: np.ndarray) -> np.ndarray:
                # A child ``c`` >= 0 is split c; a negative one, ``~leaf``.
                return np.where(child >= 0, offset + child, offset + splits + ~child)

            left = place(np.array(tree["left_child"], dtype=np.int64))
            right = place(np.array(tree["right_child"], dtype=np.int64))
            itself = offset + splits + np.arange(leaves)
            parts["feature"] += [np.array(tree["split_feature"], dtype=np.int64), np.zeros(leaves, dtype=np.int64)]
            parts["threshold"] += [np.array(tree["threshold"]), np.full(leaves, np.inf)]
            parts["left"] += [left, itself]
            parts["right"] += [right, itself]
            parts["decision"] += [np.array(tree["decision_type"], dtype=np.int64), np.zeros(leaves, dtype=np.int64)]
            parts["value"] += [np.zeros(splits), np.array(tree["leaf_value"])]
            roots.append(offset)
            depths.append(_depth(tree["left_child"], tree["right_child"]))
            offset += splits + leaves
        flat = {name: np.concatenate(arrays) for name, arrays in parts.items()}
        decision = flat.pop("decision")
        if (decision & _CATEGORICAL).any():
            raise ValueError("categorical splits are not supported")
        # Deepest trees first: step k walks only the trees deeper than k, a prefix.
        order = np.argsort(-np.array(depths), kind="stable")
        deeper = [int((np.array(depths) > level).sum()) for level in range(max(depths))]
        return cls(
            default_left=(decision & _DEFAULT_LEFT).astype(bool),
            missing=(decision >> 2) & 3,
            roots=np.array(roots, dtype=np.int32)[order],
            deeper=tuple(deeper),
            **flat,
        )

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The sum of every tree's leaf for each row, as LightGBM's raw ``predict``."""
        rows = np.asarray(rows, dtype=np.float64)
        if not len(rows):
            return np.zeros(0)
        has_nan = bool(np.isnan(rows).any())
        zero_missing = bool((self.missing == _MISSING_ZERO).any())
        if has_nan and not (self.missing == _MISSING_NAN).any():
            rows, has_nan = np.nan_to_num(rows, nan=0.0), False  # with no missing kind, NaN reads as 0
        # Trees down, rows across: a tree's nodes for all rows sit side by side.
        count = len(rows)
        by_feature = rows.T.ravel()
        row = np.arange(count, dtype=np.int32)[None, :]
        node = np.repeat(self.roots[:, None], count, axis=1)
        for trees in self.deeper:
            walking = node[:trees]
            value = by_feature[self._feature[walking] * count + row]
            go_right = value > self.threshold[walking]
            if has_nan or zero_missing:
                missing = self.missing[walking]
                absent = ((missing == _MISSING_NAN) & np.isnan(value)) | (
                    (missing == _MISSING_ZERO) & (np.abs(np.nan_to_num(value)) <= _ZERO)
                )
                go_right = np.where(absent, ~self.default_left[walking], go_right)
            node[:trees] = self._children[2 * walking + go_right]
        return self.value[node].sum(axis=0)

    @cached_property
    def _feature(self) -> np.ndarray:
        return self.feature.astype(np.int32)

    @cached_property
    def _children(self) -> np.ndarray:
        """Left and right child of each node side by side: a step is one read, at ``2 × node + went right``."""
        return np.column_stack([self.left, self.right]).astype(np.int32).ravel()


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


def _depth(left: list[int], right: list[int]) -> int:
    """The most splits any path from the root to a leaf passes (0 for a single leaf)."""
    deepest = 0
    stack = [(0, 1)] if left else []
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack += [(child, level + 1) for child in (left[node], right[node]) if child >= 0]
    return deepest
