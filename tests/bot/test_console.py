"""The console and one-shot modes, run as a user would run them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.console import answer_once, run_ingest
from bot.service import Lede
from bot.shared_index import new_index
from corpus.loader import load_paths
from tests.support.processes import clean_environment, scratch_folder
from tests.support.web_server import LocalWeb, rss_feed

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ("<item><title>Lighthouse reopens</title><link>/news/lighthouse</link><content:encoded><![CDATA["
              "<p>The old lighthouse on Gull Point reopened to visitors on Sunday after a two-year restoration.</p>"
              "]]></content:encoded></item>")


def run_bot(*args: str | bytes, stdin: str | bytes = "", env: dict[str, str] | None = None,
            prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``run_bot.py`` with a clean environment; its data directory is a fresh temporary one.

    ``prefix`` runs it through another command (e.g. ``setpriv`` to run it as another user).
    Given ``stdin`` as bytes, its output is bytes too (for input that is not UTF-8).
    """
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")), **(env or {}))
    return subprocess.run(
        [*prefix, sys.executable, str(ROOT / "run_bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=isinstance(stdin, str),
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


def test_ask_json_answers_the_seed_question_with_its_source():
    result = run_bot("--ask", "what did Zelensky demand?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["question"] == "what did Zelensky demand?"
    assert data["answer"].startswith("Kyiv needs “real security guarantees” to negotiate with Moscow, Zelensky told Vance on Friday,")
    assert data["source"]["title"] == "Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia"
    assert data["source"]["publisher"] == "Foreign Policy"
    assert data["source"]["article_id"] == "000_be628776acd63ea0"
    assert 0 < data["confidence"] <= 1
    assert isinstance(data["alternatives"], list)


def test_console_json_prints_exactly_one_object_per_input_line():
    questions = ["Who did Vance meet?", "", "x" * 10_000, "What is the capital of Australia?", "/ASK  Who did Vance meet?"]
    result = run_bot("--console", "--json", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == 5
    met, empty, huge, capital, asked = replies
    assert met["answer"].startswith("U.S. Vice President J.D. Vance met with")
    assert asked == met, "/ask in any case, as Telegram reads commands, asks the question that follows it"
    assert empty["answer"] is None and "Ask me a question" in empty["message"]
    assert huge["answer"] is None and "10,000 characters" in huge["message"]
    assert capital["answer"] is None and capital["source"] is None
    assert capital["message"] == "I couldn't find that in the articles I have."


def test_plain_console_shows_the_answer_then_the_source():
    result = run_bot("--console", stdin="Who did Vance meet?\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("U.S. Vice President J.D. Vance met with")
    assert lines[2] == "— Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia · Foreign Policy"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("output", "bold"), [(_Terminal(), True), (io.StringIO(), False)], ids=["terminal", "pipe"])
def test_an_answer_shown_after_its_lead_in_is_bold_at_a_terminal_and_plain_in_a_pipe(output, bold):
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([ROOT / "seeds"]))
    answer_once(lede, "What concessions did Trump offer Putin?", output, as_json=False, in_conversation=False)
    listing = "These included Ukraine potentially giving up some of its Russian-occupied territory"
    first = output.getvalue().splitlines()[0]
    assert first.startswith("Earlier this week, Trump held a nearly 90-minute phone call with Putin")
    assert (f"involvement. \x1b[1m{listing}" in first) is bold
    assert (f"involvement. {listing}" in first) is not bold


@pytest.mark.parametrize(("errors", "counted"), [(_Terminal(), True), (io.StringIO(), False)], ids=["terminal", "pipe"])
def test_ingesting_counts_the_articles_ahead_for_the_progress_bar_only_where_a_bar_is_drawn(errors, counted, monkeypatch):
    # Under cron or systemd no bar is drawn, and counting a large folder's articles ahead read every file for nothing.
    lede = Lede.compose(None)
    counts: list[list[str]] = []
    monkeypatch.setattr(lede.sources, "expected_articles", lambda sources: counts.append(sources) or 1)
    output = io.StringIO()
    assert run_ingest(lede, [str(ROOT / "seeds")], output, errors, as_json=False) == 0
    assert output.getvalue().startswith("Added 1"), "stored all the same"
    assert bool(counts) is counted
    lede.close()


def test_a_running_console_answers_from_what_ingest_stores_beside_it_and_no_longer_from_what_prune_removes(tmp_path):
    db = str(tmp_path / "lede.db")
    wire = tmp_path / "bridge.jsonl"
    wire.write_text(json.dumps({"id": "bridge-1", "date": "1987-03-02T09:00:00", "title": "Harbour Bridge Opens",
                                "body": "The new harbour bridge is 640 metres long."}) + "\n", encoding="utf-8")
    console = subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py"), "--console", "--json", "--db", db],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
        env=clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-"))),
    )

    def ask(question: str) -> str | None:
        console.stdin.write(question + "\n")
        console.stdin.flush()
        return json.loads(console.stdout.readline())["answer"]

    try:
        assert ask("how many metres is the harbour bridge?") is None
        assert run_bot("--ingest", str(wire), "--db", db).returncode == 0
        assert ask("how many metres is the harbour bridge?") == "The new harbour bridge is 640 metres long."
        assert run_bot("--prune", "--keep-days", "30", "--db", db).returncode == 0  # a 1987 story: removed
        assert ask("how many metres is the harbour bridge?") is None
    finally:
        console.stdin.close()
        console.wait(timeout=60)
    assert console.returncode == 0


def test_corpus_flag_loads_other_articles(tmp_path):
    (tmp_path / "cocoa.txt").write_text(
        "Cocoa Rains Help Bahia\n\nShowers continued throughout the week in the Bahia cocoa zone.\n", encoding="utf-8"
    )
    result = run_bot("--corpus", str(tmp_path), "--ask", "Where did showers continue?", "--json")
    data = json.loads(result.stdout)
    assert data["answer"] == "Showers continued throughout the week in the Bahia cocoa zone."
    assert data["source"]["title"] == "Cocoa Rains Help Bahia"


def test_a_corpus_folder_s_unreadable_files_are_skipped_each_with_a_warning_line_and_the_rest_loaded(tmp_path):
    (tmp_path / "cocoa.txt").write_text("Showers continued throughout the week in the Bahia cocoa zone.\n", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"GIF89a\x00\x01")
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "empty.md").write_text("\n", encoding="utf-8")
    result = run_bot("--corpus", str(tmp_path), "--ask", "Where did showers continue?")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Showers continued throughout the week in the Bahia cocoa zone.")
    assert [line.split(" WARNING ", 1)[1] for line in result.stderr.splitlines()] == [
        f"corpus.loader: Skipped {tmp_path / 'bin.txt'}: bin.txt looks like a binary file, not text",
        f"corpus.loader: Skipped {tmp_path / 'deep' / 'empty.md'}: empty.md has no text to quote from"]


def test_without_a_token_the_bot_refuses_to_start_and_points_to_the_console():
    result = run_bot()
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "--console" in result.stderr


def test_db_flag_names_where_the_store_lives(tmp_path):
    database = tmp_path / "lede.db"
    result = run_bot("--db", str(database), "--ask", "Who did Vance meet?")
    assert result.returncode == 0, result.stderr
    assert database.exists()


def test_the_console_runs_the_source_commands_through_the_same_service(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Dam Opens\n\nThe new dam on the Kura river opened on Sunday after six years of work.\n")
    db = str(tmp_path / "lede.db")
    assert run_bot("--ingest", str(notes), "--db", db).returncode == 0
    result = run_bot("--console", "--db", db, stdin="/sources\n/feed list\n/feed remove 1\n/nonsense\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Feeds (0)\nnone — /feed add <url>\n\nArticles (1), newest first\n• Dam Opens\n\n"
                                    "Every chat is also answered from 1 article loaded when I started.\n\n"
                                    "This chat follows no feeds yet: /feed add <url> adds one.\n\n"
                                    "I couldn't remove that: there is no feed number 1; this chat has no feeds.\n\n"
                                    "Unknown command /nonsense. Type /help.")


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters_not_as_a_failure():
    typed = run_bot("--console", "--json", stdin=b"Who did Vance meet \xff Munich?\n/brief Munich \xff\n")
    asked, briefed = (json.loads(line) for line in typed.stdout.decode().splitlines())
    assert asked["answer"].startswith("U.S. Vice President J.D. Vance met with") and asked["question"].count("\ufffd") == 1
    assert briefed["message"].startswith("Nothing new about \u201cMunich \ufffd\u201d since")
    given = run_bot("--ask", b"Who did Vance \xff meet?", "--json")
    assert json.loads(given.stdout)["answer"].startswith("U.S. Vice President J.D. Vance met with"), given.stderr


def test_the_console_reads_its_followed_feeds_while_it_runs_and_answers_from_the_new_entries(tmp_path):
    with LocalWeb() as web:
        environment = clean_environment(LEDE_DB=str(tmp_path / "lede.db"), LEDE_FEED_INTERVAL="1",
                                        LEDE_ALLOW_PRIVATE_URLS="127.0.0.1", XDG_DATA_HOME=str(tmp_path / "data"))
        console = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--console", "--json", "--log-level", "INFO"],
                                   cwd=ROOT, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            def say(line: str) -> dict:
                console.stdin.write(line + "\n")
                console.stdin.flush()
                return json.loads(console.stdout.readline())

            added = say(f"/feed add {web.url('/feed.xml')}")
            assert added["added"] == 2, added
            question = "when did the Gull Point lighthouse reopen?"
            assert say(question)["answer"] is None
            web.serve_feed("/feed.xml", rss_feed(web.base, LIGHTHOUSE), etag='"feed-v2"')
            deadline = time.monotonic() + 30
            while (reply := say(question))["answer"] is None and time.monotonic() < deadline:
                time.sleep(0.2)
            console.stdin.close()
            assert console.wait(timeout=30) == 0
        finally:
            if console.poll() is None:
                console.kill()
    assert reply["answer"].startswith("The old lighthouse on Gull Point reopened to visitors on Sunday")
    log = console.stderr.read()
    assert "INFO corpus.feed_poller: Feeds polled: 1 new articles, 0 updated, 0 failures" in log, "what the poll found is logged"
    assert "Traceback" not in log


@pytest.mark.parametrize(("level", "env"), [((), {}), (("--log-level", "info"), {}), ((), {"LEDE_LOG_LEVEL": "INFO"})],
                         ids=["by default", "--log-level", "LEDE_LOG_LEVEL"])
def test_beside_the_answer_only_warnings_are_logged_unless_a_level_is_asked_for(level, env):
    result = run_bot("--ask", "Who did Vance meet?", *level, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("U.S. Vice President J.D. Vance met with"), "the log never goes to standard output"
    loaded = "INFO bot.service: Loaded 11 sentences from"
    assert (loaded in result.stderr) == bool(level or env), result.stderr


def test_a_link_asked_once_is_told_to_ingest_it_and_in_the_console_to_add_it():
    asked = run_bot("--ask", "https://news.example/2025/ferry")
    typed = run_bot("--console", stdin="https://news.example/2025/ferry\n")
    assert asked.stdout.strip() == ("That is a link, not a question: --ingest <link> adds the article it points to, "
                                    "and then you can ask me about it.")
    assert typed.stdout.strip() == ("That is a link, not a question: /add <link> adds the article it points to, "
                                    "and then you can ask me about it.")


def test_a_reader_that_goes_away_ends_the_console_quietly_as_for_any_unix_tool():
    # ``lede --console < questions.txt | head -1``: the pipe closes after the first line.
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")))
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--console"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=environment)
    process.stdin.write(b"what did Zelensky demand?\n" * 50)
    process.stdin.close()
    assert process.stdout.readline().startswith("Kyiv needs".encode())
    process.stdout.close()
    assert process.wait(timeout=120) == 141, "128 + SIGPIPE, as a shell reports for `yes | head -1`"
    assert process.stderr.read() == b""


def test_a_store_removed_while_the_console_runs_ends_the_session_in_one_line_rather_than_lose_what_follows(tmp_path):
    db = tmp_path / "lede.db"
    story = tmp_path / "ferry.txt"
    story.write_text("The ferry Nordic Star sank off Bergen on Tuesday after hitting rocks, the coast guard said.\n")
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")), LEDE_DB=str(db))
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--console"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=environment)
    process.stdin.write("what did Zelensky demand?\n")
    process.stdin.flush()
    assert process.stdout.readline().startswith("Kyiv needs"), "the session is under way, its store open"
    db.unlink()
    stdout, stderr = process.communicate(f"/add {story}\nWhich ferry sank?\n", timeout=120)
    assert process.returncode == 1
    assert "Added" not in stdout
    assert stderr == (f"lede: the store at {db} was removed while Lede ran, so nothing more can be kept; "
                      "start Lede again to use what is at that path now\n")


def test_a_console_whose_input_the_shell_closed_says_so_in_one_line(tmp_path):
    # ``lede --console <&-``: Python finds no standard input at all.
    environment = clean_environment(XDG_DATA_HOME=str(scratch_folder("lede-test-data-")),
                                    LEDE_DB=str(tmp_path / "lede.db"))
    result = subprocess.run([sys.executable, str(ROOT / "run_bot.py"), "--console"], capture_output=True, text=True,
                            cwd=ROOT, env=environment, timeout=120, preexec_fn=lambda: os.close(0))
    assert result.returncode == 2
    assert result.stderr == ("lede: --console reads questions on standard input, which is closed; "
                             "give it a terminal, a file or a pipe\n")
