"""Sparse rows multiply exactly as their dense counterparts do."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.sparse_rows import SparseRows


def test_rows_are_unit_length_and_dot_equals_the_dense_product():
    rng = np.random.default_rng(3)
    dense = rng.random((12, 30)) * (rng.random((12, 30)) < 0.2)
    dense[4] = 0.0  # an empty row stays zero
    rows = SparseRows.from_rows([{int(c): float(v) for c, v in enumerate(row) if v} for row in dense], 30)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    unit = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    left, right = [0, 4, 7, 11], [11, 2, 3, 0, 4]
    assert rows.dot(left, right) == pytest.approx(unit[left] @ unit[right].T, abs=1e-12)
    assert rows.dot(range(12), range(12)).diagonal().tolist() == pytest.approx([0.0 if i == 4 else 1.0 for i in range(12)])


def test_no_rows_gives_an_empty_product():
    rows = SparseRows.from_rows([{0: 1.0}], 3)
    assert rows.dot([], [0]).shape == (0, 1)
