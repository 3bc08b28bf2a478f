"""Posting lists give the same answers before and after the tail is merged into the frozen block."""

from __future__ import annotations

import random

import numpy as np

from retrieval.postings import PostingLists


def _as_lists(postings: PostingLists, term: int) -> tuple[list[int], list[int]]:
    passages, counts = postings.get(term)
    return passages.tolist(), counts.tolist()


def test_postings_read_back_in_passage_order_across_merges():
    rng = random.Random(5)
    expected: dict[int, tuple[list[int], list[int]]] = {}
    postings = PostingLists(merge_threshold=37)  # merges many times, at awkward points
    for passage in range(400):
        terms = {rng.randrange(60): rng.randrange(1, 4) for _ in range(rng.randrange(0, 6))}
        postings.add(passage, terms.items())
        for term, count in terms.items():
            expected.setdefault(term, ([], []))
            expected[term][0].append(passage)
            expected[term][1].append(count)
    for term in range(70):
        assert _as_lists(postings, term) == expected.get(term, ([], []))
        assert postings.document_frequency(term) == len(expected.get(term, ([],))[0])
    frequencies = postings.document_frequencies(70)
    assert frequencies.tolist() == [len(expected.get(term, ([],))[0]) for term in range(70)]


def test_a_term_first_seen_after_a_merge_is_found():
    postings = PostingLists(merge_threshold=2)
    postings.add(0, [(0, 1), (1, 2)])  # merged
    postings.add(1, [(5, 1)])  # tail only, a term beyond the frozen vocabulary
    assert _as_lists(postings, 5) == ([1], [1])
    assert _as_lists(postings, 3) == ([], [])
    postings.merge()
    assert _as_lists(postings, 1) == ([0], [2])
    assert _as_lists(postings, 5) == ([1], [1])


def test_huge_counts_are_clipped_not_wrapped():
    postings = PostingLists()
    postings.add(0, [(0, 70_000)])
    assert postings.get(0)[1].tolist() == [np.iinfo(np.uint16).max]
