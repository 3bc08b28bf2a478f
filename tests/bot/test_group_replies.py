"""How the replies to an answer's buttons read in Telegram."""

from __future__ import annotations

from bot import group_replies
from bot.questions import Context
from corpus.article import Article
from retrieval.index import Passage
from tests.support.telegram_html import parse_html, utf16_len, utf16_slice

TELEGRAM_LIMIT = 4096


def test_the_context_of_an_answer_among_very_long_sentences_fits_one_message_with_the_answer_in_bold():
    # A badly punctuated page makes sentences of a thousand characters and more, with markup characters in them.
    article = Article("long", "T <&> " * 100, ("x",), publisher="P & Q " * 30, url="https://example.com/a?b=1&c=2")
    passages = tuple(Passage(article, position, f"{position} <&> 😀 " * 200) for position in range(5))
    reply = group_replies.context(Context(passages, answer_at=2))
    visible, entities = parse_html(reply)  # raises where Telegram would answer 400
    assert utf16_len(visible) <= TELEGRAM_LIMIT
    [bold] = [entity for entity in entities if entity["type"] == "bold"]
    assert utf16_slice(visible, bold["offset"], bold["length"]).startswith("2 <&> 😀 2 <&>")
