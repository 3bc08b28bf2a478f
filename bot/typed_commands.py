"""The words of a command (its name, and what ``/feed`` and ``/sources`` are given), read once for Telegram and
the console alike."""

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


def add_usage(file_way: str) -> str:
    """What ``/add`` given no source, or more than one, is told; ``file_way`` is this front end's way to give a file."""
    return f"Usage: /add &lt;url&gt; for a news article on the web, or {file_way}."


def addressed_command(word: str) -> tuple[str, str | None]:
    """A command's ``/name`` and the bot it is addressed to by name (``/name@lede_bot``), if any.

    Telegram's groups address commands so, and the console reads ``/help@lede_bot`` as ``/help`` as a group does.
    """
    name, at, addressee = word.partition("@")
    return name, addressee if at else None


def parse_feed_command(args: Sequence[str]) -> FeedCommand | None:
    """``add <url>``, ``list``, ``remove <n>`` or ``export``; None for anything else (answer with :data:`FEED_USAGE`).

    The word after ``/feed`` is read in any case, as Telegram reads ``/FEED`` itself; the URL is kept as typed.
    """
    match [word.lower() if place == 0 else word for place, word in enumerate(args)]:
        case ["add", url]:
            return FeedAdd(url)
        case ["list"]:
            return FeedList()
        case ["remove", number] if (feed := whole_number(number)) is not None:
            return FeedRemove(feed)
        case ["export"]:
            return FeedExport()
    return None


def page_number(args: Sequence[str]) -> int | None:
    """The page ``/sources`` asks for: 1 without a word, else its one number; None when what follows is no number."""
    match list(args):
        case []:
            return 1
        case [number]:
            return whole_number(number)
    return None


def whole_number(word: str) -> int | None:
    """``word`` as a whole number of decimal digits, else None ("-1", "1.5", and "²", a digit to Python but no number)."""
    if not word.isdecimal():
        return None
    try:
        return int(word)
    except ValueError:  # more digits than int() reads (4,300)
        return None
