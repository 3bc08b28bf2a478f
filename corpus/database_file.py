"""Where the store's SQLite file lives: checked before it is opened, so a wrong path is one clear sentence.

SQLite's own errors name neither the path nor the setting it came from
("unable to open database file", "file is not a database"), and opening a
path in a folder that does not exist would create the folders first, so a
typo in ``--db`` used to start an empty store somewhere unexpected. Every
problem here is a :class:`ConfigurationError` naming the setting (``--db``,
``LEDE_DB``) and what would be right.

A file Lede may not write (a read-only file, folder or mount) is opened
read-only through SQLite's ``mode=ro`` URI: questions are still answered, and
the store refuses changes (:class:`corpus.errors.ReadOnlyStore`).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class DatabaseFile:
    """A database path that was checked, and whether Lede may only read it."""

    path: Path
    read_only: bool


def check_database_path(path: Path, *, create: bool, setting: str) -> DatabaseFile:
    """The database file at ``path``, if it can be one; ``create`` lets Lede create a missing folder.

    ``setting`` is where the path came from (``--db``, ``LEDE_DB``), named in every message.
    """
    named = f"{setting} {path}"
    try:
        return _checked(path, create=create, named=named)
    except PermissionError as error:
        raise unreachable(named, error) from None


def unreachable(named: str, error: PermissionError) -> ConfigurationError:
    """The error for a path in a folder Lede's user may not open (another user's ``chmod 700`` folder)."""
    return ConfigurationError(f"{named}: Lede may not open a folder on the way to it ({error.strerror}); "
                              "give a path the user Lede runs as may open, or change that folder's permissions")


def _checked(path: Path, *, create: bool, named: str) -> DatabaseFile:
    if path.is_dir():
        raise ConfigurationError(f"{named} is a folder; give the path of a database file, e.g. {path / 'lede.db'}")
    # SQLite opens a link's target, so the folder to check (or create) is the target's: a link into a folder that
    # is not there was "SQLite cannot open or create a database there".
    folder = followed(path, named).parent
    if not folder.exists():
        if not create:
            leads = f" (the link {path} leads there)" if path.is_symlink() else ""
            raise ConfigurationError(f"{named}: the folder {folder} does not exist{leads}; check the path, "
                                     "or add --create to create it")
        try:
            folder.mkdir(parents=True)
        except OSError as error:
            raise ConfigurationError(f"{named}: could not create the folder {folder} ({error.strerror})") from None
    elif not folder.is_dir():
        raise ConfigurationError(f"{named}: {folder} is not a folder")
    writable = os.access(folder, os.W_OK)
    if path.exists():
        if not os.access(path, os.R_OK):  # SQLite would only say "unable to open database file"
            raise ConfigurationError(f"{named}: Lede may not read this file ({os.strerror(errno.EACCES)}); "
                                     "give a path the user Lede runs as may read, or change the file's permissions")
        # SQLite writes its -wal and -shm files beside the database, so the folder must be writable too.
        return DatabaseFile(path, read_only=not (writable and os.access(path, os.W_OK)))
    if not writable:
        raise ConfigurationError(f"{named}: the folder {folder} is read-only, so no database can be created there; "
                                 "give a path in a writable folder")
    return DatabaseFile(path, read_only=False)


def followed(path: Path, named: str) -> Path:
    """Where the link at ``path`` leads, as SQLite and ``cp`` follow it (which need not exist yet), else ``path``.

    A loop of links leads nowhere: a ConfigurationError naming ``named`` (``--db x``, ``--backup x``) says so,
    where ``Path.resolve`` raised a RuntimeError (a traceback) until Python 3.13, and returns a link since.
    """
    if not path.is_symlink():
        return path
    try:
        target = path.resolve()
    except RuntimeError:
        target = path
    if target.is_symlink():
        raise ConfigurationError(f"{named}: the link {path} leads round a loop of links to no file; "
                                 "give the path of a file, or of a link to one")
    return target


def not_a_database(database: DatabaseFile, setting: str, why: str) -> ConfigurationError:
    """The error for a file that is not Lede's store: not a database to SQLite (a text file, an image, a damaged
    copy), or another program's database, which Lede must not add its tables to."""
    return ConfigurationError(f"{setting} {database.path} is not a Lede database ({why}); "
                              "give the path of Lede's database, or of a file that does not exist yet")


def other_programs_tables(connection: sqlite3.Connection) -> list[str]:
    """The tables of a database Lede never wrote, which must be left as it is; none for Lede's own or a new one.

    Lede's first migration creates all of its tables, so a database at schema version 0 that
    has tables is another program's: Lede would add its own beside them and switch it to WAL
    (opened as the store), or replace them (as a backup's target).
    """
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version:
        return []
    return [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def other_programs_tables_at(path: Path) -> list[str]:
    """:func:`other_programs_tables` of the database file at ``path``, read without changing it.

    Raises sqlite3.DatabaseError when SQLite cannot read it as a database.
    """
    with closing(sqlite3.connect(read_only_address(DatabaseFile(path, read_only=True)), uri=True)) as connection:
        return other_programs_tables(connection)


def damage_found(connection: sqlite3.Connection) -> str | None:
    """The first fault SQLite's ``quick_check`` finds in a database (a disk fault, a copy taken without --backup), in
    one line, else None."""
    try:
        [result] = connection.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as error:  # damage that stops the check itself
        return str(error)
    # A fault is reported as "*** in database main ***" and the fault itself, on lines of their own.
    return None if result == "ok" else " ".join(result.removeprefix("*** in database main ***").split())


def named_tables(tables: list[str]) -> str:
    """Another program's tables as a message names them: the first three, and how many more."""
    more = f" and {len(tables) - 3} more" if len(tables) > 3 else ""
    return ", ".join(tables[:3]) + more


def cannot_open(database: DatabaseFile, setting: str, error: sqlite3.OperationalError) -> ConfigurationError:
    """The error for a path SQLite cannot open or create a file at, though the checks above found no fault."""
    return ConfigurationError(f"{setting} {database.path}: SQLite cannot open or create a database there ({error}); "
                              "give a path in a folder where Lede can write files")


def read_only_address(database: DatabaseFile) -> str:
    """The URI that opens ``database`` read-only, for the store's writer and readers alike.

    On a read-only mount SQLite cannot create the WAL's shared-memory file,
    and must be told that nothing changes the file (``immutable=1``), which
    is true of a read-only mount.
    """
    address = f"{database.path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(address, uri=True)) as probe:
            probe.execute("PRAGMA user_version").fetchone()
        return address
    except sqlite3.OperationalError:
        return address + "&immutable=1"
