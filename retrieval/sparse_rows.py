"""Sparse row vectors and their dot products, in numpy alone.

Briefings compare chosen pairs of short TF-IDF vectors, hundreds of
thousands at a time. A sparse-matrix library would do it, but scipy's
presence alone makes NLTK import ``scipy.stats`` at start-up (about half a
second and 90 MB for every run of the bot), so the few operations needed
are written here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array."""
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.zeros(0, dtype=np.int64)


def span_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Every position of the spans ``[starts[i], starts[i] + lengths[i])``, span after span."""
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + offsets


class SparseRows:
    """Rows of (column, value) pairs in compressed-sparse-row form."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, columns: int) -> None:
        self.indptr, self.indices, self.data, self.columns = indptr, indices, data, columns

    @classmethod
    def from_rows(cls, rows: Sequence[dict[int, float]], columns: int) -> SparseRows:
        """Rows given as {column: value}, each scaled to unit length (zero rows stay zero)."""
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        indices = np.fromiter((column for row in rows for column in row), dtype=np.int64, count=int(lengths.sum()))
        data = np.fromiter((value for row in rows for value in row.values()), dtype=np.float64, count=int(lengths.sum()))
        return cls.unit(lengths, indices, data, columns)

    @classmethod
    def unit(cls, lengths: np.ndarray, indices: np.ndarray, data: np.ndarray, columns: int) -> SparseRows:
        """Rows of ``lengths[i]`` consecutive (column, value) entries each, scaled to unit length."""
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        norms = np.sqrt(np.add.reduceat(data * data, indptr[:-1])) if data.size else np.zeros(len(lengths))
        norms[lengths == 0] = 1.0
        norms[norms == 0] = 1.0
        return cls(indptr, indices, data / np.repeat(norms, lengths), columns)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> SparseRows:
        """Only the given rows, in that order (numbered from 0)."""
        entries, _owner = self._entries(rows)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(self.indptr[rows + 1] - self.indptr[rows], out=indptr[1:])
        return SparseRows(indptr, self.indices[entries], self.data[entries], self.columns)

    def row(self, number: int) -> dict[int, float]:
        """One row as {column: value}."""
        start, stop = int(self.indptr[number]), int(self.indptr[number + 1])
        return dict(zip(self.indices[start:stop].tolist(), self.data[start:stop].tolist(), strict=True))

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
        return span_positions(starts, lengths), np.repeat(np.arange(len(rows)), lengths)
