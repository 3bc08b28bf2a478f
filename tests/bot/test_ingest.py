"""``run_bot.py --ingest``: files and folders into the store, summaries, restarts and a killed run."""

from __future__ import annotations

import gzip
import json
import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.main import main
from bot.service import Lede
from bot.shared_index import new_index
from corpus.ingest import prepare
from corpus.store import Store
from corpus.loader import article_from_record
from tests.bot.test_console import ROOT, run_bot
from tests.bot.test_operator_errors import WITHOUT_ROOT_POWERS
from tests.corpus.test_feed_files import WORDPRESS_RSS
from tests.support.processes import clean_environment
from tests.corpus.test_sources import LEVY_CORRECTED
from tests.support.web_server import LocalWeb, rss_feed

REUTERS_LIKE = [
    {"id": "wire-1", "date": "1987-03-02T09:52:30", "title": "Record N.Z. Futures Volumes",
     "body": "    Record volumes were traded on the New Zealand Futures Exchange in February, the exchange said.\n"
             "    A total of 105,000 contracts changed hands. Reuter"},
    {"id": "wire-2", "date": "1987-04-01T10:00:00", "title": "Senate Leader Byrd Sees Close Highway Vote",
     "body": "    Senate majority leader Robert Byrd said the vote to override the veto of the highway bill was close."},
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record) + "\n")
    return path


def summary(result: subprocess.CompletedProcess[str], status: int = 0) -> dict:
    assert result.returncode == status, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_and_folders_are_stored_and_a_second_run_adds_nothing(tmp_path):
    folder = tmp_path / "articles"
    (folder / "deep").mkdir(parents=True)
    (folder / "note.md").write_text("# Port Strike Ends\n\nDock workers returned to work on Monday after a deal.\n")
    (folder / "deep" / "page.html").write_text(
        "<html><head><title>Mill Closes</title></head><body><article><h1>Mill Closes</h1>"
        "<p>The paper mill in Riverton closed on Friday after ninety years, its owner said.</p>"
        "<p>About 300 people worked there until the end.</p></article></body></html>")
    (folder / "ignored.pdf").write_bytes(b"%PDF-1.4")
    wires = write_jsonl(tmp_path / "wires.jsonl.gz", REUTERS_LIKE)
    db = tmp_path / "lede.db"

    first = summary(run_bot("--ingest", str(folder), str(wires), str(tmp_path / "missing.txt"), "--db", str(db), "--json"),
                    status=1)  # one source failed
    second = summary(run_bot("--ingest", str(folder), str(wires), "--db", str(db), "--json"))

    pdf = folder / "ignored.pdf"
    skipped = [{"source": str(pdf), "reason": f"{pdf.name} is not a file type Lede reads (it reads .txt, .md, .html, .htm, "
                                              ".jsonl, .jsonl.gz, .xml, .rss, .atom, .rdf, .opml)"}]
    assert first == {"added": 4, "known": 0,
                     "failed": [{"source": str(tmp_path / "missing.txt"), "reason": "no such file or folder"}],
                     "skipped": skipped}
    assert second == {"added": 0, "known": 4, "failed": [], "skipped": skipped}, "a skipped file is no failure"


def test_a_repeated_ingest_flag_stores_every_source_it_names(tmp_path):
    wires = write_jsonl(tmp_path / "wires.jsonl.gz", REUTERS_LIKE)
    result = run_bot("--ingest", str(wires), "--ingest", str(ROOT / "seeds"), "--db", str(tmp_path / "lede.db"), "--json")
    assert summary(result)["added"] == len(REUTERS_LIKE) + 1


def test_a_local_rss_file_is_ingested_entry_by_entry_without_its_footers(tmp_path):
    feed = tmp_path / "gazette.rss"
    feed.write_bytes(WORDPRESS_RSS)
    db = tmp_path / "lede.db"
    assert summary(run_bot("--ingest", str(feed), "--db", str(db), "--json")) == {"added": 2, "known": 0, "failed": []}
    answer = summary(run_bot("--ask", "How much do ferry tickets cost?", "--db", str(db), "--json"))
    assert answer["answer"] == "Tickets cost four euros, the harbour office said."
    assert answer["source"]["url"] == "https://gazette.example/ferry"
    with sqlite3.connect(db) as connection:
        bodies = " ".join(body for (body,) in connection.execute("SELECT body FROM articles"))
    assert "appeared first on" not in bodies and "Read more" not in bodies and "Continue reading" not in bodies


def test_the_plain_summary_names_each_failure_once_with_its_reason(tmp_path):
    url = "http://127.0.0.1:9/news"
    result = run_bot("--ingest", str(tmp_path / "nothing-here"), url, "--db", str(tmp_path / "lede.db"))
    assert result.returncode == 1, "every source failed"
    assert result.stdout.splitlines() == [
        "Added 0, already known 0, failed 2.",
        f"  {tmp_path / 'nothing-here'}: no such file or folder",
        f"  {url} was refused: 127.0.0.1 is a loopback address (Lede only fetches from the public internet)"]


def test_a_jsonl_file_without_one_readable_record_is_a_failed_source(tmp_path):
    unreadable = tmp_path / "bad.jsonl"
    unreadable.write_text("not json\n{bad\n", encoding="utf-8")
    partly = tmp_path / "partly.jsonl"
    partly.write_text("not json\n" + json.dumps(REUTERS_LIKE[0]) + "\n", encoding="utf-8")
    result = run_bot("--ingest", str(unreadable), str(partly), "--db", str(tmp_path / "lede.db"), "--json")
    assert summary(result, status=1) == {"added": 1, "known": 0, "failed": [{
        "source": str(unreadable),
        "reason": "bad.jsonl holds no readable record: none of its 2 lines is a JSON object with an id and a text body"}]}
    assert [line.split("WARNING ", 1)[1] for line in result.stderr.splitlines()] == [
        f"corpus.loader: {unreadable}:1: skipped a malformed record (Expecting value: line 1 column 1 (char 0))",
        f"corpus.loader: {unreadable}:2: skipped a malformed record "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        f"corpus.loader: {partly}:1: skipped a malformed record (Expecting value: line 1 column 1 (char 0))",
    ], "each malformed line is named; the readable record of the other file is kept"


def test_files_whose_names_are_not_utf8_are_stored_and_named_with_a_replacement_character(tmp_path, capsys):
    # A folder from an older system or a zip archive: names in Latin-1, which Python keeps as lone surrogates.
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9 report.txt")).write_text("The caf\u00e9 on Main Street reopened on Monday.\n")
    (folder / os.fsdecode(b"empty \xff.txt")).write_text("")
    db = tmp_path / "lede.db"
    assert main(["--ingest", str(folder), "--db", str(db), "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"added": 1, "known": 0, "failed": [
        {"source": f"{folder}/empty \ufffd.txt", "reason": "empty \ufffd.txt has no text to quote from"}]}
    with Store.open(db) as store:
        [stored] = store.articles()
    assert (stored.title, stored.source) == ("caf\ufffd report", f"{folder}/caf\ufffd report.txt")


def test_a_file_that_is_not_opml_is_named_in_the_summary(tmp_path):
    feeds = tmp_path / "feeds.opml"
    feeds.write_text("not xml at all\n", encoding="utf-8")
    result = run_bot("--ingest", str(feeds), "--db", str(tmp_path / "lede.db"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["Added 0, already known 0, failed 1.",
                                          f"  {feeds}: this is not an OPML file (syntax error: line 1, column 0)"]


def test_a_question_against_the_store_cites_the_stored_article_with_title_and_date(tmp_path):
    db = tmp_path / "lede.db"
    summary(run_bot("--ingest", str(write_jsonl(tmp_path / "w.jsonl.gz", REUTERS_LIKE)), "--db", str(db), "--json"))
    answer = summary(run_bot("--ask", "how many futures contracts changed hands in New Zealand?", "--json", "--db", str(db)))
    assert answer["answer"] == "A total of 105,000 contracts changed hands."
    assert answer["source"]["title"] == "Record N.Z. Futures Volumes"
    assert answer["source"]["published"] == "1987-03-02T09:52:30+00:00"


def test_a_file_ingested_again_after_its_text_changed_is_counted_as_updated_and_answered_from_its_new_text(tmp_path):
    db, note = tmp_path / "lede.db", tmp_path / "strike.txt"
    note.write_text("Port strike ends\n\nDock workers returned to work on Monday after a deal was signed.\n")
    summary(run_bot("--ingest", str(note), "--db", str(db), "--json"))
    note.write_text("Port strike ends\n\nDock workers returned to work on Tuesday after a deal was signed.\n")
    changed = run_bot("--ingest", str(note), "--db", str(db))
    unchanged = summary(run_bot("--ingest", str(note), "--db", str(db), "--json"))
    answer = summary(run_bot("--ask", "when did the dock workers return to work?", "--json", "--db", str(db)))
    assert (changed.returncode, changed.stdout.splitlines()[-1]) == (0, "Added 0, updated 1, already known 0, failed 0.")
    assert unchanged == {"added": 0, "known": 1, "failed": []}
    assert answer["answer"] == "Dock workers returned to work on Tuesday after a deal was signed."


def test_a_running_console_answers_from_the_new_text_of_a_file_ingested_again_beside_it(tmp_path):
    note = tmp_path / "strike.txt"
    note.write_text("Port strike ends\n\nDock workers returned to work on Monday after a deal was signed.\n")
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))  # lede --ingest, in another process
    beside.sources.ingest([str(note)])
    running = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    running.load_store()
    note.write_text("Port strike ends\n\nDock workers returned to work on Tuesday after a deal was signed.\n")
    beside.sources.ingest([str(note)])
    running.follow_store()  # as the console does before each line
    answer = running.questions.ask("when did the dock workers return to work?").best
    assert answer.passage.text == "Dock workers returned to work on Tuesday after a deal was signed."
    running.close()
    beside.close()


def test_with_an_empty_store_lede_still_answers_from_the_bundled_seeds(tmp_path):
    answer = summary(run_bot("--ask", "Who did Vance meet?", "--json", env={"LEDE_DB": str(tmp_path / "empty.db")}))
    assert answer["answer"].startswith("U.S. Vice President J.D. Vance met with")
    assert (tmp_path / "empty.db").exists(), "LEDE_DB names the store"


def numbered_stories(count: int) -> list[dict]:
    """Records enough for an ingestion to be stopped mid-way."""
    return [{"id": f"k-{n}", "date": None, "title": f"Story {n}",
             "body": f"    Company {n} reported profits of {n} million dlrs on Monday. Its shares rose {n % 7} pct. "
                     f"Analysts said the result for unit {n} beat forecasts."}
            for n in range(count)]


def test_an_ingestion_killed_mid_way_leaves_whole_articles_and_a_rerun_completes_it(tmp_path):
    records = numbered_stories(4000)
    source = write_jsonl(tmp_path / "many.jsonl.gz", records)
    db = tmp_path / "lede.db"
    environment = clean_environment()
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--ingest", str(source), "--db", str(db)],
                               cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        before_kill = _wait_for_articles(db, at_least=200, process=process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL
    expected = {record["id"]: prepare(article_from_record(record)).sentences for record in records}
    stored_after_kill = _stored_sentences(db)
    assert before_kill <= len(stored_after_kill) < len(records), "the kill landed mid-ingestion"
    assert all(sentences == expected[article_id] for article_id, sentences in stored_after_kill.items())

    rerun = summary(run_bot("--ingest", str(source), "--db", str(db), "--json"))

    assert rerun == {"added": len(records) - len(stored_after_kill), "known": len(stored_after_kill), "failed": []}
    assert _stored_sentences(db) == expected
    with Store.open(db) as store:  # a restart's index holds exactly the stored sentences, in order
        lede = Lede.compose(new_index(), store)
        lede.load_store()
        assert [passage.text for passage in lede.index.passages] == [s for sentences in expected.values() for s in sentences]


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["Ctrl-C", "SIGTERM"])
def test_a_stop_during_an_ingestion_prints_the_summary_of_what_was_stored(tmp_path, stop, status):
    # SIGTERM is how systemd stops a unit and `timeout` a command: it stops as Ctrl-C does.
    records = numbered_stories(4000)
    source = write_jsonl(tmp_path / "many.jsonl.gz", records)
    db = tmp_path / "lede.db"
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), "--ingest", str(source), "--db", str(db), "--json"],
                               cwd=ROOT, env=clean_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_articles(db, at_least=200, process=process)
        process.send_signal(stop)
        output, errors = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == status, errors
    interrupted = json.loads(output.splitlines()[-1])
    stored = len(_stored_sentences(db))
    assert stored < len(records), "the stop landed mid-ingestion"
    # An article committed in the instant the stop came may not be counted yet: a re-run counts it as known.
    assert stored - 1 <= interrupted["added"] <= stored and interrupted["failed"] == []
    assert errors.splitlines() == [
        "Interrupted: the summary counts what was stored; the same command again stores the rest."]


def _wait_for_articles(db: Path, at_least: int, process: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the ingestion ended before it could be killed"
        if db.exists():
            try:
                count = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:  # the schema is still being created
                count = 0
            if count >= at_least:
                return count
        time.sleep(0.02)
    raise AssertionError(f"fewer than {at_least} articles stored after {timeout}s")


def _stored_sentences(db: Path) -> dict[str, tuple[str, ...]]:
    connection = sqlite3.connect(db)
    rows = connection.execute(
        "SELECT article_id, text FROM articles JOIN sentences ON sentences.article = articles.id"
        " ORDER BY articles.id, position").fetchall()
    articles: dict[str, tuple[str, ...]] = {}
    for article_id, text in rows:
        articles[article_id] = (*articles.get(article_id, ()), text)
    connection.close()
    return articles


@pytest.mark.parametrize(("code", "message", "line"), [
    # The disk fills after the first article.
    (sqlite3.SQLITE_FULL, "database or disk is full",
     "the disk holding {db} is full (SQLite: database or disk is full); free some space, then run the same command again"),
    # Another program holds the write lock past SQLite's 30 s wait.
    (sqlite3.SQLITE_BUSY, "database is locked",
     "{db} stayed locked by another program (SQLite: database is locked); run the same command again when that "
     "program is done with it"),
])
def test_a_store_that_fails_during_an_ingestion_is_the_summary_and_one_line_not_a_traceback(
        tmp_path, monkeypatch, capsys, code, message, line):
    wires = write_jsonl(tmp_path / "wires.jsonl.gz", REUTERS_LIKE)
    db = tmp_path / "lede.db"
    add_article = Store.add_article

    def fails_after_the_first(store, *args, **kwargs):
        if store.article_count():
            failure = sqlite3.OperationalError(message)
            failure.sqlite_errorcode = code
            raise failure
        return add_article(store, *args, **kwargs)

    monkeypatch.setattr(Store, "add_article", fails_after_the_first)
    assert main(["--ingest", str(wires), "--db", str(db), "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[-1]) == {"added": 1, "known": 0, "failed": []}, "what was stored until then"
    assert err.splitlines() == ["lede: " + line.format(db=db)]
    with Store.open(db) as store:
        assert store.article_count() == 1


def test_a_local_url_is_refused_unless_private_urls_are_allowed(tmp_path):
    with LocalWeb() as web:
        url = web.url("/article.html")
        refused = summary(run_bot("--ingest", url, "--db", str(tmp_path / "a.db"), "--json"), status=1)
        allowed = summary(run_bot("--ingest", url, "--db", str(tmp_path / "b.db"), "--json",
                                  env={"LEDE_ALLOW_PRIVATE_URLS": "1"}))
    assert refused == {"added": 0, "known": 0, "failed": [{
        "source": url, "reason": f"{url} was refused: 127.0.0.1 is a loopback address (Lede only fetches from the public internet)"}]}
    assert allowed == {"added": 1, "known": 0, "failed": []}


def test_a_feed_url_is_followed_and_its_entries_stored(tmp_path):
    with LocalWeb() as web:
        result = summary(run_bot("--ingest", web.url("/feed.xml"), "--db", str(tmp_path / "lede.db"), "--json",
                                 env={"LEDE_ALLOW_PRIVATE_URLS": "127.0.0.1"}))
        again = summary(run_bot("--ingest", web.url("/feed.xml"), "--db", str(tmp_path / "lede.db"), "--json",
                                env={"LEDE_ALLOW_PRIVATE_URLS": "127.0.0.1"}))
    assert result == {"added": 2, "known": 0, "failed": []}
    assert again == {"added": 0, "known": 2, "failed": []}



def test_a_feed_ingested_again_after_it_corrected_its_entries_counts_them_as_updated(tmp_path):
    ingest = ("--db", str(tmp_path / "lede.db"), "--ingest")
    with LocalWeb() as web:
        private = {"LEDE_ALLOW_PRIVATE_URLS": "127.0.0.1"}
        summary(run_bot(*ingest, web.url("/feed.xml"), "--json", env=private))
        web.serve_feed("/feed.xml", LEVY_CORRECTED.format(base=web.base).encode(), etag='"feed-v2"')
        result = run_bot(*ingest, web.url("/feed.xml"), env=private)
        web.serve_feed("/feed.xml", rss_feed(web.base), etag='"feed-v3"')
        corrected_back = summary(run_bot(*ingest, web.url("/feed.xml"), "--json", env=private))
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "Added 0, updated 2, already known 0, failed 0.")
    assert corrected_back == {"added": 0, "known": 0, "failed": [], "updated": 2}

@pytest.mark.parametrize(("command", "label"), [(("--ingest", "{folder}", "--db", "{db}"), "Ingesting"),
                                                (("--corpus", "{folder}", "--ask", "who sails?"), "Loading --corpus")])
def test_on_a_terminal_ingesting_and_loading_show_a_bar_with_its_total(tmp_path, command, label):
    folder = tmp_path / "notes"
    folder.mkdir()
    for number in range(3):
        (folder / f"note{number}.md").write_text(f"# Note {number}\n\nThe ferry number {number} sails at noon.\n")
    args = [part.format(folder=folder, db=tmp_path / "lede.db") for part in command]
    environment = clean_environment(XDG_DATA_HOME=str(tmp_path / "data"), TERM="xterm", COLUMNS="120")
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "run_bot.py"), *args], cwd=ROOT, env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    try:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert label.encode() in shown and re.search(rb"\d/3\b", shown), shown


def _folder_with_a_closed_subfolder_and_a_link_into_it(tmp_path: Path) -> tuple[Path, Path, Path]:
    """notes/ holding a readable article, a subfolder Lede may not open (another user's ``chmod 700`` folder),
    and a link to a file in it; the subfolder is closed until the test's end (pytest removes tmp_path later)."""
    folder = tmp_path / "notes"
    closed = folder / "private"
    closed.mkdir(parents=True)
    (folder / "port.txt").write_text("Port strike ends\n\nDock workers returned to work on Monday.\n", encoding="utf-8")
    (closed / "memo.txt").write_text("Memo\n\nThe board met on Friday.\n", encoding="utf-8")
    link = folder / "memo.txt"
    link.symlink_to(closed / "memo.txt")
    closed.chmod(0)
    return folder, closed, link


def test_a_folder_s_subfolder_and_link_lede_may_not_open_are_failed_sources_named_in_one_line_each(tmp_path):
    # The link stopped the run with a PermissionError's traceback; the subfolder alone was passed over in silence.
    folder, closed, link = _folder_with_a_closed_subfolder_and_a_link_into_it(tmp_path)
    try:
        whole = run_bot("--ingest", str(folder), "--db", str(tmp_path / "lede.db"), prefix=WITHOUT_ROOT_POWERS)
        alone = run_bot("--ingest", str(link), "--db", str(tmp_path / "lede.db"), prefix=WITHOUT_ROOT_POWERS)
    finally:
        closed.chmod(0o700)
    assert (whole.returncode, whole.stderr) == (1, "")
    assert whole.stdout.splitlines() == ["Added 1, already known 0, failed 2.",
                                         f"  {link}: memo.txt could not be read (Permission denied)",
                                         f"  {closed}: private could not be read (Permission denied)"]
    assert (alone.returncode, alone.stderr) == (1, "")
    assert alone.stdout.splitlines() == ["Added 0, already known 0, failed 1.",
                                         f"  {link}: memo.txt could not be read (Permission denied)"]


def test_a_corpus_folder_s_subfolder_and_link_lede_may_not_open_are_skipped_with_a_warning_naming_each(tmp_path):
    folder, closed, link = _folder_with_a_closed_subfolder_and_a_link_into_it(tmp_path)
    question = ("--ask", "When did the dock workers return to work?", "--db", str(tmp_path / "lede.db"))
    try:
        whole = run_bot("--corpus", str(folder), *question, prefix=WITHOUT_ROOT_POWERS)
        alone = run_bot("--corpus", str(link), *question, prefix=WITHOUT_ROOT_POWERS)
    finally:
        closed.chmod(0o700)
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.startswith("Dock workers returned to work on Monday.")
    assert [line.split("WARNING ", 1)[1] for line in whole.stderr.splitlines()] == [
        f"corpus.loader: Skipped {link}: memo.txt could not be read (Permission denied)",
        f"corpus.loader: Skipped {closed}: private could not be read (Permission denied)"]
    assert (alone.returncode, alone.stdout) == (2, "")
    assert alone.stderr.splitlines() == [f"lede: --corpus {link}: memo.txt could not be read (Permission denied)"]
