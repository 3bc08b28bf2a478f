"""Retention: forget articles older than ``LEDE_KEEP_DAYS``, in the store and in what answers from it.

News goes stale and a store that only grows fills its disk. By default Lede
keeps everything; with ``LEDE_KEEP_DAYS`` set, the bot prunes at start-up and
then daily (a JobQueue job), and ``--prune`` does the same once, through this
same use case.

An article's age is its date as :func:`~corpus.article.article_moment`
reads it: the publisher's date, else (no date, or one that does not parse)
when Lede fetched it, which the store always records. So an undated article
is kept ``LEDE_KEEP_DAYS`` from the day Lede read it.

The articles are deleted in one transaction (their sentences and who sees
them go with them), then the shelf forgets them (the bot's index drops them
exactly, as it drops an edited post's old version), then the file is
vacuumed so the disk space is given back, not merely marked free; also
when nothing is old but an earlier pruning could not give its space back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from corpus.article import article_moment
from corpus.store import Store


# A century, generously: a few million days would reach back before year 1, which no date can.
MAX_KEEP_DAYS = 36_500


def parse_keep_days(value: str | None) -> int | None:
    """``LEDE_KEEP_DAYS`` (or ``--keep-days``): a positive whole number of days; unset keeps everything."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_KEEP_DAYS:
        raise ValueError(f"LEDE_KEEP_DAYS (or --keep-days) must be a whole number of days from 1 to {MAX_KEEP_DAYS:,}, "
                         f"got {value!r}")
    return int(text)


class Forgetting(Protocol):
    """What answers from the store (the bot's index) and must stop quoting removed articles."""

    def forget(self, article_ids: Collection[str]) -> None:
        """Drop ``article_ids`` (already deleted from ``store``)."""


@dataclass(frozen=True, slots=True)
class Stale:
    """What a pruning now would remove: the articles dated before ``cutoff``, and how many would stay."""

    article_ids: tuple[str, ...]
    cutoff: datetime
    kept: int

    def as_json(self) -> dict[str, object]:
        return {"would_remove": len(self.article_ids), "kept": self.kept, "cutoff": self.cutoff.isoformat()}


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a pruning did: how many articles went, which dates, and the file's size before and after."""

    removed: int
    cutoff: datetime
    bytes_before: int
    bytes_after: int

    def as_json(self) -> dict[str, object]:
        return {"removed": self.removed, "cutoff": self.cutoff.isoformat(), "bytes_before": self.bytes_before,
                "bytes_after": self.bytes_after}


class Retention:
    """Removes the articles dated more than ``keep_days`` before now; ``keep_days`` None keeps everything."""

    def __init__(self, store: Store, shelf: Forgetting | None, keep_days: int | None) -> None:
        self.store = store
        self.shelf = shelf
        self.keep_days = keep_days

    def stale(self, now: datetime) -> Stale | None:
        """What :meth:`prune` would remove now, removing nothing; None when Lede keeps everything."""
        if self.keep_days is None:
            return None
        cutoff = now - timedelta(days=self.keep_days)
        articles = self.store.articles()
        old = tuple(article.article_id for article in articles
                    if (moment := article_moment(article)) is not None and moment < cutoff)
        return Stale(old, cutoff, kept=len(articles) - len(old))

    def prune(self, now: datetime) -> Pruned | None:
        """Remove what is too old and give its space back; None when Lede keeps everything."""
        stale = self.stale(now)
        return None if stale is None else self.remove(stale)

    def remove(self, stale: Stale) -> Pruned:
        """Remove what :meth:`stale` found and give its space back (``--prune`` finds it first, and may stop there)."""
        before = self.store.size()
        old = list(stale.article_ids)
        self.store.remove_articles(old)
        if old and self.shelf is not None:
            self.shelf.forget(old)
        # Space an earlier pruning freed but could not give back (the disk was full for VACUUM) comes back now,
        # though nothing is old any more.
        if old or self.store.holds_free_space():
            self.store.reclaim_space()
        return Pruned(len(old), stale.cutoff, before, self.store.size())
