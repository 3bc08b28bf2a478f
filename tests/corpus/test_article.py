"""Dates as sources write them become aware datetimes; what is no date is None, never an error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from corpus.article import read_moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("1987-02-26T15:02:20", datetime(1987, 2, 26, 15, 2, 20, tzinfo=UTC)),  # a wire's date without a zone: UTC
        ("2025-02-14", datetime(2025, 2, 14, tzinfo=UTC)),
        ("2025-05-02T14:00:00+02:00", datetime(2025, 5, 2, 14, tzinfo=timezone(timedelta(hours=2)))),
        ("Fri, 14 Feb 2025 10:00:00 GMT", datetime(2025, 2, 14, 10, tzinfo=UTC)),  # RFC 2822, as in RSS
        ("  2025-02-14T10:00:00Z ", datetime(2025, 2, 14, 10, tzinfo=UTC)),
    ],
)
def test_dates_are_read_as_aware_datetimes(text: str, moment: datetime) -> None:
    read = read_moment(text)
    assert read == moment and read is not None and read.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize("text", [None, "", "   ", "last Tuesday", "2025-13-45", "Fri, 99 Foo"])
def test_what_is_no_date_is_none(text: str | None) -> None:
    assert read_moment(text) is None
