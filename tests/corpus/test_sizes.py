"""Sizes in reasons: a size over a limit never reads the same as the limit."""

from __future__ import annotations

import pytest

from corpus.errors import UnreadableSource
from corpus.loader import FileLimits, load_file
from corpus.sizes import sizes_apart


def test_a_size_just_over_a_limit_is_told_in_bytes_where_megabytes_would_read_the_same():
    assert sizes_apart(2_000_001, 2_000_000) == ("2,000,001 bytes", "2,000,000 bytes")
    assert sizes_apart(2_040_000, 2_000_000) == ("2,040,000 bytes", "2,000,000 bytes")


def test_sizes_that_read_apart_stay_in_megabytes():
    assert sizes_apart(2_600_000, 2_000_000) == ("2.6 MB", "2 MB")


def test_a_file_just_over_the_limit_is_refused_with_sizes_that_say_so(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("The ferry sails at noon. " * 400 + "x")
    with pytest.raises(UnreadableSource) as refused:
        list(load_file(notes, FileLimits(max_document_bytes=10_000)))
    assert refused.value.reason == "notes.txt is 10,001 bytes; I read articles up to 10,000 bytes"
