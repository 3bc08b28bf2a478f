"""Standard output that cannot take the replies (full, closed, or read by nobody) ends a run in one line, not a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.formatting import BOLD, NORMAL
from bot.output import Replies
from tests.bot.test_console import ROOT, run_bot
from tests.bot.test_ingest import REUTERS_LIKE, write_jsonl
from tests.support.processes import clean_environment, scratch_folder

FULL_DISK = "lede: could not write to standard output (No space left on device)\n"
QUESTION = "what did Zelensky demand?"

COMMANDS = {
    "--ask": (["--ask", QUESTION], ""),
    "--ask --json": (["--ask", QUESTION, "--json"], ""),
    "--brief": (["--brief"], ""),
    "--brief --json": (["--brief", "--json"], ""),
    "--console": (["--console"], f"{QUESTION}\n" * 20),
    "--console --json": (["--console", "--json"], f"/help\n{QUESTION}\n" * 10),
}


def run_into(target: str | None, *args: str, stdin: str = "", db: Path) -> subprocess.CompletedProcess[str]:
    """``run_bot.py`` with its standard output sent to ``target`` (e.g. /dev/full), or closed when ``target`` is None."""
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")), LEDE_DB=str(db))
    with open(target or os.devnull, "w") as output:
        return subprocess.run([sys.executable, str(ROOT / "run_bot.py"), *args], input=stdin, text=True,
                              stdout=output, stderr=subprocess.PIPE, cwd=ROOT, env=environment, timeout=120,
                              preexec_fn=None if target else lambda: os.close(1))


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_full_output_ends_the_run_in_one_line_with_a_failing_status(command, tmp_path):
    # ``lede --ask … > /dev/full``: every write fails as on a disk that filled up.
    args, stdin = command
    result = run_into("/dev/full", *args, stdin=stdin, db=tmp_path / "lede.db")
    assert result.returncode == 1
    assert result.stderr == FULL_DISK


def test_an_ingestion_whose_summary_cannot_be_printed_keeps_what_it_stored(tmp_path):
    wires = write_jsonl(tmp_path / "wires.jsonl.gz", REUTERS_LIKE)
    result = run_into("/dev/full", "--ingest", str(wires), db=tmp_path / "lede.db")
    assert result.returncode == 1
    assert result.stderr == FULL_DISK
    again = run_bot("--ingest", str(wires), "--json", "--db", str(tmp_path / "lede.db"))
    assert json.loads(again.stdout) == {"added": 0, "known": 2, "failed": []}, "both articles were stored the first time"


def test_an_output_the_shell_closed_is_named_in_one_line(tmp_path):
    # ``lede --ask … >&-``: Python finds no standard output at all.
    result = run_into(None, "--ask", QUESTION, db=tmp_path / "lede.db")
    assert result.returncode == 1
    assert result.stderr == ("lede: could not write to standard output (it is closed); "
                             "send it to a file or a pipe, or to /dev/null\n")


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_that_standard_output_cannot_take_end_in_one_line_with_a_failing_status(flag, tmp_path):
    # argparse prints them itself, and ignored the failure: "lede --help > /dev/full" exited 0, having written nothing.
    full = run_into("/dev/full", flag, db=tmp_path / "lede.db")
    assert (full.returncode, full.stderr) == (1, FULL_DISK)
    closed = run_into(None, flag, db=tmp_path / "lede.db")
    assert closed.returncode == 1
    assert closed.stderr == ("lede: could not write to standard output (it is closed); "
                             "send it to a file or a pipe, or to /dev/null\n"), "not the help itself, on standard error"


@pytest.mark.parametrize("args", [["--ask", QUESTION], ["--brief"], ["--ingest", "seeds"], ["--help"]],
                         ids=["--ask", "--brief", "--ingest", "--help"])
def test_a_reader_gone_before_the_reply_ends_the_run_silently_as_sigpipe_would(args, tmp_path):
    # ``lede --brief | head -1`` where head is gone before Lede writes: 141, as a shell reports for SIGPIPE.
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")),
                                    LEDE_DB=str(tmp_path / "lede.db"))
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=environment)
    process.stdout.close()  # the only reading end: every write Lede makes finds no reader
    assert process.wait(timeout=120) == 141
    assert process.stderr.read() == b""


def test_a_path_in_bytes_that_are_not_utf8_is_printed_even_where_standard_output_is_strict_utf8(tmp_path):
    # A desktop's en_US.UTF-8 locale makes Python's standard output refuse the lone surrogates such a path holds.
    run_bot("--ingest", "seeds", "--db", str(tmp_path / "lede.db"))
    target = tmp_path / os.fsdecode(b"copie-\xe9.db")
    result = run_bot("--backup", str(target), "--db", str(tmp_path / "lede.db"), env={"PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Backed up {tmp_path / 'lede.db'} to {tmp_path}/copie-\ufffd.db (")
    assert target.is_file()


def test_an_articles_control_characters_never_reach_the_terminal_and_ledes_own_bold_does(tmp_path):
    # A file (or a feed, or a page) whose text retitles the terminal, clears it, rings its bell and moves
    # the cursor back over the line: the console prints the words, not the commands.
    notes = tmp_path / "ferry.txt"
    notes.write_text("Ferry Strike Ends\n\nThe ferry strike ended on Monday\x1b]0;pwned\x07 after\r talks\x1b[2J in"
                     " Gull\x9b6n Point.\n")
    result = run_bot("--console", "--corpus", str(notes), stdin="when did the ferry strike end?\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "The ferry strike ended on Monday]0;pwned after talks[2J in Gull6n Point."
    written = io.StringIO()
    Replies(written).write(f"{BOLD}Kept{NORMAL}\tand\n\x1b[31mred\x1b[0m")
    assert written.getvalue() == f"{BOLD}Kept{NORMAL}\tand\n[31mred[0m"
