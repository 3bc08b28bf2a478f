"""One chat's heavy work holds up no other chat: the real Application against the strict local Bot API.

A briefing and a large upload are held mid-way (their slow parts wait for
the test's signal) while another chat asks a question. The question can be
answered only if neither the briefing, nor the upload's splitting, nor its
storing runs on the event loop or under a lock that questions need: if one
did, the answer would never come and the test would time out. Nothing here
measures time; ``benchmarks/concurrency.py`` gives the latencies.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Config, Mode
from bot.service import Lede
from bot.shared_index import new_index
from bot.telegram_app import build_application
from corpus.article import Article
from corpus.ingest import prepare
from corpus.loader import load_paths
from retrieval.briefing import brief
from tests.support.bot_api import FakeBotApi, polling

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BRIEFING_CHAT, UPLOADING_CHAT, ASKING_CHAT = 3001, 3002, 3003
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
WIRE_ARTICLES = 300
# Under the 2 MB upload limit, and long enough to take real time to split and index.
LARGE_DOCUMENT_BYTES = 1_900_000
HOLD_SECONDS = 60.0


def wire_article(number: int) -> Article:
    """One of many recent wire stories, so that the briefing has a day of news to group."""
    town = f"Town{number % 40}"
    text = (f"The council of {town} voted on measure {number} on Monday. "
            f"Officials in {town} said the measure would cost {number} thousand euros.")
    published = NOW - timedelta(minutes=3 * number + 1)
    return Article(f"wire-{number}", f"{town} council votes on measure {number}", (text,), publisher="Wire",
                   published=published)


def large_document() -> bytes:
    """A plain-text report of many distinct sentences, just under the upload limit."""
    lines = ["Harbour Authority Annual Report", ""]
    size, number = 0, 0
    while size < LARGE_DOCUMENT_BYTES:
        line = f"In quarter {number}, the harbour handled {number * 7} containers and {number * 3} ferries."
        lines.append(line)
        size += len(line) + 1
        number += 1
    return "\n".join(lines)[:LARGE_DOCUMENT_BYTES].encode()


class Hold:
    """Stops a call in its worker thread until released; says when the call has started."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.released = threading.Event()

    def around(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            assert self.released.wait(HOLD_SECONDS), "the test never released the held call"
            return call(*args, **kwargs)

        return held

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, HOLD_SECONDS), "the held call never started"


async def test_other_chats_are_answered_while_a_briefing_and_a_large_upload_are_under_way(bot_api: FakeBotApi) -> None:
    briefing, splitting = Hold(), Hold()
    lede = Lede.compose(new_index(), max_upload_bytes=2_000_000,
                        tell=briefing.around(brief), prepare=splitting.around(prepare))
    lede.add_articles(load_paths([SEEDS]))
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    config = Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url)
    async with polling(build_application(config, lede, clock=lambda: NOW)):
        bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
        bot_api.send_user_document(UPLOADING_CHAT, UPLOADING_CHAT, "harbour.txt", large_document())
        await briefing.wait_started()
        await splitting.wait_started()
        bot_api.send_user_message(ASKING_CHAT, ASKING_CHAT, "what did Zelensky demand?")
        [answer] = await bot_api.wait_for_messages(ASKING_CHAT)
        unfinished = bot_api.sent_messages(BRIEFING_CHAT) + bot_api.sent_messages(UPLOADING_CHAT)
        briefing.released.set()
        splitting.released.set()
        [told] = await bot_api.wait_for_messages(BRIEFING_CHAT, timeout=HOLD_SECONDS)
        [added] = await bot_api.wait_for_messages(UPLOADING_CHAT, timeout=HOLD_SECONDS)
    assert answer.text.startswith("Kyiv needs “real security guarantees” to negotiate with Moscow")
    assert unfinished == [], "the briefing and the upload were still under way when the answer came"
    assert told.text.startswith("Briefing:")
    assert added.text.startswith("Added Harbour Authority Annual Report")


# How long the test lets a second /brief reach the briefing before it releases the first: not an
# assertion, only the chance a briefing told side by side would have had to tell the stories twice.
SECOND_BRIEFING_CHANCE = 1.0


async def test_brief_sent_twice_at_once_tells_the_stories_once(bot_api: FakeBotApi) -> None:
    # A /brief tapped twice in the command menu, or sent by two members of a group within seconds.
    briefing = Hold()
    lede = Lede.compose(new_index(), tell=briefing.around(brief))
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    config = Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url)
    async with polling(build_application(config, lede, clock=lambda: NOW)):
        bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
        await briefing.wait_started()
        briefing.started.clear()
        bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
        await asyncio.to_thread(briefing.started.wait, SECOND_BRIEFING_CHANCE)
        briefing.released.set()
        replies = await bot_api.wait_for_messages(BRIEFING_CHAT, 2, timeout=HOLD_SECONDS)
    first, second = sorted(replies, key=lambda reply: reply.reply_to_message_id)
    assert first.text.startswith("Briefing:")
    assert second.text.startswith("Nothing new since")
