"""Sparse row vectors and their dot products, in numpy alone.

Briefings compare thousands of short TF-IDF vectors a block at a time. A
sparse-matrix library would do it, but scipy's presence alone makes NLTK
import ``scipy.stats`` at start-up (about half a second and 90 MB for every
run of the bot), so the two operations needed are written here: the rows
of a block, and the rows they are compared with, are made dense over just
the columns the block uses, and multiplied.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array."""
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.zeros(0, dtype=np.int64)


class SparseRows:
    """Rows of (column, value) pairs in compressed-sparse-row form."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, columns: int) -> None:
        self.indptr, self.indices, self.data, self.columns = indptr, indices, data, columns

    @classmethod
    def from_rows(cls, rows: Sequence[dict[int, float]], columns: int) -> SparseRows:
        """Rows given as {column: value}, each scaled to unit length (zero rows stay zero)."""
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter((column for row in rows for column in row), dtype=np.int64, count=int(indptr[-1]))
        data = np.fromiter((value for row in rows for value in row.values()), dtype=np.float64, count=int(indptr[-1]))
        norms = np.sqrt(np.add.reduceat(data * data, indptr[:-1])) if data.size else np.zeros(len(rows))
        norms[lengths == 0] = 1.0
        norms[norms == 0] = 1.0
        return cls(indptr, indices, data / np.repeat(norms, lengths), columns)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def dot(self, left: Sequence[int] | np.ndarray, right: Sequence[int] | np.ndarray) -> np.ndarray:
        """The dot product of every ``left`` row with every ``right`` row: a len(left) × len(right) array."""
        left_rows, right_rows = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        left_entries, left_owner = self._entries(left_rows)
        used = np.unique(self.indices[left_entries])
        lookup = np.full(self.columns, -1, dtype=np.int64)
        lookup[used] = np.arange(len(used))
        dense_left = self._dense(left_entries, left_owner, len(left_rows), lookup, len(used))
        right_entries, right_owner = self._entries(right_rows)
        dense_right = self._dense(right_entries, right_owner, len(right_rows), lookup, len(used))
        return dense_left @ dense_right.T

    def pair_dots(self, left: np.ndarray, right: np.ndarray, *, block: int = 64) -> np.ndarray:
        """The dot product of each pair of rows ``(left[i], right[i])``.

        Pairs are taken by their left rows, ``block`` distinct rows at a
        time: those are made dense over the columns they use (small enough to
        stay in cache), and each right row's entries look their column up
        there; columns the block does not use read a zero column.
        """
        left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        dots = np.zeros(len(left))
        order = np.argsort(left, kind="stable")
        sorted_left = left[order]
        bounds = [*run_starts(sorted_left)[::block].tolist(), len(order)]
        lookup = np.zeros(self.columns, dtype=np.int64)
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            pairs = order[start:stop]
            rows, local_row = np.unique(sorted_left[start:stop], return_inverse=True)
            row_entries, row_owner = self._entries(rows)
            used = self.indices[row_entries]
            lookup[used] = np.arange(1, len(used) + 1)
            dense = np.zeros((len(rows), len(used) + 1))
            dense[row_owner, lookup[used]] = self.data[row_entries]
            entries, pair = self._entries(right[pairs])
            products = dense[local_row[pair], lookup[self.indices[entries]]] * self.data[entries]
            dots[pairs] = np.bincount(pair, weights=products, minlength=len(pairs))
            lookup[used] = 0
        return dots

    def _entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``indices``/``data`` of the rows' entries, and which of ``rows`` each belongs to."""
        starts, lengths = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        owner = np.repeat(np.arange(len(rows)), lengths)
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.repeat(starts, lengths) + offsets, owner

    def _dense(self, entries: np.ndarray, owner: np.ndarray, rows: int, lookup: np.ndarray, width: int) -> np.ndarray:
        dense = np.zeros((rows, width))
        columns = lookup[self.indices[entries]]
        kept = columns >= 0
        dense[owner[kept], columns[kept]] = self.data[entries[kept]]
        return dense
