"""Lines typed at a terminal, with line editing and a history kept between runs (through readline).

readline is imported only for a terminal: on a pipe it would do nothing but
take time, and some Pythons (Windows, minimal builds) have none, in which
case the console still works, without editing or history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import platformdirs

log = logging.getLogger(__name__)

HISTORY_LINES = 1000


def history_path() -> Path:
    """The console's history, in the user's state directory (``~/.local/state/lede/`` on Linux)."""
    return platformdirs.user_state_path("lede") / "console_history"


def typed_lines(prompt: str) -> Iterator[str]:
    """Each line typed after ``prompt`` until end of input (Ctrl-D); the history is saved however it ends."""
    readline: ModuleType | None  # None where Python has none
    try:
        import readline
    except ImportError:
        readline = None
    history = history_path()
    if readline is not None:
        readline.set_history_length(HISTORY_LINES)
        try:
            readline.read_history_file(history)
        except OSError:
            pass  # no history yet, or none readable: start a new one
    try:
        while True:
            try:
                yield input(prompt)
            except EOFError:
                print()
                return
    finally:
        if readline is not None:
            _save_history(readline, history)


def _save_history(readline: object, history: Path) -> None:
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(history)  # type: ignore[attr-defined]
    except OSError as error:
        log.warning("Could not save the console history to %s (%s)", history, error.strerror)
