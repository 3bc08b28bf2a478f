"""Standard output that ends a run in one line when it cannot take Lede's replies.

``lede --ask … > /dev/full``, a file on a disk that fills, an output closed with
``>&-``: writing a reply then fails with an OSError (or, closed, finds no
``sys.stdout`` at all) that, left alone, ends the run in a traceback. Written
through :class:`Replies`, such a failure is :class:`OutputFailed`, which
:func:`bot.main.main` prints as one line on standard error. A reader gone away
(``| head -1``) stays a BrokenPipeError: the run ends silently, as SIGPIPE ends
a Unix tool. Text it cannot encode (a path's bytes that are not UTF-8) is
written with U+FFFD for them rather than failing, and control characters from
articles are left out (a terminal would obey them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from bot.formatting import BOLD, NORMAL
from corpus.errors import LedeError
from corpus.loader import without_lone_surrogates

# Control characters but tab and newline, and escape sequences but Lede's own bold: an article's (a
# feed's, a page's, a file's) would reach the terminal, which would obey them: retitle its window,
# move the cursor over the lines before, hide text, or ring the bell.
_CONTROLS = re.compile(f"({re.escape(BOLD)}|{re.escape(NORMAL)})|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Output(Protocol):
    """Where replies are printed: standard output as :class:`Replies` writes it, or any text stream (a test's)."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...

    def isatty(self) -> bool: ...


class OutputFailed(LedeError):
    """Standard output cannot take Lede's replies: it is full, closed or failing."""


class Replies:
    """The stream Lede's replies are written to (standard output), whose failures are :class:`OutputFailed`."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream  # None: Python found no standard output (the shell closed it)

    def write(self, text: str) -> int:
        with _said_in_one_line():
            # A path given in bytes that are not UTF-8 (echoed by --backup, say) holds lone surrogates, which a
            # standard output that is strictly UTF-8 (a desktop's en_US.UTF-8 locale) refuses to write.
            return self._open().write(_CONTROLS.sub(_own_codes, without_lone_surrogates(text)))

    def flush(self) -> None:
        with _said_in_one_line():
            self._open().flush()

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def _open(self) -> TextIO:
        if self._stream is None:
            raise OutputFailed("could not write to standard output (it is closed); "
                               "send it to a file or a pipe, or to /dev/null")
        return self._stream


def _own_codes(control: re.Match[str]) -> str:
    return control.group(1) or ""


@contextmanager
def _said_in_one_line() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputFailed(f"could not write to standard output ({error.strerror or error})") from error
