"""The console does what Telegram does: its commands, their results as JSON, and a terminal's comforts."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

from bot.console import run_console
from bot.console_commands import COMMANDS
from bot.service import Lede
from bot.shared_index import new_index
from corpus.loader import load_paths
from corpus.store import Store
from tests.bot.test_console import ROOT, run_bot
from tests.support.processes import clean_environment, scratch_folder

VANCE = "U.S. Vice President J.D. Vance met with"
SEEDS = ROOT / "seeds"
COMMAND_LINES = ["/help", "/start", "/sources", "/settings", "/brief", "/feed list", "/feed remove 1", "/feed",
                 "/add", "/nonsense", "/subscribe 08:00"]


def test_console_json_answers_each_command_with_its_result_never_with_an_answer(tmp_path):
    db = str(tmp_path / "lede.db")
    result = run_bot("--console", "--json", "--db", db, stdin="\n".join([*COMMAND_LINES, "Who did Vance meet?"]) + "\n")
    assert result.returncode == 0, result.stderr
    replies = dict(zip([*COMMAND_LINES, "question"], map(json.loads, result.stdout.splitlines()), strict=True))
    assert replies["question"]["answer"].startswith(VANCE)
    assert not any("answer" in reply for line, reply in replies.items() if line != "question")
    assert replies["/help"] == replies["/start"] and "/sources [page]" in replies["/help"]["commands"]
    assert replies["/sources"] == {"feeds": [], "articles": [], "page": 1, "pages": 1, "total_articles": 0,
                                   "loaded_at_start": 1}, "the bundled seed is counted, not listed"
    assert replies["/settings"] == {"daily_briefing": None, "last_briefing": None, "read_only": False}
    assert replies["/feed list"] == {"feeds": []}
    assert replies["/feed remove 1"] == {"error": "there is no feed number 1; this chat has no feeds"}
    assert replies["/feed"]["error"].startswith("Usage: /feed add <url>")
    assert replies["/nonsense"] == {"error": "Unknown command /nonsense. Type /help."}
    assert replies["/subscribe 08:00"] == {
        "error": "Daily briefings are sent in Telegram chats (/subscribe there); here /brief tells the news."}
    briefing = json.loads(run_bot("--brief", "--json", "--db", db).stdout)
    assert replies["/brief"].keys() == briefing.keys(), "/brief gives the object --brief --json gives"


def test_a_command_is_read_as_telegram_reads_it_after_leading_spaces_and_before_a_tab():
    # Telegram trims a message, and a command ends at any white space: pasted lines carry both.
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    output = io.StringIO()
    run_console(lede, io.StringIO("  /help\n/ask\tWho did Vance meet?\n"), output, as_json=True)
    help_reply, answer = map(json.loads, output.getvalue().splitlines())
    assert "/sources [page]" in help_reply["commands"]
    assert answer["answer"].startswith(VANCE)


def test_a_line_is_a_command_only_where_telegram_would_read_one_else_it_is_a_question():
    # Telegram marks a command only for a slash followed by letters, digits or _; the console said
    # "Unknown command /." to "/ who did Vance meet?", which Telegram answers.
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    output = io.StringIO()
    run_console(lede, io.StringIO("/ Who did Vance meet?\n/🙂\n/nonsense\n"), output, as_json=True)
    question, emoji, command = map(json.loads, output.getvalue().splitlines())
    assert question["answer"].startswith(VANCE)
    assert emoji["message"] == "There are no words in that to search for; ask me a question in words."
    assert command == {"error": "Unknown command /nonsense. Type /help."}


def test_a_command_addressed_to_a_bot_by_name_is_that_command_as_in_a_telegram_group():
    # "/help@lede_bot", as typed (or copied) in a group, got "Unknown command /help@lede_bot. Type /help."
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    output = io.StringIO()
    run_console(lede, io.StringIO("/help@lede_bot\n/ASK@lede_bot Who did Vance meet?\n/nonsense@lede_bot\n"), output,
                as_json=True)
    help_reply, answer, unknown = map(json.loads, output.getvalue().splitlines())
    assert "/sources [page]" in help_reply["commands"]
    assert answer["answer"].startswith(VANCE)
    assert unknown == {"error": "Unknown command /nonsense. Type /help."}, "named as Telegram names it"


def test_the_buttons_under_an_answer_are_console_commands_on_the_latest_answer(tmp_path):
    db = tmp_path / "lede.db"
    lines = ["/more", "what did Zelensky demand?", "/more", "/context", "/bad", "/good"]
    result = run_bot("--console", "--json", "--db", str(db), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    before, answer, more, context, bad, good = map(json.loads, result.stdout.splitlines())
    assert before == {"error": "Ask a question first: /more acts on the latest answer."}
    shown = answer["answer"]
    assert more["more"] and shown not in [further["answer"] for further in more["more"]]
    assert all(further["source"]["title"] == answer["source"]["title"] for further in more["more"])
    assert context["context"][context["answer_at"]] == shown and len(context["context"]) > 1
    assert (bad["helpful"], good["helpful"]) == (False, True)
    with Store.open(db) as store:
        latest = store.answer_record(1)  # the one answer kept
    assert (latest.question, latest.feedback) == ("what did Zelensky demand?", 1), "the last rating stands"


def test_the_buttons_commands_refuse_when_the_latest_question_got_no_answer_rather_than_act_on_an_earlier_one(tmp_path):
    # In Telegram a reply without an answer has no buttons; on the console /bad here rated the Zelensky answer.
    # Thanks is no question: the answer it thanks for is still the one /good rates.
    lines = ["what did Zelensky demand?", "thanks", "/good", "What is the capital of Australia?", "/more", "/context",
             "/bad"]
    with Store.open(tmp_path / "lede.db") as store:
        lede = Lede.compose(new_index(), store)
        lede.add_articles(load_paths([SEEDS]))
        output = io.StringIO()
        run_console(lede, io.StringIO("\n".join(lines) + "\n"), output, as_json=True)
        answer, welcome, good, unanswered, *refusals = map(json.loads, output.getvalue().splitlines())
        rated = store.answer_record(1)  # the one answer kept
    assert answer["answer"] and welcome["message"] == "You're welcome." and good["helpful"] is True
    assert unanswered["answer"] is None
    assert refusals == [{"error": f"My last reply holds no answer for {command} to act on; ask me a question about "
                                  "the news."} for command in ("/more", "/context", "/bad")]
    assert rated.feedback == 1, "the answer shown before kept its 👍"


def test_the_buttons_commands_act_on_this_runs_answers_not_on_one_shown_in_an_earlier_run(tmp_path):
    db = str(tmp_path / "lede.db")
    assert run_bot("--console", "--db", db, stdin="what did Zelensky demand?\n").returncode == 0
    result = run_bot("--console", "--json", "--db", db, stdin="/more\n/good\n")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"error": f"Ask a question first: {command} acts on the latest answer."} for command in ("/more", "/good")]


def test_help_and_start_work_and_every_command_the_console_mentions_exists(tmp_path):
    result = run_bot("--console", "--db", str(tmp_path / "lede.db"), stdin="\n".join(COMMAND_LINES) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Lede answers questions about the news")
    assert result.stdout.count("/ask <question>") == 2, "/help and /start both explain"
    mentioned = set(re.findall(r"(?<![\w/:.<])/[a-z]+", result.stdout))
    assert {"/add", "/feed", "/sources", "/brief", "/settings", "/help", "/more", "/context", "/good", "/bad"} <= mentioned
    # Besides the two typed that it lacks: /subscribe is named only to say where it works.
    assert mentioned - {"/nonsense", "/subscribe"} <= {"/ask", *COMMANDS}, "the console mentions only commands it has"
    assert "I couldn't remove that: there is no feed number 1" in result.stdout


def test_ctrl_c_ends_the_console_cleanly():
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")))
    # A test run started in the background (``pytest &``, nohup) ignores SIGINT, and an ignored
    # signal stays ignored in the processes it starts; a caught one is reset to the default. So
    # the console starts as from a terminal, where Ctrl-C reaches it, however pytest was started.
    ignored_or_caught = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--console"], cwd=ROOT, env=environment,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, ignored_or_caught)
    try:
        process.stdin.write("Who did Vance meet?\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith(VANCE), "the console is up and answering"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert process.stderr.read() == ""


def test_on_a_terminal_lines_can_be_edited_and_are_remembered_and_ctrl_d_ends(tmp_path):
    environment = clean_environment(XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
                                    TERM="dumb")
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--console"], cwd=ROOT, env=environment,
                               stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    try:
        _read_until(controller, b"? ")
        # Typed with a slip, then mended with readline's editing keys: Ctrl-A goes to the start, Ctrl-D deletes there.
        os.write(controller, b"XWho did Vance meet?\x01\x04\r")
        screen = _read_until(controller, b"\n? ")
        assert VANCE.encode() in screen
        os.write(controller, b"\x04")  # Ctrl-D on an empty line
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    history = (tmp_path / "state" / "lede" / "console_history").read_text()
    assert history.splitlines()[-1] == "Who did Vance meet?"


def _read_until(descriptor: int, marker: bytes, timeout: float = 60) -> bytes:
    """What the terminal shows until ``marker`` appears."""
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"timed out waiting for {marker!r}; the terminal showed {seen!r}"
        ready, _, _ = select.select([descriptor], [], [], 1)
        if ready:
            seen += os.read(descriptor, 4096)
    return seen
