"""Channels and forwards in Telegram, end to end: the real Application against the strict local Bot API.

The three checks from outside: a public channel's post answers a question in a private chat, naming
the channel and linking the post; an edit replaces the old text in answers; a post forwarded from a
public channel answers with that channel as its source and the original post linked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Config, Mode
from bot.service import Lede
from bot.channel_handlers import OWN_MESSAGE
from bot.questions import SENTENCE_EDITED
from bot.telegram_app import ADMINS_ONLY, ALLOWED_UPDATES, build_application
from corpus.database_file import DatabaseFile
from corpus.fetch import FetchPolicy
from corpus.store import Store
from corpus.telegram_posts import Chat, Post
from retrieval.index import SentenceIndex
from tests.support.bot_api import FakeBotApi, polling

LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)
READER, ADMIN, STRANGER, WRITER = 1001, 1002, 1003, 1004
CHANNEL, PRIVATE_CHANNEL, DISCUSSION, GROUP = -1001000000001, -1001000000002, -1001000000003, -1001000000004
BRIDGE = "Harbour bridge approved\nThe Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour."
QUESTION = "how did the council vote on the bridge?"


@pytest.fixture
def lede(analyzer) -> Lede:
    return Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=LOCAL_ONLY)


# Every test polls with the update types Lede asks Telegram for: the strict server withholds the others.
def application(server: FakeBotApi, lede: Lede):
    return build_application(Config(mode=Mode.TELEGRAM, token=server.token, base_url=server.base_url), lede)


def public_channel(bot_api: FakeBotApi, *, lede_is_admin: bool = True) -> None:
    bot_api.add_channel(CHANNEL, "Riverton Live", username="riverton_live", creator=ADMIN)
    if lede_is_admin:
        bot_api.set_member_status(CHANNEL, bot_api.bot_user["id"], "administrator")


async def ask(bot_api: FakeBotApi, chat: int, question: str, user: int = READER):
    before = len(bot_api.sent_messages(chat))
    bot_api.send_user_message(chat, user, question if chat > 0 else f"/ask {question}")
    return (await bot_api.wait_for_messages(chat, before + 1))[-1]


async def until_indexed(lede: Lede, article_id: str, text: str) -> None:
    """Channel posts get no reply to wait for: wait until the index quotes ``text`` from the article."""
    for _ in range(500):
        if any(text in passage.text for passage in lede.index.article_sentences(article_id)):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{article_id} was not indexed with {text!r}")


async def until_kept(lede: Lede, articles: int) -> None:
    """Wait until the store has ``articles`` (the index has them too once a reply says so)."""
    for _ in range(500):
        if lede.store.article_count() >= articles:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {lede.store.article_count()} of {articles} articles were kept")


async def test_a_public_channels_post_answers_a_private_question_naming_the_channel_and_linking_the_post(bot_api, lede):
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        post = bot_api.post_to_channel(CHANNEL, BRIDGE)
        await until_kept(lede, 1)
        reply = await ask(bot_api, READER, QUESTION)
    answer, source = reply.text.split("\n\n")
    assert answer == "The Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour."
    assert source.startswith("— Harbour bridge approved · Riverton Live")
    assert reply.links == [("Harbour bridge approved", f"https://t.me/riverton_live/{post['message_id']}")]
    assert not bot_api.sent_messages(CHANNEL)  # nothing is said in the channel


async def test_an_edit_replaces_the_old_text_in_answers(bot_api, lede):
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        post = bot_api.post_to_channel(CHANNEL, BRIDGE)
        article_id = f"tg{CHANNEL}-{post['message_id']}"
        await until_indexed(lede, article_id, "7 to 2")
        before = await ask(bot_api, READER, QUESTION)
        bot_api.edit_channel_post(CHANNEL, post["message_id"], BRIDGE.replace("7 to 2", "8 to 1"))
        await until_indexed(lede, article_id, "8 to 1")
        after = await ask(bot_api, READER, QUESTION)
    assert "voted 7 to 2" in before.text
    assert after.text.startswith("The Riverton council voted 8 to 1 on Tuesday")
    assert "7 to 2" not in after.text and lede.store.article_count() == 1


async def test_a_post_forwarded_from_a_public_channel_answers_with_that_channel_and_the_original_post(bot_api, lede):
    public_channel(bot_api, lede_is_admin=False)  # Lede reads this channel only through what people forward
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        original = bot_api.post_to_channel(CHANNEL, BRIDGE)
        forward = bot_api.forward_message(READER, READER, CHANNEL, original["message_id"])
        [confirmation] = await bot_api.wait_for_messages(READER)
        reply = await ask(bot_api, READER, QUESTION)
        elsewhere = await ask(bot_api, STRANGER, QUESTION, user=STRANGER)
    link = f"https://t.me/riverton_live/{original['message_id']}"
    assert confirmation.reply_to_message_id == forward["message_id"]
    assert confirmation.text.startswith("Added Harbour bridge approved (Riverton Live · ")
    assert confirmation.links == [("Harbour bridge approved", link)]
    assert reply.text.split("\n\n")[1].startswith("— Harbour bridge approved · Riverton Live")
    assert reply.links == [("Harbour bridge approved", link)]
    assert elsewhere.text == "I couldn't find that in the articles I have."  # a forward is its chat's own


async def test_an_albums_captions_are_one_article_whichever_item_carries_them(bot_api, lede):
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        items = bot_api.post_album(CHANNEL, [None, "Ferry crews on the northern routes returned to work on Thursday.",
                                             "The nine-day ferry strike over pay ended with a new agreement."])
        for caption in ("Ferry crews", "agreement"):  # the two captioned items may be handled in either order
            await until_indexed(lede, f"tg{CHANNEL}-album-{items[0]['media_group_id']}", caption)
        reply = await ask(bot_api, READER, "how did the ferry strike end?")
    assert reply.text.startswith("The nine-day ferry strike over pay ended with a new agreement.")
    assert reply.links == [("Ferry crews on the northern routes returned to work on Thursday.",
                            f"https://t.me/riverton_live/{items[1]['message_id']}")]
    assert lede.store.article_count() == 1


async def test_a_headline_and_link_post_brings_the_linked_article_answered_from_the_post(bot_api, lede, web):
    public_channel(bot_api)
    headline = "Riverton approves its harbour bridge: the full story"
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        post = bot_api.post_to_channel(CHANNEL, headline, entities=[
            {"type": "text_link", "offset": 0, "length": 8, "url": web.url("/article.html")}])
        await until_kept(lede, 1)
        reply = await ask(bot_api, READER, "what will the bridge cost?")
    assert web.requests_for("/article.html")
    assert reply.text.startswith("The bridge will cost 40 million euros")
    assert reply.links == [("Riverton approves its harbour bridge: the full story",
                            f"https://t.me/riverton_live/{post['message_id']}")]


async def test_posts_without_text_and_channels_lede_does_not_administer_bring_nothing(bot_api, lede):
    public_channel(bot_api)
    bot_api.add_channel(-1001000000009, "Elsewhere", username="elsewhere")
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        bot_api.post_album(CHANNEL, [None])
        bot_api.post_to_channel(-1001000000009, BRIDGE)  # Telegram sends it no update
        bot_api.post_to_channel(CHANNEL, "Ferry crews returned to work on Thursday after a nine-day strike.")
        await until_kept(lede, 1)
    [article] = lede.store.articles()
    assert article.publisher == "Riverton Live" and article.title.startswith("Ferry crews")


# ---- posts from elsewhere, forwarded or reposted ----------------------------------------------

WIRE = -1001000000006
OPENING = "The mayor said on Friday that the harbour bridge will open in the spring of 2027."


def posted_by(bot_api: FakeBotApi, origin: str) -> tuple[dict, str, int]:
    """OPENING as ``origin`` posts it, to be forwarded: the message, whom Lede credits for it, and its chat."""
    if origin == "public channel":
        bot_api.add_channel(WIRE, "Coast Wire", username="coast_wire")
        return bot_api.post_to_channel(WIRE, OPENING), "Coast Wire", WIRE
    if origin == "private channel":
        bot_api.add_channel(PRIVATE_CHANNEL, "Council Insiders", creator=WRITER)
        return bot_api.post_to_channel(PRIVATE_CHANNEL, OPENING), "Council Insiders", PRIVATE_CHANNEL
    if origin == "chat":
        bot_api.add_group(GROUP, "Harbour Watch", type="supergroup")
        return bot_api.send_as_chat(GROUP, OPENING), "Harbour Watch", GROUP
    bot_api.add_private_chat(WRITER, "Ana")
    if origin == "hidden user":
        bot_api.hide_forwards(WRITER)
    return bot_api.send_user_message(WRITER, WRITER, OPENING), "Ana", WRITER


@pytest.mark.parametrize("origin", ["private channel", "user", "hidden user", "chat"])
async def test_forwards_from_a_private_channel_a_user_a_hidden_user_or_a_chat_are_cited_to_it(bot_api, lede, origin):
    message, publisher, source_chat = posted_by(bot_api, origin)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        bot_api.forward_message(READER, READER, source_chat, message["message_id"])
        [confirmation] = await bot_api.wait_for_messages(READER)
        bot_api.forward_message(READER, READER, source_chat, message["message_id"])
        again = (await bot_api.wait_for_messages(READER, 2))[-1]
        reply = await ask(bot_api, READER, "when will the harbour bridge open?")
    date = datetime.fromtimestamp(message["date"], UTC)
    assert confirmation.text.startswith(f"Added {OPENING} ({publisher} · {date.day} {date:%b %Y}): 1 sentence")
    assert again.text.startswith("I already have") and lede.store.article_count() == 1
    assert reply.text.startswith(OPENING) and f"· {publisher}" in reply.text
    assert reply.links == []  # only a public channel's post has a link to give


# ---- a channel's repost of someone else's post ------------------------------------------------

DAYS_LATER = 3 * 24 * 3600


def reposting_channel(bot_api: FakeBotApi) -> None:
    """Riverton Live, which Lede reads and ADMIN runs, reposts from elsewhere."""
    public_channel(bot_api)
    bot_api.set_member_status(CHANNEL, ADMIN, "administrator")


@pytest.mark.parametrize("origin", ["public channel", "private channel", "user", "hidden user", "chat"])
async def test_a_channels_repost_credits_the_original_its_date_and_its_post_via_the_reposting_channel(
        bot_api, lede, origin):
    reposting_channel(bot_api)
    original, credited, source_chat = posted_by(bot_api, origin)
    bot_api.pass_time(DAYS_LATER)  # reposted three days after it was first posted
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        repost = bot_api.forward_message(CHANNEL, ADMIN, source_chat, original["message_id"])
        await until_kept(lede, 1)
        reply = await ask(bot_api, READER, "when will the harbour bridge open?")
    [article] = lede.store.articles()
    date = datetime.fromtimestamp(original["date"], UTC)
    assert (article.publisher, article.published) == (f"{credited} via Riverton Live", date)
    assert reply.text.startswith(OPENING)
    assert reply.text.endswith(f"· {credited} via Riverton Live · {date.day} {date:%b %Y}")
    # The original post where it has a public address, else the repost, whose Telegram shows whom it forwards.
    linked = (f"https://t.me/coast_wire/{original['message_id']}" if origin == "public channel"
              else f"https://t.me/riverton_live/{repost['message_id']}")
    assert [url for _, url in reply.links] == [linked]


async def test_a_channels_repost_of_lede_s_own_answer_is_not_kept_as_news_citing_lede(bot_api, lede, caplog):
    reposting_channel(bot_api)
    caplog.set_level(logging.INFO, logger="bot.channel_handlers")
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        bot_api.post_to_channel(CHANNEL, BRIDGE)
        await until_kept(lede, 1)
        answer = await ask(bot_api, ADMIN, QUESTION, user=ADMIN)
        bot_api.forward_message(CHANNEL, ADMIN, ADMIN, answer.message_id)
        for _ in range(500):  # a channel's post gets no reply to wait for: its line in the log instead
            if "reposts one of my own messages" in caplog.text:
                break
            await asyncio.sleep(0.02)
        again = await ask(bot_api, READER, QUESTION)
    assert [article.publisher for article in lede.store.articles()] == ["Riverton Live"]
    assert "reposts one of my own messages" in caplog.text and not bot_api.sent_messages(CHANNEL)
    assert again.text.split("\n\n")[1].startswith("— Harbour bridge approved · Riverton Live")


async def test_a_forward_with_too_little_text_gets_a_one_line_reply(bot_api, lede):
    public_channel(bot_api, lede_is_admin=False)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        post = bot_api.post_to_channel(CHANNEL, "Big news soon!")
        bot_api.forward_message(READER, READER, CHANNEL, post["message_id"])
        [reply] = await bot_api.wait_for_messages(READER)
    assert reply.text == ("I couldn't add that: a forwarded post needs at least 8 words of text to be news, "
                          "and this one has fewer.")
    assert lede.store.article_count() == 0


async def test_lede_s_own_answer_forwarded_back_is_not_added_as_news_citing_lede(bot_api, lede):
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        bot_api.post_to_channel(CHANNEL, BRIDGE)
        await until_kept(lede, 1)
        answer = await ask(bot_api, READER, QUESTION)
        bot_api.forward_message(READER, READER, READER, answer.message_id)
        [*_, reply] = await bot_api.wait_for_messages(READER, 2)
        again = await ask(bot_api, READER, QUESTION)
    assert reply.text == OWN_MESSAGE
    assert lede.store.article_count() == 1
    assert again.text.split("\n\n")[1].startswith("— Harbour bridge approved · Riverton Live")

async def test_in_a_group_an_administrator_adds_a_forward_by_replying_add(bot_api, lede):
    public_channel(bot_api, lede_is_admin=False)
    bot_api.add_group(GROUP, "Newsroom", type="supergroup")
    bot_api.set_member_status(GROUP, ADMIN, "administrator")
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        original = bot_api.post_to_channel(CHANNEL, BRIDGE)
        forwarded = bot_api.forward_message(GROUP, READER, CHANNEL, original["message_id"])
        bot_api.send_user_message(GROUP, READER, "/add", reply_to_message_id=forwarded["message_id"])
        [refused] = await bot_api.wait_for_messages(GROUP)
        bot_api.send_user_message(GROUP, ADMIN, "/add", reply_to_message_id=forwarded["message_id"])
        added = (await bot_api.wait_for_messages(GROUP, 2))[-1]
        reply = await ask(bot_api, GROUP, QUESTION, user=READER)
    assert refused.text == ADMINS_ONLY
    assert added.text.startswith("Added Harbour bridge approved (Riverton Live")
    assert reply.links == [("Harbour bridge approved", f"https://t.me/riverton_live/{original['message_id']}")]


async def test_a_private_channels_posts_reach_its_administrators_and_linked_group_only(bot_api, lede):
    bot_api.add_channel(PRIVATE_CHANNEL, "Council Insiders", creator=ADMIN, linked_chat_id=DISCUSSION)
    bot_api.set_member_status(PRIVATE_CHANNEL, bot_api.bot_user["id"], "administrator")
    bot_api.add_group(DISCUSSION, "Council Insiders Chat", type="supergroup")
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        post = bot_api.post_to_channel(PRIVATE_CHANNEL, "Budget talks resume on Monday after the mayor and the unions agreed terms.")
        bot_api.post_to_channel(PRIVATE_CHANNEL, "The unions asked for a pay rise of four percent over two years.")
        await until_kept(lede, 2)
        question = "when do budget talks resume?"
        admin = await ask(bot_api, ADMIN, question, user=ADMIN)
        group = await ask(bot_api, DISCUSSION, question, user=STRANGER)
        stranger = await ask(bot_api, STRANGER, question, user=STRANGER)
    # Read once for both posts: the audience is trusted for AUDIENCE_TTL.
    assert [len(bot_api.requests_for(method)) for method in ("getChat", "getChatAdministrators")] == [1, 1]
    assert admin.text.startswith("Budget talks resume on Monday")
    assert admin.links == [(admin.links[0][0], f"https://t.me/c/1000000002/{post['message_id']}")]
    assert group.text.startswith("Budget talks resume on Monday")
    assert stranger.text == "I couldn't find that in the articles I have."


def test_a_briefing_groups_a_channels_post_with_a_web_article_on_the_same_story(lede):
    now = datetime.now(UTC)
    channel = Chat(CHANNEL, "Riverton Live", "riverton_live")
    lede.posts.receive(Post(channel, 5, now - timedelta(hours=2), "Riverton council approves harbour bridge\n"
                            "The Riverton city council approved the harbour bridge on Monday, a project of 40 million euros."))
    web = lede.sources.add_document("bridge.html", (
        b"<html><head><title>Council approves Riverton harbour bridge</title></head><body><article>"
        b"<p>The Riverton city council approved the new harbour bridge on Monday after a long debate.</p>"
        b"<p>The bridge will cost 40 million euros, the council said.</p></article></body></html>"), READER)
    assert web.new
    [story] = lede.briefings.brief(READER, now=now).stories
    assert sorted(item.article.publisher or "" for item in story.items) == ["", "Riverton Live"]


async def test_a_forwarded_document_is_still_read_as_a_document(bot_api, lede):
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    bot_api.add_private_chat(WRITER, "Ana")
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        sent = bot_api.send_user_document(WRITER, WRITER, "budget.txt", notes, mime_type="text/plain")
        await bot_api.wait_for_messages(WRITER)
        bot_api.forward_message(READER, READER, WRITER, sent["message_id"])
        [reply] = await bot_api.wait_for_messages(READER)
    assert reply.text.startswith("I already have Council Budget Passes")


async def test_a_post_lede_fails_to_keep_gets_no_reply_in_the_channel(bot_api, analyzer, tmp_path, monkeypatch, caplog):
    # A read-only store refuses every post; the channel's readers must not see Lede's apology under it.
    db = tmp_path / "lede.db"
    Store.open(db).close()
    monkeypatch.setattr("corpus.store.check_database_path", lambda path, **_: DatabaseFile(path, read_only=True))
    read_only = Lede.compose(SentenceIndex(analyzer), Store.open(db), fetch_policy=LOCAL_ONLY)
    public_channel(bot_api)
    async with polling(application(bot_api, read_only), allowed_updates=ALLOWED_UPDATES):
        bot_api.post_to_channel(CHANNEL, BRIDGE)
        for _ in range(500):
            if "Refused a change" in caplog.text:
                break
            await asyncio.sleep(0.02)
        await bot_api.assert_no_messages(CHANNEL)
    read_only.close()
    assert "Refused a change" in caplog.text
    assert not bot_api.sent_messages(CHANNEL)


# ---- "Context" under an answer whose post was edited since ----------------------------------------


COSTS = ("Harbour bridge approved\nThe Riverton council voted 7 to 2 on Tuesday to build a new bridge across the harbour. "
         "Work will start in the spring. The bridge will cost 40 million euros, the council said.")
COST = "The bridge will cost 40 million euros, the council said."


# The post edited to hold two sentences more before the answer's.
GAINED_SENTENCES = COSTS.replace(
    "The Riverton council", "The mayor welcomed the vote. Critics called it rushed. The Riverton council")


async def answer_then_edit(bot_api: FakeBotApi, lede: Lede, edited: str, marker: str):
    """(Polling.) Post the costs, ask what the bridge costs, then let the channel edit its post to ``edited``
    (which has ``marker``) and wait until the edit is indexed: the answer given before the edit."""
    post = bot_api.post_to_channel(CHANNEL, COSTS)
    article_id = f"tg{CHANNEL}-{post['message_id']}"
    await until_indexed(lede, article_id, "40 million")
    answer = await ask(bot_api, READER, "how much will the bridge cost?")
    bot_api.edit_channel_post(CHANNEL, post["message_id"], edited)
    await until_indexed(lede, article_id, marker)
    assert answer.text.startswith(COST)
    return answer


async def press_after_edit(bot_api: FakeBotApi, lede: Lede, edited: str, marker: str, button: str = "Context"):
    """Ask about the cost, let the channel edit its post to ``edited`` (which has ``marker``), then press ``button``
    under the old answer: what the button's notice says, and the messages that follow the answer."""
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        answer = await answer_then_edit(bot_api, lede, edited, marker)
        buttons = {b["text"]: b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row}
        bot_api.send_callback_query(READER, READER, answer.message_id, buttons[button])
        [answered] = await bot_api.wait_for_request("answerCallbackQuery")
        if "text" not in answered:  # a plain acknowledgement: the context follows as a reply
            await bot_api.wait_for_messages(READER, 2)
        await bot_api.assert_no_messages(READER)
    return answered, bot_api.sent_messages(READER)[1:]


async def test_context_bolds_the_answered_sentence_after_its_post_gains_sentences_before_it(bot_api, lede):
    answered, [context] = await press_after_edit(bot_api, lede, GAINED_SENTENCES, "Critics")
    assert "text" not in answered
    assert context.parts("bold") == [COST]
    assert context.text.startswith("… The Riverton council voted 7 to 2 on Tuesday") and "Critics" not in context.text


async def test_context_of_a_sentence_the_edit_changed_says_so_instead_of_bolding_another(bot_api, lede):
    answered, sent = await press_after_edit(bot_api, lede, COSTS.replace("40 million", "52 million"), "52 million")
    assert answered["text"] == SENTENCE_EDITED
    assert sent == []


async def test_more_after_an_edit_still_leaves_out_the_answer_already_shown(bot_api, lede):
    answered, [more] = await press_after_edit(bot_api, lede, GAINED_SENTENCES, "Critics", button="More")
    assert more.text.startswith("1. ")
    assert COST not in more.text


@pytest.mark.parametrize("how", ["asked again", "as a reply to the answer"])
async def test_a_follow_up_after_the_post_was_edited_does_not_give_the_same_answer_again(bot_api, lede, how):
    public_channel(bot_api)
    async with polling(application(bot_api, lede), allowed_updates=ALLOWED_UPDATES):
        answer = await answer_then_edit(bot_api, lede, GAINED_SENTENCES, "Critics")
        if how == "asked again":
            again = await ask(bot_api, READER, "what else?")
        else:
            bot_api.send_user_message(READER, READER, "what else?", reply_to_message_id=answer.message_id)
            [*_, again] = await bot_api.wait_for_messages(READER, 2)
    assert COST not in again.text
