"""Ctrl-C at any moment of a run, even while Python is still importing Lede, ends it as Ctrl-C does.

Importing Lede takes over a second: an operator who typed the wrong command and pressed Ctrl-C at once got a
KeyboardInterrupt traceback. These tests send SIGINT while the real process imports Lede's modules: as soon
as one that Lede imports early (``sqlite3``'s C extension) is loaded, which is past Python's own start-up
(where Python cannot handle it, and SIGINT kills the process, as it would any program). A process past the
imports by then must end the same way.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.bot.test_console import ROOT
from tests.support.processes import clean_environment

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
    environment = clean_environment(XDG_DATA_HOME=tempfile.mkdtemp(prefix="lede-test-data-"),
                                    LEDE_DB=str(Path(tempfile.mkdtemp(prefix="lede-test-db-")) / "lede.db"), **settings)
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
