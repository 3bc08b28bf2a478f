"""The ``lede`` command and ``run_bot.py``: :func:`bot.main.main`, with Ctrl-C while it is imported handled too.

Importing Lede's modules and the libraries they use takes over a second. Ctrl-C meanwhile raised
KeyboardInterrupt before :func:`bot.main.main` could catch it, and Python printed its traceback.
This module imports only the standard library, so that the import of everything else is under its guard.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

# The exit status of a run Ctrl-C stopped, as for any Unix tool; the console is left with Ctrl-C, as with
# Ctrl-D, so it ends with 0 (see bot.main.main, which says the same once it knows the mode).
STOPPED_BY_CTRL_C = 128 + signal.SIGINT
# The shortest abbreviation of --console argparse takes: "--co" could be --corpus too.
CONSOLE_FLAG, SHORTEST_CONSOLE_FLAG = "--console", "--con"


def main(argv: Sequence[str] | None = None) -> int:
    """Run Lede (see :mod:`bot.main`); returns the exit status."""
    try:
        from bot.main import main as run_lede  # the slow imports

        return run_lede(argv)
    except KeyboardInterrupt:  # while importing, or before bot.main.main knew what it was to run
        return 0 if _names_the_console(sys.argv[1:] if argv is None else argv) else STOPPED_BY_CTRL_C


def _names_the_console(args: Sequence[str]) -> bool:
    """Whether the command line asks for the console, read without the configuration, which is not imported yet."""
    return any(len(arg) >= len(SHORTEST_CONSOLE_FLAG) and CONSOLE_FLAG.startswith(arg) for arg in args)
