"""Operating a store: a backup taken while the bot writes is whole and answers; an index of an older format is rebuilt.

(Schema migrations at start-up: tests/corpus/test_store.py::test_a_database_from_before_unreachable_chats_is_upgraded_in_place.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from bot.main import main
from bot.service import Lede
from bot.shared_index import SharedIndex, new_index, snapshot_path
from corpus.article import Article
from corpus.database_file import DatabaseFile
from corpus.store import Store
from retrieval.snapshot import FORMAT

SENTENCES = 40


def story(number: int) -> Article:
    sentences = " ".join(f"Dispatch {number} line {line} reports the tide at pier {number * 100 + line}."
                         for line in range(SENTENCES))
    return Article(f"story-{number}", f"Dispatch {number}", (sentences,), publisher="Wire")


def test_a_backup_taken_while_another_connection_writes_is_a_whole_store_that_answers(tmp_path, monkeypatch, capsys):
    db, copy = tmp_path / "lede.db", tmp_path / "backup" / "lede-copy.db"
    copy.parent.mkdir()
    with Store.open(db) as store:
        library = Lede.compose(None, store).sources.library
        for number in range(3):
            library.keep(story(number))
    # The running bot, mid-way through storing an article: its row and half its sentences, not committed.
    bot = sqlite3.connect(db, isolation_level=None)
    bot.execute("BEGIN IMMEDIATE")
    row = bot.execute("INSERT INTO articles (article_id, title, fetched, content_hash, body)"
                      " VALUES ('half', 'Half', '2026-12-01', 'h', 'b')").lastrowid
    bot.executemany("INSERT INTO sentences (article, position, text) VALUES (?, ?, 'x')",
                    ((row, position) for position in range(SENTENCES // 2)))
    monkeypatch.setenv("LEDE_DB", str(db))
    assert main(["--backup", str(copy)]) == 0
    bot.execute("COMMIT")
    bot.close()
    assert f"Backed up {db} to {copy}" in capsys.readouterr().out

    connection = sqlite3.connect(copy)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    counts = connection.execute(
        "SELECT article_id, count(*) FROM articles JOIN sentences ON sentences.article = articles.id"
        " GROUP BY articles.id ORDER BY articles.id").fetchall()
    connection.close()
    assert counts == [(f"story-{number}", SENTENCES) for number in range(3)], "committed articles only, each whole"
    with Store.open(copy) as restored:
        lede = Lede.compose(new_index(), restored)
        lede.load_store()
        outcome = lede.questions.ask("what is the tide at pier 207?")
        assert outcome.best.passage.text == "Dispatch 2 line 7 reports the tide at pier 207."


def test_a_backup_of_a_missing_store_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "typo.db"))
    assert main(["--backup", str(tmp_path / "copy.db")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "typo.db" in line and not (tmp_path / "typo.db").exists()


def _keep(db: Path, number: int) -> None:
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(story(number))


def _store_and_backup_folder(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """The store (``LEDE_DB``) holding one story, and an empty folder to back it up into."""
    db, folder = tmp_path / "lede.db", tmp_path / "backups"
    folder.mkdir()
    _keep(db, 1)
    monkeypatch.setenv("LEDE_DB", str(db))
    return db, folder


def test_a_backup_into_a_folder_takes_the_store_s_own_name(tmp_path, monkeypatch, capsys):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    assert main(["--backup", str(folder)]) == 0
    assert f"Backed up {db} to {folder / 'lede.db'}" in capsys.readouterr().out
    assert sorted(path.name for path in folder.iterdir()) == ["lede.db"]
    with Store.open(folder / "lede.db") as copy:
        assert copy.article_count() == 1


def test_a_backup_into_a_folder_starting_with_a_tilde_is_in_the_home_folder_as_a_shell_would_read_it(
        tmp_path, monkeypatch, capsys):
    # ExecStart=/opt/lede/bin/lede --backup ~/backups/ in a timer's unit: no shell expands the "~", and the backup
    # was refused ("the folder ~/backups does not exist"), where --db reads it as the home folder.
    db, _ = _store_and_backup_folder(tmp_path, monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "backups").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert main(["--backup", "~/backups/"]) == 0
    assert capsys.readouterr().out.startswith(f"Backed up {db} to {tmp_path / 'home' / 'backups' / 'lede.db'}")


def test_a_backup_of_a_read_only_store_is_made_without_the_warning_that_writes_are_off(
        tmp_path, monkeypatch, capsys):
    # A backup only reads: "Lede answers from it, but writes are off" is for a run that answers, and a nightly
    # backup of a store on a read-only mount mailed it to the operator every night.
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    # As on a read-only mount (root may write any file, so the check is told).
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    assert main(["--backup", str(folder)]) == 0
    backed_up = capsys.readouterr()
    assert backed_up.out.startswith(f"Backed up {db} to {folder / 'lede.db'}")
    assert backed_up.err == ""
    assert main(["--ask", "what is the tide at pier 107?"]) == 0
    [warning] = capsys.readouterr().err.splitlines()
    assert warning.endswith(f"LEDE_DB {db} is read-only: Lede answers from it, but writes are off"), \
        "a run that answers still says it"


def test_a_backup_with_json_says_what_it_copied_where_as_json(tmp_path, monkeypatch, capsys):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    assert main(["--backup", str(folder), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said == {"store": str(db), "backup": str(folder / "lede.db"),
                    "bytes": (folder / "lede.db").stat().st_size, "replaced": False}


def test_a_backup_over_an_earlier_one_replaces_it_and_says_so(tmp_path, monkeypatch, capsys):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    assert main(["--backup", str(folder)]) == 0
    assert "replacing" not in capsys.readouterr().out
    _keep(db, 2)
    assert main(["--backup", str(folder)]) == 0
    assert capsys.readouterr().out.strip().endswith(", replacing the copy that was there.")
    with Store.open(folder / "lede.db") as copy:
        assert copy.article_count() == 2


def test_a_backup_over_an_earlier_one_leaves_no_other_file_beside_it(tmp_path, monkeypatch, capsys):
    # Read to be told from another program's database, the earlier copy (in WAL mode, as the store) left a lede.db-wal
    # and a lede.db-shm beside the new one.
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    assert main(["--backup", str(folder)]) == 0
    assert main(["--backup", str(folder)]) == 0
    assert sorted(path.name for path in folder.iterdir()) == ["lede.db"]
    with Store.open(folder / "lede.db") as copy:  # restored, it is a store as any other
        assert copy.article_count() == 1
    with closing(sqlite3.connect(folder / "lede.db")) as restored:
        assert restored.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize("target, expected", [
    ("{tmp}/new/", "--backup {tmp}/new/: the folder {tmp}/new does not exist"),
    ("{tmp}/new/lede.db", "--backup {tmp}/new/lede.db: the folder {tmp}/new does not exist"),
    ("{tmp}/notes.txt/", "--backup {tmp}/notes.txt/: {tmp}/notes.txt is a file, not a folder"),
    ("{tmp}/notes.txt/lede.db", "--backup {tmp}/notes.txt/lede.db: {tmp}/notes.txt is a file, not a folder"),
], ids=["a folder that does not exist", "a file in it", "a file named as a folder", "a file in a file"])
def test_a_backup_into_a_folder_that_is_not_there_is_refused_and_makes_no_file(tmp_path, monkeypatch, capsys,
                                                                               target, expected):
    # "backups/" names a folder: a missing one must not become a file called "backups".
    db, _ = _store_and_backup_folder(tmp_path, monkeypatch)
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    assert main(["--backup", target.format(tmp=tmp_path)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == f"lede: {expected.format(tmp=tmp_path)}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backups", "lede.db", "notes.txt"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("earlier", [False, True], ids=["a link to a copy not made yet", "a link to an earlier copy"])
def test_a_backup_onto_a_link_is_written_where_the_link_leads_and_the_link_stays(tmp_path, monkeypatch, capsys,
                                                                                 earlier):
    # As cp and --db write through a link: the link was replaced by the copy, and what it led to left stale or unmade.
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    link, copy = tmp_path / "latest.db", folder / "lede-2026-12-03.db"
    link.symlink_to(copy)
    if earlier:
        assert main(["--backup", str(copy)]) == 0
        _keep(db, 2)
    capsys.readouterr()
    assert main(["--backup", str(link)]) == 0
    assert capsys.readouterr().out.startswith(f"Backed up {db} to {copy}")
    assert link.is_symlink() and link.resolve() == copy
    with Store.open(copy) as made:
        assert made.article_count() == (2 if earlier else 1)


@pytest.mark.parametrize("leads", ["into a folder that does not exist", "round a loop"])
def test_a_backup_onto_a_link_that_leads_nowhere_is_refused_in_one_line_naming_the_link(tmp_path, monkeypatch, capsys,
                                                                                          leads):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    link = tmp_path / "latest.db"
    if leads == "round a loop":
        link.symlink_to(tmp_path / "other.db")
        (tmp_path / "other.db").symlink_to(link)
        expected = (f"the link {link} leads round a loop of links to no file; give the path of a file, or of a link "
                    "to one")
    else:
        link.symlink_to(tmp_path / "volume" / "lede.db")
        expected = f"the folder {tmp_path / 'volume'} does not exist (the link {link} leads there)"
    assert main(["--backup", str(link)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"lede: --backup {link}: {expected}"]
    assert link.is_symlink() and list(folder.iterdir()) == [] and not (tmp_path / "volume").exists()


@pytest.mark.parametrize("target", ["itself", "its folder", "unwritable", "empty"])
def test_a_backup_lede_cannot_make_is_one_line_and_leaves_the_store_and_nothing_else(tmp_path, monkeypatch, capsys,
                                                                                      target):
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(story(1))
    before = db.read_bytes()
    monkeypatch.setenv("LEDE_DB", str(db))
    monkeypatch.chdir(tmp_path)
    if target == "unwritable":  # a folder that exists but where no file can be made (even by root)
        argument, expected = "/proc/lede.db", "--backup /proc/lede.db: cannot write the copy there"
    else:
        argument = {"itself": str(db), "its folder": ".", "empty": ""}[target]
        expected = ("--backup: give the file or folder" if target == "empty"
                    else f"--backup {argument}: the copy would overwrite the store itself")
    assert main(["--backup", argument]) == 2
    assert expected in capsys.readouterr().err.strip().splitlines()[-1]
    assert db.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("lede.db")) == []


class Killed(Exception):
    """What SIGTERM does to a process that does not handle it (it ends at once), where a test can see it."""


def test_a_backup_stopped_by_sigterm_leaves_no_half_written_copy_and_ends_as_ctrl_c_does(tmp_path, monkeypatch, capsys):
    # ``timeout 60 lede --backup …``, or systemd stopping a timer's unit, while the copy is being written.
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(story(1))
    monkeypatch.setenv("LEDE_DB", str(db))

    def killed(signum: int, frame: object) -> None:
        raise Killed
    before = signal.signal(signal.SIGTERM, killed)
    try:
        # The copy is written; just before it takes the backup's name, the signal comes.
        monkeypatch.setattr("corpus.store.os.replace", lambda *args: os.kill(os.getpid(), signal.SIGTERM))
        assert main(["--backup", str(tmp_path / "copy.db")]) == 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, before)
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("lede.db")) == []
    assert capsys.readouterr().err == f"Interrupted before the copy was made: nothing was written to {tmp_path / 'copy.db'}.\n"


@pytest.mark.parametrize("earlier", [False, True], ids=["new", "replacing an earlier copy"])
def test_a_backup_stopped_as_its_copy_takes_the_name_says_the_copy_was_made(tmp_path, monkeypatch, capsys, earlier):
    # The signal lands in the instant after the rename: the copy is whole and where it was asked for.
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(story(1))
    monkeypatch.setenv("LEDE_DB", str(db))
    target = tmp_path / "copy.db"
    if earlier:
        assert main(["--backup", str(target)]) == 0
        capsys.readouterr()
    renamed = os.replace

    def renamed_then_stopped(*args: object) -> None:
        renamed(*args)
        os.kill(os.getpid(), signal.SIGTERM)

    def killed(signum: int, frame: object) -> None:
        raise Killed
    before = signal.signal(signal.SIGTERM, killed)
    try:
        monkeypatch.setattr("corpus.store.os.replace", renamed_then_stopped)
        assert main(["--backup", str(target)]) == 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, before)
    assert capsys.readouterr().err == f"Interrupted once the copy was made: it is at {target}.\n"
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("kind", ["notes", "a pipe"])
def test_a_backup_never_replaces_a_file_that_is_no_earlier_copy(tmp_path, monkeypatch, capsys, kind):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    if kind == "notes":
        target = folder / "notes.txt"
        target.write_text("precious notes", encoding="utf-8")
    else:  # as /dev/null is a device: replaced, it would become a plain file
        target = folder / "pipe"
        os.mkfifo(target)
    before = target.read_bytes() if target.is_file() else None
    assert main(["--backup", str(target)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"lede: --backup {target}: {target} is there and is not a database, so it is no earlier copy "
                    "to replace; give another file or folder")
    assert (target.read_bytes() if target.is_file() else None) == before and target.is_fifo() == (kind == "a pipe")


def test_a_backup_never_replaces_another_program_s_database(tmp_path, monkeypatch, capsys):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    target = folder / "crm.db"
    with closing(sqlite3.connect(target)) as crm:
        crm.executescript("CREATE TABLE orders (id); CREATE TABLE users (id); INSERT INTO orders VALUES (7);")
    assert main(["--backup", str(target)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"lede: --backup {target}: {target} is another program's database (its tables: orders, users), "
                    "so it is no earlier copy to replace; give another file or folder")
    with closing(sqlite3.connect(target)) as crm:
        assert crm.execute("SELECT id FROM orders").fetchall() == [(7,)]


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_backup_never_takes_the_name_of_a_file_sqlite_keeps_beside_the_store(tmp_path, monkeypatch, capsys, suffix):
    db, _ = _store_and_backup_folder(tmp_path, monkeypatch)
    target = Path(f"{db}{suffix}")
    assert not target.exists(), "the store is closed: SQLite makes the file when the backup opens it"
    assert main(["--backup", str(target)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"lede: --backup {target}: SQLite keeps that file beside the store ({db}) while it is open; "
                    "give another file or folder")
    with Store.open(db) as store:
        assert store.article_count() == 1


def _damage(db: Path) -> None:
    """A disk fault in the articles' table of the store at ``db``, which Lede reads at start."""
    with sqlite3.connect(db) as connection:
        [page] = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()
        [page_size] = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with db.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\xff" * page_size)


def test_a_damaged_store_is_one_line_that_points_to_a_backup(tmp_path, monkeypatch, capsys):
    db = tmp_path / "lede.db"
    _keep(db, 1)
    _damage(db)
    assert main(["--db", str(db), "--ask", "where is the tide?"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"lede: {db} is damaged (SQLite: database disk image is malformed); "
                                "restore it from a backup (see --backup)"]


def _quick_check(db: Path) -> str:
    with closing(sqlite3.connect(db)) as connection:
        try:
            return connection.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            return str(error)


def _said_damaged(err: str, db: Path, then: str) -> bool:
    """Whether ``err`` is one line saying that the store at ``db`` is damaged, naming the fault, and then ``then``."""
    pattern = rf"lede: {re.escape(str(db))} is damaged \(SQLite's quick_check: .+\), {re.escape(then)}\n"
    return re.fullmatch(pattern, err) is not None


def test_a_backup_of_a_damaged_store_is_made_and_a_line_says_both_are_damaged(tmp_path, monkeypatch, capsys):
    # The copy may still save what the store holds, but the operator must learn that it is no whole backup,
    # and a script that removes its old backups once a new one is made must see it fail: it said nothing, exit 0.
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    _damage(db)
    copy = folder / "lede-2026-12-03.db"
    assert main(["--backup", str(copy)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"Backed up {db} to {copy}")
    assert _said_damaged(err, db, f"and so is its copy at {copy}; keep the earlier copies, and restore the store "
                                  "from one of them (see --backup)"), err
    assert _quick_check(copy) != "ok"
    assert main(["--backup", str(folder / "as-json.db"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["damaged"] in err


def test_a_backup_of_a_damaged_store_never_replaces_an_earlier_copy(tmp_path, monkeypatch, capsys):
    db, folder = _store_and_backup_folder(tmp_path, monkeypatch)
    assert main(["--backup", str(folder)]) == 0
    capsys.readouterr()
    _damage(db)
    assert main(["--backup", str(folder), "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert _said_damaged(err, db, f"so its copy did not replace the earlier one at {folder / 'lede.db'}, which may "
                                  "be the last whole copy; give another file to copy the damaged store to, and restore "
                                  "the store from a backup (see --backup)"), err
    assert _quick_check(folder / "lede.db") == "ok"
    assert not [path for path in folder.iterdir() if path.name.endswith(".partial")]
    with Store.open(folder / "lede.db") as earlier:
        assert earlier.article_count() == 1


def test_an_index_saved_in_an_older_format_is_rebuilt_and_saved_anew(tmp_path, monkeypatch):
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(story(1))
        monkeypatch.setattr("retrieval.snapshot.FORMAT", 3)  # the layout an older Lede saved
        SharedIndex(new_index()).load(store)
        monkeypatch.undo()
        with np.load(snapshot_path(store)) as saved:
            assert int(saved["format"][0]) == 3

        upgraded = SharedIndex(new_index())
        upgraded.load(store)

        assert [p.text for p in upgraded.passages][:1] == ["Dispatch 1 line 0 reports the tide at pier 100."]
        with np.load(snapshot_path(store)) as saved:
            assert int(saved["format"][0]) == FORMAT
