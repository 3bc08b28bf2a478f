"""The fake Bot API is only useful if it is as strict as Telegram: these tests pin that down."""

from __future__ import annotations

import asyncio
import http.server
import json
import re
import threading
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.support.bot_api import FakeBotApi, polling
from tests.support.telegram_html import HtmlError, parse_html

USER = 42


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    bot_api.add_private_chat(USER, "Ada")
    async with Bot(bot_api.token, base_url=bot_api.base_url, base_file_url=bot_api.base_file_url) as bot:
        yield bot


def test_valid_html_becomes_visible_text_and_entities() -> None:
    text, entities = parse_html('<b>a</b> &lt; <a href="https://x.y/?a=1&amp;b=2">t</a>&#x1F600;&#33;')
    assert text == "a < t\U0001f600!"
    assert entities == [
        {"offset": 0, "length": 1, "type": "bold"},
        {"offset": 4, "length": 1, "type": "text_link", "url": "https://x.y/?a=1&b=2"},
    ]


def test_pre_code_language_spoiler_and_expandable_blockquote() -> None:
    html = ('<pre><code class="language-python">x</code></pre><span class="tg-spoiler">s</span>'
            "<blockquote expandable>q <i>i</i></blockquote>")
    assert parse_html(html)[1] == [
        {"offset": 0, "length": 1, "type": "pre", "language": "python"},
        {"offset": 1, "length": 1, "type": "spoiler"},
        {"offset": 2, "length": 3, "type": "expandable_blockquote"},
        {"offset": 4, "length": 1, "type": "italic"},
    ]


@pytest.mark.parametrize(
    "html",
    ["a < b", "a > b", "AT&T", "a&nbsp;b", "&lt", "<b>x", "<b><i>x</b></i>", "x</b>", "<p>x</p>",
     "<br/>", '<span class="x">s</span>', '<a href="/relative">t</a>', "<code><b>x</b></code>",
     '<a href="https://x.y"><a href="https://x.y">t</a></a>', "&#xD800;"],
)
def test_invalid_html_is_rejected(html: str) -> None:
    with pytest.raises(HtmlError):
        parse_html(html)


async def test_length_is_counted_in_utf16_after_parsing(bot: Bot, bot_api: FakeBotApi) -> None:
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "a" * 4095 + "\U0001f600")
    with pytest.raises(BadRequest, match="(?i)can't parse entities: unsupported start tag \"p\""):
        await bot.send_message(USER, "<p>x</p>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")
    assert [sent.text for sent in bot_api.sent_messages(USER)] == ["a" * 4096]
    assert bot_api.sent_messages(USER)[0].parts("bold") == ["a" * 4096]


async def test_unknown_chat_reply_target_and_callback_data_are_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(7, "hi")
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(USER, "hi", reply_parameters=ReplyParameters(99))
    lenient = ReplyParameters(99, allow_sending_without_reply=True)
    await bot.send_message(USER, "hi", reply_parameters=lenient)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]])
        await bot.send_message(USER, "hi", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
        await bot.send_message(USER, "*hi*", parse_mode="MarkdownV2")


async def test_wrong_token_and_unknown_method(bot_api: FakeBotApi) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{bot_api.base_url}1:WRONG/getMe")
        unknown = await client.post(f"{bot_api.base_url}{bot_api.token}/sendPhoto")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(InvalidToken):
        await Bot("1:WRONG", base_url=bot_api.base_url).initialize()


@pytest.mark.parametrize("encoding", ["form", "multipart", "json", "query"])
async def test_parameters_are_decoded_like_telegram_does(bot_api: FakeBotApi, encoding: str) -> None:
    bot_api.add_private_chat(USER)
    fields = {"chat_id": "42", "text": "123", "link_preview_options": '{"is_disabled": true}'}
    url = f"{bot_api.base_url}{bot_api.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        if encoding == "json":
            body = {"chat_id": 42, "text": "123", "link_preview_options": {"is_disabled": True}}
            response = await client.post(url, json=body)
        elif encoding == "query":
            response = await client.get(url, params=fields)
        else:
            files = {"thumbnail": ("t.bin", b"\0")} if encoding == "multipart" else None
            response = await client.post(url, data=fields, files=files)
    assert response.json()["ok"], response.json()
    [sent] = bot_api.sent_messages(USER)
    assert (sent.raw_text, sent.link_preview_options) == ("123", {"is_disabled": True})


async def test_user_documents_download_through_get_file_and_bot_documents_are_recorded(
    bot: Bot, bot_api: FakeBotApi
) -> None:
    sent = bot_api.send_user_document(USER, USER, "notes.txt", b"Hello, file.", caption="for you")
    file = await bot.get_file(sent["document"]["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"Hello, file."
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("DOC999999")
    async with httpx.AsyncClient() as client:
        wrong_token = await client.get(f"{bot_api.base_file_url}1:WRONG/documents/{sent['document']['file_id']}")
    assert wrong_token.status_code == 404
    reply = await bot.send_document(USER, b"<opml/>", filename="feeds.opml", caption="Your feeds",
                                    reply_parameters=ReplyParameters(sent["message_id"]))
    [document] = bot_api.sent_documents(USER)
    assert (document.file_name, document.content, document.caption) == ("feeds.opml", b"<opml/>", "Your feeds")
    assert document.reply_to_message_id == sent["message_id"] and reply.document.file_name == "feeds.opml"
    with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
        await bot.send_document(USER, b"", filename="empty.txt")


async def test_callback_queries_and_edits_are_checked(bot: Bot, bot_api: FakeBotApi) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="more:1")]])
    sent = await bot.send_message(USER, "answer", reply_markup=markup)
    query_id = bot_api.send_callback_query(USER, USER, sent.message_id, "more:1")
    assert await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="(?i)query id is invalid"):
        await bot.answer_callback_query(query_id)
    await bot.edit_message_text("<b>more</b>", USER, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("<b>more</b>", USER, sent.message_id, parse_mode="HTML")
    [edit] = bot_api.edits(USER)
    assert (edit.parts("bold"), edit.reply_markup) == (["more"], None)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_injects_errors(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "hi")
    await bot.send_message(USER, "hi")
    assert len(bot_api.requests_for("sendMessage")) == 2


async def test_injected_failures_can_target_one_chat(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_private_chat(7, "Bo")
    bot_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=USER)
    await bot.send_message(7, "other chats are unaffected")
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hi")
    await bot.send_message(USER, "hi again")
    assert [message.text for message in bot_api.sent_messages()] == ["other chats are unaffected", "hi again"]


async def test_a_dropped_connection_is_a_network_error_and_a_held_reply_arrives_late(
    bot: Bot, bot_api: FakeBotApi
) -> None:
    bot_api.drop_next("sendMessage")
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(USER, "lost")
    assert not isinstance(raised.value, BadRequest)
    bot_api.delay_next("sendMessage", 0.5)
    started = time.monotonic()
    await bot.send_message(USER, "late")
    assert time.monotonic() - started >= 0.5
    assert [message.text for message in bot_api.sent_messages()] == ["late"]
    assert len(bot_api.requests_for("sendMessage")) == 2


async def test_a_blocked_or_removed_bot_gets_403_and_a_my_chat_member_update(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_group(-5, "Club")
    bot_api.send_my_chat_member(USER, USER, "kicked")
    bot_api.send_my_chat_member(-5, USER, "left")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(-5, "hi")
    blocked, removed = [update.my_chat_member for update in await bot.get_updates()]
    assert (blocked.chat.id, blocked.old_chat_member.status, blocked.new_chat_member.status) == (USER, "member", "kicked")
    assert (removed.chat.id, removed.new_chat_member.status) == (-5, "left")
    bot_api.send_my_chat_member(USER, USER, "member")
    await bot.send_message(USER, "welcome back")


async def test_group_privacy_mode_and_member_status(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_group(-100, "News", type="supergroup")
    bot_api.set_member_status(-100, USER, "creator")
    bot_api.send_user_message(-100, USER, "what about @lede_test_bot?")
    command = bot_api.send_user_message(-100, USER, "/ask@lede_test_bot oil")
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 18}]
    assert [update["message"]["text"] for update in bot_api.pending_updates()] == [command["text"]]
    assert (await bot.get_chat_member(-100, USER)).status == "creator"
    assert (await bot.get_chat(-100)).title == "News"


async def test_long_poll_ends_when_the_server_stops() -> None:
    server = FakeBotApi().start()
    poll = threading.Thread(
        target=httpx.post, args=(f"{server.base_url}{server.token}/getUpdates",),
        kwargs={"data": {"timeout": "30"}, "timeout": 40},
    )
    poll.start()
    await asyncio.sleep(0.2)
    started = time.monotonic()
    server.stop()
    poll.join()
    assert time.monotonic() - started < 2


async def test_round_trip_with_python_telegram_bot(bot_api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_html(f"<i>{update.message.text}</i>", do_quote=True)

    app = ApplicationBuilder().token(bot_api.token).base_url(bot_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    started = time.monotonic()
    async with polling(app):
        sent = bot_api.send_user_message(USER, USER, "hello")
        [reply] = await bot_api.wait_for_messages(USER)
    assert time.monotonic() - started < 5
    assert (reply.text, reply.parts("italic")) == ("hello", ["hello"])
    assert reply.reply_to_message_id == sent["message_id"]
    assert [request.method for request in bot_api.requests[:3]] == ["getMe", "deleteWebhook", "getUpdates"]
    assert not bot_api.pending_updates()


# ---- inline mode and the bot's own membership -----------------------------------------------


async def _next_update(bot: Bot) -> Update:
    for _ in range(50):
        updates = await bot.get_updates(timeout=0)
        if updates:
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            return updates[0]
        await asyncio.sleep(0.02)
    raise AssertionError("no update arrived")


async def test_an_inline_query_is_answered_with_checked_results(bot: Bot, bot_api: FakeBotApi) -> None:
    from telegram import InlineQueryResultArticle, InputTextMessageContent

    assert (await bot.get_me()).supports_inline_queries
    query_id = bot_api.send_inline_query(USER, "who won?")
    update = await _next_update(bot)
    assert update.inline_query.query == "who won?" and update.inline_query.id == query_id

    def article(result_id: str, html: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(result_id, "A title", InputTextMessageContent(html, parse_mode="HTML"))

    with pytest.raises(BadRequest, match="(?i)result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article("1", "a"), article("1", "b")])
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.answer_inline_query(query_id, [article("1", "<b>a")])
    assert await bot.answer_inline_query(query_id, [article("1", "<b>Team A</b> won &amp; left")], cache_time=30)
    answer = bot_api.inline_answer(query_id)
    assert answer["cache_time"] == 30
    assert answer["results"][0]["input_message_content"]["visible_text"] == "Team A won & left"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_inline_query(query_id, [])


async def test_a_picked_inline_result_is_sent_as_the_users_message_via_the_bot(bot: Bot, bot_api: FakeBotApi) -> None:
    from telegram import InlineQueryResultArticle, InputTextMessageContent

    query_id = bot_api.send_inline_query(USER, "who won?")
    await _next_update(bot)
    content = InputTextMessageContent("<b>Team A</b> won", parse_mode="HTML")
    await bot.answer_inline_query(query_id, [InlineQueryResultArticle("r1", "A title", content)])
    bot_api.pick_inline_result(USER, USER, query_id, "r1")
    message = (await _next_update(bot)).message
    assert message.text == "Team A won" and message.entities[0].type == "bold"
    assert message.from_user.id == USER and message.via_bot.id == (await bot.get_me()).id


async def test_the_button_above_inline_results_needs_a_label_and_a_valid_start_parameter(bot: Bot, bot_api: FakeBotApi) -> None:
    from telegram import InlineQueryResultsButton

    query_id = bot_api.send_inline_query(USER, "")
    await _next_update(bot)
    with pytest.raises(BadRequest, match="(?i)start_param_invalid"):
        await bot.answer_inline_query(query_id, [], button=InlineQueryResultsButton("Open", start_parameter="no spaces"))
    with pytest.raises(BadRequest, match="(?i)button_type_invalid"):
        await bot.answer_inline_query(query_id, [], button=InlineQueryResultsButton("Open"))
    assert await bot.answer_inline_query(query_id, [], button=InlineQueryResultsButton("Open", start_parameter="x-1"))
    assert bot_api.inline_answer(query_id)["button"] == {"text": "Open", "start_parameter": "x-1"}


async def test_a_group_upgraded_to_a_supergroup_moves_to_a_new_id_and_refuses_the_old_one(bot: Bot,
                                                                                          bot_api: FakeBotApi) -> None:
    from telegram.error import ChatMigrated

    bot_api.add_group(-500, "Desk")
    new_id = bot_api.migrate_to_supergroup(-500, USER)
    moved, arrived, joined = await bot.get_updates(timeout=0)
    assert (moved.message.chat.id, moved.message.migrate_to_chat_id) == (-500, new_id)
    assert (arrived.message.chat.id, arrived.message.migrate_from_chat_id, arrived.message.chat.type) == (
        new_id, -500, "supergroup")
    assert (joined.my_chat_member.chat.id, joined.my_chat_member.new_chat_member.status) == (new_id, "member")
    with pytest.raises(ChatMigrated) as refused:
        await bot.send_message(-500, "hello")
    assert refused.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "hello")).chat.id == new_id


async def test_a_chat_that_removed_or_blocked_the_bot_refuses_its_messages(bot: Bot, bot_api: FakeBotApi) -> None:
    from telegram.error import Forbidden

    bot_api.add_group(-500, "Gone")
    bot_api.send_my_chat_member(-500, USER, "kicked")
    update = await _next_update(bot)
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.old_chat_member.status == "member"
    with pytest.raises(Forbidden, match="kicked from the group chat"):
        await bot.send_message(-500, "hello?")
    bot_api.set_member_status(USER, bot_api.bot_user["id"], "kicked")
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hello?")


async def test_a_closed_forum_topic_refuses_a_bot_that_is_no_administrator(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_group(-1009, "Forum", type="supergroup", is_forum=True)
    topic = bot_api.add_topic(-1009, "Morning", created_by=USER)
    bot_api.close_topic(-1009, topic)
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(-1009, "hello?", message_thread_id=topic)
    await bot.send_message(-1009, "hello?")  # the group's main thread is open
    bot_api.set_member_status(-1009, bot_api.bot_user["id"], "administrator")
    await bot.send_message(-1009, "hello?", message_thread_id=topic)


@pytest.mark.parametrize(
    ("url", "secret", "reason"),
    [("http://lede.example.org/hook", "s3cret", "An HTTPS URL must be provided"),
     ("https://lede.example.org:8080/hook", "s3cret", "only on ports 80, 88, 443 or 8443"),
     ("https://127.0.0.1/hook", "s3cret", "IP address 127.0.0.1 is reserved"),
     ("https://10.1.2.3:8443/hook", "s3cret", "IP address 10.1.2.3 is reserved"),
     ("https://lede.example.org/hook", "not secret!", "secret token contains unallowed characters"),
     ("https://lede.example.org/hook", "x" * 257, "secret token contains unallowed characters")],
)
async def test_set_webhook_is_refused_as_telegram_refuses_it(bot: Bot, bot_api: FakeBotApi, url: str, secret: str,
                                                             reason: str) -> None:
    with pytest.raises(BadRequest, match=f"(?i){re.escape(reason)}"):  # PTB rewords the case
        await bot.set_webhook(url, secret_token=secret)
    assert bot_api.webhook is None


async def test_while_a_webhook_is_set_get_updates_conflicts_and_updates_go_to_the_webhook(
    bot: Bot, bot_api: FakeBotApi
) -> None:
    await bot.set_webhook("https://lede.example.org:8443/tg/hook", secret_token="s3cret-Token_1")
    assert bot_api.webhook is not None and bot_api.webhook["secret_token"] == "s3cret-Token_1"
    assert (await bot.get_webhook_info()).url == "https://lede.example.org:8443/tg/hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    received: list[tuple[str, str | None, dict]] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
            self.send_response(200 if len(received) > 1 else 500)  # the first delivery fails and is kept
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy) as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        bot_api.send_user_message(USER, USER, "hello")
        via = f"http://127.0.0.1:{proxy.server_address[1]}"
        assert await asyncio.to_thread(bot_api.deliver_webhook_updates, via) == [500]
        assert len(bot_api.pending_updates()) == 1, "an update the webhook refused is kept for the next delivery"
        assert await asyncio.to_thread(bot_api.deliver_webhook_updates, via) == [200]
        proxy.shutdown()
    assert bot_api.pending_updates() == []
    path, secret, update = received[-1]
    assert (path, secret, update["message"]["text"]) == ("/tg/hook", "s3cret-Token_1", "hello")

    await bot.delete_webhook()
    assert bot_api.webhook is None and await bot.get_updates() == ()


async def test_a_channels_posts_reach_the_bot_only_while_it_is_an_administrator(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_channel(-1001, "Wire", username="wire", creator=USER, linked_chat_id=-1002)
    bot_api.post_to_channel(-1001, "Before Lede was an administrator.")
    assert bot_api.pending_updates() == []
    with pytest.raises(Forbidden):
        await bot.get_chat_administrators(-1001)
    bot_api.set_member_status(-1001, bot_api.bot_user["id"], "administrator")
    post = bot_api.post_to_channel(-1001, "Read more", entities=[
        {"type": "text_link", "offset": 5, "length": 4, "url": "https://x.y/a"}])
    bot_api.edit_channel_post(-1001, post["message_id"], "Read all https://x.y/b")
    album = bot_api.post_album(-1001, [None, "A caption"])
    posted, edited, *photos = await bot.get_updates()
    assert (posted.channel_post.chat.type, posted.channel_post.from_user, posted.channel_post.sender_chat.id) == (
        "channel", None, -1001)
    assert posted.channel_post.entities[0].url == "https://x.y/a"
    assert edited.edited_channel_post.text == "Read all https://x.y/b" and edited.edited_channel_post.edit_date
    assert edited.edited_channel_post.entities[0].type == "url"
    assert [update.channel_post.caption for update in photos] == [None, "A caption"]
    assert {update.channel_post.media_group_id for update in photos} == {album[0]["media_group_id"]}
    assert (await bot.get_chat(-1001)).linked_chat_id == -1002
    assert {member.user.id for member in await bot.get_chat_administrators(-1001)} == {USER, bot_api.bot_user["id"]}
    with pytest.raises(BadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(USER)
    with pytest.raises(ValueError):
        bot_api.add_channel(-5, "Not a channel id")
    with pytest.raises(ValueError):
        bot_api.post_to_channel(-1001, "x", entities=[{"type": "text_link", "offset": 0, "length": 5, "url": "https://x"}])


async def test_writing_as_the_group_or_as_a_channel_comes_from_telegrams_stand_in_senders(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.privacy_mode = False
    bot_api.add_group(-1003, "Club", type="supergroup")
    bot_api.add_group(-4, "Basic")
    bot_api.add_channel(-1001, "Wire")
    bot_api.send_as_chat(-1003, "as the group")
    bot_api.send_as_chat(-1003, "as a channel", as_channel=-1001)
    anonymous, channel = [update.message for update in await bot.get_updates()]
    assert (anonymous.from_user.username, anonymous.sender_chat.id) == ("GroupAnonymousBot", -1003)
    assert (channel.from_user.username, channel.sender_chat.id) == ("Channel_Bot", -1001)
    with pytest.raises(ValueError, match="supergroup"):
        bot_api.send_as_chat(-4, "a basic group has no anonymous administrators")
    with pytest.raises(ValueError, match="not a channel"):
        bot_api.send_as_chat(-1003, "only a channel can be written as", as_channel=-4)


async def test_forwards_carry_the_origin_telegram_gives_them(bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_channel(-1001, "Wire", username="wire")
    bot_api.add_group(-1003, "Club", type="supergroup")
    bot_api.add_private_chat(7, "Ana")
    bot_api.add_private_chat(8, "Bo")
    bot_api.hide_forwards(8)
    sources = [bot_api.post_to_channel(-1001, "channel post"), bot_api.send_as_chat(-1003, "as the group"),
               bot_api.send_user_message(7, 7, "from Ana"), bot_api.send_user_message(8, 8, "from Bo")]
    for source in sources:
        bot_api.forward_message(USER, USER, source["chat"]["id"], source["message_id"])
    channel, chat, user, hidden = [update.message.forward_origin for update in (await bot.get_updates())[-4:]]
    assert (channel.type, channel.chat.username, channel.message_id) == ("channel", "wire", sources[0]["message_id"])
    assert (chat.type, chat.sender_chat.title) == ("chat", "Club")
    assert (user.type, user.sender_user.id) == ("user", 7)
    assert (hidden.type, hidden.sender_user_name) == ("hidden_user", "Bo")


async def test_a_channel_reposts_a_post_as_a_channel_post_that_carries_the_original_origin_and_date(
        bot: Bot, bot_api: FakeBotApi) -> None:
    bot_api.add_channel(-1001, "Wire", username="wire")
    bot_api.add_channel(-1002, "Digest", username="digest", creator=USER)
    bot_api.add_private_chat(7, "Ana")
    bot_api.set_member_status(-1002, bot_api.bot_user["id"], "administrator")
    sources = [bot_api.post_to_channel(-1001, "channel post"), bot_api.send_user_message(7, 7, "from Ana")]
    bot_api.pass_time(3 * 24 * 3600)
    reposts = [bot_api.forward_message(-1002, USER, source["chat"]["id"], source["message_id"]) for source in sources]
    channel, user = [update.channel_post for update in await bot.get_updates() if update.channel_post]
    assert (channel.chat.id, channel.sender_chat.id, channel.from_user) == (-1002, -1002, None)
    assert (channel.forward_origin.chat.username, channel.forward_origin.message_id) == ("wire", sources[0]["message_id"])
    assert user.forward_origin.sender_user.id == 7
    assert [int(post.forward_origin.date.timestamp()) for post in (channel, user)] == [s["date"] for s in sources]
    assert all(repost["date"] >= source["date"] + 3 * 24 * 3600 for repost, source in zip(reposts, sources))
    with pytest.raises(ValueError, match="does not administer"):
        bot_api.forward_message(-1002, 7, -1001, sources[0]["message_id"])  # only its administrators post there
    with pytest.raises(ValueError, match="forwarded"):
        bot_api.edit_channel_post(-1002, reposts[0]["message_id"], "an edited repost")  # nobody edits a forward
