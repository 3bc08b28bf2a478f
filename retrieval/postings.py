"""Posting lists that stay compact at a million sentences and still take one more article cheaply.

Most postings live in a few frozen compressed-sparse-row segments: for term
``t``, ``passages[offsets[t]:offsets[t + 1]]`` are the sentences of that
segment that contain it and ``frequencies`` the same slice's counts, three
numpy arrays per segment for the whole vocabulary. Each segment holds a run
of consecutive passages, so a term's list is its slices in segment order.
New postings go to a small per-term tail of growable arrays; when the tail
grows past a threshold it is folded into the newest segment, or into a new
one once the newest is full. A per-term Python object for every term of a
large vocabulary would cost more memory than the postings themselves.

Segments are bounded rather than one block because folding copies the
segment it folds into: with a single block, every fold held the old and the
new copy of all postings at once, the process's peak memory. Bounded, the
copy is at most one segment, and a query reads a few slices per term.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np

_EMPTY_PASSAGES = np.zeros(0, dtype=np.int32)
_EMPTY_FREQUENCIES = np.zeros(0, dtype=np.uint16)
# Counts above this are clipped; no sentence repeats a word 65,535 times.
_MAX_FREQUENCY = np.iinfo(np.uint16).max
# Offsets within a segment are int32: half the memory of int64 for a
# vocabulary-long array per segment, and segments never come near 2**31.
_MAX_SEGMENT = np.iinfo(np.int32).max // 2


class Segment(NamedTuple):
    """One frozen compressed-sparse-row block: the postings of a run of consecutive passages."""

    offsets: np.ndarray  # int32, one more than the terms it covers
    passages: np.ndarray  # int32, ascending within each term
    frequencies: np.ndarray  # uint16

    @property
    def terms(self) -> int:
        """How many term numbers the segment covers; later terms have no postings in it."""
        return len(self.offsets) - 1


_EMPTY_SEGMENT = Segment(np.zeros(1, dtype=np.int32), _EMPTY_PASSAGES, _EMPTY_FREQUENCIES)


class PostingLists:
    """Term number → the passages containing it (ascending) and the term's count in each."""

    def __init__(self, merge_threshold: int = 250_000, segment_size: int = 2_000_000) -> None:
        """``merge_threshold`` tail postings trigger a fold; folds stop growing a segment past ``segment_size``.

        The defaults bound a fold's copy to ~12 MB (2M postings) and leave nine
        segments at a million sentences. A small tail costs less (its per-term
        arrays take ~8 MB at 250k postings, 16 MB at 1M), and, freed at every
        fold, leaves fewer holes in the C heap: measured after building the 1M
        benchmark, 30 MB of freed but resident heap at 250k, 70 MB at 1M.
        """
        if merge_threshold + segment_size > _MAX_SEGMENT:
            raise ValueError(f"segments must stay below {_MAX_SEGMENT:,} postings")
        self._merge_threshold = merge_threshold
        self._segment_size = segment_size
        self._segments: list[Segment] = []
        self._tail: dict[int, tuple[array, array]] = {}
        self._tail_entries = 0

    def export(self) -> dict[str, np.ndarray]:
        """Every segment's arrays, named ``postings.<segment>.<column>``, the tail folded in first.

        Segments are saved as they are: joining them would hold a second copy of all postings.
        """
        self.merge()
        state = {"postings.segments": np.array([len(self._segments)])}
        for number, segment in enumerate(self._segments):
            for column, values in segment._asdict().items():
                state[f"postings.{number}.{column}"] = values
        return state

    @classmethod
    def restore(cls, state: Mapping[str, np.ndarray]) -> PostingLists:
        """The posting lists :meth:`export` described."""
        postings = cls()
        postings._segments = [
            Segment(*(state[f"postings.{number}.{column}"] for column in Segment._fields))
            for number in range(int(state["postings.segments"][0]))
        ]
        return postings

    def add(self, passages: np.ndarray, terms: np.ndarray) -> None:
        """Record term occurrences: ``terms[i]`` occurs in ``passages[i]``; passages come after all recorded before.

        Occurrences are counted per passage and appended to each term's tail
        at once, with a Python step per distinct term rather than per occurrence.
        """
        if not len(terms):
            return
        first = int(passages.min())
        span = int(passages.max()) - first + 1
        # One key per (term, passage), ordered by term, then passage.
        keys, counts = np.unique(terms.astype(np.int64) * span + (passages - first), return_counts=True)
        term_of = keys // span
        passages_of = (keys % span + first).astype(np.int32)
        counts = np.minimum(counts, _MAX_FREQUENCY).astype(np.uint16)
        bounds = np.flatnonzero(np.diff(term_of)) + 1
        tail = self._tail
        for term, begin, end in zip(term_of[np.concatenate(([0], bounds))].tolist(),
                                    [0, *bounds.tolist()], [*bounds.tolist(), len(keys)], strict=True):
            lists = tail.get(term)
            if lists is None:
                lists = tail[term] = (array("i"), array("H"))
            lists[0].frombytes(passages_of[begin:end].tobytes())
            lists[1].frombytes(counts[begin:end].tobytes())
        self._tail_entries += len(keys)
        if self._tail_entries >= self._merge_threshold:
            self.merge()

    def get(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """(passages, counts) for one term; a view into a segment where the term lies in only one."""
        passages: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        for segment in self._segments:
            if term < segment.terms:
                start, end = segment.offsets[term : term + 2].tolist()
                if end > start:
                    passages.append(segment.passages[start:end])
                    counts.append(segment.frequencies[start:end])
        tail = self._tail.get(term)
        if tail is not None:
            passages.append(np.frombuffer(tail[0], dtype=np.int32))
            counts.append(np.frombuffer(tail[1], dtype=np.uint16))
        if len(passages) == 1:
            return passages[0], counts[0]
        if not passages:
            return _EMPTY_PASSAGES, _EMPTY_FREQUENCIES
        return np.concatenate(passages), np.concatenate(counts)

    def document_frequencies(self, terms: int) -> np.ndarray:
        """How many passages contain each of terms ``0 … terms - 1``."""
        frequencies = np.zeros(terms, dtype=np.int64)
        for segment in self._segments:
            frequencies[: segment.terms] += np.diff(segment.offsets)
        for term, (passages, _counts) in self._tail.items():
            frequencies[term] += len(passages)
        return frequencies

    def document_frequency(self, term: int) -> int:
        frequency = sum(
            int(segment.offsets[term + 1] - segment.offsets[term]) for segment in self._segments if term < segment.terms
        )
        tail = self._tail.get(term)
        return frequency + (len(tail[0]) if tail else 0)

    def remove(self, spans: Iterable[range], passage_count: int) -> None:
        """Drop runs of consecutive passages (replaced or removed articles') from every list.

        Each segment holding one of them is rebuilt without them, so document
        frequencies are those of the passages left: one pass over the
        postings, however many runs go (``passage_count`` passages exist).
        """
        removed = np.zeros(passage_count, dtype=bool)
        for span in spans:
            removed[span.start : span.stop] = True
        self.merge()
        for number, segment in enumerate(self._segments):
            keep = ~removed[segment.passages]
            if keep.all():
                continue
            kept_before = np.concatenate(([0], np.cumsum(keep)))
            self._segments[number] = Segment(kept_before[segment.offsets].astype(np.int32),
                                             segment.passages[keep], segment.frequencies[keep])

    def merge(self) -> None:
        """Fold the tail into the newest segment, or into a new one when the newest is full."""
        if not self._tail:
            return
        if self._segments and len(self._segments[-1].passages) < self._segment_size:
            self._segments[-1] = _folded(self._segments[-1], self._tail)
        else:
            self._segments.append(_folded(_EMPTY_SEGMENT, self._tail))
        self._tail, self._tail_entries = {}, 0


def _folded(segment: Segment, tail: dict[int, tuple[array, array]]) -> Segment:
    """``segment`` with the tail's postings (all of later passages) after each term's own.

    ``np.insert`` places every tail posting after its term's run in one
    vectorised pass; its temporaries are the size of the tail, not of the segment.
    """
    terms = sorted(tail)
    tail_terms = np.array(terms, dtype=np.int64)
    counts = np.fromiter((len(tail[term][0]) for term in terms), dtype=np.int64, count=len(terms))
    covered = max(segment.terms, terms[-1] + 1)
    ends = np.full(covered + 1, len(segment.passages), dtype=np.int64)  # terms beyond the segment end at its end
    ends[: len(segment.offsets)] = segment.offsets
    # Each tail posting goes before the segment's position at its term's end.
    positions = np.repeat(ends[tail_terms + 1], counts)
    tail_passages = np.frombuffer(b"".join(tail[term][0] for term in terms), dtype=np.int32)
    passages = np.insert(segment.passages, positions, tail_passages)
    tail_frequencies = np.frombuffer(b"".join(tail[term][1] for term in terms), dtype=np.uint16)
    frequencies = np.insert(segment.frequencies, positions, tail_frequencies)
    added = np.zeros(covered + 1, dtype=np.int64)
    added[tail_terms + 1] = counts
    return Segment((ends + np.cumsum(added)).astype(np.int32), passages, frequencies)
