"""Running ``run_bot.py`` as its own process, as an operator would."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ``TELEGRAM_`` or ``LEDE_`` variable, then ``settings``.

    A developer's own token, store or allow-lists must not leak into a test
    that starts Lede, nor make it talk to the real Telegram.
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("TELEGRAM_", "LEDE_"))}
    environment.update(settings)
    return environment


def scratch_folder(prefix: str) -> Path:
    """A new folder in the system's temporary directory, removed with all it holds when the tests end.

    For what a test's ``tmp_path`` cannot serve: a folder a helper outside any fixture needs for a
    process it starts (its data directory), or one that another user must reach (pytest's folders
    are their owner's alone).
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(_remove, folder)
    return folder


def _remove(folder: Path) -> None:
    # A test may have made it read-only, as a read-only mount is.
    for path in (folder, *folder.rglob("*")):
        if path.is_dir():
            path.chmod(0o700)
    shutil.rmtree(folder, ignore_errors=True)
