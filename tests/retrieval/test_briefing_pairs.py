"""Candidate story pairs: found from posting lists, never missing a pair above the threshold unless the floor drops it."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.similar_pairs import candidate_pairs
from retrieval.sparse_rows import SparseRows


def zipf_rows(seed: int, count: int = 300, columns: int = 400) -> tuple[SparseRows, np.ndarray, np.ndarray]:
    """Short rows over a vocabulary where low column numbers are common, as words are; with near-copies."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        if rows and rng.random() < 0.3:  # a near-copy of an earlier row, one word changed
            row = dict(rows[int(rng.integers(len(rows)))])
            row[int(rng.integers(columns))] = float(rng.random())
        else:
            picked = np.minimum(rng.zipf(1.3, size=int(rng.integers(3, 15))) - 1, columns - 1)
            row = {int(column): float(rng.random() + 0.2) for column in picked}
        rows.append(row)
    sparse = SparseRows.from_rows(rows, columns)
    dense = np.zeros((count, columns))
    for number, row in enumerate(rows):
        dense[number, list(row)] = list(row.values())
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    rarity = np.log(1 + np.arange(columns))  # higher column numbers are rarer
    return sparse, dense, rarity


def pairs_at_least(dense: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    similarity = np.triu(dense @ dense.T, k=1)
    return set(zip(*map(np.ndarray.tolist, np.nonzero(similarity >= threshold)), strict=True))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [0.4, 0.5, 0.8])
def test_without_a_floor_every_pair_above_the_threshold_is_a_candidate(seed, threshold):
    rows, dense, rarity = zipf_rows(seed)
    earlier, later = candidate_pairs(rows, rarity, threshold, shared_floor=0.0)
    candidates = set(zip(earlier.tolist(), later.tolist(), strict=True))
    assert pairs_at_least(dense, threshold) <= candidates
    assert all(a < b for a, b in candidates)
    assert len(candidates) == len(earlier)  # each pair once


def test_the_floor_keeps_near_copies_and_drops_pairs_that_share_little_that_is_rare():
    rows = SparseRows.from_rows(
        [
            {0: 1.0, 1: 1.0, 7: 2.0, 8: 2.0},  # two common words, two rare ones
            {0: 1.0, 1: 1.0, 7: 2.0, 8: 2.0, 9: 0.5},  # a near-copy
            {0: 2.0, 1: 2.0, 6: 1.0},  # shares the common words only (cosine 0.42)
        ],
        10,
    )
    rarity = np.arange(10.0)
    earlier, later = candidate_pairs(rows, rarity, 0.4, shared_floor=0.3)
    assert list(zip(earlier.tolist(), later.tolist(), strict=True)) == [(0, 1)]
    earlier, later = candidate_pairs(rows, rarity, 0.4, shared_floor=0.0)
    assert (0, 2) in set(zip(earlier.tolist(), later.tolist(), strict=True))


def test_no_rows_give_no_pairs():
    earlier, later = candidate_pairs(SparseRows.from_rows([], 3), np.ones(3), 0.5, shared_floor=0.0)
    assert len(earlier) == len(later) == 0
