"""Near-duplicates: a headline and a nearly repeated vector make a copy; groups of copies give back every pair of members."""

from __future__ import annotations

from itertools import combinations, product

import numpy as np

from retrieval.near_duplicates import Members, representatives
from retrieval.sparse_rows import SparseRows

ROWS = SparseRows.from_rows(
    [
        {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0},  # 0: a wire story
        {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 9: 0.3},  # 1: its copy, one word added
        {0: 1.0, 1: 1.0, 5: 1.0, 6: 1.0},  # 2: the headline again, a different lead (a daily report)
        {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0},  # 3: the same text under another headline
        {7: 1.0, 8: 1.0},  # 4: another story
    ],
    10,
)
TITLES = ["Pier closed", "PIER  closed", "Pier closed", "Harbour shut", "Cocoa prices rise"]


def test_a_copy_is_represented_by_the_first_article_with_its_headline_that_it_nearly_repeats():
    assert representatives(ROWS, TITLES, at_least=0.9).tolist() == [0, 0, 2, 3, 4]


def test_nothing_is_a_copy_when_no_headline_repeats():
    assert representatives(ROWS, ["a", "b", "c", "d", "e"], at_least=0.9).tolist() == [0, 1, 2, 3, 4]


def test_pairs_of_representatives_become_every_pair_of_their_members_once():
    representative = np.array([0, 1, 0, 1, 4, 0])  # groups {0, 2, 5}, {1, 3}, {4}
    members = Members(representative)
    assert members.groups().tolist() == [0, 1]
    earlier, later = members.pairs(np.array([0, 4, 0, 1]), np.array([1, 1, 0, 1]))
    found = list(zip(earlier.tolist(), later.tolist(), strict=True))
    expected = {
        *(tuple(sorted(pair)) for pair in product([0, 2, 5], [1, 3])),
        *(tuple(sorted(pair)) for pair in product([4], [1, 3])),
        *combinations([0, 2, 5], 2),
        *combinations([1, 3], 2),
    }
    assert sorted(found) == sorted(expected) and len(found) == len(set(found))
    assert all(a < b for a, b in found)


def test_a_representative_alone_gives_no_pairs():
    members = Members(np.array([0, 1]))
    earlier, later = members.pairs(np.array([0, 1]), np.array([0, 1]))
    assert len(earlier) == len(later) == 0
