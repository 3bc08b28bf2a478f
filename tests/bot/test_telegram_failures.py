"""When Telegram fails: retries, flood waits, blocked chats and refused HTML, end to end against the local Bot API."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from telegram.ext import ContextTypes

from bot.config import Config, Mode
from bot.service import Lede
from bot.formatting import APOLOGY
from bot.telegram_app import build_application
from corpus.loader import load_paths
from corpus.store import Store
from retrieval.index import SentenceIndex
from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.support.bot_api import FakeBotApi, polling

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ALICE, BOB, GROUP = 1001, 1002, -4004
VANCE = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Lexicon.load())


@pytest.fixture
def lede(analyzer, tmp_path) -> Lede:
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(tmp_path / "lede.db"))
    lede.add_articles(load_paths([SEEDS]))
    return lede


def application(server: FakeBotApi, lede: Lede):
    return build_application(Config(mode=Mode.TELEGRAM, token=server.token, base_url=server.base_url), lede)


async def test_a_reply_lost_to_network_errors_is_retried_with_backoff_until_it_arrives(bot_api, lede):
    bot_api.drop_next("sendMessage")
    bot_api.fail_next("sendMessage", 502, "Bad Gateway")
    async with polling(application(bot_api, lede)):
        started = time.monotonic()
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(ALICE, timeout=10)
        elapsed = time.monotonic() - started
    assert reply.text.startswith(VANCE)
    assert len(bot_api.requests_for("sendMessage")) == 3
    assert elapsed >= 0.5 + 1.0, "waited 0.5 s, then 1 s, between the attempts"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
async def test_a_flood_wait_holds_up_only_that_chat(bot_api, lede):
    bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, chat_id=ALICE)
    async with polling(application(bot_api, lede)):
        started = time.monotonic()
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        await bot_api.wait_for_request("sendMessage")  # Alice's reply met the 429
        bot_api.send_user_message(BOB, BOB, "Who did Vance meet?")
        [bobs] = await bot_api.wait_for_messages(BOB)
        bob_waited = time.monotonic() - started
        [alices] = await bot_api.wait_for_messages(ALICE, timeout=10)
        alice_waited = time.monotonic() - started
    assert bobs.text.startswith(VANCE) and alices.text.startswith(VANCE)
    assert bob_waited < 1.5, "Bob was answered while Alice's chat waited out its flood limit"
    assert alice_waited >= 2.0
    assert [message.chat_id for message in bot_api.sent_messages()] == [BOB, ALICE]


async def test_a_chat_that_blocked_the_bot_is_marked_unreachable_and_gets_no_apology(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        await bot_api.wait_for_messages(ALICE)
        bot_api.send_my_chat_member(ALICE, ALICE, "kicked")  # the user blocks the bot
        bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=BOB)
        bot_api.send_user_message(BOB, BOB, "Who did Vance meet?")  # blocked while the answer was on its way
        await bot_api.wait_for_request("sendMessage", count=2)
        await bot_api.assert_no_messages(BOB, within=0.5)
    assert ALICE in lede.store.unreachable_chats() and BOB in lede.store.unreachable_chats()
    assert lede.store.unreachable_chats() == {ALICE: "the bot's status became kicked",
                                               BOB: "Forbidden: bot was blocked by the user"}
    assert len(bot_api.requests_for("sendMessage")) == 2, "no apology was attempted to Bob"


async def test_a_chat_that_writes_again_is_reachable_again(bot_api, lede):
    lede.chats.chat_unreachable(ALICE, "Forbidden: bot was blocked by the user")
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(ALICE)
    assert reply.text.startswith(VANCE)
    assert ALICE not in lede.store.unreachable_chats() and lede.store.unreachable_chats() == {}


async def test_a_scheduled_send_to_a_removed_group_marks_the_group_unreachable(bot_api, lede):
    """What briefings on the JobQueue rely on: a job run with ``chat_id`` that meets a 403."""
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the group chat", chat_id=GROUP)

    async def briefing(context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(context.job.chat_id, "Today's briefing")

    app = application(bot_api, lede)
    async with polling(app):
        app.job_queue.run_once(briefing, when=0, chat_id=GROUP)
        await bot_api.wait_for_request("sendMessage")
        deadline = time.monotonic() + 5
        while GROUP not in lede.store.unreachable_chats() and time.monotonic() < deadline:
            await bot_api.assert_no_messages(within=0.05)
    assert lede.store.unreachable_chats() == {GROUP: "Forbidden: bot was kicked from the group chat"}


async def test_a_reply_telegram_refuses_as_html_is_sent_once_as_plain_text(bot_api, lede):
    bot_api.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(ALICE)
    first, second = bot_api.requests_for("sendMessage")
    assert first["parse_mode"] == "HTML" and "parse_mode" not in second
    assert reply.text.startswith(VANCE) and reply.entities == [], "the same words, without markup"
    assert reply.text.endswith("— Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia · Foreign Policy")
    assert reply.reply_to_message_id == question["message_id"]


@pytest.mark.parametrize("button", ["More", "Context"])
async def test_more_or_context_telegram_refuses_as_html_is_sent_once_as_plain_text(bot_api, lede, button):
    # Sent without send_reply's plain-text retry, the tap got the apology instead.
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [answer] = await bot_api.wait_for_messages(ALICE)
        [data] = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row if b["text"] == button]
        bot_api.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
        bot_api.send_callback_query(ALICE, ALICE, answer.message_id, data)
        [_, reply] = await bot_api.wait_for_messages(ALICE, 2)
    *_, first, second = bot_api.requests_for("sendMessage")
    assert first["parse_mode"] == "HTML" and "parse_mode" not in second
    assert reply.text != APOLOGY and reply.entities == [], "the same words, without markup"
    assert "Foreign Policy" in reply.text
    assert reply.reply_to_message_id == answer.message_id


@pytest.mark.parametrize(("command", "expected"), [
    ("/settings", "Daily briefing: none (/subscribe 08:00 [time zone] to get one)."),
    ("/subscribe 08:00", "Daily briefing set for 08:00 UTC."),
    ("/subscribe off", "This chat has no daily briefing. Set one with /subscribe 08:00."),
])
async def test_a_briefing_setting_telegram_refuses_as_html_is_sent_once_as_plain_text(bot_api, lede, command, expected):
    # Sent without send_reply's plain-text retry, the command got the apology instead.
    bot_api.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
    async with polling(application(bot_api, lede)):
        sent = bot_api.send_user_message(ALICE, ALICE, command)
        [reply] = await bot_api.wait_for_messages(ALICE)
    first, second = bot_api.requests_for("sendMessage")
    assert first["parse_mode"] == "HTML" and "parse_mode" not in second
    assert reply.text.startswith(expected)
    assert reply.reply_to_message_id == sent["message_id"]


async def test_when_the_plain_text_retry_fails_too_the_user_gets_the_apology(bot_api, lede):
    bot_api.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
    bot_api.fail_next("sendMessage", 400, "Bad Request: message is too long")
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(ALICE)
    assert reply.text == APOLOGY
    assert len(bot_api.requests_for("sendMessage")) == 3


# python-telegram-bot's default: how long it waits for Telegram's answer to a request it has sent.
READ_TIMEOUT = 5.0


async def test_a_reply_whose_confirmation_comes_too_late_is_not_sent_twice(bot_api, lede, caplog):
    # Telegram has the reply (it is delivered) but answers after the read timeout, as under load:
    # sending it again would show the answer twice, and an apology would contradict it.
    bot_api.delay_next("sendMessage", READ_TIMEOUT + 1.5)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(ALICE, ALICE, "Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(ALICE, timeout=15)
        await bot_api.assert_no_messages(ALICE, within=1.0)
    assert reply.text.startswith(VANCE)
    assert len(bot_api.requests_for("sendMessage")) == 1
    assert "may have been delivered" in caplog.text


async def test_a_read_whose_answer_comes_too_late_is_asked_again(bot_api, lede):
    # Asking again for a file (getFile) changes nothing, so a late answer is no reason to give up on the upload.
    bot_api.delay_next("getFile", READ_TIMEOUT + 1.5)
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    async with polling(application(bot_api, lede)):
        bot_api.send_user_document(ALICE, ALICE, "budget.txt", notes)
        [added] = await bot_api.wait_for_messages(ALICE, timeout=20)
    assert added.text == "Added Council Budget Passes: 1 sentence. Ask me about it."
    assert len(bot_api.requests_for("getFile")) == 2


async def test_replies_refused_in_a_forum_topic_closed_since_are_a_warning_without_an_apology(bot_api, lede, caplog):
    # Each reply Telegram refused there (More tapped under an answer, a question of an administrator's) was logged
    # as a failure with its traceback, and an apology attempted, as an answer to the tap and as a message, both refused.
    forum = -1004005
    bot_api.add_group(forum, "Forum", type="supergroup", is_forum=True)
    bot_api.set_member_status(forum, BOB, "administrator")
    topic = bot_api.add_topic(forum, "Morning", created_by=BOB)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(forum, ALICE, "/ask Who did Vance meet?", message_thread_id=topic)
        [answer] = await bot_api.wait_for_messages(forum)
        [more] = [button["callback_data"] for button in answer.reply_markup["inline_keyboard"][0]
                  if button["text"] == "More"]
        bot_api.close_topic(forum, topic)  # where only administrators post, and Lede is none
        bot_api.send_callback_query(forum, ALICE, answer.message_id, more)
        await bot_api.wait_for_request("answerCallbackQuery")
        bot_api.send_user_message(forum, BOB, "/ask Who did Vance meet?", message_thread_id=topic)
        await bot_api.wait_for_request("sendMessage", count=3)
        await bot_api.assert_no_messages(forum, within=0.5)
    assert len(bot_api.requests_for("sendMessage")) == 3, "the answer, then one attempt for More and one for Bob"
    assert len(bot_api.requests_for("answerCallbackQuery")) == 1, "the tap's, and no apology"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in caplog.records if record.name == "bot.telegram_app"] == [
        "Could not reply in a forum topic closed (or deleted) since: Topic_closed"] * 2  # as PTB words it
