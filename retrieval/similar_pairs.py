"""Which unit rows can be at least so similar, found without comparing every pair.

Briefings need every pair of articles within two days whose TF-IDF cosine
reaches a threshold (0.4 or 0.5). A day of news is ~20,000 articles, 200
million pairs; about ten thousand qualify. Comparing all of them is what
made a day's briefing take a quarter of a minute.

The candidates come from the rows' own posting lists, with a bound that
never drops a qualifying pair (the prefix filter of Bayardo, Ma and
Srikant's *All-Pairs*, 2007, in a form numpy does in bulk):

* Order the columns rarest first (by a given rarity, such as IDF). Of two rows with cosine ``c ≥ t``, let
  *f* be the first column (in that order) they share. Every column they
  share is *f* or a commoner one, so by Cauchy–Schwarz
  ``c ≤ ‖a_{≥f}‖ · ‖b_{≥f}‖``, where ``‖a_{≥f}‖`` is the norm of row *a*'s
  entries at *f* and after (its *tail* at *f*).
* So each column's posting list only pairs entries whose tails multiply to
  ``t`` or more. Sorted by tail, an entry's partners are a run of the list,
  found by a binary search; an entry whose tail is under ``t`` pairs with
  nothing. Common columns come late, where tails are short: their long
  posting lists give few pairs.

That enumeration misses no pair, but on a day of Reuters it lists 1.3
million for 10,000 real ones, and checking each costs more than the
budget. So the pairs' products over the enumerated columns are summed
(one sort), and a pair whose sum stays under a small floor is dropped:
such a pair shares a rare word or two and owes the rest of its similarity
to common ones. Dropping them is the one approximation; its effect on
the stories is measured in ``benchmarks/briefing.py``. The survivors are
checked by the caller with the exact dot product.
"""

from __future__ import annotations

import numpy as np

from retrieval.sparse_rows import SparseRows, run_starts

# Tails are sums of floating-point squares: a pair whose bound lands a
# rounding error under the threshold must still be a candidate.
_ROUNDING_SLACK = 1e-9


def candidate_pairs(
    rows: SparseRows, rarity: np.ndarray, threshold: float, shared_floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later) row numbers, earlier < later, of the pairs whose dot product may reach ``threshold``.

    Each pair appears once. Every pair above the threshold is enumerated
    (see the module doc); of those, only the ones whose enumerated columns
    alone give at least ``shared_floor`` of the dot product are returned.
    That floor is the one approximation: it drops pairs that share only a
    rare word or two and owe the rest of their similarity to common ones.
    ``rarity`` orders the columns (rarest, i.e. highest, first), such as
    IDF over a whole corpus: the words a story's articles share are rare
    in the corpus, even when a period has many of them. Rows must be unit
    length (or zero).
    """
    column, owner, tail, weight = _entries_with_tails(rows, rarity)
    keep = tail >= threshold * (1 - _ROUNDING_SLACK)
    column, owner, tail, weight = column[keep], owner[keep], tail[keep], weight[keep]
    # Each column's entries together, longest tail first.
    order = np.lexsort((-tail, column))
    column, owner, tail, weight = column[order], owner[order], tail[order], weight[order]
    group_starts = run_starts(column)
    group_sizes = np.diff(np.r_[group_starts, len(column)])
    group = np.repeat(np.arange(len(group_starts)), group_sizes)
    group_end = np.repeat(group_starts + group_sizes, group_sizes)
    # Within a group the key rises as the tail falls: one sorted array for every group's binary search.
    key = group * 2.0 - tail
    needed = threshold * (1 - _ROUNDING_SLACK) / tail
    partners_end = np.minimum(np.searchsorted(key, group * 2.0 - needed, side="right"), group_end)
    position = np.arange(len(column))
    partners = np.maximum(partners_end - position - 1, 0)
    first = np.repeat(position, partners)
    second = first + 1 + np.arange(int(partners.sum())) - np.repeat(np.cumsum(partners) - partners, partners)
    left, right = owner[first], owner[second]
    pair = np.minimum(left, right) * len(rows) + np.maximum(left, right)
    by_pair = np.argsort(pair)
    pair = pair[by_pair]
    starts = run_starts(pair)
    shared = np.add.reduceat((weight[first] * weight[second])[by_pair], starts) if len(starts) else np.zeros(0)
    kept = pair[starts[shared >= shared_floor]]
    return kept // len(rows), kept % len(rows)


def _entries_with_tails(rows: SparseRows, rarity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every entry's column, row, its row's tail at that column (columns ordered rarest first), and its value."""
    lengths = np.diff(rows.indptr)
    owner = np.repeat(np.arange(len(rows)), lengths)
    rank = np.empty(rows.columns, dtype=np.int64)
    rank[np.lexsort((np.arange(rows.columns), -rarity))] = np.arange(rows.columns)
    # Within each row, commonest column first: a running sum of squares is then each entry's tail.
    order = np.lexsort((-rank[rows.indices], owner))
    column, owner, value = rows.indices[order], owner[order], rows.data[order]
    running = np.cumsum(value * value)
    before_row = np.repeat(np.r_[0.0, running][rows.indptr[:-1]], lengths)
    return column, owner, np.sqrt(np.maximum(running - before_row, 0.0)), value
