"""Sparse rows: unit length, and pair products exactly as their dense counterparts give them."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.sparse_rows import SparseRows, run_starts


def random_rows(seed: int = 3) -> tuple[SparseRows, np.ndarray]:
    rng = np.random.default_rng(seed)
    dense = rng.random((40, 30)) * (rng.random((40, 30)) < 0.2)
    dense[4] = 0.0  # an empty row stays zero
    rows = SparseRows.from_rows([{int(c): float(v) for c, v in enumerate(row) if v} for row in dense], 30)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return rows, np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)


def test_rows_are_unit_length_except_empty_ones():
    rows, unit = random_rows()
    lengths = [sum(value * value for value in rows.row(number).values()) for number in range(len(rows))]
    assert lengths == pytest.approx([0.0 if number == 4 else 1.0 for number in range(40)])
    assert rows.row(7) == pytest.approx({column: value for column, value in enumerate(unit[7]) if value})


@pytest.mark.parametrize("block", [1, 3, 64])
def test_pair_dots_equal_the_dense_products_of_each_pair(block):
    rows, unit = random_rows()
    left = np.array([0, 4, 7, 11, 0, 39, 12, 7])
    right = np.array([11, 2, 3, 0, 0, 1, 12, 39])
    expected = [unit[a] @ unit[b] for a, b in zip(left, right, strict=True)]
    assert rows.pair_dots(left, right, block=block) == pytest.approx(expected, abs=1e-12)


def test_no_pairs_give_no_products():
    rows, _ = random_rows()
    assert rows.pair_dots(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).shape == (0,)


def test_runs_of_equal_values_start_where_the_value_changes():
    assert run_starts(np.array([2, 2, 5, 7, 7, 7])).tolist() == [0, 2, 3]
    assert run_starts(np.zeros(0)).tolist() == []
