"""Posting lists that stay compact at a million sentences and still take one more article cheaply.

Most postings live in one frozen compressed-sparse-row block: for term ``t``,
``passages[offsets[t]:offsets[t + 1]]`` are the sentences that contain it and
``frequencies`` the same slice's counts, three numpy arrays for the whole
vocabulary. New postings go to a small per-term tail of growable arrays;
when the tail grows past a threshold it is merged into a new frozen block in
a few vectorised passes. A per-term Python object for every term of a large
vocabulary would cost more memory than the postings themselves.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np

_EMPTY_PASSAGES = np.zeros(0, dtype=np.int32)
_EMPTY_FREQUENCIES = np.zeros(0, dtype=np.uint16)
# Counts above this are clipped; no sentence repeats a word 65,535 times.
_MAX_FREQUENCY = np.iinfo(np.uint16).max


class PostingLists:
    """Term number → the passages containing it (ascending) and the term's count in each."""

    def __init__(self, merge_threshold: int = 1_000_000) -> None:
        self._merge_threshold = merge_threshold
        self._offsets = np.zeros(1, dtype=np.int64)
        self._passages = _EMPTY_PASSAGES
        self._frequencies = _EMPTY_FREQUENCIES
        self._tail: dict[int, tuple[array, array]] = {}
        self._tail_entries = 0

    @classmethod
    def from_arrays(cls, offsets: np.ndarray, passages: np.ndarray, frequencies: np.ndarray) -> PostingLists:
        """Posting lists over a frozen block saved by :meth:`arrays`."""
        postings = cls()
        postings._offsets, postings._passages, postings._frequencies = offsets, passages, frequencies
        return postings

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(offsets, passages, frequencies) of everything, the tail merged in first."""
        self.merge()
        return self._offsets, self._passages, self._frequencies

    def add(self, passage: int, term_counts: Iterable[tuple[int, int]]) -> None:
        """Record one passage's terms; passages must arrive in ascending order."""
        tail = self._tail
        for term, count in term_counts:
            lists = tail.get(term)
            if lists is None:
                lists = tail[term] = (array("i"), array("H"))
            lists[0].append(passage)
            lists[1].append(min(count, _MAX_FREQUENCY))
            self._tail_entries += 1
        if self._tail_entries >= self._merge_threshold:
            self.merge()

    def get(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """(passages, counts) for one term; views into the frozen block where possible."""
        if term + 1 < len(self._offsets):
            start, end = self._offsets[term], self._offsets[term + 1]
            passages, counts = self._passages[start:end], self._frequencies[start:end]
        else:
            passages, counts = _EMPTY_PASSAGES, _EMPTY_FREQUENCIES
        tail = self._tail.get(term)
        if tail is None:
            return passages, counts
        tail_passages = np.frombuffer(tail[0], dtype=np.int32)
        tail_counts = np.frombuffer(tail[1], dtype=np.uint16)
        if not passages.size:
            return tail_passages, tail_counts
        return np.concatenate((passages, tail_passages)), np.concatenate((counts, tail_counts))

    def document_frequencies(self, terms: int) -> np.ndarray:
        """How many passages contain each of terms ``0 … terms - 1``."""
        frequencies = np.zeros(terms, dtype=np.int64)
        frozen = np.diff(self._offsets)
        frequencies[: len(frozen)] = frozen
        for term, (passages, _counts) in self._tail.items():
            frequencies[term] += len(passages)
        return frequencies

    def document_frequency(self, term: int) -> int:
        frozen = int(self._offsets[term + 1] - self._offsets[term]) if term + 1 < len(self._offsets) else 0
        tail = self._tail.get(term)
        return frozen + (len(tail[0]) if tail else 0)

    def merge(self) -> None:
        """Fold the tail into a new frozen block.

        Frozen postings move in contiguous runs (all terms between two tail
        terms shift by the same amount), so the merge copies a run per tail
        term instead of computing a target for every posting: no temporary
        array as large as the block itself.
        """
        if not self._tail:
            return
        old_offsets, old_passages, old_frequencies = self._offsets, self._passages, self._frequencies
        old_terms = len(old_offsets) - 1
        terms = max(old_terms, max(self._tail) + 1)
        counts = np.zeros(terms, dtype=np.int64)
        counts[:old_terms] = np.diff(old_offsets)
        for term, (tail_passages, _) in self._tail.items():
            counts[term] += len(tail_passages)
        offsets = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        passages = np.empty(offsets[-1], dtype=np.int32)
        frequencies = np.empty(offsets[-1], dtype=np.uint16)
        shift = 0  # tail postings placed so far = how far frozen runs move right
        run_start = 0  # first term of the current run of frozen postings
        for term in sorted(self._tail):
            tail_passages, tail_frequencies = self._tail[term]
            run_end = min(term + 1, old_terms)  # the run includes this term's own frozen postings
            if run_end > run_start:
                source = slice(old_offsets[run_start], old_offsets[run_end])
                target = slice(source.start + shift, source.stop + shift)
                passages[target], frequencies[target] = old_passages[source], old_frequencies[source]
            start = offsets[term + 1] - len(tail_passages)
            passages[start : offsets[term + 1]] = np.frombuffer(tail_passages, dtype=np.int32)
            frequencies[start : offsets[term + 1]] = np.frombuffer(tail_frequencies, dtype=np.uint16)
            shift += len(tail_passages)
            run_start = run_end
        if old_terms > run_start:
            source = slice(old_offsets[run_start], old_offsets[old_terms])
            passages[source.start + shift : source.stop + shift] = old_passages[source]
            frequencies[source.start + shift : source.stop + shift] = old_frequencies[source]
        self._offsets, self._passages, self._frequencies = offsets, passages, frequencies
        self._tail, self._tail_entries = {}, 0
