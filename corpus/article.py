"""The unit of the corpus: one clean news article with its provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: body paragraphs plus everything needed to cite it.

    ``paragraphs`` holds the body only (no feed footer, no boilerplate, no
    repeats), each paragraph a single line. Citing fields are optional because
    plain-text sources rarely carry all of them. ``source`` says where the
    article was read from (a file, a URL, a feed); ``fetched`` is when, as ISO
    8601 in UTC, and ``published`` is the publisher's own date when known.
    """

    article_id: str
    title: str
    paragraphs: tuple[str, ...]
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    author: str | None = None
    language: str | None = None
    fetched: str | None = None

    @property
    def text(self) -> str:
        """The body as one string, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


def article_moment(article: Article) -> datetime | None:
    """When an article happened: the publisher's date, else when it was fetched (UTC; naive dates are UTC)."""
    for stamp in (article.published, article.fetched):
        if not stamp:
            continue
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return None
