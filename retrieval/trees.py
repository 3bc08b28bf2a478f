"""Gradient-boosted trees evaluated with numpy, from LightGBM's own model text.

LightGBM trains the ranker (:mod:`retrieval.train`), but answering does not
import it: the wheel brings SciPy along, and with SciPy installed NLTK loads
it at start-up, which costs a cold start more than half a second and the
process ~90 MB.

Walking the trees from their roots takes a step per level, and each step is
a handful of numpy passes over every (row, tree) pair. Instead every split
of every tree is decided for every row in one comparison, and each tree's
leaf is read off bit masks (QuickScorer: Lucchese et al., SIGIR 2015). A
tree's leaves are numbered left to right, one bit each; a row that goes
right at a split can no longer reach that split's left subtree, so the
split's mask clears those leaves. ANDing the masks of the splits a row goes
right at leaves exactly the leaves it did not rule out, and the leftmost of
them is its leaf: every leaf left of it lies in the left subtree of a split
on its path that the row went right at. For the shipped ranker (300 trees
of 7 leaves, ~80 candidates) that takes about two fifths of the walk's
time.

Only what LightGBM writes for numerical features is read: a categorical
split is refused rather than misread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

# LightGBM's decision_type bits: categorical, default-left, and the missing-value kind.
_CATEGORICAL = 1
_DEFAULT_LEFT = 2
_MISSING_ZERO = 1
_MISSING_NAN = 2
# What LightGBM counts as zero when zero stands for missing.
_ZERO = 1e-35
# A tree's leaves are the bits of one unsigned integer.
_MOST_LEAVES = 64


@dataclass(frozen=True)
class Forest:
    """Every tree as the same number of splits and leaves, tree after tree in flat arrays.

    A tree with fewer leaves than the largest is padded with splits that
    never send a row right (threshold +inf) and clear nothing, and with
    leaves that nothing reaches.
    """

    feature: np.ndarray  # per split
    threshold: np.ndarray  # per split
    default_left: np.ndarray  # per split: where a missing value goes
    missing: np.ndarray  # per split: 0 none, 1 zero, 2 NaN
    kept_going_right: np.ndarray  # per split: its tree's leaves still reachable after going right there
    value: np.ndarray  # per tree, its leaves' values left to right

    @classmethod
    def from_lightgbm(cls, text: str) -> Forest:
        """The trees of a LightGBM model file (``Booster.model_to_string()``)."""
        trees = [_fields(block) for block in text.split("\nTree=")[1:]]
        if not trees:
            raise ValueError("no trees in the model text")
        leaves = max(len(tree["leaf_value"]) for tree in trees)
        if leaves > _MOST_LEAVES:
            raise ValueError(f"trees of more than {_MOST_LEAVES} leaves are not supported")
        splits = max(leaves - 1, 1)
        bits = np.dtype(f"uint{max(8, 1 << (leaves - 1).bit_length())}")  # the fewest of 8, 16, 32, 64 bits
        shape = (len(trees), splits)
        feature, decision = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        threshold = np.full(shape, np.inf)
        kept = np.full(shape, np.iinfo(bits).max, dtype=bits)
        value = np.zeros((len(trees), leaves))
        for number, tree in enumerate(trees):
            ordered, left_leaves = _leaves_left_to_right(tree["left_child"], tree["right_child"])
            place = {leaf: bit for bit, leaf in enumerate(ordered)}
            value[number, : len(ordered)] = np.array(tree["leaf_value"])[ordered]
            taken = len(tree["split_feature"])
            feature[number, :taken] = tree["split_feature"]
            threshold[number, :taken] = tree["threshold"]
            decision[number, :taken] = tree["decision_type"]
            for split, cleared in enumerate(left_leaves):
                kept[number, split] = ~bits.type(sum(1 << place[leaf] for leaf in cleared))
        if (decision & _CATEGORICAL).any():
            raise ValueError("categorical splits are not supported")
        return cls(
            feature=feature.ravel(),
            threshold=threshold.ravel(),
            default_left=(decision & _DEFAULT_LEFT).astype(bool).ravel(),
            missing=((decision >> 2) & 3).ravel(),
            kept_going_right=kept.ravel(),
            value=value,
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
        value = rows[:, self.feature]  # every split's feature, for every row
        go_right = value > self.threshold
        if has_nan or zero_missing:
            absent = ((self.missing == _MISSING_NAN) & np.isnan(value)) | (
                (self.missing == _MISSING_ZERO) & (np.abs(np.nan_to_num(value)) <= _ZERO)
            )
            go_right = np.where(absent, ~self.default_left, go_right)
        # Going left rules nothing out (all bits set); going right keeps the split's mask.
        reachable = np.negative((~go_right).astype(self.kept_going_right.dtype))
        reachable |= self.kept_going_right
        trees, leaves = self.value.shape
        remaining = np.bitwise_and.reduce(reachable.reshape(len(rows), trees, -1), axis=2)
        leftmost = remaining & (~remaining + 1)  # the lowest set bit
        leaf = np.frexp(leftmost.astype(np.float64))[1] - 1
        return self.value.ravel()[leaf + leaves * np.arange(trees)].sum(axis=1)


class _Tree(TypedDict):
    """The arrays of a tree that are read, as LightGBM's model text names them."""

    split_feature: list[int]
    threshold: list[float]
    decision_type: list[int]
    left_child: list[int]
    right_child: list[int]
    leaf_value: list[float]


def _fields(block: str) -> _Tree:
    """A tree's arrays by name, from its ``key=v v v`` lines."""
    wanted = {"split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value"}
    fields: dict[str, list[float]] = {name: [] for name in wanted}
    for line in block.splitlines():
        key, _, values = line.partition("=")
        if key in wanted and values:
            fields[key] = [float(v) for v in values.split()]
    return _Tree(
        split_feature=[int(v) for v in fields["split_feature"]],
        threshold=fields["threshold"],
        decision_type=[int(v) for v in fields["decision_type"]],
        left_child=[int(v) for v in fields["left_child"]],
        right_child=[int(v) for v in fields["right_child"]],
        leaf_value=fields["leaf_value"],
    )


def _leaves_left_to_right(left: Sequence[int], right: Sequence[int]) -> tuple[list[int], list[list[int]]]:
    """A tree's leaves in left-to-right order, and for each split the leaves of its left subtree.

    A child ``c`` >= 0 is split ``c``; a negative one, ``~leaf``. A tree
    without splits is leaf 0.
    """
    if not left:
        return [0], []

    def under(child: int) -> list[int]:
        return [~child] if child < 0 else under(left[child]) + under(right[child])

    return under(0), [under(left[split]) for split in range(len(left))]
