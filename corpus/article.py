"""The unit of the corpus: one clean news article with its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: body paragraphs plus everything needed to cite it.

    ``paragraphs`` holds the body only (no feed footer, no boilerplate, no
    repeats), each paragraph a single line. Citing fields are optional because
    plain-text sources rarely carry all of them. ``source`` says where the
    article was read from (a file, a URL, a feed); ``fetched`` is when, and
    ``published`` is the publisher's own date when known: both aware datetimes
    (see :func:`read_moment` for dates as sources write them).
    """

    article_id: str
    title: str
    paragraphs: tuple[str, ...]
    publisher: str | None = None
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    author: str | None = None
    language: str | None = None
    fetched: datetime | None = None

    @property
    def text(self) -> str:
        """The body as one string, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


def article_moment(article: Article) -> datetime | None:
    """When an article happened, in UTC: the publisher's date, else when it was fetched."""
    moment = article.published or article.fetched
    return moment.astimezone(UTC) if moment else None


def read_moment(text: str | None) -> datetime | None:
    """A date as sources write it (ISO 8601, or RFC 2822 as in e-mail and RSS), aware; None when it is no date.

    A date without a time zone is taken as UTC: news wires and feeds that
    leave the zone out almost always mean it, and a moment must be
    comparable with every other.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
