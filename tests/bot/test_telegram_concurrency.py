"""One chat's heavy work holds up no other chat: the real Application against the strict local Bot API.

A briefing and a large upload are held mid-way (their slow parts wait for
the test's signal) while another chat asks a question. The question can be
answered only if neither the briefing, nor the upload's splitting, nor its
storing runs on the event loop or under a lock that questions need: if one
did, the answer would never come and the test would time out. Nothing here
measures time; ``benchmarks/concurrency.py`` gives the latencies.

Likewise for one kind of slow work against another (briefings, sources
being added, feed polls, daily briefings), and one chat's slow work
against another chat's: briefings, or pages the local web server serves
only when the test says so, are held while another chat's work is served.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Config, Mode
from bot.service import Lede
from bot.shared_index import new_index
from bot.telegram_app import ALLOWED_UPDATES, build_application
from corpus.article import Article
from corpus.fetch import FetchPolicy
from corpus.ingest import prepare
from corpus.loader import load_paths
from retrieval.briefing import brief
from tests.support.bot_api import FakeBotApi, SentMessage, polling
from tests.support.web_server import FULL_TEXT_HTML, LocalWeb, Reply

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BRIEFING_CHAT, UPLOADING_CHAT, ASKING_CHAT = 3001, 3002, 3003
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
WIRE_ARTICLES = 300
# Under the 2 MB upload limit, and long enough to take real time to split and index.
LARGE_DOCUMENT_BYTES = 1_900_000
HOLD_SECONDS = 60.0
# What a chat hears at once when its request must wait: for the chat's own earlier one, or for other chats'.
EARLIER_FIRST = "Working on it, right after what I'm already doing for this chat."
OTHERS_FIRST = "Working on it: other chats' requests came first, so this takes a little longer."


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
    """Stops calls in their thread (a worker's, or the local web server's) until released; says when they started."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self._calls = threading.Semaphore(0)

    def around(self, call: Callable[..., Any], when: Callable[..., bool] = lambda *args, **kwargs: True
               ) -> Callable[..., Any]:
        """``call``, held whenever ``when`` is true of its arguments."""
        def held(*args: Any, **kwargs: Any) -> Any:
            if not when(*args, **kwargs):
                return call(*args, **kwargs)
            self._calls.release()
            assert self.released.wait(HOLD_SECONDS), "the test never released the held call"
            return call(*args, **kwargs)

        return held

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Whatever the test found, nothing stays held after it (used inside the bot's run, whose stop
        waits for its handlers)."""
        self.released.set()

    async def wait_started(self, calls: int = 1) -> None:
        """Wait until ``calls`` more calls are held."""
        for _ in range(calls):
            assert await asyncio.to_thread(self._calls.acquire, timeout=HOLD_SECONDS), "the held call never started"


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


async def test_brief_sent_twice_at_once_tells_the_stories_once(bot_api: FakeBotApi) -> None:
    # A /brief tapped twice in the command menu, or sent by two members of a group within seconds.
    briefing = Hold()
    lede = Lede.compose(new_index(), tell=briefing.around(brief))
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    config = Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url)
    async with polling(build_application(config, lede, clock=lambda: NOW)):
        with briefing:
            bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
            await briefing.wait_started()
            bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
            [waiting] = await bot_api.wait_for_messages(BRIEFING_CHAT)  # the second /brief waits for the first
            briefing.released.set()
            [_, *replies] = await bot_api.wait_for_messages(BRIEFING_CHAT, 3, timeout=HOLD_SECONDS)
    first, second = sorted(replies, key=lambda reply: reply.reply_to_message_id)
    assert waiting.text == EARLIER_FIRST
    assert first.text.startswith("Briefing:")
    assert second.text.startswith("Nothing new since")


async def test_a_brief_that_waits_only_a_moment_for_the_one_before_hears_no_working_on_it(
        bot_api: FakeBotApi, monkeypatch) -> None:
    # "/brief" sent again as the first briefing arrives waits for that one to note what it told: a moment,
    # not worth a message. Here the moment lasts as long as the test holds the first briefing.
    monkeypatch.setattr("bot.waiting.NOTICE_AFTER", HOLD_SECONDS)
    briefing = Hold()
    lede = Lede.compose(new_index(), tell=briefing.around(brief))
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    application = build_application(Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url), lede,
                                     clock=lambda: NOW)
    turns = application.bot_data.shell.briefing_turns
    async with polling(application):
        with briefing:
            bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
            await briefing.wait_started()
            bot_api.send_user_message(BRIEFING_CHAT, BRIEFING_CHAT, "/brief")
            deadline = asyncio.get_running_loop().time() + HOLD_SECONDS
            while turns.waiting(BRIEFING_CHAT) < 2:  # the second /brief waits for its turn
                assert asyncio.get_running_loop().time() < deadline, "the second /brief never waited for its turn"
                await asyncio.sleep(0.01)
            briefing.released.set()
            replies = await bot_api.wait_for_messages(BRIEFING_CHAT, 2, timeout=HOLD_SECONDS)
        await bot_api.assert_no_messages(BRIEFING_CHAT, within=0.5)
    first, second = sorted(replies, key=lambda reply: reply.reply_to_message_id)
    assert first.text.startswith("Briefing:")
    assert second.text.startswith("Nothing new since")


# ---- one kind of slow work, or one chat, holds up no other -------------------------------------

# Chats whose slow work is under way: as many as there were threads for all heavy work.
BUSY_CHATS = (4001, 4002, 4003)
OTHER_CHAT = 4009
# The local web server only, waiting for its replies as long as the test holds them.
PATIENT_LOCAL = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
                            read_timeout=HOLD_SECONDS, total_timeout=2 * HOLD_SECONDS)
ADDED_BRIDGE = "Added Harbour Bridge Approved"
# Feeds polled, and daily briefings checked, often enough that the test need not wait for them.
POLL_SECONDS = 0.2
CHECK_SECONDS = 0.1
SMALL_FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow Coast News</title>'
                  b"<item><title>Ferry strike ends</title><guid>slow-ferry</guid>"
                  b"<description>Ferry crews returned to work on Thursday.</description></item></channel></rss>")


def wire_lede(briefing: Hold | None = None, **parts: Any) -> Lede:
    """Lede with a day of wire news, fetching from the local web server; its briefings held by ``briefing``."""
    lede = Lede.compose(new_index(), fetch_policy=PATIENT_LOCAL, tell=briefing.around(brief) if briefing else brief,
                        **parts)
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    return lede


def telegram(bot_api: FakeBotApi, lede: Lede, **settings: Any) -> Any:
    config = Config(mode=Mode.TELEGRAM, token=bot_api.token, base_url=bot_api.base_url, **settings)
    return build_application(config, lede, clock=lambda: NOW)


def held_page(web: LocalWeb, path: str, page: Hold) -> str:
    """The address of an article the local web server serves only once ``page`` is released."""
    web.routes[path] = page.around(lambda request: Reply(body=FULL_TEXT_HTML.encode()))
    return web.url(path)


async def last_reply(bot_api: FakeBotApi, chat: int, count: int = 1) -> str:
    return (await bot_api.wait_for_messages(chat, count, timeout=HOLD_SECONDS))[-1].text


async def busy_chats_send(bot_api: FakeBotApi, command: str, held: Hold) -> None:
    """Each of BUSY_CHATS sends ``command``; returns once the slow part of each is held by ``held``."""
    for chat in BUSY_CHATS:
        bot_api.send_user_message(chat, chat, command)
    await held.wait_started(len(BUSY_CHATS))


def told_busy_chats(bot_api: FakeBotApi) -> list[SentMessage]:
    """Whatever BUSY_CHATS have been sent so far: nothing, while their slow work is held."""
    return [message for chat in BUSY_CHATS for message in bot_api.sent_messages(chat)]


async def test_a_source_is_added_while_three_other_chats_briefings_are_under_way(bot_api: FakeBotApi,
                                                                                 web: LocalWeb) -> None:
    briefing = Hold()
    async with polling(telegram(bot_api, wire_lede(briefing))):
        with briefing:
            await busy_chats_send(bot_api, "/brief", briefing)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, f"/add {web.url('/article.html')}")
            [added] = await bot_api.wait_for_messages(OTHER_CHAT)
            unfinished = told_busy_chats(bot_api)
            briefing.released.set()
            told = [await last_reply(bot_api, chat) for chat in BUSY_CHATS]
    assert added.text.startswith(ADDED_BRIDGE)
    assert unfinished == [], "the briefings were still under way when the source was added"
    assert all(text.startswith("Briefing:") for text in told)


async def test_a_briefing_is_told_while_three_other_chats_wait_for_slow_pages(bot_api: FakeBotApi,
                                                                              web: LocalWeb) -> None:
    page = Hold()
    url = held_page(web, "/slow-to-come.html", page)
    async with polling(telegram(bot_api, wire_lede())):
        with page:
            await busy_chats_send(bot_api, f"/add {url}", page)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, "/brief")
            told = (await bot_api.wait_for_messages(OTHER_CHAT))[0].text
            unfinished = told_busy_chats(bot_api)
            page.released.set()
            for chat in BUSY_CHATS:
                await last_reply(bot_api, chat)
    assert told.startswith("Briefing:")
    assert unfinished == [], "the pages were still awaited when the briefing was told"


async def test_a_source_is_added_while_a_feed_poll_waits_for_a_slow_feed_beside_two_briefings(
        bot_api: FakeBotApi, web: LocalWeb) -> None:
    web.serve_feed("/slow-feed.xml", SMALL_FEED, etag='"slow-v1"')
    briefing, feed = Hold(), Hold()
    lede = wire_lede(briefing, feed_interval=POLL_SECONDS)
    lede.sources.follow_feed(web.url("/slow-feed.xml"), BUSY_CHATS[0])
    web.routes["/slow-feed.xml"] = feed.around(web.routes["/slow-feed.xml"])
    async with polling(telegram(bot_api, lede, feed_interval=POLL_SECONDS)):
        with briefing, feed:
            await feed.wait_started()
            for chat in BUSY_CHATS[1:]:
                bot_api.send_user_message(chat, chat, "/brief")
            await briefing.wait_started(len(BUSY_CHATS) - 1)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, f"/add {web.url('/article.html')}")
            [added] = await bot_api.wait_for_messages(OTHER_CHAT)
            unfinished = told_busy_chats(bot_api)
            briefing.released.set()
            feed.released.set()
    assert added.text.startswith(ADDED_BRIDGE)
    assert unfinished == [], "the briefings were still under way when the source was added"


async def test_one_chat_adding_slow_pages_holds_up_no_other_chat_and_hears_its_later_ones_wait(
        bot_api: FakeBotApi, web: LocalWeb) -> None:
    chat = BUSY_CHATS[0]
    page = Hold()
    urls = [held_page(web, f"/slow-page-{number}.html", page) for number in range(len(BUSY_CHATS))]
    async with polling(telegram(bot_api, wire_lede())):
        with page:
            for url in urls:
                bot_api.send_user_message(chat, chat, f"/add {url}")
            await page.wait_started()
            waiting = await bot_api.wait_for_messages(chat, len(urls) - 1)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, f"/add {web.url('/article.html')}")
            [added] = await bot_api.wait_for_messages(OTHER_CHAT)
            page.released.set()
            replies = await bot_api.wait_for_messages(chat, 2 * len(urls) - 1, timeout=HOLD_SECONDS)
    assert [message.text for message in waiting] == [EARLIER_FIRST] * (len(urls) - 1)
    assert added.text.startswith(ADDED_BRIDGE)
    assert sum(message.text.startswith("Added Ferry Strike Ends") for message in replies) == 1


async def test_a_channel_posting_links_to_slow_pages_holds_up_no_chat_adding_a_source(bot_api: FakeBotApi,
                                                                                    web: LocalWeb) -> None:
    channel = -1001000000001
    bot_api.add_channel(channel, "Riverton Live", username="riverton_live")
    bot_api.set_member_status(channel, bot_api.bot_user["id"], "administrator")
    page = Hold()
    paths = [f"/linked-story-{number}.html" for number in range(len(BUSY_CHATS))]
    urls = [held_page(web, path, page) for path in paths]
    async with polling(telegram(bot_api, wire_lede()), allowed_updates=ALLOWED_UPDATES):
        with page:
            for url in urls:  # a headline and its link, as news channels post them
                bot_api.post_to_channel(channel, "Ferry strike ends: the full story", entities=[
                    {"type": "text_link", "offset": 0, "length": 5, "url": url}])
            await page.wait_started()
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, f"/add {web.url('/article.html')}")
            [added] = await bot_api.wait_for_messages(OTHER_CHAT)
            pages_asked = sum(len(web.requests_for(path)) for path in paths)
            page.released.set()
    assert added.text.startswith(ADDED_BRIDGE)
    assert pages_asked == 1, "the channel's posts were read side by side"


async def test_a_source_that_must_wait_for_other_chats_slow_pages_is_told_so_at_once(bot_api: FakeBotApi,
                                                                                   web: LocalWeb) -> None:
    page = Hold()
    url = held_page(web, "/slower-to-come.html", page)
    async with polling(telegram(bot_api, wire_lede())):
        with page:
            await busy_chats_send(bot_api, f"/add {url}", page)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, f"/add {web.url('/article.html')}")
            [note] = await bot_api.wait_for_messages(OTHER_CHAT)
            page.released.set()
            added = await last_reply(bot_api, OTHER_CHAT, 2)
    assert note.text == OTHERS_FIRST
    assert added.startswith(ADDED_BRIDGE)


async def test_a_brief_is_told_while_many_chats_daily_briefings_are_under_way(bot_api: FakeBotApi) -> None:
    subscribed = range(5001, 5006)
    daily = Hold()
    # The daily briefings are held (they have no topic); the /brief on a topic is not.
    lede = Lede.compose(new_index(), tell=daily.around(brief, when=lambda *args, topic, **kwargs: topic is None))
    lede.add_articles(wire_article(number) for number in range(WIRE_ARTICLES))
    for chat in subscribed:
        bot_api.add_private_chat(chat)
        lede.briefings.subscribe(chat, ["08:00"], now=NOW - timedelta(days=1))
    async with polling(telegram(bot_api, lede, briefing_check_interval=CHECK_SECONDS)):
        with daily:
            await daily.wait_started(2)
            bot_api.send_user_message(OTHER_CHAT, OTHER_CHAT, "/brief council")
            told = (await bot_api.wait_for_messages(OTHER_CHAT))[0].text
            unfinished = [message for chat in subscribed for message in bot_api.sent_messages(chat)]
            daily.released.set()
            told_daily = [await last_reply(bot_api, chat) for chat in subscribed]
    assert told.startswith("Briefing:")
    assert unfinished == [], "a daily briefing was told before the /brief"
    assert all(text.startswith("Briefing:") for text in told_daily)
