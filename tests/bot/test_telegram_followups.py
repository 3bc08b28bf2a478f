"""Follow-up questions in Telegram, end to end: read in the light of the chat's (or topic's) conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import Lede
from bot.shared_index import new_index
from corpus.article import Article
from corpus.loader import load_paths
from tests.bot.test_telegram import application
from tests.support.bot_api import polling

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
USER = 1001
OTHER = 1002
FORUM = -1003004
SEED_TITLE = "Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia"
COCOA = Article(
    article_id="cocoa-1",
    title="Cocoa Pact Agreed In London",
    paragraphs=(
        "Cocoa producers and consumers agreed on buffer stock rules in London on Friday.",
        "The deal was reached because consumers accepted a lower price range.",
        "Producers said the package was acceptable.",
    ),
    publisher="Wire",
)
ZELENSKY = "what did Zelensky demand?"
COCOA_QUESTION = "What did cocoa producers and consumers agree on?"
# Who "they" are depends on the conversation: Zelensky and Vance, or the cocoa producers.
SAY = "and what did they say?"


@pytest.fixture(scope="module")
def lede() -> Lede:
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    lede.add_articles([COCOA])
    return lede


def source(reply) -> str:
    return reply.text.split("\n\n")[1]


async def test_a_follow_up_in_a_private_chat_is_read_in_the_light_of_the_question_before(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, ZELENSKY)
        await bot_api.wait_for_messages(USER)
        bot_api.send_user_message(USER, USER, "and what did Vance tell him?")
        [_, follow_up] = await bot_api.wait_for_messages(USER, count=2)
    assert follow_up.text.startswith("On Thursday, though, Vance told the Wall Street Journal")


async def test_replying_to_an_older_answer_follows_that_answer_up(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, ZELENSKY)
        [zelensky] = await bot_api.wait_for_messages(USER)
        bot_api.send_user_message(USER, USER, COCOA_QUESTION)
        await bot_api.wait_for_messages(USER, count=2)
        bot_api.send_user_message(USER, USER, SAY, reply_to_message_id=zelensky.message_id)
        replies = await bot_api.wait_for_messages(USER, count=3)
    assert source(replies[1]).startswith("— Cocoa Pact Agreed In London")
    assert source(replies[2]).startswith(f"— {SEED_TITLE}")


async def test_two_forum_topics_keep_separate_conversations_shared_by_their_members(bot_api, lede):
    bot_api.add_group(FORUM, "Newsroom", type="supergroup", is_forum=True)
    ukraine = bot_api.add_topic(FORUM, "Ukraine", created_by=USER)
    cocoa = bot_api.add_topic(FORUM, "Cocoa", created_by=OTHER)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(FORUM, USER, f"/ask {ZELENSKY}", message_thread_id=ukraine)
        bot_api.send_user_message(FORUM, OTHER, f"/ask {COCOA_QUESTION}", message_thread_id=cocoa)
        await bot_api.wait_for_messages(FORUM, count=2)
        bot_api.send_user_message(FORUM, OTHER, f"/ask {SAY}", message_thread_id=ukraine)
        bot_api.send_user_message(FORUM, USER, f"/ask {SAY}", message_thread_id=cocoa)
        replies = await bot_api.wait_for_messages(FORUM, count=4)
    said = {reply.message_thread_id: reply for reply in replies[2:]}
    assert source(said[ukraine]).startswith(f"— {SEED_TITLE}")
    assert said[cocoa].text.startswith("Producers said the package was acceptable.")


async def test_a_new_topic_starts_without_the_conversation_of_another(bot_api, lede):
    bot_api.add_group(FORUM, "Newsroom", type="supergroup", is_forum=True)
    ukraine = bot_api.add_topic(FORUM, "Ukraine", created_by=USER)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(FORUM, USER, f"/ask {ZELENSKY}", message_thread_id=ukraine)
        await bot_api.wait_for_messages(FORUM)
        fresh = bot_api.add_topic(FORUM, "Elsewhere", created_by=USER)
        bot_api.send_user_message(FORUM, USER, "/ask why?", message_thread_id=fresh)
        [_, reply] = await bot_api.wait_for_messages(FORUM, count=2)
    assert reply.message_thread_id == fresh
    assert reply.text.startswith("There is no earlier question to go on from")


async def test_new_forgets_the_conversation(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, ZELENSKY)
        await bot_api.wait_for_messages(USER)
        bot_api.send_user_message(USER, USER, "/new")
        await bot_api.wait_for_messages(USER, count=2)  # chats' updates run concurrently: ask once /new is done
        bot_api.send_user_message(USER, USER, "why?")
        replies = await bot_api.wait_for_messages(USER, count=3)
    assert replies[1].text.startswith("New conversation")
    assert replies[2].text.startswith("There is no earlier question to go on from")


@pytest.mark.parametrize(("chat", "asking"), [(1005, "what concessions?"), (1006, "which ones?")])
async def test_asking_for_the_things_the_answer_named_gets_the_list_in_bold_after_them(bot_api, lede, chat, asking):
    async with polling(application(bot_api, lede)):  # each a conversation of its own
        bot_api.send_user_message(chat, chat, "What did Trump offer Putin?")
        await bot_api.wait_for_messages(chat)
        bot_api.send_user_message(chat, chat, asking)
        [first, listing] = await bot_api.wait_for_messages(chat, count=2)
    named = first.text.split("\n\n")[0]
    assert "offer unilateral concessions" in named
    answer = listing.text.split("\n\n")[0]
    assert answer.startswith(named + " These included Ukraine potentially giving up")
    [bold, *_] = [entity for entity in listing.entities if entity["type"] == "bold"]
    assert answer[bold["offset"]:bold["offset"] + bold["length"]].startswith("These included Ukraine")


async def test_more_under_a_follow_ups_answer_lists_further_answers_to_it_as_it_was_read(bot_api, lede):
    chat = 1004
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(chat, chat, "How long was Trump's call with Putin?")
        await bot_api.wait_for_messages(chat)
        bot_api.send_user_message(chat, chat, "why?")
        [_, why] = await bot_api.wait_for_messages(chat, count=2)
        more = why.reply_markup["inline_keyboard"][0][0]
        assert more["text"] == "More"
        bot_api.send_callback_query(chat, chat, why.message_id, more["callback_data"])
        [*_, further] = await bot_api.wait_for_messages(chat, count=3)
    assert further.reply_to_message_id == why.message_id
    assert further.text.startswith("1. "), further.text
    assert why.text.split("\n\n")[0] not in further.text
