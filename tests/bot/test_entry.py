"""Ctrl-C at any moment of a run, even while Python is still importing Lede, ends it as Ctrl-C does.

And Ctrl-C while a run is already stopping (the console finishing its feed poll) ends it at once, in one line.

Importing Lede takes over a second: an operator who typed the wrong command and pressed Ctrl-C at once got a
KeyboardInterrupt traceback. These tests send SIGINT while the real process imports Lede's modules: as soon
as one that Lede imports early (``sqlite3``'s C extension) is loaded, which is past Python's own start-up
(where Python cannot handle it, and SIGINT kills the process, as it would any program). A process past the
imports by then must end the same way.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pytest

from corpus.store import Store
from tests.bot.test_console import ROOT
from tests.support.processes import clean_environment, scratch_folder
from tests.support.web_server import LocalWeb, Reply, big_feed

# Loaded by ``import sqlite3`` among the first of Lede's imports, never by Python's start-up.
IMPORTED_BY_LEDE = "_sqlite3"
COMMANDS = {
    "run_bot.py": (str(ROOT / "run_bot.py"),),
    # What the installed ``lede`` script runs (pyproject.toml's [project.scripts]; tests/test_packaging.py runs
    # the script itself, installed from the wheel).
    "the lede entry point": ("-c", "import sys; from bot.entry import main; sys.exit(main())"),
}


def _importing_lede(process: subprocess.Popen[str]) -> bool:
    """Whether the process has begun importing Lede's modules, or has ended (an ended one maps nothing)."""
    try:
        return process.poll() is not None or IMPORTED_BY_LEDE in Path(f"/proc/{process.pid}/maps").read_text()
    except FileNotFoundError:  # ended between the two
        return True


def interrupted_while_importing(command: Sequence[str], **settings: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (Lede, with its flags; ``settings`` added to a clean environment) and Ctrl-C it as it starts."""
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")),
                                    LEDE_DB=str(scratch_folder("lede-test-db-") / "lede.db"), **settings)
    # Standard input stays open, so that a console past its imports waits at its prompt, as a terminal's would.
    with subprocess.Popen(command, cwd=ROOT, env=environment, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        while not _importing_lede(process):
            pass
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_ctrl_c_while_lede_starts_stops_a_one_shot_command_with_exit_code_130_and_no_traceback(command):
    result = interrupted_while_importing([sys.executable, *command, "--ask", "what did Zelensky demand?"])
    assert (result.returncode, result.stderr, result.stdout) == (130, "", "")


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_ctrl_c_while_the_console_starts_leaves_it_with_exit_code_0_and_no_traceback(command):
    result = interrupted_while_importing([sys.executable, *command, "--console"])
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_ctrl_c_while_the_console_finishes_its_feed_poll_ends_it_at_once_in_one_line_and_leaves_the_store_whole(
        command, tmp_path):
    db, read = tmp_path / "lede.db", threading.Event()
    released = threading.Event()
    with LocalWeb() as web:
        def held_feed(request: object) -> Reply:
            read.set()
            released.wait(60)  # longer than the fetch waits (10 s): only the fetch's timeout ends it
            return Reply(body=big_feed(web.base, 3), content_type="application/rss+xml")

        web.routes["/feed.xml"] = held_feed
        with Store.open(db) as store:
            store.subscribe(1, web.url("/feed.xml"))
        environment = clean_environment(XDG_DATA_HOME=str(tmp_path), LEDE_DB=str(db), LEDE_FEED_INTERVAL="1",
                                        LEDE_ALLOW_PRIVATE_URLS="127.0.0.1")
        with subprocess.Popen([sys.executable, *command, "--console"], cwd=ROOT, env=environment, stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
            try:
                assert read.wait(60), "the console polled the feed"
                process.stdin.close()  # Ctrl-D: the console ends, and waits for the poll under way
                assert process.stderr.readline() == "Finishing the feed poll under way…\n"
                process.send_signal(signal.SIGINT)
                assert process.wait(timeout=30) == 130
                rest = process.stderr.read()
            finally:
                released.set()
                process.kill()
    assert rest == ("lede: Ctrl-C while stopping: stopped at once, without waiting for the work under way "
                    "(what was stored is whole; the next start reads again the feeds left unread)\n")
    with Store.open(db) as store:
        assert not list(store.load_articles()) and store.chat_feeds(1)[0].etag is None, "nothing of the feed stored"
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
