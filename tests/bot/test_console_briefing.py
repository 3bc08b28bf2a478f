"""``--brief`` and ``/brief`` on the console: the same briefing Telegram sends, as text or JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.console_commands import run_command
from bot.service import Lede
from bot.shared_index import new_index
from corpus.database_file import DatabaseFile
from corpus.store import Store
from tests.bot.test_console import run_bot

RECORDS = [
    {"id": "w1", "date": "1987-10-19T10:00:00", "title": "Wall Street Stocks Plunge In Record Fall",
     "body": "Wall Street stocks plunged in record trading on Monday as the Dow Jones average fell 508 points. "
             "Traders said panic selling swept the New York Stock Exchange."},
    {"id": "w2", "date": "1987-10-19T12:00:00", "title": "Wall Street Stocks Plunge In Record Fall, Dow Down 508",
     "body": "Wall Street stocks plunged in record trading on Monday and the Dow Jones average fell 508 points. "
             "Analysts said program trading deepened the fall."},
    {"id": "c1", "date": "1987-10-19T11:00:00", "title": "Cocoa Council Agrees Buffer Stock Rules",
     "body": "The International Cocoa Council agreed buffer stock rules after a week of talks in London."},
    {"id": "old", "date": "1987-03-01T11:00:00", "title": "Coffee Talks End Without Accord",
     "body": "Coffee quota talks ended without an accord in London on Sunday."},
]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The records stored once, by ``--ingest`` as an operator would."""
    tmp_path = tmp_path_factory.mktemp("briefing")
    source = tmp_path / "wire.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in RECORDS) + "\n")
    db = tmp_path / "lede.db"
    result = run_bot("--ingest", str(source), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


def test_brief_json_groups_the_same_event_and_lists_its_sources(db):
    result = run_bot("--brief", "--since", "1987-10-19", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["since"] == "1987-10-19T00:00:00+00:00"
    assert [[source["article_id"] for source in story["sources"]] for story in data["stories"]] == [["w1", "w2"], ["c1"]]
    stocks = data["stories"][0]
    assert stocks["headline"] in {RECORDS[0]["title"], RECORDS[1]["title"]}
    assert stocks["sentences"][0].startswith("Wall Street stocks plunged in record trading on Monday")
    assert stocks["sources"][0] == {"article_id": "w1", "title": RECORDS[0]["title"], "publisher": "Reuters",
                                    "url": None, "published": "1987-10-19T10:00:00+00:00"}
    topic = json.loads(run_bot("--brief", "cocoa", "--since", "1987-10-19", "--db", str(db), "--json").stdout)
    assert [story["headline"] for story in topic["stories"]] == [RECORDS[2]["title"]]


def test_brief_in_plain_text_and_an_empty_period_said_plainly(db):
    text = run_bot("--brief", "--since", "1987-10-19", "--db", str(db)).stdout
    assert text.startswith("Briefing: 2 stories since 19 Oct 1987, 00:00 UTC\n\n1. Wall Street Stocks Plunge")
    assert "2 sources:\n• Wall Street Stocks Plunge In Record Fall — Reuters, 19 Oct 1987" in text
    # The console's own last briefing is "since": the 1987 wires are long past.
    console = run_bot("--console", "--db", str(db), stdin="/brief\n").stdout
    assert "Nothing new since" in console


def test_since_needs_brief_and_a_real_date():
    assert "--since goes with --brief" in run_bot("--since", "1987-10-19", "--ask", "x").stderr
    assert "is not a date like 1987-03-01" in run_bot("--brief", "--since", "last week").stderr


def test_settings_on_the_console_shows_the_last_briefing(tmp_path):
    console = run_bot("--console", "--db", str(tmp_path / "new.db"), stdin="/settings\n/brief\n/settings\n").stdout
    first, _brief, last = console.strip().split("\n\n")[:3]
    assert first.startswith("Daily briefing: none") and "Last briefing: none yet" in first
    # Written as the briefings write it ("2 Dec 2026, 15:25 UTC"), not "2026-12-02 15:25 UTC".
    assert re.search(r"Last briefing: \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC; /brief covers what came since", last)


def bridge_and_strike(tmp_path: Path) -> Path:
    """A store of two stories of the last hours, a harbour bridge's (two articles) and a strike's."""
    hours_ago = lambda hours: (datetime.now(UTC) - timedelta(hours=hours)).isoformat()  # noqa: E731
    records = [
        {"id": "b1", "date": hours_ago(5), "title": "Riverton council approves harbour bridge",
         "body": "The Riverton city council approved the harbour bridge on Monday. The bridge will cost 40 million euros."},
        {"id": "b2", "date": hours_ago(4), "title": "Harbour bridge approved by Riverton council",
         "body": "Riverton's council approved the harbour bridge on Monday after a long debate. Work starts next spring."},
        {"id": "s1", "date": hours_ago(2), "title": "Dock workers strike at Portmouth",
         "body": "Dock workers at Portmouth walked out over pay on Tuesday. The strike halted container traffic."},
    ]
    source, db = tmp_path / "wire.jsonl", tmp_path / "lede.db"
    source.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    assert run_bot("--ingest", str(source), "--db", str(db)).returncode == 0
    return db


def console_replies(db: Path, lines: list[str]) -> list[dict]:
    """The console's JSON replies to ``lines``, typed one after another over the store ``db``."""
    result = run_bot("--console", "--json", "--db", str(db), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_question_after_a_briefing_on_the_console_asks_about_its_stories(tmp_path):
    # The console has no replies: the question after /brief (or after its "Which story?") is the reply to it.
    db = bridge_and_strike(tmp_path)
    lines = ["/brief", "why?", "the second", "/brief", "how much, the first?"]
    briefing, which, why, nothing_new, after = console_replies(db, lines)
    assert [story["headline"] for story in briefing["stories"]][1] == "Dock workers strike at Portmouth"
    assert which["message"] == ("Which story? Ask again with its number (1 to 2) or a word of its headline, "
                                "e.g. “why, the second?”")
    # "the second", answering "Which story?", asks the question that waited for it ("why?") of that story.
    assert why["question"] == "the second" and why["follow_up_of"] == "Dock workers strike at Portmouth"
    assert why["answer"] == "Dock workers at Portmouth walked out over pay on Tuesday."
    # A briefing with no story leaves nothing to ask about: the question after it follows the conversation.
    assert nothing_new["stories"] == []
    assert after["follow_up_of"] == "why?"


def test_a_question_the_named_story_does_not_answer_is_told_on_the_console_as_in_telegram(tmp_path):
    # Until 3 Dec "how much, the second?" got the strike's sentence, which names no amount.
    db = bridge_and_strike(tmp_path)
    _, how_much = console_replies(db, ["/brief", "how much, the second?"])
    assert how_much["message"] == ("Story 2 (“Dock workers strike at Portmouth”) doesn't say; ask me in full to "
                                   "search all my articles.")


def test_naming_another_story_after_story_does_not_say_asks_the_question_of_it_on_the_console(tmp_path):
    db = bridge_and_strike(tmp_path)
    _, doesnt_say, how_much = console_replies(db, ["/brief", "how much, the second?", "the first"])
    assert doesnt_say["message"].startswith("Story 2 (“Dock workers strike at Portmouth”) doesn't say")
    assert how_much["question"] == "the first" and how_much["answer"] == "The bridge will cost 40 million euros."


def test_a_follow_up_after_a_question_about_a_story_may_be_answered_by_what_the_briefing_quoted(tmp_path):
    # The briefing quoted the cost; until 3 Dec the questions after "when, the first?" counted it as given,
    # and "how much?" got "… a much tougher tone …" from the seed article.
    db = bridge_and_strike(tmp_path)
    briefing, when, how_much = console_replies(db, ["/brief", "when, the first?", "how much?"])
    assert "The bridge will cost 40 million euros." in briefing["stories"][0]["sentences"]
    assert when["answer"] == "The Riverton city council approved the harbour bridge on Monday."
    assert how_much["follow_up_of"] == "when?"
    assert how_much["answer"] == "The bridge will cost 40 million euros."


def test_settings_on_a_read_only_store_offers_no_brief_which_it_would_refuse(tmp_path, monkeypatch):
    # It said "here /brief tells the news" and "/brief covers the last 24 hours", and /brief got "… is read-only".
    Store.open(tmp_path / "lede.db").close()
    # As on a read-only mount (root may write any file, so the check is told).
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    lede = Lede.compose(new_index(), Store.open(tmp_path / "lede.db"))
    settings, settings_json = run_command(lede, "/settings")
    brief, _ = run_command(lede, "/brief")
    lede.close()
    assert settings == ("Daily briefing: none (daily briefings are sent in Telegram chats).\n"
                        "Last briefing: none yet; /brief is off while my store is read-only.")
    assert settings_json == {"daily_briefing": None, "last_briefing": None, "read_only": True}, "--json says it too"
    assert "is read-only, so writes are off" in brief
