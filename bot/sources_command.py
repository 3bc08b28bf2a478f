"""The words of ``/sources [page]``, read once for Telegram and the console alike."""

from __future__ import annotations

from collections.abc import Sequence


def page_number(args: Sequence[str]) -> int | None:
    """The page ``/sources`` asks for: 1 without a word, else its one number; None when what follows is no number."""
    match list(args):
        case []:
            return 1
        case [number] if number.isdecimal():  # not "-1", "1.5" or "²" (a digit to Python, but no number)
            try:
                return int(number)
            except ValueError:  # more digits than int() reads: no page either
                return None
    return None
