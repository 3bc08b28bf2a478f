"""Lede in Telegram, end to end: the real python-telegram-bot Application against a strict local Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, time

import dataclasses
import logging
from pathlib import Path

import pytest

from bot.config import Config, Mode
from bot.logs import MaskingFormatter
from bot.questions import Questions
from bot.service import Lede
from bot.shared_index import new_index
from bot.formatting import APOLOGY
from bot.telegram_app import build_application
from corpus.article import Article
from corpus.database_file import DatabaseFile
from corpus.store import Store
from corpus.loader import load_paths
from retrieval.index import SentenceIndex
from retrieval.text import Analyzer
from tests.support.bot_api import FakeBotApi, polling

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
USER = 1001
GROUP = -2002
SEED_TITLE = "Vance, Zelensky Discuss U.S. Role in Future Peace Deal With Russia"
HOSTILE = Article(
    article_id="hostile-1",
    title="Standard Oil <Srd> & BP > rivals",
    paragraphs=("Refinery margins at <Srd> rose 5% & costs fell > 2% in the quarter.",),
    publisher="Wire & Co",
    url="https://example.com/oil?a=1&b=2",
    published=datetime(1987, 2, 26, 15, 2, 20, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def lede() -> Lede:
    lede = Lede.compose(new_index())
    lede.add_articles(load_paths([SEEDS]))
    lede.add_articles([HOSTILE])
    return lede


def application(server: FakeBotApi, lede: Lede):
    return build_application(Config(mode=Mode.TELEGRAM, token=server.token, base_url=server.base_url), lede)


async def test_a_private_question_gets_the_answer_then_its_source_as_a_reply(bot_api, lede):
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(USER, USER, "Would Zelensky speak with Putin?")
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.parse_mode == "HTML"
    assert reply.reply_to_message_id == question["message_id"]
    answer, source = reply.text.split("\n\n")
    assert answer.startswith("Zelensky also specified that he would not speak with Russian President Vladimir Putin")
    assert source == f"— {SEED_TITLE} · Foreign Policy"
    assert reply.parts("bold") == [SEED_TITLE]


async def test_commands_are_registered_at_start_up(bot_api, lede):
    async with polling(application(bot_api, lede)):
        await bot_api.wait_for_request("setMyCommands")
    assert [command["command"] for command in bot_api.bot_commands()] == [
        "ask", "add", "feed", "sources", "new", "brief", "subscribe", "settings", "help"]


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_start_and_help_explain_how_to_ask(bot_api, lede, command):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, command)
        [reply] = await bot_api.wait_for_messages(USER)
    assert "exact sentence" in reply.text
    assert "/ask <question>" in reply.text


@pytest.mark.parametrize(("privacy_mode", "offers_a_mention"), [(True, False), (False, True)],
                         ids=["privacy mode on", "privacy mode off"])
async def test_help_offers_a_mention_in_groups_only_when_telegram_delivers_mentions(bot_api, lede, privacy_mode,
                                                                                   offers_a_mention):
    # With privacy mode on (BotFather's default) it said "mention me" too, and a group that did so got silence.
    bot_api.privacy_mode = privacy_mode
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "/help")
        [reply] = await bot_api.wait_for_messages(USER)
    assert ("mention me" in reply.text) == offers_a_mention
    assert "In a group, use /ask <question>" in reply.text and "reply to one of my messages" in reply.text


async def test_help_in_a_group_says_that_only_its_administrators_give_news_and_set_the_daily_briefing(bot_api, lede):
    # It offered every member /add, a file to send, /feed add and /subscribe: each refused to them, and a file sent
    # to a group is left alone without the caption /add.
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, "/help")
        [in_group] = await bot_api.wait_for_messages(GROUP)
        bot_api.send_user_message(USER, USER, "/help")
        [in_private] = await bot_api.wait_for_messages(USER)
    here = ("In this group only its administrators give me news (a file with the caption /add) and set its daily "
            "briefing.")
    assert in_group.text.endswith("\n\n" + here)
    assert in_private.text == in_group.text.removesuffix("\n\n" + here)


async def test_help_offers_inline_mode_by_the_bots_own_username(bot_api, lede):
    # It said "type my @username", leaving the reader to find it.
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "/help")
        [reply] = await bot_api.wait_for_messages(USER)
    assert "In any chat, type @lede_test_bot and a question to share an answer." in reply.text


async def test_help_does_not_offer_inline_mode_while_botfather_has_it_off(bot_api, lede):
    # It offered it either way, though BotFather leaves inline mode off until /setinline, and then typing
    # "@lede_test_bot question" shows no answers to share.
    bot_api.inline_mode = False
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "/help")
        [reply] = await bot_api.wait_for_messages(USER)
    assert "share an answer" not in reply.text
    assert reply.text.endswith("/brief [topic] tells the stories since the last briefing; /subscribe 08:00 Europe/Kyiv "
                               "sends one every morning (/subscribe off, /settings).")


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "location"])
async def test_what_lede_cannot_read_gets_a_line_saying_what_it_reads(bot_api, lede, kind):
    async with polling(application(bot_api, lede)):
        sent = bot_api.send_user_media(USER, USER, kind, caption="what is this?" if kind == "photo" else None)
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == ("I read questions typed as text, and articles sent as .txt, .md or .html files: "
                          "type your question, for example what did Zelensky demand?")
    assert reply.reply_to_message_id == sent["message_id"]


def send_captioned(bot_api: FakeBotApi, chat: int, kind: str, caption: str) -> dict:
    """USER sends a photo, or a file (an article Lede could read), with ``caption``."""
    if kind == "file":
        return bot_api.send_user_document(chat, USER, "notes.txt", b"Ferries stopped on Monday.", caption=caption)
    return bot_api.send_user_media(chat, USER, kind, caption=caption)


@pytest.mark.parametrize("kind", ["photo", "file"])
@pytest.mark.parametrize("chat", [USER, GROUP], ids=["private chat", "group"])
@pytest.mark.parametrize("caption", ["/ask Who did Vance meet?", "/ask@lede_test_bot Who did Vance meet?"])
async def test_a_photo_or_file_captioned_with_ask_is_answered_as_ask_typed_as_text(bot_api, lede, kind, chat, caption):
    # A photo's got no reply at all in a group, and in a private chat the line saying Lede reads only text;
    # a file's got no reply in a group either, and in a private chat the file was added as news instead.
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        sent = send_captioned(bot_api, chat, kind, caption)
        [reply] = await bot_api.wait_for_messages(chat)
    assert reply.text.startswith("U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky")
    assert reply.reply_to_message_id == sent["message_id"]
    assert bot_api.requests_for("getFile") == [], "the file is the question's, not news to read"


@pytest.mark.parametrize("kind", ["photo", "file"])
@pytest.mark.parametrize("chat", [USER, GROUP], ids=["private chat", "group"])
@pytest.mark.parametrize(("caption", "expected"), [
    ("/help@lede_test_bot", "Lede answers questions about the news with the exact sentence"),
    ("/settings", "Daily briefing: none"),  # a command of bot/group_handlers', registered after files are read
], ids=["help", "settings"])
async def test_a_photo_or_file_captioned_with_any_command_gets_that_commands_reply(bot_api, lede, kind, chat, caption,
                                                                                   expected):
    # A photo got no reply in a group, and in a private chat the line saying Lede reads only text; a file got
    # no reply in a group either, and in a private chat it was added as news.
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        sent = send_captioned(bot_api, chat, kind, caption)
        [reply] = await bot_api.wait_for_messages(chat)
        await bot_api.assert_no_messages(chat)
    assert reply.text.startswith(expected)
    assert reply.reply_to_message_id == sent["message_id"]
    assert bot_api.requests_for("getFile") == [], "the file is the command's, not news to read"


@pytest.mark.parametrize("kind", ["photo", "file"])
async def test_a_photo_or_file_captioned_with_a_command_lede_lacks_is_told_so_as_typed(bot_api, lede, kind):
    # It got the line saying Lede reads only text, or the file was added as news.
    async with polling(application(bot_api, lede)):
        send_captioned(bot_api, USER, kind, "/schedule 08:00")
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == "Unknown command /schedule. Type /help."
    assert bot_api.requests_for("getFile") == []


async def test_a_photo_captioned_add_alone_gets_the_usage_line_add_typed_alone_gets(bot_api, lede):
    # It got the line saying Lede reads only text. (A file captioned /add is the file to add.)
    async with polling(application(bot_api, lede)):
        send_captioned(bot_api, USER, "photo", "/add")
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == "Usage: /add <url> for a news article on the web, or send me its file (.txt, .md or .html)."


async def test_a_forwarded_photo_captioned_with_ask_is_answered_as_a_forwarded_ask_text_is(bot_api, lede):
    # A forwarded photo's caption was read as a post to add as news (a forwarded text /ask was answered).
    channel = -1009990001
    bot_api.add_channel(channel, "Elsewhere", username="elsewhere")
    post = bot_api.post_to_channel(channel, caption="/ask Who did Vance meet?")
    async with polling(application(bot_api, lede)):
        forwarded = bot_api.forward_message(USER, USER, channel, post["message_id"])
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text.startswith("U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky")
    assert reply.reply_to_message_id == forwarded["message_id"]


async def test_a_photo_captioned_with_another_bots_ask_in_a_group_gets_no_reply(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False  # the bot sees every message, and must still keep quiet
    async with polling(application(bot_api, lede)):
        bot_api.send_user_media(GROUP, USER, "photo", caption="/ask@some_other_bot Who did Vance meet?")
        bot_api.send_user_media(GROUP, USER, "photo", caption="Who did Vance meet?")
        await bot_api.assert_no_messages(GROUP, within=1.0)


async def test_a_sticker_in_a_group_gets_no_reply(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False
    async with polling(application(bot_api, lede)):
        bot_api.send_user_media(GROUP, USER, "sticker")
        await bot_api.assert_no_messages(GROUP, within=1.0)


@pytest.mark.parametrize("creating", [False, True], ids=["added", "group created with it"])
async def test_a_group_that_adds_lede_is_told_how_to_ask_there(bot_api, lede, creating):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        bot_api.add_bot_to_group(GROUP, USER, creating=creating)
        [hello] = await bot_api.wait_for_messages(GROUP)
        await bot_api.assert_no_messages(GROUP)
    assert "Ask with /ask <question>, or reply to one of my messages." in hello.text


async def test_a_group_becoming_a_supergroup_is_not_greeted_again(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        supergroup = bot_api.migrate_to_supergroup(GROUP, USER)
        bot_api.send_user_message(supergroup, USER, "/ask Who did Vance meet?")
        [answer] = await bot_api.wait_for_messages(supergroup)
    assert answer.text.startswith("U.S. Vice President J.D. Vance met")


async def test_a_user_joining_a_group_is_not_greeted(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        bot_api.add_bot_to_group(GROUP, USER)
        await bot_api.wait_for_messages(GROUP)
        bot_api.add_user_to_group(GROUP, USER + 1, by_user=USER)
        await bot_api.assert_no_messages(GROUP, within=1.0)


async def test_group_ask_addressed_to_the_bot_is_answered(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        question = bot_api.send_user_message(GROUP, USER, "/ask@lede_test_bot Who did Vance meet?")
        [reply] = await bot_api.wait_for_messages(GROUP)
    assert reply.text.startswith("U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky")
    assert reply.reply_to_message_id == question["message_id"]


@pytest.mark.parametrize(("pointing_text", "privacy_mode"), [
    # Unseen by Lede: privacy mode is on.
    ("/ask@lede_test_bot", True),
    # Mentions reach a bot only with privacy mode off.
    ("@lede_test_bot", False),
], ids=["bare ask", "bare mention"])
async def test_a_bare_ask_or_mention_of_lede_in_reply_to_a_members_message_asks_what_it_says(bot_api, lede,
                                                                                          pointing_text, privacy_mode):
    # Each was told "Ask me a question about the news, for example: …", under the question it pointed to.
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = privacy_mode
    async with polling(application(bot_api, lede)):
        asked = bot_api.send_user_message(GROUP, USER + 1, "Who did Vance meet?")
        pointing = bot_api.send_user_message(GROUP, USER, pointing_text, reply_to_message_id=asked["message_id"])
        [reply] = await bot_api.wait_for_messages(GROUP)
    assert reply.text.startswith("U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky")
    assert reply.reply_to_message_id == pointing["message_id"]


async def test_a_bare_why_in_reply_to_a_members_message_asks_it_of_what_that_message_says(bot_api, lede):
    # It ignored the message and said "There is no earlier question to go on from".
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        said = bot_api.send_user_message(GROUP, USER + 1, "Zelensky won't talk to Putin for now")  # unseen: privacy mode
        bot_api.send_user_message(GROUP, USER, "/ask@lede_test_bot why?", reply_to_message_id=said["message_id"])
        [why] = await bot_api.wait_for_messages(GROUP)
        # A question of its own, in reply to a member's message, is asked on its own.
        bot_api.send_user_message(GROUP, USER, "/ask@lede_test_bot Who did Vance meet?",
                                  reply_to_message_id=said["message_id"])
        [_, own] = await bot_api.wait_for_messages(GROUP, 2)
    assert why.text.startswith("Zelensky also specified that he would not speak with Russian President Vladimir Putin")
    assert own.text.startswith("U.S. Vice President J.D. Vance met with Ukrainian President Volodymyr Zelensky")


@pytest.mark.parametrize("pointer", ["/ask@lede_test_bot", "@lede_test_bot"], ids=["bare /ask", "bare mention"])
async def test_pointing_lede_to_a_members_long_message_says_in_one_line_it_is_too_long_and_how_to_ask(bot_api, lede,
                                                                                                     pointer):
    # It was told "That question is 983 characters long; please keep it under 500.", of a question nobody typed.
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False  # mentions reach a bot only with privacy mode off
    pasted = " ".join(["Vance met Zelensky in Munich and the two discussed the U.S. role in a peace deal."] * 12)
    async with polling(application(bot_api, lede)):
        long = bot_api.send_user_message(GROUP, USER + 1, pasted)
        bot_api.send_user_message(GROUP, USER, pointer, reply_to_message_id=long["message_id"])
        [reply] = await bot_api.wait_for_messages(GROUP)
    assert reply.text == (f"That message is {len(pasted):,} characters long, too long to ask about (a question is "
                          "under 500): ask me about it in your own words, /ask <question>.")


async def test_a_bare_ask_pointing_to_a_photo_says_the_message_has_no_text_and_one_in_a_topic_asks_for_a_question(
        bot_api, lede):
    # Pointed to a photo without a caption, it said "Ask me a question about the news, …", as if nobody had asked.
    forum = -1003004
    bot_api.add_group(forum, "Forum", type="supergroup", is_forum=True)
    topic = bot_api.add_topic(forum, "Morning", created_by=USER + 1)
    async with polling(application(bot_api, lede)):
        photo = bot_api.send_user_media(forum, USER + 1, "photo")
        bot_api.send_user_message(forum, USER, "/ask@lede_test_bot", reply_to_message_id=photo["message_id"])
        [pointed] = await bot_api.wait_for_messages(forum)
        # Every message in a topic replies to the topic's first, which is no message pointed to.
        bot_api.send_user_message(forum, USER, "/ask@lede_test_bot", message_thread_id=topic)
        [_, bare] = await bot_api.wait_for_messages(forum, 2)
    assert pointed.text == "That message has no text to ask about; ask me about it in your own words, /ask <question>."
    assert bare.text == "Ask me a question about the news, for example: what did Zelensky demand?"


async def test_group_chatter_not_addressed_to_the_bot_gets_no_reply(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False  # the bot sees every message, and must still keep quiet
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, "Who did Vance meet?")
        bot_api.send_user_message(GROUP, USER, "/ask@some_other_bot Who did Vance meet?")
        await bot_api.assert_no_messages(GROUP, within=1.0)
    assert not bot_api.pending_updates()


@pytest.mark.parametrize(("command", "button"),
                         [("/more", "More"), ("/Context", "Context"), ("/good", "👍"), ("/bad", "👎")])
async def test_the_consoles_commands_for_an_answers_buttons_point_to_those_buttons(bot_api, lede, command, button):
    # They got "Unknown command /more. Type /help.", though the console has them (the README's session shows /more).
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, command)
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == f"In Telegram, {command} is the {button} button under an answer."


async def test_a_command_lede_lacks_is_named_in_a_group_only_when_addressed_to_lede(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False  # the bot sees every command, other bots' included
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, "/schedule daily")  # may be another bot's
        bot_api.send_user_message(GROUP, USER, "/schedule@some_other_bot daily")
        await bot_api.assert_no_messages(GROUP, within=1.0)
        bot_api.send_user_message(GROUP, USER, "/schedule@Lede_Test_Bot daily")
        [reply] = await bot_api.wait_for_messages(GROUP)
    assert reply.text == "Unknown command /schedule. Type /help."


async def test_a_mention_in_a_group_is_a_question(bot_api, lede):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.privacy_mode = False  # mentions reach a bot only with privacy mode off
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, "@lede_test_bot, how long was Trump's call with Putin?")
        [reply] = await bot_api.wait_for_messages(GROUP)
    assert reply.text.startswith("Earlier this week, Trump held a nearly 90-minute phone call with Putin")


@pytest.mark.parametrize(("reply", "answered"), [("What did Hegseth say?", True), ("👍", False), ("!!", False)])
async def test_a_reply_to_the_bot_in_a_group_is_a_question_when_it_has_words(bot_api, lede, reply, answered):
    # A reply of emoji or punctuation alone is a reaction: "There are no words in that" under every 👍 is noise.
    bot_api.add_group(GROUP, "Newsroom")
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, "/ask@lede_test_bot Who did Vance meet?")
        [first] = await bot_api.wait_for_messages(GROUP)
        bot_api.send_user_message(GROUP, USER, reply, reply_to_message_id=first.message_id)
        if answered:
            [_, second] = await bot_api.wait_for_messages(GROUP, count=2)
            assert "Hegseth" in second.text
        else:
            await bot_api.assert_no_messages(GROUP, within=1.0)


async def test_in_a_group_ask_reads_the_question_without_a_mention_of_lede(bot_api, lede):
    # The command and a mention typed after it ("/ask @lede_test_bot why?"): the mention is no part of the question.
    plain, mentioning = GROUP, GROUP - 1
    async with polling(application(bot_api, lede)):
        for chat, follow_up in ((plain, "/ask why?"), (mentioning, "/ask @lede_test_bot why?")):
            bot_api.add_group(chat, "Newsroom")
            bot_api.send_user_message(chat, USER, "/ask Would Zelensky speak with Putin?")
            await bot_api.wait_for_messages(chat)
            bot_api.send_user_message(chat, USER, follow_up)
        [*_, expected] = await bot_api.wait_for_messages(plain, 2)
        [*_, reply] = await bot_api.wait_for_messages(mentioning, 2)
        bot_api.send_user_message(mentioning, USER, "/ask @lede_test_bot")
        [*_, empty] = await bot_api.wait_for_messages(mentioning, 3)
    assert reply.text == expected.text
    assert empty.text == "Ask me a question about the news, for example: what did Zelensky demand?"


async def test_article_text_full_of_markup_characters_arrives_intact(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "How much did refinery margins at Srd rise?")
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text.splitlines()[0] == HOSTILE.paragraphs[0]
    assert reply.links == [("Standard Oil <Srd> & BP > rivals", "https://example.com/oil?a=1&b=2")]
    assert reply.text.endswith("Wire & Co · 26 Feb 1987")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the capital of Australia?", "I couldn't find that in the articles I have."),
        ("<b>&amp; *x*", "I couldn't find that in the articles I have."),
        ("/ask", "Ask me a question about the news"),
        ("x" * 4000, "That question is 4,000 characters long"),
    ],
    ids=["off-topic", "markup-lookalikes", "empty-ask", "too-long"],
)
async def test_questions_without_an_answer_get_a_clear_one_line_reply(bot_api, lede, question, expected):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, question)
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text.startswith(expected)
    assert "\n" not in reply.text


@pytest.mark.parametrize("command", ["/brief", "/settings", "/subscribe 08:00", "/feed list",
                                     "How much did refinery margins at Srd rise?"])
async def test_a_message_deleted_before_lede_replies_still_gets_its_reply_in_full(bot_api, lede, command):
    # Some groups run a bot that deletes every command at once, and people tidy their own chats.
    question = bot_api.send_user_message(USER, USER, command)
    bot_api.delete_message(USER, question["message_id"])
    async with polling(application(bot_api, lede)):
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text != APOLOGY
    assert reply.parse_mode == "HTML"  # as sent, not the plain text of a reply Telegram refused
    assert reply.reply_to_message_id is None


TOKEN = "123456789:TEST-token"


class BrokenQuestions(Questions):
    def answer(self, question: str, chat: int = 0, **reading):
        raise RuntimeError(f"index exploded while using token {TOKEN}")


async def test_a_failure_gets_an_apology_and_a_log_without_the_token(bot_api, caplog):
    working = Lede.compose(SentenceIndex(Analyzer()))
    broken = dataclasses.replace(working, questions=BrokenQuestions(working.index, working.store, working.questions.conversations))
    app = application(bot_api, broken)
    with caplog.at_level(logging.ERROR):
        async with polling(app):
            bot_api.send_user_message(USER, USER, "Who did Vance meet?")
            [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == APOLOGY
    formatter = MaskingFormatter("%(message)s", [(TOKEN, "123456789:***")])
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "index exploded" in logged and "Traceback" in logged
    assert TOKEN not in logged and "123456789:***" in logged


def read_only_lede(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lede:
    """Lede on a store it may only read, where USER's chat has an article of its own and a daily briefing at 08:00."""
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        Lede.compose(None, store).sources.library.keep(HOSTILE, chat=USER)
        store.set_schedule(USER, time(8, 0), "UTC", None, datetime(2026, 12, 1, tzinfo=UTC))
    # As on a read-only mount (root may write any file, so the check is told).
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    read_only = Lede.compose(new_index(), Store.open(db))
    read_only.load_store()
    return read_only


async def test_on_a_read_only_store_changes_are_refused_in_plain_words_and_questions_answered(bot_api, tmp_path,
                                                                                             monkeypatch, caplog):
    read_only = read_only_lede(tmp_path, monkeypatch)
    app = application(bot_api, read_only)
    async with polling(app):
        for text in ("/subscribe 09:00", "/new", "/brief", "How much did refinery margins at Srd rise?"):
            bot_api.send_user_message(USER, USER, text)
            await bot_api.wait_for_messages(USER, count=len(bot_api.sent_messages(USER)) + 1)
        briefing_jobs = app.job_queue.get_jobs_by_name(f"briefing:{USER}")
    read_only.close()
    subscribe, new, brief, answer = (message.text for message in bot_api.sent_messages(USER))
    assert subscribe == new == brief == "I can answer questions, but I cannot change anything now: my store is read-only."
    assert answer.startswith("Refinery margins at <Srd> rose 5% & costs fell > 2% in the quarter.")
    assert not briefing_jobs, "a briefing it could not record as sent would be owed again at every check"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Daily briefings are off: the store is read-only" in caplog.text


async def test_on_a_read_only_store_settings_offers_neither_brief_nor_subscribe_which_it_would_refuse(
        bot_api, tmp_path, monkeypatch):
    # It said "/brief covers the last 24 hours" and "/subscribe 08:00 [time zone] to get one", and both got
    # "I can answer questions, but I cannot change anything now: my store is read-only." (Until 3 Dec it also
    # gave the next daily briefing's time, a briefing that never came: none is sent from a read-only store.)
    read_only = read_only_lede(tmp_path, monkeypatch)
    async with polling(application(bot_api, read_only)):
        for chat in (USER, USER + 1):  # with a daily briefing, and without one
            bot_api.send_user_message(chat, chat, "/settings")
        [subscribed], [unsubscribed] = [await bot_api.wait_for_messages(chat) for chat in (USER, USER + 1)]
    read_only.close()
    assert subscribed.text == ("Daily briefing: 08:00 UTC, paused while my store is read-only.\n"
                               "Last briefing: none yet; /brief is off while my store is read-only.")
    assert unsubscribed.text == ("Daily briefing: none (none can be set while my store is read-only).\n"
                                 "Last briefing: none yet; /brief is off while my store is read-only.")


async def test_a_button_that_fails_is_answered_with_the_reason_not_left_loading(bot_api, tmp_path, monkeypatch):
    # 👍 under an answer given before the store became read-only (a restart on a read-only mount).
    db = tmp_path / "lede.db"
    with Store.open(db) as store:
        writable = Lede.compose(new_index(), store)
        writable.add_articles([HOSTILE])
        async with polling(application(bot_api, writable)):
            bot_api.send_user_message(USER, USER, "How much did refinery margins at Srd rise?")
            [answer] = await bot_api.wait_for_messages(USER)
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    read_only = Lede.compose(new_index(), Store.open(db))
    read_only.load_store()
    [thumbs_up] = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row if b["text"] == "👍"]
    async with polling(application(bot_api, read_only)):
        bot_api.send_callback_query(USER, USER, answer.message_id, thumbs_up)
        [tap] = await bot_api.wait_for_request("answerCallbackQuery")
        await bot_api.assert_no_messages(USER)
    read_only.close()
    assert tap["text"] == "I can answer questions, but I cannot change anything now: my store is read-only."


async def test_in_a_private_chat_a_question_that_mentions_lede_is_read_without_the_mention(bot_api, lede):
    # Typing "@lede_test_bot why?" starts inline mode; sent without picking a result, it arrives as a message.
    plain, mentioning = USER, USER + 1
    async with polling(application(bot_api, lede)):
        for chat, follow_up in ((plain, "why?"), (mentioning, "@lede_test_bot why?")):
            bot_api.send_user_message(chat, chat, "Would Zelensky speak with Putin?")
            await bot_api.wait_for_messages(chat)
            bot_api.send_user_message(chat, chat, follow_up)
        [*_, expected] = await bot_api.wait_for_messages(plain, 2)
        [*_, reply] = await bot_api.wait_for_messages(mentioning, 2)
    assert reply.text == expected.text
