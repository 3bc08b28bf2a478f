"""The words typed after /feed and /sources, as Telegram and the console both read them."""

from __future__ import annotations

import pytest

from bot.typed_commands import FeedAdd, FeedExport, FeedList, FeedRemove, page_number, parse_feed_command


@pytest.mark.parametrize(
    ("words", "command"),
    [
        (["add", "https://example.com/Feed.xml"], FeedAdd("https://example.com/Feed.xml")),
        (["list"], FeedList()),
        (["remove", "2"], FeedRemove(2)),
        (["export"], FeedExport()),
    ],
)
def test_each_feed_command_is_read_from_its_words(words, command):
    assert parse_feed_command(words) == command


@pytest.mark.parametrize("words", [["ADD", "https://example.com/Feed.xml"], ["List"], ["REMOVE", "2"], ["Export"]])
def test_the_word_after_feed_is_read_in_any_case_and_the_url_as_typed(words):
    # Telegram reads /FEED as /feed; a phone's keyboard capitalises the first word typed after it.
    assert parse_feed_command(words) == parse_feed_command([words[0].lower(), *words[1:]])


@pytest.mark.parametrize("words", [[], ["add"], ["remove", "-1"], ["remove", "²"], ["follow", "https://example.com"]])
def test_anything_else_is_no_feed_command(words):
    assert parse_feed_command(words) is None


@pytest.mark.parametrize(("words", "page"), [([], 1), (["3"], 3), (["three"], None), (["1", "2"], None)])
def test_sources_reads_one_page_number_or_none(words, page):
    assert page_number(words) == page
