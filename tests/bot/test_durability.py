"""The real bot process against the local Bot API: stopped by a signal, killed outright, restarted.

A stop signal (SIGTERM, or Ctrl-C's SIGINT) lets the update in hand finish
and closes the database, and a feed poll under way ends with the fetch it
has begun; a second one meanwhile ends the bot at once, in one line.
SIGKILL loses nothing committed, and a restart completes the work. The token never reaches a log line or the database.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.formatting import APOLOGY
from bot.service import Lede
from corpus.ingest import content_hash, prepare
from corpus.store import Store
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.bot.test_console import ROOT
from tests.support.bot_api import FakeBotApi
from tests.support.processes import clean_environment
from tests.support.web_server import ARTICLE_HTML, LocalWeb, Reply

TOKEN = "987654321:SECRET-durability-token"
SECRET = TOKEN.split(":", 1)[1]
USER = 5005
OTHER_USER = 5006
VANCE = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky"


@contextmanager
def bot_process(server: FakeBotApi, db: Path, log: Path, **environ: str) -> Iterator[subprocess.Popen]:
    """``run_bot.py`` as an operator runs it, talking to ``server``; killed if a test leaves it running."""
    environment = clean_environment(TELEGRAM_BOT_TOKEN=server.token, TELEGRAM_BASE_URL=server.base_url, LEDE_DB=str(db),
                                    LEDE_LOG_LEVEL="DEBUG", LEDE_ALLOW_PRIVATE_URLS="127.0.0.1", **environ)
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py")], cwd=ROOT, env=environment,
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: server.requests_for("getUpdates"), process, what="the bot to start polling")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_until(condition: Callable[[], object], process: subprocess.Popen, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the bot exited ({process.returncode}) while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN, bot_username="lede_test_bot") as fake:
        yield fake
    assert not fake.internal_errors, fake.internal_errors


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_mid_answer_finishes_the_reply_and_closes_the_database(server, tmp_path, stop):
    db = tmp_path / "lede.db"
    with bot_process(server, db, tmp_path / "bot.log") as process:
        server.delay_next("sendMessage", 1.5)  # the reply is on its way when the signal comes
        server.send_user_message(USER, USER, "Who did Vance meet?")
        wait_until(lambda: server.requests_for("sendMessage"), process, what="the reply to be sent")
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0, (tmp_path / "bot.log").read_text()
    [reply] = server.sent_messages(USER)
    assert reply.text.startswith(VANCE)
    assert server.pending_updates() == [], "the question was confirmed, so a restart will not answer it twice"
    assert not Path(f"{db}-wal").exists(), "the database was closed cleanly (its write-ahead log checkpointed)"


def test_a_store_removed_under_the_running_bot_stops_it_with_one_line_and_a_failing_status(server, tmp_path):
    # Every change from then on would go to a file no one finds: the bot stops, and systemd (Restart=on-failure)
    # starts it again on what is at the path then, rather than it apologising in every chat for ever.
    db = tmp_path / "lede.db"
    with bot_process(server, db, tmp_path / "bot.log") as process:
        server.send_user_message(USER, USER, "Who did Vance meet?")
        wait_until(lambda: server.sent_messages(USER) and _replies_noted(db), process, what="the first reply, noted")
        db.unlink()
        server.send_user_message(USER, USER, "What did Zelensky demand?")
        assert process.wait(timeout=60) == 1
    assert [reply.text for reply in server.sent_messages(USER)][1:] == [APOLOGY], "the second question was not ignored"
    lines = (tmp_path / "bot.log").read_text().splitlines()
    assert lines[-1] == (f"lede: the store at {db} was removed while Lede ran, so nothing more can be kept; "
                         "start Lede again to use what is at that path now")


def test_a_store_removed_as_two_chats_are_answered_stops_the_bot_once_with_one_line(server, tmp_path):
    # Each answer's note fails and asks the bot to stop. The delayed one asks while the bot is already stopping.
    db = tmp_path / "lede.db"
    with bot_process(server, db, tmp_path / "bot.log") as process:
        db.unlink()
        server.delay_next("sendMessage", 1.0)
        server.send_user_message(USER, USER, "Who did Vance meet?")
        server.send_user_message(OTHER_USER, OTHER_USER, "What did Zelensky demand?")
        assert process.wait(timeout=60) == 1
    lines = (tmp_path / "bot.log").read_text().splitlines()
    assert lines[-1] == (f"lede: the store at {db} was removed while Lede ran, so nothing more can be kept; "
                         "start Lede again to use what is at that path now")
    assert sum("Stopping:" in line for line in lines) == 1
    assert [server.sent_messages(chat)[-1].text for chat in (USER, OTHER_USER)] == [APOLOGY, APOLOGY]


def _replies_noted(db: Path) -> int:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT count(*) FROM question_replies").fetchone()[0]


def test_the_token_is_in_no_log_line_error_or_database_file(server, tmp_path):
    db = tmp_path / "lede.db"
    with LocalWeb() as web, bot_process(server, db, tmp_path / "bot.log") as process:
        server.fail_next("sendMessage", 500, "Internal Server Error")  # a logged, retried failure
        server.send_user_message(USER, USER, "Who did Vance meet?")
        server.send_user_message(USER, USER, f"/add {web.url('/article.html')}")
        server.send_user_document(USER, USER, "notes.txt", b"The ferry to Gull Point sails hourly from May.")
        server.fail_next("getFile", 400, "Bad Request: invalid file_id")  # an error the bot reports
        server.send_user_document(USER, USER, "more.txt", b"The harbour opens at six.")
        wait_until(lambda: len(server.sent_messages(USER)) >= 4, process, what="four replies")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    log = (tmp_path / "bot.log").read_bytes()
    assert b"Failed to handle an update" in log and b"987654321:***" in log, "errors were logged, token masked"
    files = [path for path in tmp_path.iterdir() if path.name.startswith("lede.db")]
    for path in [tmp_path / "bot.log", *files]:
        assert SECRET.encode() not in path.read_bytes(), f"the token leaked into {path.name}"
    assert all(SECRET not in message.text for message in server.sent_messages())


def test_a_feed_poll_killed_midway_leaves_whole_articles_and_a_restart_completes_it(server, tmp_path):
    analyzer = Analyzer(Lexicon.load())
    db = tmp_path / "lede.db"
    with LocalWeb() as web:
        entries = 60
        web.routes["/feed.xml"] = lambda request: Reply(body=_summary_feed(web.base, entries),
                                                        content_type="application/rss+xml")
        for number in range(entries):  # each entry's page is fetched for its full text, slowly
            web.routes[f"/story/{number}"] = lambda request, n=number: Reply(body=_story(n), delay=0.05)
        with Store.open(db) as store:  # the chat followed the feed earlier; its poll is due
            store.subscribe(USER, web.url("/feed.xml"))

        with bot_process(server, db, tmp_path / "first.log", LEDE_FEED_INTERVAL="1") as process:
            wait_until(lambda: _count(db) >= 10, process, what="the poll to store ten articles")
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        killed_with = _check_whole(db)
        assert 10 <= killed_with < entries, "the kill landed mid-poll"

        with bot_process(server, db, tmp_path / "second.log", LEDE_FEED_INTERVAL="1") as process:
            wait_until(lambda: _count(db) == entries, process, what="the restarted poll to finish")
            server.send_user_message(USER, USER, "Which harbour pilots met on day 59?")
            wait_until(lambda: server.sent_messages(USER), process, what="an answer")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    assert _check_whole(db) == entries
    assert server.sent_messages(USER)[0].text.startswith("Story 59: the harbour pilots met on day 59")
    _check_index_matches_store(db, analyzer)


def _summary_feed(base: str, entries: int) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><link>{base}/story/{n}</link><description>Pilots met.</description>"
                    "</item>" for n in range(entries))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Pilots</title>{items}</channel></rss>'.encode()


def _story(number: int) -> bytes:
    body = (f"<p>Story {number}: the harbour pilots met on day {number} to discuss the new bridge.</p>"
            f"<p>They agreed that ships longer than {100 + number} metres need two pilots from now on.</p>")
    return ARTICLE_HTML.replace("<h1>Harbour Bridge Approved</h1>", f"<h1>Story {number}</h1>{body}").encode()


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db) as connection:
            return int(connection.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _check_whole(db: Path) -> int:
    """Every stored article has exactly the sentences its body splits into, and the fingerprint of its text."""
    with Store.open(db) as store:
        stored = list(store.load_articles())
        for entry in stored:
            prepared = prepare(entry.article)
            assert entry.sentences == prepared.sentences and entry.sentences, entry.article.article_id
            assert store.known_article("-", None, content_hash(entry.article.paragraphs)) == entry.article.article_id
    return len(stored)


def _check_index_matches_store(db: Path, analyzer: Analyzer) -> None:
    """A restart's index (snapshot plus what came after) holds exactly the stored sentences."""
    with Store.open(db) as store:
        lede = Lede.compose(SentenceIndex(analyzer), store)
        lede.load_store()
        stored = list(store.load_articles())
        assert [passage.text for passage in lede.index.passages] == [s for entry in stored for s in entry.sentences]
        assert Path(f"{db}.index.npz").exists()


class HeldPages:
    """The local web server's story pages, each held until the test lets it go (or the test ends)."""

    def __init__(self, web: LocalWeb, entries: int) -> None:
        self.released = [threading.Event() for _ in range(entries)]
        for number in range(entries):
            web.routes[f"/story/{number}"] = lambda request, n=number: self._held(n)

    def _held(self, number: int) -> Reply:
        self.released[number].wait(HELD_FOR)
        return Reply(body=_story(number))

    def release_all(self) -> None:
        for released in self.released:
            released.set()


# Longer than a fetch waits for a reply (10 s): each page the bot asks for after the stop holds the stop that long.
HELD_FOR = 60.0


@contextmanager
def following_held_pages(web: LocalWeb, db: Path, entries: int) -> Iterator[HeldPages]:
    """A feed of ``entries`` summaries, due at once for ``USER``, whose pages are held (see :class:`HeldPages`)."""
    web.routes["/feed.xml"] = lambda request: Reply(body=_summary_feed(web.base, entries),
                                                    content_type="application/rss+xml")
    pages = HeldPages(web, entries)
    with Store.open(db) as store:
        store.subscribe(USER, web.url("/feed.xml"))
    try:
        yield pages
    finally:
        pages.release_all()


def test_a_stop_signal_during_a_feed_poll_ends_the_poll_after_the_read_under_way_and_stops_cleanly(server, tmp_path):
    db, log = tmp_path / "lede.db", tmp_path / "bot.log"
    with LocalWeb() as web, following_held_pages(web, db, entries=3) as pages:
        with bot_process(server, db, log, LEDE_FEED_INTERVAL="1") as process:
            wait_until(lambda: web.requests_for("/story/0"), process, what="the poll to read the first entry's page")
            process.send_signal(signal.SIGTERM)
            wait_until(lambda: b"Application is stopping" in log.read_bytes(), process, what="the bot to begin stopping")
            pages.released[0].set()
            assert process.wait(timeout=30) == 0, "the bot stopped without reading the other entries' pages"
        assert not web.requests_for("/story/1")
    lines = log.read_text().splitlines()
    assert sum(line.endswith(" INFO bot.telegram_app: SIGTERM received: stopping after the work under way")
               for line in lines) == 1
    assert not [line for line in lines if "Traceback" in line or " ERROR " in line]
    assert _check_whole(db) == 1, "the entry whose page was read is kept whole, and no other"
    with Store.open(db) as store:
        assert store.due_feeds(datetime.now(UTC)), "read in part, the feed is read again at the next start"


def test_a_second_ctrl_c_while_the_bot_stops_ends_it_at_once_in_one_line_and_leaves_the_store_whole(server, tmp_path):
    db, log = tmp_path / "lede.db", tmp_path / "bot.log"
    with LocalWeb() as web, following_held_pages(web, db, entries=3):
        with bot_process(server, db, log, LEDE_FEED_INTERVAL="1") as process:
            wait_until(lambda: web.requests_for("/story/0"), process, what="the poll to read the first entry's page")
            process.send_signal(signal.SIGINT)
            wait_until(lambda: b"Application is stopping" in log.read_bytes(), process, what="the bot to begin stopping")
            process.send_signal(signal.SIGINT)  # the page is still held: the bot is waiting for it
            assert process.wait(timeout=30) == 130
    lines = log.read_text().splitlines()
    assert lines[-1] == ("lede: Ctrl-C while stopping: stopped at once, without waiting for the work under way "
                         "(what was stored is whole; the next start reads again the feeds left unread)")
    assert not [line for line in lines if "Traceback" in line or " ERROR " in line]
    assert _check_whole(db) == 0
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
