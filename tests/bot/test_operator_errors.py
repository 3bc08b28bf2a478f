"""Operator mistakes, made as an operator makes them: each ends in one line naming what is wrong, never a traceback.

Every row of :data:`MISTAKES` runs the real ``run_bot.py``; its standard error
must be exactly one line, with no traceback, naming the flag, variable or
path at fault, and the exit status must say that Lede did not run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.bot.test_console import ROOT, run_bot
from tests.bot.test_durability import TOKEN, USER, VANCE, bot_process, wait_until
from tests.support.bot_api import FakeBotApi
from tests.support.processes import clean_environment, scratch_folder
from tests.support.web_server import closed_port


@dataclass(frozen=True)
class Mistake:
    """A command line and environment with one mistake in it; ``{tmp}`` and ``{api}`` are filled in per test."""

    args: tuple[str, ...]
    names: str  # what the one line must name
    env: dict[str, str] = field(default_factory=dict)


QUESTION = ("--ask", "what did Zelensky demand?")
TELEGRAM = {"TELEGRAM_BOT_TOKEN": TOKEN}
MISTAKES = {
    "--db is a folder": Mistake(("--db", "{tmp}", *QUESTION), "--db {tmp}"),
    "--db is not a database": Mistake(("--db", "{tmp}/notes.txt", *QUESTION), "--db {tmp}/notes.txt"),
    "--db that is blank": Mistake(("--db", " ", *QUESTION), "--db: give the database file; it is empty"),
    "LEDE_DB that is blank": Mistake(QUESTION, "LEDE_DB is ' '", {"LEDE_DB": " "}),
    "--db in a folder that does not exist": Mistake(("--db", "{tmp}/typo/lede.db", *QUESTION), "--create"),
    "LEDE_DB in a folder that does not exist": Mistake(QUESTION, "LEDE_DB {tmp}/typo/lede.db",
                                                       {"LEDE_DB": "{tmp}/typo/lede.db"}),
    "--db that is a loop of links": Mistake(("--db", "{tmp}/loop-a.db", *QUESTION),
                                            "--db {tmp}/loop-a.db: the link {tmp}/loop-a.db leads round a loop"),
    "--db ending in / (a folder) that does not exist": Mistake(("--db", "{tmp}/typo/", *QUESTION),
                                                             "--db {tmp}/typo/ names a folder (it ends in /)"),
    "LEDE_DB ending in / (a folder) that does not exist": Mistake(QUESTION, "LEDE_DB {tmp}/typo/ names a folder",
                                                                {"LEDE_DB": "{tmp}/typo/"}),
    "LEDE_DB with a stray space at its end": Mistake(QUESTION, "LEDE_DB '{tmp}/lede.db ' begins or ends with a space",
                                                     {"LEDE_DB": "{tmp}/lede.db "}),
    "--db in a folder that takes no files": Mistake(("--db", "/proc/lede.db", "--create", *QUESTION), "--db /proc/lede.db"),
    "--corpus file missing": Mistake(("--corpus", "{tmp}/missing.txt", *QUESTION), "--corpus {tmp}/missing.txt"),
    "--corpus folder missing": Mistake(("--corpus", "{tmp}/missing/", *QUESTION), "--corpus {tmp}/missing"),
    "--corpus of an unsupported file": Mistake(("--corpus", "{tmp}/slides.pdf", *QUESTION),
                                               "--corpus {tmp}/slides.pdf: slides.pdf is not a file type Lede reads"),
    "--corpus of a binary file": Mistake(("--corpus", "{tmp}/bin.txt", *QUESTION),
                                         "--corpus {tmp}/bin.txt: bin.txt looks like a binary file"),
    "LEDE_FEED_INTERVAL=soon": Mistake(("--console",), "LEDE_FEED_INTERVAL", {"LEDE_FEED_INTERVAL": "soon"}),
    "--feed-interval soon": Mistake(("--console", "--feed-interval", "soon"), "--feed-interval is 'soon'"),
    "--feed-interval 0": Mistake(("--console", "--feed-interval", "0"), "--feed-interval is '0'"),
    "--since yesterday": Mistake(("--brief", "--since", "yesterday"), "--since: 'yesterday' is not a date"),
    "--since past year 9999 in UTC": Mistake(("--brief", "--since", "9999-12-31T23:00-05:00"),
                                             "--since: '9999-12-31T23:00-05:00' is before year 1 or after year 9999"),
    "--since before year 1 in UTC": Mistake(("--brief", "--since", "0001-01-01T00:00+05:00"), "--since: '0001-01-01"),
    "--since without --brief": Mistake(("--since", "1987-03-01", *QUESTION), "--since goes with --brief"),
    "--json without a command that prints": Mistake(("--json",), "--json goes with --console", TELEGRAM),
    "--feed-interval with a one-shot command": Mistake(("--feed-interval", "60", *QUESTION),
                                                       "--feed-interval goes with the Telegram bot or --console"),
    "a flag Lede does not have": Mistake(("--bogus", *QUESTION), "--bogus (see --help)"),
    "a flag without its value": Mistake(("--db",), "--db: expected one argument (see --help)"),
    "LEDE_LOG_LEVEL=LOUD in the console": Mistake(("--console",), "LEDE_LOG_LEVEL", {"LEDE_LOG_LEVEL": "LOUD"}),
    "LEDE_LOG_LEVEL=LOUD in Telegram": Mistake((), "LEDE_LOG_LEVEL", {"LEDE_LOG_LEVEL": "LOUD", **TELEGRAM}),
    "--log-level LOUD": Mistake(("--log-level", "LOUD", *QUESTION), "--log-level"),
    "LEDE_ALLOWED_USERS with a username": Mistake(("--console",), "LEDE_ALLOWED_USERS", {"LEDE_ALLOWED_USERS": "@ada"}),
    "LEDE_QUESTION_LIMIT=fast": Mistake(("--console",), "LEDE_QUESTION_LIMIT", {"LEDE_QUESTION_LIMIT": "fast"}),
    "TELEGRAM_BASE_URL without a scheme": Mistake((), "TELEGRAM_BASE_URL",
                                                  {"TELEGRAM_BASE_URL": "api.telegram.org/bot", **TELEGRAM}),
    "TELEGRAM_BASE_URL with an unclosed bracket": Mistake((), "TELEGRAM_BASE_URL",
                                                          {"TELEGRAM_BASE_URL": "http://[::1/bot", **TELEGRAM}),
    "TELEGRAM_BASE_URL on no port": Mistake((), "TELEGRAM_BASE_URL", {"TELEGRAM_BASE_URL": "http://x:99999/bot", **TELEGRAM}),
    "TELEGRAM_BASE_URL without /bot": Mistake((), "TELEGRAM_BASE_URL",
                                              {"TELEGRAM_BASE_URL": "http://127.0.0.1:8081", **TELEGRAM}),
    "TELEGRAM_BASE_URL with a password, without /bot": Mistake((), "TELEGRAM_BASE_URL is 'http://lede:***@127.0.0.1:8081'",
                                                               {"TELEGRAM_BASE_URL": "http://lede:pa55@127.0.0.1:8081",
                                                                **TELEGRAM}),
    "a token that is not one": Mistake((), "copy it again from @BotFather",
                                       {"TELEGRAM_BASE_URL": "{api}", "TELEGRAM_BOT_TOKEN": "paste-the-secret-here"}),
    "a token the server rejects (401)": Mistake((), "TELEGRAM_BOT_TOKEN",
                                                {"TELEGRAM_BASE_URL": "{api}", "TELEGRAM_BOT_TOKEN": "42:not-the-token"}),
    "LEDE_KEEP_DAYS=soon": Mistake(QUESTION, "LEDE_KEEP_DAYS", {"LEDE_KEEP_DAYS": "soon"}),
    "LEDE_KEEP_DAYS past the first year": Mistake(("--prune",), "LEDE_KEEP_DAYS", {"LEDE_KEEP_DAYS": "99999999999"}),
    "LEDE_FEED_INTERVAL=nan": Mistake(("--console",), "LEDE_FEED_INTERVAL", {"LEDE_FEED_INTERVAL": "nan"}),
    "LEDE_FEED_INTERVAL=inf": Mistake(("--console",), "LEDE_FEED_INTERVAL", {"LEDE_FEED_INTERVAL": "inf"}),
    "LEDE_FEED_INTERVAL past a year": Mistake(("--console",), "LEDE_FEED_INTERVAL is '1e300'",
                                              {"LEDE_FEED_INTERVAL": "1e300"}),
    "LEDE_CONVERSATION_MINUTES=inf": Mistake(QUESTION, "LEDE_CONVERSATION_MINUTES is 'inf'",
                                             {"LEDE_CONVERSATION_MINUTES": "inf"}),
    "LEDE_CONVERSATION_MINUTES past a year": Mistake(QUESTION, "LEDE_CONVERSATION_MINUTES is '1e20'",
                                                     {"LEDE_CONVERSATION_MINUTES": "1e20"}),
    "LEDE_QUESTION_LIMIT per forever": Mistake(("--console",), "LEDE_QUESTION_LIMIT", {"LEDE_QUESTION_LIMIT": "1/inf"}),
    "--prune without days to keep": Mistake(("--prune",), "LEDE_KEEP_DAYS"),
    "--webhook over plain http": Mistake(("--webhook", "http://bot.example.org/hook"), "--webhook", TELEGRAM),
    "--webhook in the console": Mistake(("--console", "--webhook", "https://bot.example.org/hook"), "--webhook"),
    "--webhook with an unclosed bracket": Mistake(("--webhook", "https://[::1/hook"), "--webhook", TELEGRAM),
    "--webhook on a port Telegram never calls": Mistake(("--webhook", "https://bot.example.org:8080/hook"),
                                                        "443, 80, 88, 8443", TELEGRAM),
    "--webhook-listen that is no address": Mistake(("--webhook", "https://bot.example.org/hook", "--webhook-listen",
                                                    "everywhere"), "--webhook-listen", TELEGRAM),
    "LEDE_WEBHOOK_PORT=http": Mistake(("--webhook", "https://bot.example.org/hook"), "LEDE_WEBHOOK_PORT",
                                      {"LEDE_WEBHOOK_PORT": "http", **TELEGRAM}),
    "--backup of a store that does not exist": Mistake(("--db", "{tmp}/lede.db", "--backup", "{tmp}/copy.db"),
                                                       "--db {tmp}/lede.db: there is no store there to back up"),
    "--backup of a LEDE_DB that does not exist": Mistake(("--backup", "{tmp}/copy.db"),
                                                         "LEDE_DB {tmp}/lede.db: there is no store there to back up",
                                                         {"LEDE_DB": "{tmp}/lede.db"}),
    "--prune of a store that does not exist": Mistake(("--db", "{tmp}/lede.db", "--prune", "--keep-days", "30"),
                                                      "--db {tmp}/lede.db: there is no store there to prune"),
}


# root may open any file or folder: the tests of permissions run without that power, as any other user would.
WITHOUT_ROOT_POWERS = (("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--")
                       if os.geteuid() == 0 else ())


@pytest.fixture(scope="module")
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


def _filled(text: str, tmp: Path, api: FakeBotApi) -> str:
    return text.format(tmp=tmp, api=api.base_url)


def _make_mistake(mistake: Mistake, tmp: Path, api: FakeBotApi) -> subprocess.CompletedProcess[str]:
    (tmp / "notes.txt").write_text("These are notes, not a database.\n" * 100, encoding="utf-8")
    (tmp / "slides.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp / "bin.txt").write_bytes(b"GIF89a\x00\x01")
    (tmp / "loop-a.db").symlink_to(tmp / "loop-b.db")
    (tmp / "loop-b.db").symlink_to(tmp / "loop-a.db")
    env = {name: _filled(value, tmp, api) for name, value in mistake.env.items()}
    return run_bot(*(_filled(arg, tmp, api) for arg in mistake.args), env=env)


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=MISTAKES.keys())
def test_an_operator_mistake_is_one_line_naming_what_is_wrong(mistake, tmp_path, api):
    result = _make_mistake(mistake, tmp_path, api)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert _filled(mistake.names, tmp_path, api) in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "typo").exists(), "a mistyped --db creates nothing"


@pytest.mark.parametrize("args", [("--bogus", *QUESTION), ("--db", "{tmp}", "--log-level", "DEBUG", *QUESTION, "--json")],
                         ids=["a flag Lede does not have", "a --db that is a folder, with its traceback"])
def test_with_standard_error_closed_a_mistake_writes_nothing_among_the_answers(args, tmp_path):
    # ``lede --ask … --json > answer.json 2>&-``: the line and its traceback went to standard output instead.
    result = subprocess.run([sys.executable, str(ROOT / "run_bot.py"), *(arg.format(tmp=tmp_path) for arg in args)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env=clean_environment(),
                            timeout=120, preexec_fn=lambda: os.close(2))
    assert result.returncode == 2
    assert result.stdout == ""


def test_a_malformed_token_is_refused_before_telegram_is_called_and_never_echoed(tmp_path, api):
    calls_before = len(api.requests)
    result = _make_mistake(MISTAKES["a token that is not one"], tmp_path, api)
    assert "paste-the-secret-here" not in result.stderr + result.stdout
    assert len(api.requests) == calls_before, "refused at start-up, not by Telegram after retries"


def test_a_password_in_telegram_base_url_is_masked_where_the_url_is_named(api):
    """A Bot API server behind a proxy may take a password in its URL: the rejection names the URL without it."""
    with_password = api.base_url.replace("http://", "http://lede:pa55word@")
    result = run_bot(env={"TELEGRAM_BASE_URL": with_password, "TELEGRAM_BOT_TOKEN": "42:not-the-token"})
    assert result.returncode == 2, result.stderr
    assert "pa55word" not in result.stderr and "TELEGRAM_BOT_TOKEN was rejected by http://lede:***@" in result.stderr


def test_a_password_in_telegram_base_url_is_masked_in_every_log_line_at_debug_level(api):
    # python-telegram-bot logs "Set Bot API URL: …" with the whole URL.
    with_password = api.base_url.replace("http://", "http://lede:pa55word@")
    result = run_bot("--log-level", "DEBUG", env={"TELEGRAM_BASE_URL": with_password, "TELEGRAM_BOT_TOKEN": "42:not-the-token"})
    assert result.returncode == 2, result.stderr
    assert "pa55word" not in result.stderr and "http://lede:***@" in result.stderr


def test_at_debug_level_the_line_comes_with_its_traceback(tmp_path, api):
    result = run_bot("--db", str(tmp_path), "--log-level", "DEBUG", *QUESTION)
    assert result.returncode == 2
    assert "Traceback" in result.stderr and result.stderr.splitlines()[-1].startswith(f"lede: --db {tmp_path} is a folder")


def test_create_lets_a_new_folder_be_made_for_the_database(tmp_path):
    db = tmp_path / "new" / "lede.db"
    result = run_bot("--db", str(db), "--create", *QUESTION)
    assert result.returncode == 0, result.stderr
    assert db.exists()


def test_a_db_that_is_a_link_into_a_folder_that_does_not_exist_names_that_folder(tmp_path):
    # A link into a folder not there yet (a volume not mounted): the line said SQLite could not open or create a
    # database there, and --create did not help.
    link, target = tmp_path / "lede.db", tmp_path / "volume" / "lede.db"
    link.symlink_to(target)
    refused = run_bot("--db", str(link), *QUESTION)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.splitlines() == [f"lede: --db {link}: the folder {target.parent} does not exist (the link "
                                           f"{link} leads there); check the path, or add --create to create it"]
    created = run_bot("--db", str(link), "--create", *QUESTION)
    assert created.returncode == 0, created.stderr
    assert target.is_file()


@pytest.mark.parametrize("args", [QUESTION, ("--backup", "{tmp}/copy.db"), ("--prune", "--keep-days", "30")],
                         ids=["--ask", "--backup", "--prune"])
def test_a_db_in_a_folder_lede_may_not_open_is_one_line_naming_it(args, tmp_path):
    # Another user's ``chmod 700`` folder: looking for the store in it was a PermissionError's traceback.
    db = tmp_path / "closed" / "lede.db"
    assert run_bot("--ingest", str(ROOT / "seeds"), "--db", str(db), "--create").returncode == 0
    db.parent.chmod(0)
    try:
        result = run_bot("--db", str(db), *(arg.format(tmp=tmp_path) for arg in args), prefix=WITHOUT_ROOT_POWERS)
    finally:
        db.parent.chmod(0o700)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"lede: --db {db}: Lede may not open a folder on the way to it (Permission denied)")
    assert not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("target", ["{closed}/", "{closed}/copy.db"], ids=["the folder", "a file in it"])
def test_a_backup_into_a_folder_lede_may_not_open_is_one_line_naming_it(target, tmp_path):
    # Another user's ``chmod 700`` folder as the target: looking into it was a PermissionError's traceback.
    db, closed = tmp_path / "lede.db", tmp_path / "closed"
    assert run_bot("--ingest", str(ROOT / "seeds"), "--db", str(db)).returncode == 0
    closed.mkdir()
    closed.chmod(0)
    given = target.format(closed=closed)
    try:
        result = run_bot("--db", str(db), "--backup", given, prefix=WITHOUT_ROOT_POWERS)
    finally:
        closed.chmod(0o700)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [f"lede: --backup {given}: Lede may not open a folder on the way to it "
                                          "(Permission denied); give a path the user Lede runs as may open, or "
                                          "change that folder's permissions"]
    assert list(closed.iterdir()) == []


def test_a_backup_over_an_earlier_copy_in_a_folder_lede_may_not_write_says_it_cannot_write_there(tmp_path):
    # Read to tell an earlier copy from another program's database, the copy (in WAL mode, as the store) could not be
    # opened in a read-only folder, and the line called it a database SQLite cannot read.
    db, folder = tmp_path / "lede.db", tmp_path / "backups"
    assert run_bot("--ingest", str(ROOT / "seeds"), "--db", str(db)).returncode == 0
    folder.mkdir()
    assert run_bot("--db", str(db), "--backup", f"{folder}/").returncode == 0
    folder.chmod(0o555)
    try:
        result = run_bot("--db", str(db), "--backup", str(folder / "lede.db"), prefix=WITHOUT_ROOT_POWERS)
    finally:
        folder.chmod(0o755)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"lede: --backup {folder / 'lede.db'}: cannot write the copy there (unable to open database file)"]


@pytest.mark.parametrize("args", [QUESTION, ("--console",), ("--backup", "{tmp}/copy.db"), ("--prune", "--keep-days", "30")],
                         ids=["--ask", "--console", "--backup", "--prune"])
def test_a_db_file_lede_may_not_read_is_one_line_saying_so(args, tmp_path):
    # Its folder may be opened: the line used to advise a folder where Lede can write files.
    db = tmp_path / "lede.db"
    assert run_bot("--ingest", str(ROOT / "seeds"), "--db", str(db)).returncode == 0
    db.chmod(0)
    result = run_bot("--db", str(db), *(arg.format(tmp=tmp_path) for arg in args), prefix=WITHOUT_ROOT_POWERS)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line == (f"lede: --db {db}: Lede may not read this file (Permission denied); give a path the user Lede "
                    "runs as may read, or change the file's permissions")
    assert not (tmp_path / "copy.db").exists()


def test_a_read_only_store_still_answers_and_says_writes_are_off():
    """A read-only database (here read-only file and folder, as on a read-only mount) is opened read-only."""
    folder = scratch_folder("lede-read-only-")
    db = folder / "lede.db"
    stored = run_bot("--ingest", str(ROOT / "seeds"), "--db", str(db))
    assert stored.returncode == 0, stored.stderr
    db.chmod(0o444)
    folder.chmod(0o555)
    # root may write anything, so it asks as nobody, who may not.
    as_nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") if os.geteuid() == 0 else ()
    asked = run_bot("--db", str(db), *QUESTION, prefix=as_nobody)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Kyiv needs “real security guarantees”")
    [warning] = asked.stderr.splitlines()
    assert f"--db {db} is read-only" in warning and "writes are off" in warning
    briefed = run_bot("--db", str(db), "--brief", prefix=as_nobody)  # a briefing remembers what it told
    assert briefed.returncode == 1 and "Traceback" not in briefed.stderr
    assert briefed.stderr.splitlines()[-1] == f"lede: {db} is read-only, so writes are off; give a --db Lede may write to make changes"
    console = run_bot("--db", str(db), "--console", stdin="/brief\nWho did Vance meet?\n/more\n", prefix=as_nobody)
    assert console.returncode == 0, console.stderr
    refused, answered = console.stdout.split("\n\n", 1)
    assert refused == f"{db} is read-only, so writes are off; give a --db Lede may write to make changes"
    assert answered.startswith("U.S. Vice President J.D. Vance met with"), "the session goes on"
    assert console.stdout.endswith("\n\nMy store is read-only, so I keep no answers for /more to act on.\n\n")


def test_an_unreachable_telegram_is_retried_one_line_at_a_time_until_a_stop_signal(tmp_path):
    base_url = f"http://127.0.0.1:{closed_port()}/bot"
    environment = clean_environment(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url, LEDE_DB=str(tmp_path / "lede.db"))
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py")], cwd=ROOT, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stderr.readline() for _ in range(3)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    lines += process.stderr.read().splitlines(keepends=True)
    assert all(base_url in line and "unreachable" in line for line in lines), lines
    assert [_wait(line) for line in lines[:3]] == ["1 s", "2 s", "4 s"], "the waits grow"
    assert "Traceback" not in "".join(lines) and TOKEN.split(":")[1] not in "".join(lines)


def _wait(line: str) -> str:
    return line.rstrip().rsplit("trying again in ", 1)[1]


def test_a_failing_command_menu_is_a_warning_and_the_bot_still_answers(tmp_path):
    with FakeBotApi(token=TOKEN, bot_username="lede_test_bot") as server:
        server.fail_next("setMyCommands", 400, "Bad Request: commands are not available")
        with bot_process(server, tmp_path / "lede.db", tmp_path / "bot.log") as process:
            server.send_user_message(USER, USER, "Who did Vance meet?")
            wait_until(lambda: server.sent_messages(USER), process, what="the answer")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        [answer] = server.sent_messages(USER)
    assert answer.text.startswith(VANCE)
    log = (tmp_path / "bot.log").read_text()
    assert "WARNING bot.telegram_app: Could not register the command menu with setMyCommands" in log
