"""Edited messages in Telegram: an edited question (or ``/ask``) edits Lede's reply to it; other edits, an
edited command among them, are no new message."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.service import Lede
from bot.shared_index import new_index
from corpus.fetch import FetchPolicy
from corpus.loader import load_paths
from corpus.store import Store
from retrieval.index import SentenceIndex
from tests.bot.test_telegram import application
from tests.support.bot_api import FakeBotApi, SentMessage, polling

LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
USER = 1001
GROUP = -2002
DEMAND = "Kyiv needs “real security guarantees”"
MUNICH = "U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky"


@pytest.fixture(scope="module")
def lede() -> Lede:
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    return lede


async def test_an_edited_question_gets_its_new_answer_in_the_reply_it_had(bot_api, lede):
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(USER, USER, "what is the capital of Australia?")
        [reply] = await bot_api.wait_for_messages(USER)
        bot_api.edit_user_message(USER, question["message_id"], "what did Zelensky demand?")
        [edit] = await bot_api.wait_for_edits(USER)
        await bot_api.assert_no_messages(USER)
    assert reply.text.startswith("I couldn't find that")
    assert edit.message_id == reply.message_id
    assert edit.text.startswith(DEMAND)
    assert bot_api.message(USER, reply.message_id)["reply_markup"]["inline_keyboard"], "the answer's buttons come with it"


async def test_the_edit_of_the_latest_question_takes_its_place_in_the_conversation(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "what did Zelensky demand?")
        await bot_api.wait_for_messages(USER)
        follow_up = bot_api.send_user_message(USER, USER, "where did they met")
        await bot_api.wait_for_messages(USER, count=2)
        bot_api.edit_user_message(USER, follow_up["message_id"], "where did they meet?")
        [edit] = await bot_api.wait_for_edits(USER)
    assert edit.text.startswith(MUNICH)
    assert [turn.question for turn in lede.store.conversation(USER, 0)] == [
        "what did Zelensky demand?", "where did they meet?"]


def delete_reply(bot_api: FakeBotApi, reply: SentMessage) -> None:
    bot_api.delete_message(USER, reply.message_id)


def refuse_its_edit(bot_api: FakeBotApi, reply: SentMessage) -> None:
    bot_api.fail_next("editMessageText", 400, "Bad Request: message can't be edited")


@pytest.mark.parametrize("lose_reply", [delete_reply, refuse_its_edit],
                         ids=["deleted by the user", "no longer Lede's to edit"])
async def test_a_question_whose_reply_cannot_be_edited_gets_a_new_reply(bot_api, lede, lose_reply):
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(USER, USER, "what is the capital of Australia?")
        [reply] = await bot_api.wait_for_messages(USER)
        lose_reply(bot_api, reply)
        bot_api.edit_user_message(USER, question["message_id"], "what did Zelensky demand?")
        [_, new] = await bot_api.wait_for_messages(USER, count=2)
    assert new.text.startswith(DEMAND) and new.parse_mode == "HTML", "sent anew as it is, not in plain text"
    assert new.reply_to_message_id == question["message_id"]
    assert len(bot_api.requests_for("editMessageText")) == 1, "no edit in plain text was tried first"


async def test_an_edited_group_question_edits_its_reply_there(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(GROUP, USER, "/ask where did Vance meet Zelensky?")
        [reply] = await bot_api.wait_for_messages(GROUP)
        bot_api.edit_user_message(GROUP, question["message_id"], "/ask what did Zelensky demand?")
        [edit] = await bot_api.wait_for_edits(GROUP)
        await bot_api.assert_no_messages(GROUP)
    assert reply.text.startswith(MUNICH)
    assert (edit.message_id, edit.text.startswith(DEMAND)) == (reply.message_id, True)


async def test_a_photos_edited_ask_caption_edits_its_reply_as_an_edited_ask_does(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        photo = bot_api.send_user_media(GROUP, USER, "photo", caption="/ask what is the capital of Australia?")
        [reply] = await bot_api.wait_for_messages(GROUP)
        bot_api.edit_user_message(GROUP, photo["message_id"], "/ask what did Zelensky demand?")
        [edit] = await bot_api.wait_for_edits(GROUP)
        await bot_api.assert_no_messages(GROUP)
    assert reply.text.startswith("I couldn't find that")
    assert edit.message_id == reply.message_id and edit.text.startswith(DEMAND)


async def test_a_moving_live_location_and_an_edited_caption_are_no_new_messages(bot_api, lede):
    async with polling(application(bot_api, lede)):
        location = bot_api.send_user_media(USER, USER, "location")
        await bot_api.wait_for_messages(USER)
        document = bot_api.send_user_document(USER, USER, "note.txt", b"Ferries stopped on Monday because of a storm.")
        await bot_api.wait_for_messages(USER, count=2)
        bot_api.move_live_location(USER, location["message_id"], 50.46, 30.53)
        bot_api.edit_user_message(USER, document["message_id"], "the storm story")
        await bot_api.assert_no_messages(USER, within=1.0)
    assert bot_api.edits(USER) == []


async def test_an_edit_that_changes_no_reply_leaves_it_as_it_is(bot_api, lede):
    # Telegram refuses an edit that changes nothing ("message is not modified"); that is no failure.
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(USER, USER, "what is the capital of Australia?")
        [reply] = await bot_api.wait_for_messages(USER)
        bot_api.edit_user_message(USER, question["message_id"], "What is the capital of Australia?")
        await bot_api.wait_for_request("editMessageText")
        await bot_api.assert_no_messages(USER, within=1.0)
    assert bot_api.message(USER, reply.message_id)["text"] == reply.text


async def test_an_edited_reply_telegram_refuses_as_html_is_edited_in_as_plain_text(bot_api, lede):
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(USER, USER, "what is the capital of Australia?")
        await bot_api.wait_for_messages(USER)
        bot_api.fail_next("editMessageText", 400, "Bad Request: can't parse entities: unsupported start tag")
        bot_api.edit_user_message(USER, question["message_id"], "what did Zelensky demand?")
        edits = await bot_api.wait_for_edits(USER)
        await bot_api.assert_no_messages(USER)
    assert edits[-1].text.startswith(DEMAND) and edits[-1].parse_mode is None


# ---- an edited command ------------------------------------------------------------------------

COMMANDER = 1005  # a chat of its own: these commands change its conversation, schedule and sources


@pytest.mark.parametrize(("command", "edited"), [
    ("/brief", "/brief Zelensky"),
    ("/new", "/new conversation"),
    ("/subscribe 08:00", "/subscribe 09:00"),
    ("/feed list", "/feed export"),
    ("/sources", "/sources 2"),
    ("/settings", "/settings please"),
    ("/help", "/help me"),
    ("/start", "/start inline"),
    ("/schedule 08:00", "/schedule 09:00"),  # one Lede lacks: "Unknown command" is not said twice either
])
async def test_an_edited_command_is_not_run_again_and_its_reply_stands(bot_api, lede, command, edited):
    async with polling(application(bot_api, lede)):
        sent = bot_api.send_user_message(COMMANDER, COMMANDER, command)
        replies = await bot_api.wait_for_messages(COMMANDER)
        bot_api.edit_user_message(COMMANDER, sent["message_id"], edited)
        await bot_api.assert_no_messages(COMMANDER, within=1.0)
    assert bot_api.sent_messages(COMMANDER) == replies and bot_api.edits(COMMANDER) == []
    assert bot_api.sent_documents(COMMANDER) == []  # nor /feed export's file


async def test_a_photos_edited_command_caption_is_not_run_again_as_an_edited_command_is_not(bot_api, lede):
    async with polling(application(bot_api, lede)):
        photo = bot_api.send_user_media(COMMANDER, COMMANDER, "photo", caption="/help")
        replies = await bot_api.wait_for_messages(COMMANDER)
        bot_api.edit_user_message(COMMANDER, photo["message_id"], "/help me")
        await bot_api.assert_no_messages(COMMANDER, within=1.0)
    assert bot_api.sent_messages(COMMANDER) == replies and bot_api.edits(COMMANDER) == []


@pytest.mark.parametrize(("command", "path", "edited_path"), [
    ("/add", "/article.html", "/news/ferry-strike"), ("/feed add", "/feed.xml", "/broken-feed.xml")])
async def test_an_edited_add_fetches_and_adds_nothing_more(bot_api, analyzer, web, command, path, edited_path):
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=LOCAL_ONLY)
    async with polling(application(bot_api, lede)):
        sent = bot_api.send_user_message(USER, USER, f"{command} {web.url(path)}")
        [added] = await bot_api.wait_for_messages(USER)
        kept = lede.store.article_count()
        bot_api.edit_user_message(USER, sent["message_id"], f"{command} {web.url(edited_path)}")
        await bot_api.assert_no_messages(USER, within=1.0)
    assert added.text.startswith(("Added", "Following"))
    assert web.requests_for(edited_path) == [] and lede.store.article_count() == kept
