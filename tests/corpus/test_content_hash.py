"""An article's fingerprint: the same text however it was wrapped or cased, and the same hash stores already hold."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from corpus.ingest import content_hash


def stored_fingerprint(paragraphs: tuple[str, ...]) -> str:
    """The definition the hashes in existing stores were made by: the body's words, case-folded, one space apart."""
    return hashlib.sha256(" ".join(" ".join(paragraphs).casefold().split()).encode()).hexdigest()


@given(st.lists(st.text(alphabet=st.sampled_from("aBß İ\u00a0\n\t.é"), max_size=12), max_size=6).map(tuple))
def test_the_fingerprint_is_the_one_stores_already_hold(paragraphs: tuple[str, ...]) -> None:
    assert content_hash(paragraphs) == stored_fingerprint(paragraphs)


def test_the_same_words_wrapped_or_cased_otherwise_have_the_same_fingerprint() -> None:
    assert content_hash(("The harbour  reopened", "", "on MONDAY.")) == content_hash(("the harbour reopened on Monday.",))
    assert content_hash(("The harbour reopened.",)) != content_hash(("The harbour closed.",))
