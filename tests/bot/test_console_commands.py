"""Console commands: what /add makes of what it is given, and what /sources counts and which pages it shows."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.console_commands import run_command
from bot.service import Lede
from bot.shared_index import new_index
from corpus.article import Article
from corpus.feeds import export_opml
from corpus.fetch import FetchPolicy
from tests.support.web_server import ARTICLE_HTML, Reply


@pytest.fixture
def lede() -> Iterator[Lede]:
    lede = Lede.compose(new_index())
    yield lede
    lede.close()


def test_add_reads_a_file_and_says_when_there_is_none(lede, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Dam Opens\n\nThe new dam on the Kura river opened on Sunday after six years of work.\n")
    text, _ = run_command(lede, f"/add {notes}")
    assert text.startswith("Added Dam Opens: 1 sentence")
    text, data = run_command(lede, f"/add {tmp_path / 'missing.md'}")
    assert text == f"I couldn't add that: {tmp_path / 'missing.md'} could not be read (No such file or directory)."
    assert (data["added"], [failure["source"] for failure in data["failed"]]) == (0, [str(tmp_path / "missing.md")])
    text, _ = run_command(lede, "/add missing.md")
    assert "missing.md could not be read" in text, "a file name, not a web address without its scheme"


def test_add_of_a_page_whose_text_changed_since_says_it_was_updated_and_counts_it_as_ingest_does(web):
    lede = Lede.compose(new_index(), fetch_policy=FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),)))
    web.routes["/news/bridge-update"] = lambda request: Reply(body=ARTICLE_HTML.encode())
    run_command(lede, f"/add {web.url('/news/bridge-update')}")
    corrected = ARTICLE_HTML.replace("40 million euros", "45 million euros").encode()
    web.routes["/news/bridge-update"] = lambda request: Reply(body=corrected)
    text, data = run_command(lede, f"/add {web.url('/news/bridge-update')}")
    _, unchanged = run_command(lede, f"/add {web.url('/news/bridge-update')}")
    lede.close()
    assert text == (f"Updated Harbour Bridge Approved <{web.url('/news/bridge-update')}>"
                    " (The Riverton Daily · 14 Feb 2025): 4 sentences. Ask me about it.")
    assert data == {"added": 0, "known": 0, "failed": [], "updated": 1}
    assert unchanged == {"added": 0, "known": 1, "failed": []}


def test_exporting_feeds_when_none_are_followed_says_so_as_telegram_does(lede):
    text, data = run_command(lede, "/feed export")
    assert text == "I couldn't export that: this chat follows no feeds yet; /feed add <url> adds one."
    assert data == {"error": "this chat follows no feeds yet"}


@pytest.mark.parametrize("typed", ["{path}", "'{path}'", '"{path}"', "{escaped}"],
                         ids=["as it is", "in single quotes", "in double quotes", "escaped"])
def test_add_reads_a_file_whose_name_has_spaces_typed_as_a_shell_takes_it(lede, tmp_path, typed):
    notes = tmp_path / "harbour notes.txt"
    notes.write_text("The harbour ferry now departs at noon, the port office said.\n", encoding="utf-8")
    text, data = run_command(lede, "/add " + typed.format(path=notes, escaped=str(notes).replace(" ", "\\ ")))
    assert text.startswith("Added harbour notes: 1 sentence.") and data["added"] == 1


def test_add_of_two_sources_at_once_says_how_to_add_one(lede):
    text, data = run_command(lede, "/add https://example.com/a https://example.com/b")
    # Telegram's usage line, with the console's way to give a file ("Usage: /add <url or file>" said it otherwise).
    assert text == "Usage: /add <url> for a news article on the web, or /add <file> for one on this computer."
    assert data == {"error": text}


def test_add_says_a_folder_is_not_a_file_and_an_address_needs_its_scheme(lede, tmp_path):
    text, _ = run_command(lede, f"/add {tmp_path}")
    assert text == f"I couldn't add that: {tmp_path} is a folder; add its files one by one, or all of them with --ingest."
    text, _ = run_command(lede, "/add example.com/story")
    assert text == ("I couldn't add that: 'example.com/story' is not a web address "
                    "(it has no scheme; expected http: or https:).")


def test_add_of_a_name_no_file_can_have_is_refused_in_one_line(lede):
    text, _ = run_command(lede, "/add a\x00b.txt")
    assert text == "I couldn't add that: 'a\\x00b.txt' is not a file name."
    text, _ = run_command(lede, "/add ~no-such-user-here/notes.txt")
    assert text == "I couldn't add that: ~no-such-user-here/notes.txt could not be read (No such file or directory)."


def test_add_of_a_link_into_a_folder_lede_may_not_open_says_it_cannot_be_read(lede, tmp_path, monkeypatch):
    # Looking at the link failed as another user's chmod 700 folder makes it fail (tests run as root, who may look
    # anywhere): the line was "Sorry, something went wrong … try again in a moment", which no retry mends.
    link = tmp_path / "memo.txt"
    stat = Path.stat

    def closed(path: Path, **kwargs: bool) -> os.stat_result:
        if path == link:
            raise PermissionError(13, "Permission denied", str(path))
        return stat(path, **kwargs)

    monkeypatch.setattr(Path, "stat", closed)
    text, _ = run_command(lede, f"/add {link}")
    assert text == f"I couldn't add that: {link} could not be read (Permission denied)."


def test_add_refuses_a_device_or_a_pipe_before_reading_it(lede):
    # /dev/zero would fill the memory and a named pipe wait forever; /dev/null, read at once, stands for them.
    text, _ = run_command(lede, "/add /dev/null")
    assert text == ("I couldn't add that: null is a device or a pipe, not a file; save what it gives to a file "
                    "and give that.")


def test_an_opml_file_s_failing_feeds_are_listed_each_named_once(lede, tmp_path):
    feeds = tmp_path / "feeds.opml"
    feeds.write_text(export_opml([("Local news", "http://127.0.0.1:9/feed.xml")], "Mine"), encoding="utf-8")
    text, _ = run_command(lede, f"/add {feeds}")
    assert text == ("Imported 0 feeds from the OPML file. 0 new articles, 0 already known, 1 failed.\n"
                    "• http://127.0.0.1:9/feed.xml was refused: 127.0.0.1 is a loopback address "
                    "(Lede only fetches from the public internet)")


def test_sources_counts_the_articles_loaded_at_start_which_it_cannot_list(lede, tmp_path):
    lede.add_articles([Article("ferry", "Ferry", ("The harbour ferry departs at noon.",)),
                       Article("pier", "Pier", ("The northern pier closed on Monday.",))])
    text, data = run_command(lede, "/sources")
    # It said "/add <url> or send me a .txt, .md or .html file", as Telegram does: the console's /add takes a file.
    assert text.endswith("none — /add <url or file>\n\n"
                         "Every chat is also answered from 2 articles loaded when I started.")
    assert (data["total_articles"], data["loaded_at_start"]) == (0, 2)


@pytest.mark.parametrize("line", ["/sources abc", "/sources -1", "/sources 0", "/sources 3", "/sources ²", "/sources 1 2"])
def test_sources_asked_for_a_page_there_is_not_names_the_pages_there_are(lede, line):
    for number in range(6):
        lede.sources.add_document(f"story-{number}.txt", f"Thing number {number} happened in the harbour.".encode())
    text, data = run_command(lede, line)
    assert text == "There is no such page; this chat's sources fill 2 pages: /sources 1 to /sources 2."
    assert data == {"error": text}
    text, data = run_command(lede, "/sources 2")
    assert "page 2 of 2\n• story-0" in text and (data["page"], data["pages"]) == (2, 2)
