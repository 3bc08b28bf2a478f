"""Posting lists give the same answers before and after the tail is folded into frozen segments."""

from __future__ import annotations

import random

import numpy as np
import pytest

from retrieval.postings import PostingLists


def _add(postings: PostingLists, passage: int, term_counts) -> None:
    """Record one passage's terms, each ``count`` times."""
    terms, counts = zip(*term_counts) if term_counts else ((), ())
    occurrences = np.repeat(np.array(terms, dtype=np.int32), np.array(counts, dtype=np.int64))
    postings.add(np.full(len(occurrences), passage, dtype=np.int32), occurrences)


def _as_lists(postings: PostingLists, term: int) -> tuple[list[int], list[int]]:
    passages, counts = postings.get(term)
    return passages.tolist(), counts.tolist()


@pytest.mark.parametrize("segment_size", [1, 50, 2_000_000])  # a segment per fold, a few, a single one
def test_postings_read_back_in_passage_order_across_merges(segment_size):
    rng = random.Random(5)
    expected: dict[int, tuple[list[int], list[int]]] = {}
    postings = PostingLists(merge_threshold=37, segment_size=segment_size)  # merges many times, at awkward points
    for passage in range(400):
        terms = {rng.randrange(60): rng.randrange(1, 4) for _ in range(rng.randrange(0, 6))}
        _add(postings, passage, list(terms.items()))
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
    _add(postings, 0, [(0, 1), (1, 2)])  # merged
    _add(postings, 1, [(5, 1)])  # tail only, a term beyond the frozen vocabulary
    assert _as_lists(postings, 5) == ([1], [1])
    assert _as_lists(postings, 3) == ([], [])
    postings.merge()
    assert _as_lists(postings, 1) == ([0], [2])
    assert _as_lists(postings, 5) == ([1], [1])


def test_folds_fill_the_newest_segment_until_it_is_full():
    postings = PostingLists(merge_threshold=3, segment_size=5)
    for passage in range(12):
        _add(postings, passage, [(passage % 2, 1), (2, 1)])  # two postings a passage: a fold every second passage
    state = postings.export()
    sizes = [state[f"postings.{n}.passages"].size for n in range(int(state["postings.segments"][0]))]
    assert sizes == [8, 8, 8], "a segment takes folds while below its size, then a new one starts"
    assert _as_lists(postings, 2) == (list(range(12)), [1] * 12)
    assert _as_lists(postings, 1) == (list(range(1, 12, 2)), [1] * 6)


def test_exported_segments_restore_to_the_same_lists():
    postings = PostingLists(merge_threshold=4, segment_size=6)
    for passage in range(30):
        _add(postings, passage, [(passage % 7, passage % 3 + 1), (9, 2)])
    restored = PostingLists.restore(postings.export())
    for term in range(11):
        assert _as_lists(restored, term) == _as_lists(postings, term)
    _add(restored, 30, [(9, 1), (12, 1)])
    assert _as_lists(restored, 9)[0] == list(range(31))
    assert _as_lists(restored, 12) == ([30], [1])


def test_huge_counts_are_clipped_not_wrapped():
    postings = PostingLists()
    _add(postings, 0, [(0, 70_000)])
    assert postings.get(0)[1].tolist() == [np.iinfo(np.uint16).max]


def test_many_passages_recorded_at_once_read_back_as_if_one_by_one():
    rng = np.random.default_rng(7)
    passages = np.sort(rng.integers(0, 300, 2_000)).astype(np.int32)
    terms = rng.integers(0, 40, 2_000).astype(np.int32)
    at_once, one_by_one = PostingLists(merge_threshold=100), PostingLists(merge_threshold=100)
    early = passages < 150  # two steps, the second's passages all after the first's
    at_once.add(passages[early], terms[early])
    at_once.add(passages[~early], terms[~early])
    for passage in np.unique(passages).tolist():
        mine = passages == passage
        one_by_one.add(passages[mine], terms[mine])
    for term in range(40):
        expected = np.unique(passages[terms == term], return_counts=True)
        assert _as_lists(at_once, term) == _as_lists(one_by_one, term) == (expected[0].tolist(), expected[1].tolist())
