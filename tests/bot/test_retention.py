"""Retention (LEDE_KEEP_DAYS): older articles leave the store and the index together, and the disk space comes back."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot.config import Config, Mode
from bot.main import main
from bot.service import Lede
from bot.shared_index import SharedIndex, new_index, snapshot_path
from bot.telegram_app import build_application
from corpus.article import Article
from corpus.database_file import DatabaseFile
from corpus.retention import parse_keep_days
from corpus.store import Store
from retrieval.snapshot import load_snapshot
from tests.bot.test_durability import bot_process, wait_until
from tests.bot.test_upgrades_and_backups import Killed
from tests.support.bot_api import FakeBotApi, polling

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
CHAT = 701
USER = 7007
FILLER = " ".join(f"Paragraph {n} of the archive notes the harbour tides, the ferry timetable and the dock repairs."
                  for n in range(400))


def article(article_id: str, sentence: str, *, published: datetime | None, fetched: datetime) -> Article:
    return Article(article_id, f"Story {article_id}", (sentence, f"{FILLER} {article_id}."), publisher="Gazette",
                   published=published, fetched=fetched)


OLD = [article(f"old-{n}", f"The {name} bridge toll was set at {n + 3} euros.", published=NOW - timedelta(days=90 + n),
               fetched=NOW - timedelta(days=2)) for n, name in enumerate(["granite", "willow", "copper"])]
RECENT = article("recent", "The lighthouse reopened after a storm damaged its lamp.",
                 published=NOW - timedelta(days=3), fetched=NOW - timedelta(days=3))
UNDATED_OLD = article("undated-old", "The museum lent its whale skeleton to a school.",
                      published=None, fetched=NOW - timedelta(days=45))
UNDATED_NEW = article("undated-new", "The orchard sold its cider at the Sunday market.",
                      published=None, fetched=NOW - timedelta(days=1))


def stored_lede(db: Path, keep_days: int | None) -> Lede:
    lede = Lede.compose(new_index(), Store.open(db), keep_days=keep_days)
    lede.load_store()
    for item in [OLD[0], RECENT, OLD[1], UNDATED_OLD, UNDATED_NEW, OLD[2]]:
        lede.sources.library.keep(item, chat=CHAT)
    return lede


def answer(lede: Lede, question: str) -> str | None:
    outcome = lede.questions.ask(question, CHAT)
    return outcome.best.passage.text if outcome.best else None


def restarted(store: Store) -> SharedIndex:
    """The index the next start builds from the store (reading the saved snapshot when it is still valid)."""
    index = SharedIndex(new_index())
    index.load(store)
    return index


QUESTIONS = ("what was the willow bridge toll?", "what was the granite bridge toll?",
             "what did the museum lend the school?", "when did the lighthouse reopen?", "what did the orchard sell?",
             "harbour tides and the ferry timetable")


def test_older_articles_leave_the_store_and_the_index_which_answers_as_one_built_from_the_store(tmp_path):
    db = tmp_path / "lede.db"
    lede = stored_lede(db, keep_days=30)
    assert answer(lede, "what was the willow bridge toll?").startswith("The willow bridge toll")

    pruned = lede.retention.prune(NOW)

    assert pruned.removed == 4, "three dated long ago, and one undated article fetched 45 days ago"
    assert [a.article_id for a in lede.store.articles()] == ["recent", "undated-new"]
    for question in QUESTIONS[:3]:
        assert "bridge toll" not in (answer(lede, question) or "") and "whale" not in (answer(lede, question) or "")
    assert answer(lede, "when did the lighthouse reopen?").startswith("The lighthouse reopened")
    assert answer(lede, "what did the orchard sell?").startswith("The orchard sold")
    fresh = restarted(lede.store)
    for question in QUESTIONS:
        live, rebuilt = lede.index.answer(question, CHAT), fresh.answer(question, CHAT)
        assert (live.best is None) == (rebuilt.best is None), question
        assert live.confidence == rebuilt.confidence, question
        if live.best is not None:
            assert live.best.passage.text == rebuilt.best.passage.text, question
            assert live.best.score == pytest.approx(rebuilt.best.score, abs=1e-9), question
    lede.close()


def test_a_pruning_outdates_the_saved_index_and_the_next_start_saves_one_of_the_store(tmp_path):
    db = tmp_path / "lede.db"
    lede = stored_lede(db, keep_days=30)
    lede.close()
    with Store.open(db) as store:
        restarted(store)  # a start saves the index of all six
        assert load_snapshot(snapshot_path(store), new_index().analyzer, store.articles(), store.replacements())
    lede = stored_lede(db, keep_days=30)
    lede.retention.prune(NOW)
    store = lede.store
    assert load_snapshot(snapshot_path(store), new_index().analyzer, store.articles(), store.replacements()) is None
    reference = new_index()
    for stored in store.load_articles():
        reference.add_article(stored.article, stored.sentences)
    assert list(restarted(store).passages) == list(reference.passages)
    saved = load_snapshot(snapshot_path(store), reference.analyzer, store.articles(), store.replacements())
    assert saved is not None, "the index saved at that start matches the store"
    assert_same_arrays(saved.export(), reference.export())
    lede.close()


def test_the_disk_space_of_removed_articles_is_given_back(tmp_path):
    db = tmp_path / "lede.db"
    lede = stored_lede(db, keep_days=30)
    before = lede.store.size()
    pruned = lede.retention.prune(NOW)
    lede.close()
    assert pruned.bytes_before == before
    assert db.stat().st_size == pruned.bytes_after < before * 0.6, "four of six articles went, and their pages"


def test_without_keep_days_nothing_is_removed(tmp_path):
    lede = stored_lede(tmp_path / "lede.db", keep_days=None)
    assert lede.retention.prune(NOW + timedelta(days=10_000)) is None
    assert lede.store.article_count() == 6
    lede.close()


def test_prune_on_the_command_line_is_the_same_use_case(tmp_path, monkeypatch, capsys):
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    SharedIndex(new_index()).load(Store.open(db))  # a snapshot of all six, as a bot start leaves it
    monkeypatch.setenv("LEDE_DB", str(db))
    # The articles' dates are relative to NOW; a day count that reaches back to it keeps the same two.
    days = (datetime.now(UTC) - NOW).days + 30
    assert main(["--prune", "--keep-days", str(days), "--json"]) == 0
    assert '"removed": 4' in capsys.readouterr().out
    with Store.open(db) as store:
        assert [a.article_id for a in store.articles()] == ["recent", "undated-new"]
        assert load_snapshot(snapshot_path(store), new_index().analyzer, store.articles(), store.replacements()) is None


def test_a_dry_run_says_what_prune_would_remove_and_removes_nothing(tmp_path, monkeypatch, capsys):
    # A --keep-days that reaches past every date would empty the store: an operator can look first.
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    monkeypatch.setenv("LEDE_DB", str(db))
    days = str((datetime.now(UTC) - NOW).days + 30)
    before = db.read_bytes()
    assert main(["--prune", "--keep-days", days, "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Would remove 4 articles dated before ") and "and keep 2; nothing was removed" in said
    assert main(["--prune", "--keep-days", days, "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["would_remove"] == 4
    with Store.open(db) as store:
        assert store.article_count() == 6
    assert db.read_bytes() == before
    assert main(["--prune", "--keep-days", days, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == 4, "the dry run counted what the pruning removes"


def test_a_disk_too_full_to_give_the_space_back_is_one_line_the_removal_stands_and_the_same_command_gives_it_back(tmp_path, monkeypatch, capsys):
    # VACUUM rewrites the file, so it needs room: the articles are gone, the space is not back yet.
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    monkeypatch.setenv("LEDE_DB", str(db))

    def disk_full(store):
        full = sqlite3.OperationalError("database or disk is full")
        full.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise full

    reclaim_space = Store.reclaim_space
    monkeypatch.setattr(Store, "reclaim_space", disk_full)
    days = str((datetime.now(UTC) - NOW).days + 30)
    before = db.stat().st_size
    assert main(["--prune", "--keep-days", days]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"lede: the disk holding {db} is full (SQLite: database or disk is full); free some space, then run the same "
        "command again"]
    with Store.open(db) as store:
        assert [a.article_id for a in store.articles()] == ["recent", "undated-new"]
    # Space freed: the same command again gives it back, though nothing is old any more.
    monkeypatch.setattr(Store, "reclaim_space", reclaim_space)
    assert main(["--prune", "--keep-days", days, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["removed"] == 0
    assert db.stat().st_size < before * 0.6


@pytest.fixture
def stops_delivered():
    """Ctrl-C raises KeyboardInterrupt, as at a terminal (a test run in the background ignores SIGINT), and an
    unhandled SIGTERM raises :class:`Killed` instead of ending the test run."""
    def killed(signum: int, frame: object) -> None:
        raise Killed
    before = {signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
              signal.SIGTERM: signal.signal(signal.SIGTERM, killed)}
    yield
    for signum, handler in before.items():
        signal.signal(signum, handler)


STOPS = pytest.mark.parametrize(("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["Ctrl-C", "SIGTERM"])


def _stopped_during(monkeypatch, step: str, stop: int) -> None:
    """The stop signal comes as the store begins ``step`` of the pruning."""
    original = getattr(Store, step)

    def stopped(store, *args):
        os.kill(os.getpid(), stop)
        return original(store, *args)
    monkeypatch.setattr(Store, step, stopped)


@STOPS
def test_a_stop_while_prune_seeks_the_old_articles_removes_nothing_and_says_so(
        tmp_path, monkeypatch, capsys, stops_delivered, stop, status):
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    monkeypatch.setenv("LEDE_DB", str(db))
    _stopped_during(monkeypatch, "articles", stop)
    assert main(["--prune", "--keep-days", str((datetime.now(UTC) - NOW).days + 30)]) == status
    out, err = capsys.readouterr()
    assert (out, err) == ("", "Interrupted before anything was removed; the store is as it was.\n")
    with Store.open(db) as store:
        assert store.article_count() == 6


@STOPS
@pytest.mark.parametrize("step", ["remove_articles", "reclaim_space"])
def test_a_stop_once_prune_removes_finishes_the_pruning_first_and_says_what_it_removed(
        tmp_path, monkeypatch, capsys, stops_delivered, stop, status, step):
    # Stopped between the removal and VACUUM, the space would stay taken, and a second --prune, finding
    # nothing old, would not give it back.
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    before = db.stat().st_size
    monkeypatch.setenv("LEDE_DB", str(db))
    _stopped_during(monkeypatch, step, stop)
    assert main(["--prune", "--keep-days", str((datetime.now(UTC) - NOW).days + 30), "--json"]) == status
    out, err = capsys.readouterr()
    assert json.loads(out)["removed"] == 4
    assert err == "Interrupted once the pruning had begun, so it was finished first: the summary says what was removed.\n"
    with Store.open(db) as store:
        assert [a.article_id for a in store.articles()] == ["recent", "undated-new"]
    assert db.stat().st_size < before * 0.6, "the space came back"


def test_prune_of_a_store_that_does_not_exist_is_one_line_naming_the_setting_and_creates_none(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "typo.db"))
    assert main(["--prune", "--keep-days", "30"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"lede: LEDE_DB {tmp_path / 'typo.db'}: there is no store there to prune; "
                    "set --db or LEDE_DB to the bot's database")
    assert list(tmp_path.iterdir()) == [], "a mistyped path is not made a new, empty store"


def test_the_bot_prunes_at_start_up_without_a_restart_and_stops_quoting_what_it_removed(tmp_path):
    db = tmp_path / "lede.db"
    now = datetime.now(UTC)
    with Store.open(db) as store:
        lede = Lede.compose(None, store)
        lede.sources.library.keep(article("stale", "The granite bridge toll was set at 3 euros.",
                                          published=now - timedelta(days=40), fetched=now), chat=USER)
        lede.sources.library.keep(article("fresh", "The lighthouse reopened after a storm damaged its lamp.",
                                          published=now - timedelta(days=1), fetched=now), chat=USER)
    with FakeBotApi(token="987654321:SECRET-retention") as server, \
            bot_process(server, db, tmp_path / "bot.log", LEDE_KEEP_DAYS="30") as process:
        wait_until(lambda: "Removed 1 articles" in (tmp_path / "bot.log").read_text(), process,
                   what="the start-up pruning")
        # One after the other: updates from one chat may be handled concurrently, so replies could cross.
        server.send_user_message(USER, USER, "What was the granite bridge toll?")
        wait_until(lambda: len(server.sent_messages(USER)) >= 1, process, what="the first reply")
        server.send_user_message(USER, USER, "When did the lighthouse reopen?")
        wait_until(lambda: len(server.sent_messages(USER)) >= 2, process, what="the second reply")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    stale, fresh = server.sent_messages(USER)
    assert "bridge toll" not in stale.text
    assert fresh.text.startswith("The lighthouse reopened")
    with Store.open(db) as store:
        assert [a.article_id for a in store.articles()] == ["fresh"]


async def test_the_bot_on_a_read_only_store_warns_that_it_cannot_prune_and_answers_on(tmp_path, monkeypatch, caplog):
    db = tmp_path / "lede.db"
    stored_lede(db, keep_days=None).close()
    # As on a read-only mount (root may write any file, so the check is told).
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    lede = Lede.compose(new_index(), Store.open(db), keep_days=30)
    lede.load_store()
    with FakeBotApi(token="987654321:SECRET-retention") as server:
        application = build_application(Config(mode=Mode.TELEGRAM, token=server.token, base_url=server.base_url,
                                               keep_days=30), lede)
        async with polling(application):
            await asyncio.sleep(1.0)  # the start-up pruning runs at once
            server.send_user_message(CHAT, CHAT, "When did the lighthouse reopen?")
            [reply] = await server.wait_for_messages(CHAT)
    lede.close()
    assert reply.text.startswith("The lighthouse reopened after a storm damaged its lamp.")
    [warning] = [record for record in caplog.records if record.levelno >= logging.WARNING
                 and record.name == "bot.telegram_app"]
    assert warning.levelno == logging.WARNING and "is read-only, so writes are off" in warning.getMessage()


@pytest.mark.parametrize("value", ["0", "-3", "soon", "2.5"])
def test_a_keep_days_that_is_not_a_positive_whole_number_is_one_line(value, monkeypatch, capsys):
    monkeypatch.setenv("LEDE_KEEP_DAYS", value)
    assert main(["--ask", "anything"]) == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if "LEDE_KEEP_DAYS" in line]
    assert repr(value) in line
    with pytest.raises(ValueError):
        parse_keep_days(value)


def test_prune_without_a_number_of_days_says_so(monkeypatch, capsys):
    monkeypatch.delenv("LEDE_KEEP_DAYS", raising=False)
    assert main(["--prune"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "LEDE_KEEP_DAYS" in line


def assert_same_arrays(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert actual.keys() == expected.keys()
    for name in expected:
        assert np.array_equal(actual[name], expected[name]), name


def test_this_runs_own_articles_survive_a_pruning(tmp_path):
    """The bundled seed and --corpus articles are not in the store, so a pruning leaves them be."""
    lede = stored_lede(tmp_path / "lede.db", keep_days=30)
    run_only = Article("run-only", "Notes", ("The ferry to Gull Point sails hourly from May.",),
                       published=datetime(1990, 1, 1, tzinfo=UTC))
    lede.add_articles([run_only])

    lede.retention.prune(NOW)

    assert answer(lede, "how often does the ferry to Gull Point sail?").startswith("The ferry to Gull Point")
    assert "bridge toll" not in (answer(lede, "what was the copper bridge toll?") or "")
    lede.close()
