"""Question words as people type them: an unknown term matched to the vocabulary terms a typo or two away.

"Zelenskyy" (a common spelling), "zelenksy" (two letters swapped) and
"demnad" are not in an index that says "Zelensky demanded", so BM25 finds
nothing for them. A question term the index does not know is matched to
the vocabulary's terms within a small optimal-string-alignment distance
(insertions, deletions, substitutions and swaps of neighbours, each one
edit), which then stand in for it at a weight that falls with the distance.
Terms are compared as the index holds them (lower-cased Snowball stems), so
"demnad" meets "demand" and "zelenskyy" meets "zelenski", Zelensky's stem.

Finding the close terms must cost far less than a millisecond at a million
sentences, without a Python object per term. Symmetric deletes (as in
SymSpell): two strings within ``k`` edits become equal once at most ``k``
characters are deleted from each, so the index stores, for every term, the
hashes of its deletion variants, and a lookup hashes the question term's
own variants and verifies the few terms they lead to with the true distance.
Only the first ``PREFIX_LENGTH`` characters are varied (within ``k`` edits,
the prefixes are within ``k`` deletions each too), and terms that share a
prefix share its variants: the million-sentence benchmark's vocabulary
takes about 1M variants instead of 11M. Everything lives in sorted numpy
arrays of 64-bit keys, a 32-bit hash above a 32-bit payload:

- variants: deletion-variant hash → prefix hash;
- prefixes: prefix hash → term number.

Terms added later form further sorted runs, merged while a newer run is at
least half the size of the one before it, so a growing index keeps a few
runs and merges each key a logarithmic number of times. The structure is
derived from the vocabulary alone, so a restored index simply rebuilds it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

import numpy as np

# Shorter terms are never matched: four-letter words have too many neighbours.
MIN_LENGTH = 5
# Two edits only between terms at least this long; shorter ones get one.
TWO_EDITS_LENGTH = 8
# How many leading characters the deletion variants are taken from.
PREFIX_LENGTH = 7
# A close term stands in for the question's at this weight: a typo is
# likelier than a related word (the lexicon's are at 0.6 and less) to mean
# the same thing, two typos less so.
ONE_EDIT_WEIGHT = 0.8
TWO_EDITS_WEIGHT = 0.6
# At most this many stand-ins per term, the most frequent first among the closest.
MAX_CLOSE_TERMS = 3
# Lengths are kept in a byte; no typing slip makes a 255-letter word.
_LONGEST = 255
# Past this many candidates, a cheap lower bound on the distance rules most out before it is measured.
_MANY_CANDIDATES = 64
# Prefixes hashed at once while building: bounds the temporary arrays to a few MB.
_BUILD_CHUNK = 4096

_LOW_BITS = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_EMPTY_KEYS = np.zeros(0, dtype=np.uint64)
# Powers of an odd 64-bit multiplier, for a polynomial hash that wraps around in uint64.
_POWERS = np.array([pow(0x9E3779B97F4A7C15, power, 1 << 64) for power in range(PREFIX_LENGTH)], dtype=np.uint64)


def allowed_edits(length: int) -> int:
    """How many edits a term of ``length`` characters may be from the one it stands for."""
    if length < MIN_LENGTH:
        return 0
    return 2 if length >= TWO_EDITS_LENGTH else 1


def weight_of(edits: int) -> float:
    """The weight of a stand-in term ``edits`` edits away from the question's."""
    return ONE_EDIT_WEIGHT if edits == 1 else TWO_EDITS_WEIGHT


def osa_distances(term: str, others: Sequence[str]) -> np.ndarray:
    """The optimal string alignment distance from ``term`` to each of ``others``.

    Insertions, deletions, substitutions and swaps of neighbours cost one
    edit each; unlike the full Damerau-Levenshtein distance a swapped pair is
    not edited again, which is how typing slips look.
    """
    return _distances(term, *_codes(others))


def _codes(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The strings' code points, one zero-padded row each, and their lengths."""
    if not strings:
        return np.zeros((0, 1), dtype=np.uint32), np.zeros(0, dtype=np.int64)
    codes = np.array(strings).view(np.uint32).reshape(len(strings), -1)
    return codes, np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))


def _unshared_letters(term: str, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """For each string (as :func:`_codes` gives them), the more of: its letters ``term`` lacks, and the reverse.

    Counted with repetition. An edit changes it by at most one (a swap not
    at all), so it is a lower bound on the distance, far cheaper to take.
    """
    letter_counts = Counter(term)
    letters = np.fromiter(map(ord, letter_counts), dtype=np.uint32, count=len(letter_counts))
    counts = np.fromiter(letter_counts.values(), dtype=np.int64, count=len(letter_counts))
    held = np.count_nonzero(codes[:, :, None] == letters, axis=1)  # strings × the term's distinct letters
    shared = np.minimum(held, counts).sum(axis=1)
    return np.maximum(len(term), lengths) - shared


def _distances(term: str, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`osa_distances` for strings given as :func:`_codes` gives them.

    The table is filled a row (a letter of ``term``) at a time for all the
    strings at once.
    """
    steps = np.arange(codes.shape[1] + 1)
    letters = np.array([ord(letter) for letter in term], dtype=np.uint32)
    # For every letter of ``term`` at once: where each other string differs from it, and
    # where its two letters ending there appear swapped (the cost of a swap, or far too much).
    mismatch = codes[None, :, :] != letters[:, None, None]
    swapped = ~mismatch[1:, :, :-1] & ~mismatch[:-1, :, 1:]
    swap_cost = np.where(swapped, 1, len(term) + len(steps))
    rows_with_swaps = swapped.any(axis=(1, 2)).tolist()
    before = previous = np.broadcast_to(steps, (len(codes), len(steps)))
    for i in range(len(term)):
        row = previous + 1  # deleting the letter
        np.minimum(row[:, 1:], previous[:, :-1] + mismatch[i], out=row[:, 1:])  # matching or substituting it
        if i and rows_with_swaps[i - 1]:
            np.minimum(row[:, 2:], before[:, :-2] + swap_cost[i - 1], out=row[:, 2:])
        # Inserting letters: each cell is at most one more than the one to its left.
        row -= steps
        np.minimum.accumulate(row, axis=1, out=row)
        row += steps
        before, previous = previous, row
    return previous[np.arange(len(codes)), lengths]


class _Run(NamedTuple):
    """The keys of some terms, each array sorted: hash in the high 32 bits, payload in the low."""

    variants: np.ndarray  # deletion-variant hash → prefix hash
    prefixes: np.ndarray  # prefix hash → term number

    @property
    def size(self) -> int:
        return len(self.variants) + len(self.prefixes)


class SpellingIndex:
    """The terms of a growing vocabulary, findable from any string a typo or two away."""

    def __init__(self) -> None:
        self._runs: list[_Run] = []
        # The length of every covered term (capped), to drop most candidates before reading them.
        self._lengths = array("B")

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(run.variants.nbytes + run.prefixes.nbytes for run in self._runs) + len(self._lengths)

    def cover(self, vocabulary: Sequence[str]) -> None:
        """Take in the terms of ``vocabulary`` (which only ever grows at its end) added since the last call."""
        covered = len(self._lengths)
        if len(vocabulary) == covered:
            return
        self._lengths.extend(min(len(term), _LONGEST) for term in vocabulary[covered:])
        self._runs.append(_run(vocabulary, covered))
        while len(self._runs) > 1 and 2 * self._runs[-1].size >= self._runs[-2].size:
            newer = self._runs.pop()
            older = self._runs.pop()
            self._runs.append(_Run(*(_sorted_unique(np.concatenate(pair)) for pair in zip(older, newer, strict=True))))

    def close_terms(
        self, term: str, vocabulary: Sequence[str], frequency: Callable[[int], int]
    ) -> dict[str, float]:
        """The terms of ``vocabulary`` closest to ``term`` within its allowed edits, weighted by closeness.

        Only the nearest distance found counts, and among its terms the
        ``MAX_CLOSE_TERMS`` that ``frequency`` (of a term number) rates
        highest: a typo more likely meant a common word than a rare one.
        The caller decides that ``term`` needs matching (it is unknown).
        """
        limit = allowed_edits(len(term))
        if not limit or not term.isalpha():
            return {}
        self.cover(vocabulary)
        numbers = self._candidates(term, limit)
        lengths = np.frombuffer(self._lengths, dtype=np.uint8)[numbers].astype(np.int64)
        # Two edits only where both terms are long enough for them.
        edits = np.where(lengths >= TWO_EDITS_LENGTH, limit, 1)
        within = np.abs(lengths - len(term)) <= edits
        numbers, edits = numbers[within], edits[within]
        codes, lengths = _codes([vocabulary[number] for number in numbers.tolist()])
        if len(numbers) > _MANY_CANDIDATES:
            plausible = _unshared_letters(term, codes, lengths) <= edits
            numbers, edits, codes, lengths = numbers[plausible], edits[plausible], codes[plausible], lengths[plausible]
        numbers = numbers.tolist()
        distances = _distances(term, codes, lengths)
        close = distances <= edits
        if not close.any():
            return {}
        nearest = int(distances[close].min())
        chosen = [number for number, best in zip(numbers, close & (distances == nearest), strict=True) if best]
        chosen.sort(key=lambda number: (-frequency(number), vocabulary[number]))
        return {vocabulary[number]: weight_of(nearest) for number in chosen[:MAX_CLOSE_TERMS]}

    def _candidates(self, term: str, edits: int) -> np.ndarray:
        """The terms whose prefix shares a deletion variant with ``term``'s: all the close ones, and some others."""
        hashes = _variant_hashes([term[:PREFIX_LENGTH]], edits).ravel()
        found = [_payloads(run.prefixes, _payloads(run.variants, hashes)) for run in self._runs]
        return _sorted_unique(np.concatenate(found)).astype(np.int64) if found else np.zeros(0, dtype=np.int64)


def _run(vocabulary: Sequence[str], start: int) -> _Run:
    """The keys of the matchable terms among ``vocabulary[start:]``.

    Each distinct prefix is varied once, as deeply as its longest term needs.
    """
    depths: dict[str, int] = {}
    term_prefixes: list[tuple[str, int]] = []
    for number, term in enumerate(vocabulary[start:], start):
        if len(term) >= MIN_LENGTH and term.isalpha():
            prefix = term[:PREFIX_LENGTH]
            if len(term) >= TWO_EDITS_LENGTH or prefix not in depths:
                depths[prefix] = allowed_edits(len(term))
            term_prefixes.append((prefix, number))
    prefix_hashes: dict[str, int] = {}
    variant_keys: list[np.ndarray] = []
    for depth in (1, 2):
        group = [prefix for prefix, deepest in depths.items() if deepest == depth]
        for first in range(0, len(group), _BUILD_CHUNK):
            chunk = group[first : first + _BUILD_CHUNK]
            hashes = _variant_hashes(chunk, depth)  # column 0: the prefix itself
            prefix_hashes.update(zip(chunk, hashes[:, 0].tolist(), strict=True))
            variant_keys.append(_keys(hashes, hashes[:, :1]).ravel())
    prefixes = _keys(
        np.fromiter((prefix_hashes[prefix] for prefix, _ in term_prefixes), dtype=np.uint64, count=len(term_prefixes)),
        np.fromiter((number for _, number in term_prefixes), dtype=np.uint64, count=len(term_prefixes)),
    )
    variants = _sorted_unique(np.concatenate(variant_keys)) if variant_keys else _EMPTY_KEYS
    return _Run(variants, np.sort(prefixes))


def _variant_hashes(strings: list[str], deletions: int) -> np.ndarray:
    """32-bit hashes of each string with every choice of up to ``deletions`` characters deleted, one row per string.

    Strings are hashed a length at a time. A row's first hash is the string
    itself's; rows of shorter strings, which have fewer variants, repeat it
    to the table's width.
    """
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    distinct = sorted(set(lengths.tolist()))
    widest = max((len(_deletions(length, deletions)[1]) for length in distinct), default=1)
    table = np.zeros((len(strings), widest), dtype=np.uint64)
    for length in distinct:
        rows = np.flatnonzero(lengths == length)
        joined = "".join(strings[row] for row in rows.tolist()).encode("utf-32-le")
        codes = np.zeros((len(rows), length + 1), dtype=np.uint64)  # the last column stands for a deleted character
        codes[:, :length] = np.frombuffer(joined, dtype="<u4").reshape(len(rows), length)
        kept, variant_lengths = _deletions(length, deletions)
        hashes = _hash(codes[:, kept], variant_lengths)
        table[rows, : hashes.shape[1]] = hashes
        table[rows, hashes.shape[1] :] = hashes[:, :1]
    return table


@lru_cache(maxsize=None)
def _deletions(length: int, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Every way to delete up to ``most`` of ``length`` characters, fewest deletions first.

    Returns the positions that remain, one row per way, padded with
    ``length`` (a character code of zero, which adds nothing to a hash), and
    each way's remaining length.
    """
    ways = [gone for count in range(most + 1) for gone in combinations(range(length), count)]
    kept = np.full((len(ways), length), length, dtype=np.int64)
    for row, gone in enumerate(ways):
        remaining = [column for column in range(length) if column not in gone]
        kept[row, : len(remaining)] = remaining
    return kept, np.array([length - len(gone) for gone in ways], dtype=np.uint64)


def _hash(codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """One 32-bit hash per zero-padded string of character codes (the last axis) of the given lengths.

    Equal strings hash equal whatever they were cut from: a polynomial in
    the codes (wrapping around in uint64) plus the length, then a
    multiply-xorshift finaliser (splitmix64's) to spread its bits into the top 32.
    """
    hashes = (codes * _POWERS[: codes.shape[-1]]).sum(axis=-1, dtype=np.uint64) + lengths
    hashes ^= hashes >> np.uint64(30)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(27)
    hashes *= np.uint64(0x94D049BB133111EB)
    hashes ^= hashes >> np.uint64(31)
    return hashes >> _SHIFT


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``keys`` sorted, each once (``np.unique`` hashes them first: slower, for keys that are sorted anyway)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _keys(hashes: np.ndarray, payloads: np.ndarray) -> np.ndarray:
    """Sortable keys: each 32-bit hash above its 32-bit payload."""
    return (hashes << _SHIFT) | (payloads & _LOW_BITS)


def _payloads(keys: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The payloads of every key of the sorted ``keys`` whose hash is one of ``hashes``."""
    starts = np.searchsorted(keys, hashes << _SHIFT)
    ends = np.searchsorted(keys, (hashes << _SHIFT) | _LOW_BITS, side="right")
    counts = ends - starts
    # Position of every matching key: its run's start plus its place in the run.
    positions = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    return keys[positions] & _LOW_BITS
