"""Sources in Telegram, end to end: /add, documents, /feed, /sources and admin rights in groups."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from bot.config import Config, Mode
from bot.service import Lede
from bot.group_handlers import SCHEDULE_ADMINS_ONLY
from bot.telegram_app import ADMINS_ONLY, FOLLOW_STORE_INTERVAL, build_application
from corpus.article import Article
from corpus.fetch import FetchPolicy
from corpus.feeds import parse_opml
from corpus.store import Store
from retrieval.index import SentenceIndex
from tests.support.bot_api import FakeBotApi, polling
from tests.support.web_server import ARTICLE_HTML, Reply, big_feed

USER, ADMIN, GROUP = 1001, 1002, -3003
LOCAL_ONLY = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5)


@pytest.fixture
def lede(analyzer) -> Lede:
    return Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=LOCAL_ONLY, max_upload_bytes=2_000_000)


def application(server: FakeBotApi, lede: Lede, feed_interval: float = 900):
    config = Config(mode=Mode.TELEGRAM, token=server.token, base_url=server.base_url, feed_interval=feed_interval)
    return build_application(config, lede)


async def ask(bot_api: FakeBotApi, chat: int, question: str) -> str:
    before = len(bot_api.sent_messages(chat))
    bot_api.send_user_message(chat, USER if chat > 0 else ADMIN, question if chat > 0 else f"/ask {question}")
    return (await bot_api.wait_for_messages(chat, before + 1))[-1].text


async def test_add_confirms_title_publisher_and_sentences_and_the_chat_can_ask_about_it(bot_api, lede, web):
    async with polling(application(bot_api, lede)):
        command = bot_api.send_user_message(USER, USER, f"/add {web.url('/article.html')}")
        [reply] = await bot_api.wait_for_messages(USER)
        answer = await ask(bot_api, USER, "what will the bridge cost?")
    assert reply.reply_to_message_id == command["message_id"]
    assert reply.text == "Added Harbour Bridge Approved (The Riverton Daily · 14 Feb 2025): 4 sentences. Ask me about it."
    assert reply.links == [("Harbour Bridge Approved", web.url("/article.html"))]
    assert answer.startswith("The bridge will cost 40 million euros")


async def test_add_of_a_page_whose_text_changed_since_says_it_was_updated_and_answers_from_the_new_text(
        bot_api, lede, web):
    web.routes["/news/bridge-cost"] = lambda request: Reply(body=ARTICLE_HTML.encode())
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, f"/add {web.url('/news/bridge-cost')}")
        await bot_api.wait_for_messages(USER)
        corrected = ARTICLE_HTML.replace("40 million euros", "45 million euros").encode()
        web.routes["/news/bridge-cost"] = lambda request: Reply(body=corrected)
        bot_api.send_user_message(USER, USER, f"/add {web.url('/news/bridge-cost')}")
        [_, updated] = await bot_api.wait_for_messages(USER, 2)
        answer = await ask(bot_api, USER, "what will the bridge cost?")
    assert updated.text == ("Updated Harbour Bridge Approved (The Riverton Daily · 14 Feb 2025): 4 sentences."
                            " Ask me about it.")
    assert answer.startswith("The bridge will cost 45 million euros")


async def test_add_of_a_dead_url_says_why_and_without_a_url_says_how(bot_api, lede, web):
    async with polling(application(bot_api, lede)):
        dead_command = bot_api.send_user_message(USER, USER, f"/add {web.url('/missing')}")
        bot_api.send_user_message(USER, USER, "/add")
        replies = await bot_api.wait_for_messages(USER, 2)  # handled concurrently: in either order
        dead, usage = sorted(replies, key=lambda reply: reply.reply_to_message_id != dead_command["message_id"])
    assert dead.text == f"I couldn't add that: {web.url('/missing')} answered 404 Not Found."
    # The console's usage line, with Telegram's way to give a file ("Send /add <url> …" said it otherwise).
    assert usage.text == "Usage: /add <url> for a news article on the web, or send me its file (.txt, .md or .html)."


async def test_a_document_becomes_an_article_and_an_oversized_one_is_refused_unread(bot_api, lede):
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    async with polling(application(bot_api, lede)):
        bot_api.send_user_document(USER, USER, "budget.txt", notes, mime_type="text/plain")
        [added] = await bot_api.wait_for_messages(USER)
        bot_api.send_user_document(USER, USER, "huge.txt", b"a" * 2_500_000)
        [_, refused] = await bot_api.wait_for_messages(USER, 2)
        answer = await ask(bot_api, USER, "when did the council pass the 2026 budget?")
    assert added.text == "Added Council Budget Passes: 1 sentence. Ask me about it."
    assert refused.text == "I couldn't add that: huge.txt is 2.5 MB; I take documents up to 2 MB."
    assert len(bot_api.requests_for("getFile")) == 1, "the oversized file was never downloaded"
    assert answer.startswith("The council passed the 2026 budget on Monday")


async def test_a_document_sent_again_with_its_text_changed_says_it_was_updated_and_answers_from_the_new_text(
        bot_api, lede):
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    async with polling(application(bot_api, lede)):
        bot_api.send_user_document(USER, USER, "budget.txt", notes, mime_type="text/plain")
        await bot_api.wait_for_messages(USER)
        bot_api.send_user_document(USER, USER, "budget.txt", notes.replace(b"nine votes to four", b"ten votes to three"),
                                   mime_type="text/plain")
        [_, updated] = await bot_api.wait_for_messages(USER, 2)
        answer = await ask(bot_api, USER, "by how many votes did the council pass the 2026 budget?")
    assert updated.text == "Updated Council Budget Passes: 1 sentence. Ask me about it."
    assert answer.startswith("The council passed the 2026 budget on Monday by ten votes to three")
    assert lede.store.article_count() == 1


async def test_a_file_in_a_group_is_added_only_when_its_caption_is_add_for_lede(bot_api, lede):
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.set_member_status(GROUP, ADMIN, "administrator")
    bot_api.privacy_mode = False  # the bot sees every file, other bots' commands included
    async with polling(application(bot_api, lede)):
        for caption in ("/add@some_other_bot", "/address book for the newsroom", "budget notes"):
            bot_api.send_user_document(GROUP, ADMIN, "budget.txt", notes, caption=caption)
        await bot_api.assert_no_messages(GROUP, within=1.0)
        bot_api.send_user_document(GROUP, ADMIN, "budget.txt", notes, caption="/ADD@Lede_Test_Bot")
        [added] = await bot_api.wait_for_messages(GROUP)
    assert added.text == "Added Council Budget Passes: 1 sentence. Ask me about it."


@pytest.mark.parametrize("shared", ["sent in the group", "forwarded to the group"])
async def test_in_a_group_an_administrator_adds_a_file_by_replying_add_to_it(bot_api, lede, shared):
    notes = b"Council Budget Passes\n\nThe council passed the 2026 budget on Monday by nine votes to four.\n"
    elsewhere = -4004
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.add_group(elsewhere, "Council watchers")
    bot_api.set_member_status(GROUP, ADMIN, "administrator")
    async with polling(application(bot_api, lede)):
        if shared == "sent in the group":
            file = bot_api.send_user_document(GROUP, USER, "budget.txt", notes)
        else:
            original = bot_api.send_user_document(elsewhere, USER, "budget.txt", notes)
            file = bot_api.forward_message(GROUP, USER, elsewhere, original["message_id"])
        bot_api.send_user_message(GROUP, ADMIN, "/add", reply_to_message_id=file["message_id"])
        [added] = await bot_api.wait_for_messages(GROUP)
        answer = await ask(bot_api, GROUP, "when did the council pass the 2026 budget?")
    assert added.text == "Added Council Budget Passes: 1 sentence. Ask me about it."
    assert answer.startswith("The council passed the 2026 budget on Monday")

# In a group people address the bot among a command's words too: "/feed @lede list" is "/feed list".
@pytest.mark.parametrize("mention", ["", "@lede_test_bot ", "@Lede_Test_Bot "], ids=["plain", "mention", "mention in capitals"])
async def test_feeds_are_added_listed_exported_imported_and_removed(bot_api, lede, web, mention):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, f"/feed {mention}add {web.url('/feed.xml')}")
        [added] = await bot_api.wait_for_messages(USER)
        bot_api.send_user_message(USER, USER, f"/feed {mention}list")
        [_, listed] = await bot_api.wait_for_messages(USER, 2)
        bot_api.send_user_message(USER, USER, f"/feed {mention}export")
        [exported] = await bot_api.wait_for_documents(USER)
        answer = await ask(bot_api, USER, "what raise did the ferry union accept?")
        bot_api.send_user_message(USER, USER, f"/feed {mention}remove 1")
        removed = (await bot_api.wait_for_messages(USER, 4))[-1]
        bot_api.send_user_document(USER, USER, "mine.opml", exported.content)
        imported = (await bot_api.wait_for_messages(USER, 5))[-1]
    assert added.text == "Following Coast & Harbour News. 2 new articles, 0 already known."
    assert listed.text == "Feeds (remove one with /feed remove <n>):\n1. Coast & Harbour News"
    assert exported.file_name == "lede-feeds.opml" and parse_opml(exported.content) == [web.url("/feed.xml")]
    assert answer.startswith("The union accepted a raise of 6 percent")
    assert removed.text.startswith("Stopped following Coast & Harbour News.")
    assert imported.text == "Imported 1 feed from the OPML file. 0 new articles, 2 already known."
    assert [feed.url for feed in lede.sources.feeds(USER)] == [web.url("/feed.xml")]


async def test_exporting_the_feeds_of_a_chat_that_follows_none_says_so_instead_of_sending_an_empty_file(bot_api, lede):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "/feed export")
        [reply] = await bot_api.wait_for_messages(USER)
    assert reply.text == "I couldn't export that: this chat follows no feeds yet; /feed add <url> adds one."
    assert bot_api.sent_documents(USER) == []


async def test_in_groups_only_administrators_change_sources(bot_api, lede, web):
    bot_api.add_group(GROUP, "Newsroom")
    bot_api.set_member_status(GROUP, ADMIN, "administrator")
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, f"/add {web.url('/article.html')}")
        [member_reply] = await bot_api.wait_for_messages(GROUP)
        feed_command = bot_api.send_user_message(GROUP, USER, f"/feed add {web.url('/feed.xml')}")
        admin_command = bot_api.send_user_message(GROUP, ADMIN, f"/add@lede_test_bot {web.url('/article.html')}")
        replies = {reply.reply_to_message_id: reply for reply in await bot_api.wait_for_messages(GROUP, 3)}
        feed_reply, admin_reply = replies[feed_command["message_id"]], replies[admin_command["message_id"]]
        bot_api.send_user_message(GROUP, USER, "/add")
        [*_, bare_reply] = await bot_api.wait_for_messages(GROUP, 4)
        answer = await ask(bot_api, GROUP, "what will the bridge cost?")
        private = await ask(bot_api, USER, "what will the bridge cost?")
    assert member_reply.text == feed_reply.text == ADMINS_ONLY
    assert admin_reply.text.startswith("Added Harbour Bridge Approved")
    assert bare_reply.text == ADMINS_ONLY, "not how to type an /add the member may not send"
    assert answer.startswith("The bridge will cost 40 million euros")
    assert private == "I couldn't find that in the articles I have.", "the group's article is the group's"


@pytest.mark.parametrize(("command", "in_group", "in_private"), [
    ("/ask https://example.com/news/bridge",
     "That is a link, not a question: an administrator's /add <link> adds the article it points to, "
     "and then you can ask me about it.",
     "That is a link, not a question: /add <link> adds the article it points to, and then you can ask me about it."),
    ("/sources",
     "Feeds (0)\nnone — an administrator's /feed add <url>\n\n"
     "Articles (0), newest first\nnone — an administrator's /add <url> (or a file captioned /add)",
     "Feeds (0)\nnone — /feed add <url>\n\n"
     "Articles (0), newest first\nnone — /add <url> or send me a .txt, .md or .html file"),
    ("/feed list",
     "This chat follows no feeds yet: an administrator's /feed add <url> adds one.",
     "This chat follows no feeds yet: /feed add <url> adds one."),
    ("/feed export",
     "I couldn't export that: this chat follows no feeds yet; an administrator's /feed add <url> adds one.",
     "I couldn't export that: this chat follows no feeds yet; /feed add <url> adds one."),
], ids=["a link asked", "/sources", "/feed list", "/feed export"])
async def test_a_group_member_is_pointed_to_an_administrators_add_where_a_private_chat_gets_its_own(
        bot_api, lede, command, in_group, in_private):
    # A member was offered "/add <link>", "/add <url> or send me a .txt, .md or .html file" and "/feed add <url>":
    # their /add got ADMINS_ONLY, and a file sent to a group without the caption /add is left alone.
    bot_api.add_group(GROUP, "Newsroom")  # USER is a member, no administrator
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(GROUP, USER, command)
        [group_reply] = await bot_api.wait_for_messages(GROUP)
        bot_api.send_user_message(USER, USER, command)
        [private_reply] = await bot_api.wait_for_messages(USER)
    assert (group_reply.text, private_reply.text) == (in_group, in_private)


async def test_an_administrator_writing_anonymously_as_the_group_may_change_its_sources_and_briefing(bot_api, lede):
    # Telegram names no person then, but only a group's administrators can write as the group.
    bot_api.add_group(GROUP, "Newsroom", type="supergroup")
    async with polling(application(bot_api, lede)):
        bot_api.send_as_chat(GROUP, "/feed remove 1")
        [removal] = await bot_api.wait_for_messages(GROUP)
        bot_api.send_as_chat(GROUP, "/subscribe 08:00")
        [_, subscribed] = await bot_api.wait_for_messages(GROUP, 2)
    assert removal.text == "I couldn't remove that: there is no feed number 1; this chat has no feeds."
    assert subscribed.text.startswith("Daily briefing set for 08:00")


async def test_context_under_an_answer_from_a_feed_the_chat_stopped_following_shows_none_of_its_article(bot_api, lede, web):
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, f"/feed add {web.url('/feed.xml')}")
        await bot_api.wait_for_messages(USER)
        bot_api.send_user_message(USER, USER, "what raise did the ferry union accept?")
        [_, answer] = await bot_api.wait_for_messages(USER, 2)
        bot_api.send_user_message(USER, USER, "/feed remove 1")
        await bot_api.wait_for_messages(USER, 3)
        context = next(b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row
                       if b["text"] == "Context")
        bot_api.send_callback_query(USER, USER, answer.message_id, context)
        [tapped] = await bot_api.wait_for_request("answerCallbackQuery")
        await bot_api.assert_no_messages(USER)
    assert answer.text.startswith("The union accepted a raise of 6 percent")
    assert tapped["text"] == "That article is no longer available."


async def test_a_member_writing_as_a_channel_of_theirs_may_not_change_the_groups_sources(bot_api, lede, web):
    # Anyone may write in a group as a channel they own: that is no sign of being the group's administrator.
    bot_api.add_group(GROUP, "Newsroom", type="supergroup")
    bot_api.add_channel(-1001000000077, "Ana's Picks", creator=USER)
    fetched = len(web.requests_for("/article.html"))
    async with polling(application(bot_api, lede)):
        bot_api.send_as_chat(GROUP, f"/add {web.url('/article.html')}", as_channel=-1001000000077)
        bot_api.send_as_chat(GROUP, "/subscribe 08:00", as_channel=-1001000000077)
        replies = await bot_api.wait_for_messages(GROUP, 2)
    assert sorted(reply.text for reply in replies) == sorted([ADMINS_ONLY, SCHEDULE_ADMINS_ONLY])
    assert len(web.requests_for("/article.html")) == fetched and lede.store.article_count() == 0


@pytest.mark.parametrize("command", ["/sources", "/sources @lede_test_bot"])
async def test_sources_pages_through_a_chats_articles_with_buttons(bot_api, lede, command):
    for number in range(7):
        lede.sources.add_document(f"story-{number}.txt", f"Story {number}\n\nThing number {number} happened today.".encode(), USER)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, command)
        [first] = await bot_api.wait_for_messages(USER)
        [[older]] = first.reply_markup["inline_keyboard"]
        query = bot_api.send_callback_query(USER, USER, first.message_id, older["callback_data"])
        [second] = await bot_api.wait_for_edits(USER)
    assert "Articles (7), newest first, page 1 of 2" in first.text
    assert "Story 6" in first.text and "Story 1" not in first.text
    assert older["text"] == "Older ›"
    assert "page 2 of 2" in second.text and "Story 1" in second.text and "Story 0" in second.text
    assert [button["text"] for button in second.reply_markup["inline_keyboard"][0]] == ["‹ Newer"]
    assert query not in bot_api._open_queries, "the button press was answered"


async def test_a_page_button_tapped_twice_shows_its_page_once_and_says_nothing_more(bot_api, lede):
    for number in range(7):
        lede.sources.add_document(f"story-{number}.txt", f"Story {number}\n\nThing number {number} happened today.".encode(), USER)
    async with polling(application(bot_api, lede)):
        bot_api.send_user_message(USER, USER, "/sources")
        [listing] = await bot_api.wait_for_messages(USER)
        [[older]] = listing.reply_markup["inline_keyboard"]
        # The second tap leaves before the first one's page has arrived, so it presses the same button.
        taps = [bot_api.send_callback_query(USER, USER, listing.message_id, older["callback_data"]) for _ in range(2)]
        [page] = await bot_api.wait_for_edits(USER)
        await asyncio.sleep(1.0)
    assert "page 2 of 2" in page.text
    assert bot_api.sent_messages(USER) == [listing], "no apology for the second tap"
    assert not set(taps) & set(bot_api._open_queries), "both presses were answered"


async def test_sources_shows_the_page_asked_for_and_names_the_pages_there_are_for_one_it_lacks(bot_api, lede, web):
    web.serve_feed("/bulletins.xml", big_feed(web.base, 7), etag='"bulletins-7"')
    lede.sources.follow_feed(web.url("/bulletins.xml"), USER)
    async with polling(application(bot_api, lede)):
        replies = []
        for count, line in enumerate(("/sources", "/sources 2", "/sources 3", "/sources two"), start=1):
            bot_api.send_user_message(USER, USER, line)
            replies.append((await bot_api.wait_for_messages(USER, count))[-1])
        first, second, *refusals = replies
        lede.sources.unfollow_feed(1, USER)  # its articles leave the list: one page is left
        [[older]] = first.reply_markup["inline_keyboard"]
        bot_api.send_callback_query(USER, USER, first.message_id, older["callback_data"])
        [pressed] = await bot_api.wait_for_request("answerCallbackQuery")
    assert "Articles (7), newest first, page 2 of 2" in second.text and second.text.count("• Bulletin") == 2
    assert [refusal.text for refusal in refusals] == [
        "There is no such page; this chat's sources fill 2 pages: /sources 1 to /sources 2."] * 2
    assert [refusal.reply_markup for refusal in refusals] == [None, None]
    assert pressed["text"] == "There is no such page; this chat's sources fill one page: /sources 1."
    assert bot_api.edits(USER) == [], "the list under the stale button stays as it was"


async def test_feeds_are_polled_and_the_store_followed_on_the_job_queue_at_their_intervals(bot_api, lede):
    app = application(bot_api, lede, feed_interval=123)
    intervals = {job.callback.__name__: job.job.trigger.interval.total_seconds() for job in app.job_queue.jobs()}
    assert intervals == {"poll_feeds": 123, "follow_store": FOLLOW_STORE_INTERVAL}


async def test_the_job_queue_reads_what_a_followed_feed_publishes_later(bot_api, analyzer, web):
    """The poll job itself, not a call from the test: bulletin 2 appears in the feed after /feed add."""
    published = 1
    web.routes["/bulletins.xml"] = lambda request: Reply(
        body=big_feed(web.base, published), content_type="application/rss+xml"
    )
    lede = Lede.compose(SentenceIndex(analyzer), Store.open(":memory:"), fetch_policy=LOCAL_ONLY, feed_interval=0.5)
    async with polling(application(bot_api, lede, feed_interval=0.5)):
        bot_api.send_user_message(USER, USER, f"/feed add {web.url('/bulletins.xml')}")
        [added] = await bot_api.wait_for_messages(USER)
        published = 2
        for _ in range(100):  # the job runs every 0.5 s; give it up to 10 s
            if lede.sources.page(USER).total_articles == 2:
                break
            await asyncio.sleep(0.1)
        answer = await ask(bot_api, USER, "what did bulletin number 2 report?")
    assert added.text == "Following Harbour Bulletins. 1 new article, 0 already known."
    assert answer.startswith("Bulletin number 2 reports that the harbour pilots held meeting 2 on Monday.")


async def test_the_bot_answers_from_what_lede_ingest_stores_beside_it_while_it_runs(bot_api, analyzer, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setattr("bot.telegram_app.FOLLOW_STORE_INTERVAL", 0.2)
    running = Lede.compose(SentenceIndex(analyzer), Store.open(tmp_path / "lede.db"))
    running.load_store()
    beside = Lede.compose(None, Store.open(tmp_path / "lede.db"))  # lede --ingest, in another process
    async with polling(application(bot_api, running)):
        assert "640 metres" not in await ask(bot_api, USER, "how many metres is the harbour bridge?")
        beside.sources.library.keep(Article("harbour", "Harbour Bridge Opens",
                                            ("The new harbour bridge is 640 metres long.",), publisher="Gazette"))
        for _ in range(100):  # the job looks every 0.2 s here (every 30 s in the bot)
            if running.questions.ask("how many metres is the harbour bridge?").best is not None:
                break
            await asyncio.sleep(0.1)
        answer = await ask(bot_api, USER, "how many metres is the harbour bridge?")
    assert answer.startswith("The new harbour bridge is 640 metres long.")
    beside.close()
    running.close()
