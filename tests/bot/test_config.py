"""The configuration, read as an operator writes it: flags and variables that would do something else than meant are refused.

(The one-line messages of every operator mistake, end to end: tests/bot/test_operator_errors.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import load_config
from bot.main import main
from corpus.errors import ConfigurationError
from tests.bot.test_console import ROOT


@pytest.mark.parametrize("flag, flags", [
    ("--ingest", ("--ingest", "")),
    ("--ingest", ("--ingest", "notes.txt", "")),
    ("--corpus", ("--corpus", "", "--ask", "who fights?")),
    ("--webhook", ("--webhook", "")),
    ("--ask", ("--ask", "")),
    ("--ask", ("--ask", "   ", "--json")),
], ids=["--ingest", "--ingest with a path and an empty one", "--corpus", "--webhook", "--ask", "--ask with only spaces"])
def test_a_path_url_or_question_given_empty_is_refused_not_read_as_the_current_folder_or_as_none_given(
        flag, flags, tmp_path, monkeypatch, capsys):
    # ``--ingest "$NEWS_DIR"`` with the variable unset: the current folder would be stored, file by file.
    # An empty --webhook would start the bot polling instead, and an empty --ask printed the console's hint for an
    # empty line, exit code 0, with nothing answered. (An empty --backup is refused too:
    # tests/bot/test_upgrades_and_backups.py.)
    (tmp_path / "notes.txt").write_text("Tom and Jerry fight again in the kitchen.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(list(flags)) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"lede: {flag}: give ") and "it is empty" in line
    assert captured.out == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"], "nothing stored"


def test_a_brief_topic_of_only_spaces_is_a_briefing_of_every_story_as_on_the_console(tmp_path, monkeypatch, capsys):
    # It answered that “” gives no word to search the news by, exit code 0.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    assert main(["--brief", "--since", "1987-03-01"]) == 0
    every_story = capsys.readouterr()
    assert main(["--brief", "   ", "--since", "1987-03-01"]) == 0
    assert capsys.readouterr() == every_story


def test_a_since_later_than_now_is_refused_in_one_line_reading_a_clock_time_without_offset_as_utc(
        tmp_path, monkeypatch, capsys):
    # It was taken, and the briefing said "Nothing new since 31 Dec 9999", exit code 0.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    in_two_hours = f"{datetime.now(UTC) + timedelta(hours=2):%Y-%m-%dT%H:%M}"
    for later in ("9999-12-31", in_two_hours):
        assert main(["--brief", "--since", later]) == 2
        captured = capsys.readouterr()
        [line] = captured.err.splitlines()
        assert line.startswith(f"lede: --since: '{later}' is later than now (") and "unless it names its offset" in line
        assert captured.out == ""
    # The same clock time at +05:00 was three hours ago.
    assert load_config(["--brief", "--since", f"{in_two_hours}+05:00"]).since == (
        datetime.fromisoformat(in_two_hours).replace(tzinfo=UTC) - timedelta(hours=5))


@pytest.mark.parametrize("flags, environ, expected", [
    ((), {"TELEGRAM_BASE_URL": " http://127.0.0.1:8081/bot"}, "TELEGRAM_BASE_URL ' http://127.0.0.1:8081/bot'"),
    ((), {"TELEGRAM_BASE_URL": "https://lede:pa55@api.example.org/bot\r"},
     "TELEGRAM_BASE_URL 'https://lede:***@api.example.org/bot\\r'"),
    (("--webhook", " https://bot.example.org/lede"), {}, "--webhook ' https://bot.example.org/lede'"),
], ids=["a space before TELEGRAM_BASE_URL", "a Windows line end after it, with a password", "a space before --webhook"])
def test_a_url_with_a_stray_space_or_line_break_at_an_end_is_refused_naming_it(flags, environ, expected):
    # urlsplit drops it, so the URL passed the checks; the Bot API client does not, and the bot took Telegram for
    # unreachable and tried again for ever (a webhook's would have been an address no proxy serves).
    with pytest.raises(ConfigurationError) as refused:
        load_config(list(flags), {"TELEGRAM_BOT_TOKEN": "123456:ABC", **environ})
    assert refused.value.reason == f"{expected} begins or ends with a space; give the URL without it"


@pytest.mark.parametrize("setting", ["--db", "LEDE_DB"])
def test_a_database_path_starting_with_a_tilde_is_in_the_home_folder_as_a_shell_would_read_it(
        setting, tmp_path, monkeypatch, capsys):
    # Environment=LEDE_DB=~/lede.db in a unit file, or --db "~/lede.db" quoted: no shell expands the "~".
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    flags = ["--db", "~/news/lede.db"] if setting == "--db" else []
    if setting == "LEDE_DB":
        monkeypatch.setenv("LEDE_DB", "~/news/lede.db")
    assert main([*flags, "--create", "--ask", "who fights?"]) == 0, capsys.readouterr().err
    assert (home / "news" / "lede.db").is_file()
    assert list(elsewhere.iterdir()) == [], "no folder named ~ where Lede was started"


def test_dry_run_goes_with_prune_alone(tmp_path, monkeypatch, capsys):
    # Anywhere else it would promise a safety it does not give.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    assert main(["--ask", "who fights?", "--dry-run"]) == 2
    assert capsys.readouterr().err.splitlines() == ["lede: --dry-run goes with --prune (see --help)"]


@pytest.mark.parametrize("mode", [["--ask", "who fights?"], ["--console"], ["--brief"], ["--ingest", "notes.txt"],
                                  ["--backup", "copy.db"]])
def test_keep_days_outside_the_bot_and_prune_is_refused_not_ignored(tmp_path, monkeypatch, capsys, mode):
    # Only the bot prunes on its schedule and --prune at once: anywhere else nothing would be removed.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    assert main([*mode, "--keep-days", "30"]) == 2
    assert capsys.readouterr().err.splitlines() == ["lede: --keep-days goes with the Telegram bot or --prune (see --help)"]
    assert not (tmp_path / "lede.db").exists()


@pytest.mark.parametrize("mode", [["--ingest", "notes.txt"], ["--prune", "--keep-days", "30"], ["--backup", "copy.db"]])
def test_corpus_where_nothing_is_answered_is_refused_not_ignored(tmp_path, monkeypatch, capsys, mode):
    # --corpus loads articles for one run's answers; --ingest would store only its own paths.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    (tmp_path / "notes.txt").write_text("Opec met in Vienna.", encoding="utf-8")
    assert main([*mode, "--corpus", str(tmp_path / "notes.txt")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("lede: --corpus goes with --console, --ask, --brief or the Telegram bot")
    assert not (tmp_path / "lede.db").exists()


@pytest.mark.parametrize("setting", ["--db", "LEDE_DB"])
def test_ingesting_into_a_store_in_memory_is_refused_not_reported_as_kept(tmp_path, monkeypatch, capsys, setting):
    (tmp_path / "notes.txt").write_text("Opec met in Vienna.", encoding="utf-8")
    flags = ["--db", ":memory:"] if setting == "--db" else []
    if setting == "LEDE_DB":
        monkeypatch.setenv("LEDE_DB", ":memory:")
    assert main([*flags, "--ingest", str(tmp_path / "notes.txt")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"lede: {setting} is :memory:, where --ingest would store for nothing (it is gone when the run ends); "
        "give the path of a database file"]


@pytest.mark.parametrize(("flag", "value"), [("--webhook-port", "8443"), ("--webhook-listen", "0.0.0.0")])
def test_a_webhook_setting_without_webhook_is_refused_not_ignored(tmp_path, monkeypatch, capsys, flag, value):
    # The bot would poll and never listen where it was told to.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    assert main([flag, value]) == 2
    assert capsys.readouterr().err.splitlines() == [f"lede: {flag} goes with --webhook (see --help)"]


@pytest.mark.parametrize("value", ["0.001", "1e-300", "0.5", "0", "-900", "nan", "inf"])
@pytest.mark.parametrize("setting", ["--feed-interval", "LEDE_FEED_INTERVAL"])
def test_a_feed_interval_under_a_second_or_no_duration_is_refused_naming_the_setting_and_the_range(
        setting, value, tmp_path, monkeypatch, capsys):
    # --feed-interval 0.001 would fetch every followed feed a thousand times a second.
    monkeypatch.setenv("LEDE_DB", str(tmp_path / "lede.db"))
    flags = ["--feed-interval", value] if setting == "--feed-interval" else []
    if setting == "LEDE_FEED_INTERVAL":
        monkeypatch.setenv("LEDE_FEED_INTERVAL", value)
    assert main([*flags, "--console"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"lede: {setting} is {value!r}; give a number of seconds from 1 to 31536000 (a year), e.g. 900"]
    assert not (tmp_path / "lede.db").exists()


@pytest.mark.parametrize("value", ["1", "31536000"])
def test_a_feed_interval_from_a_second_to_a_year_is_taken(value):
    assert load_config(["--console", "--feed-interval", value], environ={}).feed_interval == float(value)


@pytest.mark.parametrize(("flags", "environ", "setting"), [
    (["--log-level", ""], {}, "--log-level"),
    (["--log-level", ""], {"LEDE_LOG_LEVEL": "DEBUG"}, "--log-level"),
    ([], {"LEDE_LOG_LEVEL": " "}, "LEDE_LOG_LEVEL"),
], ids=["--log-level", "--log-level over LEDE_LOG_LEVEL", "LEDE_LOG_LEVEL"])
def test_a_log_level_given_empty_is_refused_in_one_line_not_read_as_the_default(
        flags, environ, setting, tmp_path, monkeypatch, capsys):
    # ``--log-level "$LEVEL"`` with the variable unset quietly logged at the default (or at LEDE_LOG_LEVEL's level).
    for name, value in {"LEDE_DB": str(tmp_path / "lede.db"), **environ}.items():
        monkeypatch.setenv(name, value)
    assert main([*flags, "--ask", "who fights?"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"lede: {setting} is {(environ.get(setting) or '')!r}; use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"]
    assert captured.out == ""


@pytest.mark.parametrize(("flags", "line"), [
    (["--prune", "--keep-days", "300", "--keep-days", "3"], "--keep-days was given twice ('300', then '3')"),
    (["--db", "{tmp}/a.db", "--ask", "who fights?", "--db", "{tmp}/b.db"], "--db was given twice ('{tmp}/a.db', then '{tmp}/b.db')"),
    (["--ask", "who fights?", "--ask", "who won?"], "--ask was given twice ('who fights?', then 'who won?')"),
], ids=["--keep-days", "--db", "--ask"])
def test_a_flag_given_twice_with_different_values_is_refused_not_read_as_the_last(flags, line, tmp_path, monkeypatch, capsys):
    # A --prune that kept 3 days where 300 were also asked for would remove what nothing brings back.
    db = tmp_path / "lede.db"
    assert main(["--ingest", str(ROOT / "seeds"), "--db", str(db)]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    monkeypatch.setenv("LEDE_DB", str(db))
    assert main([flag.format(tmp=tmp_path) for flag in flags]) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [f"lede: {line.format(tmp=tmp_path)}; give it once (see --help)"])
    assert db.read_bytes() == before, "nothing pruned"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lede.db", "lede.db.index.npz"], "no a.db, no b.db"
