"""The words of ``/feed``, read once for Telegram and the console alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FEED_USAGE = "Usage: /feed add &lt;url&gt; | /feed list | /feed remove &lt;n&gt; | /feed export"


@dataclass(frozen=True, slots=True)
class FeedAdd:
    url: str


@dataclass(frozen=True, slots=True)
class FeedList:
    pass


@dataclass(frozen=True, slots=True)
class FeedRemove:
    number: int


@dataclass(frozen=True, slots=True)
class FeedExport:
    pass


FeedCommand = FeedAdd | FeedList | FeedRemove | FeedExport


def parse_feed_command(args: Sequence[str]) -> FeedCommand | None:
    """``add <url>``, ``list``, ``remove <n>`` or ``export``; None for anything else (answer with :data:`FEED_USAGE`)."""
    match list(args):
        case ["add", url]:
            return FeedAdd(url)
        case ["list"]:
            return FeedList()
        case ["remove", number] if number.isdigit():
            return FeedRemove(int(number))
        case ["export"]:
            return FeedExport()
    return None
