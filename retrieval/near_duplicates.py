"""Wire copies and re-runs: found cheaply, so that finding story pairs looks at each text once.

A week of news repeats itself: the same wire story is carried by many
outlets and re-run as it is updated, each copy a headline and a lead that
differ by a word or two. Finding candidate story pairs costs the square of
how many articles share a word, so five copies of every article make it 25
times dearer, for no new story. Here each article is given a
*representative*: the first article with the same headline whose vector
it nearly repeats (cosine at least ``at_least``, far above a story's
threshold, where near-copies and merely related articles separate
sharply). The pair search then runs over representatives only, and
:func:`member_pairs` turns each pair of representatives it finds back
into every pair of their members, which the caller checks exactly: a
member is never put in a story for its representative's sake.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.sparse_rows import SparseRows


def representatives(vectors: SparseRows, titles: Sequence[str], at_least: float) -> np.ndarray:
    """Each row's representative row: the first row with the same headline (case and spacing aside) that it nearly repeats, else itself.

    A headline is an exact fingerprint that costs nothing; the cosine
    check keeps out a regular report ("Treasury balance") whose headline
    repeats daily but whose lead does not.
    """
    first_with: dict[str, int] = {}
    first = np.fromiter((first_with.setdefault(" ".join(title.lower().split()), number)
                         for number, title in enumerate(titles)), dtype=np.int64, count=len(titles))
    representative = np.arange(len(titles))
    repeats = np.flatnonzero(first != representative)
    close = vectors.pair_dots(first[repeats], repeats) >= at_least
    representative[repeats[close]] = first[repeats[close]]
    return representative


class Members:
    """The rows each representative stands for (itself included), to turn pairs of representatives into pairs of rows."""

    def __init__(self, representative: np.ndarray) -> None:
        self._rows = np.argsort(representative, kind="stable")
        self._count = np.bincount(representative, minlength=len(representative))
        self._start = np.r_[0, np.cumsum(self._count)[:-1]]

    def pairs(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(earlier, later) rows, earlier < later, of every pair of a member of ``left[i]`` and one of ``right[i]``.

        Pairs of representatives must not repeat; a representative paired
        with itself gives each pair of its members once.
        """
        left_count, right_count = self._count[left], self._count[right]
        combinations = left_count * right_count
        pair = np.repeat(np.arange(len(left)), combinations)
        place = np.arange(int(combinations.sum())) - np.repeat(np.cumsum(combinations) - combinations, combinations)
        left_place, right_place = np.divmod(place, right_count[pair])
        one = self._rows[self._start[left][pair] + left_place]
        other = self._rows[self._start[right][pair] + right_place]
        distinct = one != other
        one, other = one[distinct], other[distinct]
        earlier, later = np.minimum(one, other), np.maximum(one, other)
        within = left[pair][distinct] == right[pair][distinct]
        keep = ~within | (one < other)  # a pair within one group appears both ways round
        return earlier[keep], later[keep]

    def groups(self) -> np.ndarray:
        """The representatives that stand for more than themselves."""
        return np.flatnonzero(self._count > 1)
