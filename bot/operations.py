"""The operator's one-off commands beside the bot: ``--prune`` and ``--backup``.

Both are safe while the bot runs on the same store: a pruning is the same
use case as the bot's daily job, and a backup reads one consistent view
through SQLite's online backup API while the bot goes on writing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.output import Output
from bot.service import Lede
from bot.stopping import STOP_SIGNALS
from corpus.database_file import followed, named_tables, other_programs_tables_at, unreachable
from corpus.errors import ConfigurationError, LedeError
from corpus.retention import Pruned, Stale
from corpus.sizes import megabytes
from corpus.store import Store, file_identity

PRUNE_STOPPED_BEFORE = "Interrupted before anything was removed; the store is as it was."
PRUNE_STOPPED_AFTER = ("Interrupted once the pruning had begun, so it was finished first: "
                       "the summary says what was removed.")
# The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# What SQLite names the files it keeps beside a database: the store's name and one of these.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def require_store(db_path: Path | str, setting: str, doing: str) -> None:
    """Refuse, in one line, to ``doing`` (back up, prune) a store that does not exist, rather than create an empty one.

    ``setting`` is where the path came from (``--db``, ``LEDE_DB``), named in the line as every command names it.
    """
    named = f"{setting} {db_path}"
    try:
        present = str(db_path) != ":memory:" and Path(db_path).is_file()
    except PermissionError as error:
        raise unreachable(named, error) from None
    if not present:
        raise ConfigurationError(f"{named}: there is no store there to {doing}; "
                                 "set --db or LEDE_DB to the bot's database")


def run_prune(lede: Lede, out: Output, errors: TextIO, *, as_json: bool, dry_run: bool) -> int:
    """Remove the articles older than the configured days and say what went and how much space came back.

    With ``dry_run``, only say how many would go and how many would stay: a
    --keep-days that reaches past every article's date empties the store, and
    nothing brings it back but a backup.

    Ctrl-C (or SIGTERM, see :func:`bot.main.run`) while the old articles are
    sought stops it with a note on ``errors`` that nothing was removed. Once
    the removal has begun, it and the giving back of the space are finished
    first, and the summary printed, then the run ends as Ctrl-C does: what it
    says is then what was done (SQLite's VACUUM cannot be cut short anyway).
    """
    now = datetime.now(UTC)
    try:
        stale = lede.retention.stale(now)
    except KeyboardInterrupt:
        print(PRUNE_STOPPED_BEFORE, file=errors, flush=True)
        raise
    assert stale is not None, "--prune is refused without a number of days to keep"
    if dry_run:
        _print_pruning(stale, out, as_json=as_json)
        return 0
    try:
        with _stops_held_off():
            _print_pruning(lede.retention.remove(stale), out, as_json=as_json)
    except KeyboardInterrupt:
        print(PRUNE_STOPPED_AFTER, file=errors, flush=True)
        raise
    return 0


@contextmanager
def _stops_held_off() -> Iterator[None]:
    """Ctrl-C and SIGTERM meanwhile take effect when the block is done, as they would have then; not if it fails."""
    held: list[int] = []
    before = {signum: signal.signal(signum, lambda received, frame: held.append(received)) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
    if held:
        signal.raise_signal(held[0])


def _print_pruning(done: Stale | Pruned, out: Output, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(done.as_json()), file=out)
    elif isinstance(done, Stale):
        print(f"Would remove {len(done.article_ids)} articles dated before {done.cutoff:%Y-%m-%d %H:%M} UTC "
              f"and keep {done.kept}; nothing was removed (without --dry-run, --prune removes them).", file=out)
    else:
        print(f"Removed {done.removed} articles dated before {done.cutoff:%Y-%m-%d %H:%M} UTC; "
              f"the store went from {megabytes(done.bytes_before)} to {megabytes(done.bytes_after)}.", file=out)


def _not_replaceable(target: Path) -> str | None:
    """Why a backup may not replace what is at ``target``, or None for an earlier copy (Lede's database) or an empty file.

    Anything else (notes, another program's database or file, /dev/null, the store's write-ahead log) would be
    lost for good, or, for a device, replaced by a file.
    """
    if target.is_file():
        with target.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        if header == b"":
            return None
        if header == SQLITE_HEADER:
            try:
                tables = other_programs_tables_at(target)
            except sqlite3.DatabaseError as error:
                return f"{target} is a database SQLite cannot read ({error})"
            return f"{target} is another program's database (its tables: {named_tables(tables)})" if tables else None
    return f"{target} is there and is not a database"


def _backup_target(db_path: Path | str, given: str) -> tuple[Path, bool]:
    """The file ``--backup given`` writes, and whether an earlier copy is there; a ConfigurationError says why not."""
    named = Path(given)
    # A folder receives the copy, as cp does; "backups/" names one even before it exists, so a missing
    # one is refused rather than a file named "backups" made in its place.
    if named.is_dir() or given.endswith(("/", os.sep)):
        named = named / Path(db_path).name
    # A link is written through, as cp and SQLite (--db) write through one: replaced by the copy, it was gone, and
    # what it led to stale (or, for a link to a file not made yet, never made).
    target = followed(named, f"--backup {given}")
    if not target.parent.is_dir():
        folder = target.parent
        problem = f"{folder} is a file, not a folder" if folder.exists() else f"the folder {folder} does not exist"
        leads = f" (the link {named} leads there)" if target != named else ""
        raise ConfigurationError(f"--backup {given}: {problem}{leads}")
    if target.exists() and os.path.samefile(target, db_path):
        raise ConfigurationError(f"--backup {given}: the copy would overwrite the store itself ({db_path}); "
                                 "give another file or folder")
    # Made while the backup reads the store, so not there yet to be refused as no database: replaced, the
    # store's log or shared memory would be lost (the copy with it) or read as garbage by the running bot.
    store = Path(db_path).resolve()
    if target.resolve() in {store.with_name(store.name + suffix) for suffix in SQLITE_COMPANIONS}:
        raise ConfigurationError(f"--backup {given}: SQLite keeps that file beside the store ({db_path}) while "
                                 "it is open; give another file or folder")
    replacing = target.exists()
    refusal = _not_replaceable(target) if replacing else None
    if refusal:
        raise ConfigurationError(f"--backup {given}: {refusal}, so it is no earlier copy to replace; "
                                 "give another file or folder")
    return target, replacing


def run_backup(db_path: Path | str, given: str, out: Output, errors: TextIO, *, setting: str,
               as_json: bool = False) -> int:
    """Copy the store at ``db_path`` (given by ``setting``: ``--db``, ``LEDE_DB``) to ``given`` (a folder receives
    it under the store's own name).

    A ConfigurationError names what is wrong in one line: no store, no such
    folder, the store itself as the target, or a place that cannot be written.
    Ctrl-C (or SIGTERM, see :func:`bot.main.run`) ends it with a note on
    ``errors`` saying whether the copy was made; no half-written copy is left.
    A damaged store is copied all the same (the copy may still save what it
    holds), never over an earlier copy, and a LedeError then says so: exit
    status 1, so that a script rotating its backups keeps the earlier ones.
    """
    require_store(db_path, setting, "back up")
    try:
        target, replacing = _backup_target(db_path, given)
    except PermissionError as error:  # another user's chmod 700 folder on the way to it
        raise unreachable(f"--backup {given}", error) from None
    earlier = file_identity(target)
    try:
        with Store.open(db_path, setting=setting) as store:
            damage = store.backup(target, keep_target_if_damaged=replacing)
    except KeyboardInterrupt:
        # The copy takes the target's name in one rename: another file there is the copy, made before the stop.
        made = file_identity(target) != earlier
        print(f"Interrupted once the copy was made: it is at {target}." if made else
              f"Interrupted before the copy was made: nothing was written to {target}.", file=errors, flush=True)
        raise
    except (OSError, sqlite3.Error) as error:
        raise ConfigurationError(f"--backup {target}: cannot write the copy there ({error})") from error
    damaged = f"{db_path} is damaged (SQLite's quick_check: {damage})"
    if damage and replacing:
        raise LedeError(f"{damaged}, so its copy did not replace the earlier one at {target}, which may be the last "
                        "whole copy; give another file to copy the damaged store to, and restore the store from a "
                        "backup (see --backup)")
    size = target.stat().st_size
    if as_json:
        print(json.dumps({"store": str(db_path), "backup": str(target), "bytes": size, "replaced": replacing}
                         | ({"damaged": damage} if damage else {})), file=out)
    else:
        # Replaced as cp replaces a file, but said: yesterday's backup of the same name is gone.
        replaced = ", replacing the copy that was there" if replacing else ""
        print(f"Backed up {db_path} to {target} ({megabytes(size)}){replaced}.", file=out)
    if damage:
        raise LedeError(f"{damaged}, and so is its copy at {target}; keep the earlier copies, and restore the store "
                        "from one of them (see --backup)")
    return 0
