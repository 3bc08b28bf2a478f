"""The Telegram front end: one handler per intent, each a thin shell around one of :class:`Lede`'s use cases.

Handlers parse the update, call one use case in a worker thread (never on
the event loop: :mod:`bot.workers`), format, and reply.
In private chats every text message is a question; in groups Lede speaks only
when addressed (``/ask``, a mention, or a reply to one of its messages), which
also works with Telegram's privacy mode on for ``/ask`` and replies.

Sources (``/add``, documents, ``/feed``) belong to the chat they were added
in; in groups only administrators change them. Adding a source fetches,
splits and stores, so it runs in the sources' own threads, one source at a
time per chat, while questions, briefings and feed polls go on in theirs
(:mod:`bot.workers`); a chat whose source must wait is told so (:mod:`bot.waiting`).

Before any handler, a gate checks the optional allow-lists (:mod:`bot.access`);
questions (More and Context taps and inline queries among them) and sources added count against
per-person rate limits (:mod:`bot.telegram_limits`). Updates are
handled concurrently, so a chat whose replies are being retried holds up no
other (:mod:`bot.telegram_failures`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import PurePath

from telegram import (
    BotCommand,
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import channel_handlers, group_handlers, source_replies
from bot.access import NOT_ALLOWED, NOT_ALLOWED_SHORT, AccessPolicy, Action, RateLimiter
from bot.chat_rights import may_change_chat
from bot.config import Config
from bot.conversations import NO_THREAD
from bot.formatting import APOLOGY, escape, format_html, unknown_command
from bot.questions import InvalidQuestion, Outcome, link_refusal
from bot.group_replies import BUTTON_HERE, NEW_CONVERSATION
from bot.service import Lede
from bot.stopping import STOP_SIGNALS, end_at_once
from bot.typed_commands import (
    FEED_USAGE, FeedAdd, FeedExport, FeedList, FeedRemove, add_usage, page_number, parse_feed_command,
)
from corpus.errors import ReadOnlyStore, StoreGone
from corpus.ingest import Failure
from bot.telegram_commands import COMMAND, CommandOrCaptionHandler, command_of, is_this_bot
from bot.telegram_context import CONTEXT_TYPES, Clock, LedeContext, Shell, refuse_inline
from bot.telegram_failures import (
    NO_PREVIEW,
    PerhapsDelivered,
    RetryingRateLimiter,
    edit_reply,
    send_reply,
    topic_gone,
    unchanged,
    unreachable_chat,
)
from bot.telegram_limits import within_limit
from bot.telegram_updates import chat_of, membership_of, message_of, tap_of
from bot.waiting import turn_told
from bot.workers import Workers
from retrieval.text import words

log = logging.getLogger(__name__)
# How often the retention job runs (LEDE_KEEP_DAYS counts days, so daily is fine-grained enough).
RETENTION_INTERVAL = 24 * 60 * 60.0
# How often the bot looks for articles another process stored or removed (lede --ingest, lede --prune).
FOLLOW_STORE_INTERVAL = 30.0

HELP_TEXT = (
    "<b>Lede</b> answers questions about the news with the exact sentence that answers them, "
    "and says where that sentence came from.\n\n"
    "In a private chat, just write your question, for example:\n"
    "<i>what did Zelensky demand?</i>\n\n"
    "{in_groups}\n\n"
    "Ask follow-ups as you would a person (<i>why?</i>, <i>and what did he say?</i>): I read them in the light of "
    "the last questions here, or of the answer you reply to. /new starts afresh.\n\n"
    "Give me news to read: /add &lt;url&gt; for an article, send a .txt, .md or .html file, "
    "or follow a feed with /feed add &lt;url&gt; (/feed list, /feed remove &lt;n&gt;, /feed export; "
    "send an .opml file to import feeds). Forward me a channel's post to add it (in a group, reply /add to it). "
    "/sources shows what this chat has.\n\n"
    "/brief [topic] tells the stories since the last briefing; /subscribe 08:00 Europe/Kyiv sends one every "
    "morning (/subscribe off, /settings).{inline}"
)
# Offered only when BotFather's inline mode is on (/setinline; getMe's supports_inline_queries): off, which is
# how a new bot starts, typing it shows no answers to pick.
INLINE_HELP = " In any chat, type @{username} and a question to share an answer."
# How to ask in a group. Telegram delivers a mention to a bot only when it reads every message there (privacy
# mode off, see getMe's can_read_all_group_messages) or is the group's administrator: else a mention gets silence.
IN_GROUPS_READING_ALL = "In a group, use /ask &lt;question&gt;, mention me, or reply to one of my messages."
IN_GROUPS_PRIVACY_MODE = ("In a group, use /ask &lt;question&gt; or reply to one of my messages (I see a mention "
                          "only in groups where I am an administrator).")
# Said under /help in a group, whose members may not change its sources (ADMINS_ONLY) or daily briefing, and where a
# file is read only when captioned /add.
IN_THIS_GROUP = ("\n\nIn this group only its administrators give me news (a file with the caption /add) and set its "
                 "daily briefing.")
# What a group that adds Lede is told: how to ask there, and where the rest is.
GROUP_WELCOME = (
    "Hello! I'm <b>Lede</b>: I answer questions about the news with the sentence that answers them, "
    "and say where it came from.\n\n"
    "Ask with /ask &lt;question&gt;, or reply to one of my messages. Administrators give me news with "
    "/add &lt;url&gt; or /feed add &lt;url&gt;, and /subscribe 08:00 Europe/Kyiv brings a briefing every morning. "
    "/help tells the rest."
)
ADMINS_ONLY = "Only this group's administrators can change its sources."
# How a group adds the article of a link sent as a question: its members may not /add (ADMINS_ONLY).
GROUP_ADDS_LINK = "an administrator's /add <link>"
# How a chat without sources is told to get some: in a group only administrators add (ADMINS_ONLY), and a file
# shared there is read only when captioned /add.
PRIVATE_WAYS_TO_ADD = source_replies.WaysToAdd("/add &lt;url&gt; or send me a .txt, .md or .html file",
                                               "/feed add &lt;url&gt;")
GROUP_WAYS_TO_ADD = source_replies.WaysToAdd("an administrator's /add &lt;url&gt; (or a file captioned /add)",
                                             "an administrator's /feed add &lt;url&gt;")
# How a Telegram chat gives /add a file (the console's /add takes a path).
ADD_FILE = "send me its file (.txt, .md or .html)"
READ_ONLY = "I can answer questions, but I cannot change anything now: my store is read-only."
SOURCES_CALLBACK = "sources:"
# Updates handled at once: enough that slow fetches and retried replies hold up nobody else.
CONCURRENT_UPDATES = 32
GONE_STATUSES = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
# What Lede polls for: every type, so channel posts and their edits (and my_chat_member) are delivered too.
ALLOWED_UPDATES = Update.ALL_TYPES
COMMANDS = (
    BotCommand("ask", "Ask a question about the news"),
    BotCommand("add", "Add a news article by its URL"),
    BotCommand("feed", "Follow feeds: add, list, remove, export"),
    BotCommand("sources", "This chat's feeds and articles"),
    BotCommand("new", "Start a new conversation: the next question stands alone"),
    *group_handlers.COMMANDS,
    BotCommand("help", "What Lede does and how to ask"),
)


# What Lede cannot read. Silence would look like a bot that is down, so a private chat is told what it reads.
_NOT_TEXT = (filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE
             | filters.LOCATION | filters.CONTACT | filters.POLL | filters.Dice.ALL)
NOT_TEXT = ("I read questions typed as text, and articles sent as .txt, .md or .html files: "
            "type your question, for example <i>what did Zelensky demand?</i>")


class _AddressedToBot(filters.MessageFilter):
    """Group messages meant for the bot: a mention of it, or a reply to it."""

    def filter(self, message: Message) -> bool:
        return _replies_to_lede(message) or _mentions_bot(message, message.get_bot().username)


def _replies_to_lede(message: Message) -> bool:
    """Whether ``message`` replies to one of Lede's own messages."""
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


class _HasWords(filters.MessageFilter):
    """Text with a word in it. In a group, "👍" or "!" replying to an answer is a reaction, not a question:
    told "There are no words in that to search for", the group would read Lede's reply to every emoji."""

    def filter(self, message: Message) -> bool:
        return bool(words(message.text or ""))


class _ViaThisBot(filters.MessageFilter):
    """A message sent by picking one of Lede's inline answers: Telegram sends it as the user's own, via Lede.

    It is an answer shared, not a question: read as one, Lede would answer its own answer again.
    """

    def filter(self, message: Message) -> bool:
        return message.via_bot is not None and message.via_bot.id == message.get_bot().id


class _ForThisBot(filters.MessageFilter):
    """A command meant for Lede: any in a private chat, and in groups one addressed to it by name (``/x@lede``).

    A bare command in a group may be meant for another bot there, so Lede
    leaves it alone, as python-telegram-bot's CommandHandler does ``/x@other``.
    """

    def filter(self, message: Message) -> bool:
        _, addressee = command_of(message)
        if addressee is not None:
            return is_this_bot(message, addressee)
        return message.chat.type == ChatType.PRIVATE


def _names_command(message: Message, command: str) -> bool:
    """Whether the message (or a file's caption) is ``command`` or ``command@lede`` (not ``@otherbot``, nor a longer word)."""
    name, addressee = command_of(message)
    return name.lower() == command and (addressee is None or is_this_bot(message, addressee))


def _captioned_add(message: Message) -> bool:
    """A file whose caption is ``/add`` or ``/add@lede`` (not ``/add@otherbot``, nor "/address book")."""
    return _names_command(message, "/add")


class _Names(filters.MessageFilter):
    """A message (or caption) that is ``command`` or ``command@lede``."""

    def __init__(self, command: str) -> None:
        super().__init__(name=f"_Names({command})")
        self.command = command

    def filter(self, message: Message) -> bool:
        return _names_command(message, self.command)


def _mentions_bot(message: Message, username: str) -> bool:
    mention = f"@{username}".lower()
    return any(text.lower() == mention for text in message.parse_entities([MessageEntity.MENTION]).values())


def build_application(config: Config, lede: Lede, clock: Clock = group_handlers.utc_clock) -> Application:
    """Wire the handlers to a python-telegram-bot Application; ``clock`` tells the time (tests control it)."""
    application = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .token(config.token or "")
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .rate_limiter(RetryingRateLimiter())
        # A reply quotes its message, and a message deleted meanwhile (by its writer, or by a
        # group's bot that deletes commands) would make Telegram refuse the reply: it is sent unquoted.
        .defaults(Defaults(allow_sending_without_reply=True))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(_register_commands)
        .post_shutdown(_stop_workers)
        .build()
    )
    application.bot_data.shell = Shell(
        lede, config.access, RateLimiter(config.rate_limits), clock, config.briefing_check_interval, Workers()
    )
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated))
    application.add_handler(
        MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS | filters.StatusUpdate.CHAT_CREATED, added_to_group)
    )
    # A command is the same typed or as a photo's, video's or file's caption (bot.telegram_commands): that file
    # is not read, it is what the command is sent with. A file to read is sent bare or captioned /add, which
    # adds it (document_message). An edited command is not run again (its first run stands): only /ask, being a
    # question, is answered again, in place.
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & COMMAND & ~_Names("/ask"), edited_command)
    )
    application.add_handler(CommandOrCaptionHandler(["start", "help"], help_command))
    application.add_handler(CommandOrCaptionHandler("ask", ask_command))
    application.add_handler(CommandOrCaptionHandler("new", new_command))
    application.add_handler(
        CommandOrCaptionHandler("add", add_command, filters=filters.UpdateType.MESSAGES & ~filters.Document.ALL)
    )
    application.add_handler(CommandOrCaptionHandler("feed", feed_command))
    application.add_handler(CommandOrCaptionHandler("sources", sources_command))
    application.add_handler(CallbackQueryHandler(sources_page, pattern=f"^{SOURCES_CALLBACK}"))
    channel_handlers.register(application)
    # A forwarded file is still a document to read; a forwarded post is news to add, not a question. These three
    # take no command (but a file's /add): bot.group_handlers' commands, and unknown ones, are registered after them.
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.Document.ALL & ~COMMAND, forwarded_message))
    # An edit is read again only when it is text: an edited caption is no new file, and a live
    # location edits its message every few seconds.
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.Document.ALL & (~COMMAND | _Names("/add")), document_message))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & _NOT_TEXT & ~COMMAND, not_text_message)
    )
    question = filters.TEXT & ~filters.COMMAND & ~_ViaThisBot()
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & question, question_message))
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & question & _AddressedToBot() & _HasWords(), question_message)
    )
    group_handlers.register(application, lede)
    # Last, so that only a command no handler above took reaches it.
    application.add_handler(MessageHandler(COMMAND & _ForThisBot(), unknown_command_message))
    application.add_error_handler(error_handler)
    if application.job_queue is not None:
        application.job_queue.run_repeating(poll_feeds, interval=config.feed_interval, first=config.feed_interval)
        application.job_queue.run_repeating(follow_store, interval=FOLLOW_STORE_INTERVAL, first=FOLLOW_STORE_INTERVAL)
        if lede.retention.keep_days is not None:
            # Once at start-up, however long the start took (a repeating job that missed its first
            # run would wait a day), then daily.
            application.job_queue.run_once(prune_store, when=0, job_kwargs={"misfire_grace_time": None})
            application.job_queue.run_repeating(prune_store, interval=RETENTION_INTERVAL, first=RETENTION_INTERVAL)
    return application


async def _register_commands(application: Application) -> None:
    """The command menu is a convenience (commands work without it), so a failure to set it is only a warning."""
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as error:
        log.warning("Could not register the command menu with setMyCommands (%s); the commands still work", error)


def take_stop_signals(application: Application, loop: asyncio.AbstractEventLoop) -> None:
    """Stop signals on ``loop``, the one ``application`` is to run on, instead of python-telegram-bot's handler
    (run it with ``stop_signals=None``): the first stops the bot as that handler does, having told the feed poller
    to read no more, so the stop waits for the fetches under way, not for the whole poll; the second, while the bot
    stops, ends it at once (:mod:`bot.stopping`)."""
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, _stop, application, loop, number)


def _stop(application: Application, loop: asyncio.AbstractEventLoop, signum: int) -> None:
    log.info("%s received: stopping after the work under way", signal.Signals(signum).name)
    application.bot_data.shell.lede.poller.stop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, end_at_once, number)
    raise SystemExit  # what python-telegram-bot's handler raises: run_polling and run_webhook wind down on it


async def _stop_workers(application: Application) -> None:
    application.bot_data.shell.workers.close()


# ---- who may ask, and how often -------------------------------------------------------------


async def gate(update: Update, context: LedeContext) -> None:
    """Runs before every handler: stop updates from outside the allow-lists; note chats that write again."""
    user = update.effective_user.id if update.effective_user else None
    chat = update.effective_chat.id if update.effective_chat else None
    access: AccessPolicy = context.shell.access
    if not access.admits(user, chat):
        log.info("Ignored an update from user %s in chat %s: not on the allow-lists", user, chat)
        if update.inline_query:
            # The button opens the private chat, which says the rest (NOT_ALLOWED).
            await refuse_inline(update.inline_query, NOT_ALLOWED_SHORT)
        elif update.callback_query:
            # A button under an answer given to someone allowed, tapped by someone who is not: unanswered,
            # their client would show it loading until it gives up.
            await update.callback_query.answer(NOT_ALLOWED_SHORT)
        elif update.effective_message and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            await _reply(update, NOT_ALLOWED.format(user=user))
        raise ApplicationHandlerStop
    if chat is not None and (update.effective_message or update.callback_query):
        await context.workers.quick(context.lede.chats.chat_reachable, chat)


async def membership_changed(update: Update, context: LedeContext) -> None:
    """The bot was removed from (or blocked in) a chat, or came back to it."""
    change = membership_of(update)
    lede = context.lede
    if change.new_chat_member.status in GONE_STATUSES:
        reason = f"the bot's status became {change.new_chat_member.status}"
        await context.workers.quick(lede.chats.chat_unreachable, change.chat.id, reason)
        group_handlers.cancel_briefing_jobs(context.application, change.chat.id)
    else:
        await context.workers.quick(lede.chats.chat_reachable, change.chat.id)


async def added_to_group(update: Update, context: LedeContext) -> None:
    """Someone added Lede to a group (or made a group with it): say how to use it there.

    The service message, not ``my_chat_member``, says so: Telegram also sends a
    join for the supergroup a group becomes, which is no new group to greet.
    """
    message = message_of(update)
    if not (message.group_chat_created or any(member.id == context.bot.id for member in message.new_chat_members)):
        return
    try:
        await context.bot.send_message(message.chat_id, GROUP_WELCOME, parse_mode=ParseMode.HTML)
    except TelegramError as error:  # e.g. a group where members may not write
        log.warning("Could not say hello in chat %d, which just added me (%s)", message.chat_id, error)


async def chat_migrated(update: Update, context: LedeContext) -> None:
    """A group became a supergroup with a new id; Telegram says so in both (the old id's last message, the new one's first).

    Lede follows it there with everything the group had; the second message finds nothing left to move.
    """
    message = message_of(update)
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        raise RuntimeError("chat_migrated is registered for migrations (filters.StatusUpdate.MIGRATE), "
                           f"yet message {message.message_id} in chat {message.chat.id} is none")
    await group_handlers.move_chat(context, old, new)
    allowed = context.shell.access.chats
    if old in allowed and new not in allowed:
        log.warning("Chat %d is now chat %d, which LEDE_ALLOWED_CHATS does not list: add %d there, or only the "
                    "users LEDE_ALLOWED_USERS lists are answered in it", old, new, new)


# ---- questions -------------------------------------------------------------------------------


async def help_command(update: Update, context: LedeContext) -> None:
    """``/start`` and ``/help``: how to ask, offering only the ways Telegram delivers to this bot (getMe's settings);
    in a group, also who there may give news and set the daily briefing."""
    bot = context.bot
    in_groups = IN_GROUPS_READING_ALL if bot.can_read_all_group_messages else IN_GROUPS_PRIVACY_MODE
    inline = INLINE_HELP.format(username=bot.username) if bot.supports_inline_queries else ""
    here = "" if chat_of(update).type == ChatType.PRIVATE else IN_THIS_GROUP
    await _reply(update, HELP_TEXT.format(in_groups=in_groups, inline=inline) + here)


async def ask_command(update: Update, context: LedeContext) -> None:
    """``/ask question``, read without a mention of Lede typed after the command (``/ask @lede why?``).

    Also as a photo's (or video's, file's …) caption, as any command is. A bare ``/ask`` in reply to someone's
    message asks what that message says (:func:`_asked`).
    """
    await _answer(update, context, " ".join(context.args or ()))


async def question_message(update: Update, context: LedeContext) -> None:
    """A question, without any mention of Lede: in a group it addresses the question, and in a private
    chat it is left by habit, or by inline mode's "@lede …" sent without picking a result. A bare mention
    in reply to someone's message asks what that message says, as a bare ``/ask`` does (:func:`_asked`)."""
    await _answer(update, context, message_of(update).text or "")


def _asked(text: str, message: Message, context: LedeContext) -> tuple[str, bool, str | None]:
    """The question ``text`` asks, without any mention of Lede; when that leaves nothing, what the message it
    replies to says: in a group, a member points Lede to a question it did not see (privacy mode) or was not
    asked. (In reply to Lede's own message nothing is asked, and the reply says how to ask.) And whether the
    question is that message, quoted rather than typed; and, for a question typed in reply to a member's message
    with text, what that message says ("why?" asks it of that)."""
    question = group_handlers.without_mention(text, context.bot.username)
    member_said = _members_message(message, context)
    if question.strip() or member_said is None:
        return question, False, member_said or None
    return member_said, True, None


def _members_message(message: Message, context: LedeContext) -> str | None:
    """What the member's message ``message`` replies to says (without any mention of Lede), or None when it replies
    to none: to nothing, to one of Lede's own, or to its forum topic's first message (every message in a topic that
    replies to nothing replies to the topic's creation, which no member points Lede to)."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created or _replies_to_lede(message):
        return None
    return group_handlers.without_mention(replied.text or replied.caption or "", context.bot.username)


async def _answer(update: Update, context: LedeContext, text: str) -> None:
    """Answer what ``text`` asks (:func:`_asked`) in the light of the chat's (or forum topic's) conversation;
    a reply to an answer follows it up."""
    if not await within_limit(update, context, Action.QUESTION):
        return
    message, chat = message_of(update), chat_of(update).id
    question, quoted, member_said = _asked(text, message, context)
    thread = _thread(message)
    replied = message.reply_to_message
    replying_to = replied.message_id if replied is not None and _replies_to_lede(message) else None
    questions = context.lede.questions
    async with context.shell.chat_turns.turn(chat):
        now = context.now()
        # An edited question edits Lede's reply to it, answered again in its place.
        earlier = await context.workers.quick(questions.reply_to, chat, message.message_id) if update.edited_message else None
        answered = await context.workers.quick(
            questions.answer, question, chat, now=now, thread=thread, replying_to=replying_to, replacing=earlier,
            quoted=quoted, member_said=member_said)
        html = format_html(_worded_for(answered.outcome, chat_of(update)))
        buttons = group_handlers.answer_buttons(answered.number)
        if earlier is None:
            reply = (await send_reply(message, html, buttons)).message_id
        else:
            reply = await edit_reply(message, earlier.message, html, buttons)
        await context.workers.quick(questions.note_reply, chat, message.message_id, reply, answered, now)


def _worded_for(outcome: Outcome, chat: Chat) -> Outcome:
    """``outcome`` as said in ``chat``: a link sent as a question in a group points to its administrators' ``/add``."""
    if isinstance(outcome, InvalidQuestion) and outcome.link and chat.type != ChatType.PRIVATE:
        return replace(outcome, reason=link_refusal(GROUP_ADDS_LINK))
    return outcome


def _thread(message: Message) -> int:
    """The forum topic a message belongs to (its conversation), or :data:`NO_THREAD` outside topics."""
    return message.message_thread_id if message.is_topic_message and message.message_thread_id else NO_THREAD


async def unknown_command_message(update: Update, context: LedeContext) -> None:
    """A command Lede does not have (``/schedule``): say so, rather than stay silent as if it were down.

    The console's commands for an answer's buttons (``/more``) point to those buttons, as the console's
    ``/subscribe`` says where daily briefings are set.
    """
    name, _ = command_of(message_of(update))
    if button := group_handlers.answer_button_for(name):
        await _reply(update, BUTTON_HERE.format(command=escape(name), button=button))
        return
    await _reply(update, unknown_command(name))


async def edited_command(update: Update, context: LedeContext) -> None:
    """An edit of a command other than ``/ask``: nothing, and no handler after this one runs it again.

    Run again, it would act twice on one request (a second article or feed, a second
    briefing, the conversation forgotten again after the questions asked since, a
    confirmation repeated), while Lede keeps the reply it gave only for questions, so it
    has no earlier reply to edit in its place. A changed command is sent anew.
    """


async def not_text_message(update: Update, context: LedeContext) -> None:
    """A photo, sticker, voice message or the like in a private chat: say what Lede reads instead."""
    await _reply(update, NOT_TEXT)


async def new_command(update: Update, context: LedeContext) -> None:
    """``/new``: forget this chat's (or topic's) conversation."""
    message = message_of(update)
    await context.workers.quick(context.lede.questions.new_conversation, chat_of(update).id, _thread(message))
    await _reply(update, NEW_CONVERSATION)


async def _reply(update: Update, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await send_reply(message_of(update), html, markup)


# ---- sources ---------------------------------------------------------------------------------


async def _may_change_sources(update: Update, context: LedeContext) -> bool:
    """In groups only administrators change sources."""
    return await may_change_chat(update, context, ADMINS_ONLY)


async def add_command(update: Update, context: LedeContext) -> None:
    # All /add does changes the chat's sources: a member who may not is told so, not how to type it.
    if not await _may_change_sources(update, context):
        return
    replied = message_of(update).reply_to_message
    # /add in reply to a file (shared in a group without the caption, or forwarded) adds the file itself.
    if not context.arguments and replied is not None and replied.document is not None:
        await _add_document(update, context, replied.document)
        return
    if not context.arguments and replied is not None and replied.forward_origin is not None:
        if await within_limit(update, context, Action.ADD_SOURCE):
            await channel_handlers.add_forward(update, context, replied)
        return
    if len(context.arguments) != 1:
        await _reply(update, add_usage(ADD_FILE))
        return
    if not await within_limit(update, context, Action.ADD_SOURCE):
        return
    url, chat = context.arguments[0], chat_of(update).id
    async with _source_turn(update, context):
        await _reply(update, source_replies.added(await context.workers.sources(context.lede.sources.add_url, url, chat)))


def _source_turn(update: Update, context: LedeContext) -> AbstractAsyncContextManager[None]:
    """The chat's turn to add a source (one at a time per chat), told at once when it must wait."""
    return turn_told(message_of(update), context.shell.source_turns, context.workers.sources)


async def forwarded_message(update: Update, context: LedeContext) -> None:
    """A post forwarded in a private chat is news to add, not a question."""
    if await within_limit(update, context, Action.ADD_SOURCE):
        await channel_handlers.add_forward(update, context, message_of(update))


async def document_message(update: Update, context: LedeContext) -> None:
    """A document adds an article (.txt, .md, .html) or imports feeds (.opml).

    In groups a document is taken only when its caption addresses the bot
    (``/add``), so files shared among members are left alone (an
    administrator may still reply ``/add`` to one). A document captioned
    with another command never comes here: it is that command (``/ask``, ``/help`` …).
    """
    message = message_of(update)
    if chat_of(update).type != ChatType.PRIVATE and not _captioned_add(message):
        return
    # A document it has: this handler's filters.Document.ALL lets through no other message.
    if await _may_change_sources(update, context) and message.document is not None:
        await _add_document(update, context, message.document)


async def _add_document(update: Update, context: LedeContext, document: Document) -> None:
    """Add the article (.txt, .md, .html) or import the feeds (.opml) a file holds, for one who may change sources."""
    lede = context.lede
    name = document.file_name or "document"
    if reason := lede.sources.too_large(name, document.file_size or 0):
        await _reply(update, source_replies.refused(Failure(name, reason)))
        return
    if not await within_limit(update, context, Action.ADD_SOURCE):
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    chat, sources = chat_of(update).id, context.workers.sources
    async with _source_turn(update, context):
        if PurePath(name.lower()).suffix == ".opml":
            imported = await sources(lede.sources.import_opml, name, data, chat)
            await _reply(update, source_replies.feeds_imported(imported))
        else:
            await _reply(update, source_replies.added(await sources(lede.sources.add_document, name, data, chat)))


async def feed_command(update: Update, context: LedeContext) -> None:
    lede, workers = context.lede, context.workers
    where = chat_of(update)
    chat = where.id
    match parse_feed_command(context.arguments):
        case FeedList():
            feeds = await workers.quick(lede.sources.feeds, chat)
            await _reply(update, source_replies.feed_list(feeds, _ways_to_add(where)))
        case FeedExport():
            exported = await workers.quick(lede.sources.export_opml, chat)
            if isinstance(exported, Failure):
                await _reply(update, source_replies.feeds_export_refused(exported, _ways_to_add(where)))
                return
            await message_of(update).reply_document(
                InputFile(exported.encode(), filename="lede-feeds.opml"), caption="This chat's feeds, for any feed reader.",
                do_quote=True,
            )
        case FeedAdd(url):
            if await _may_change_sources(update, context) and await within_limit(update, context, Action.ADD_SOURCE):
                async with _source_turn(update, context):
                    followed = await workers.sources(lede.sources.follow_feed, url, chat)
                    await _reply(update, source_replies.feed_added(followed))
        case FeedRemove(number):
            if await _may_change_sources(update, context):
                await _reply(update, source_replies.feed_removal(await workers.quick(lede.sources.unfollow_feed, number, chat)))
        case None:
            await _reply(update, FEED_USAGE)


async def sources_command(update: Update, context: LedeContext) -> None:
    chat = chat_of(update)
    listed = await context.workers.quick(context.lede.sources.page, chat.id, page_number(context.arguments))
    buttons = None if isinstance(listed, Failure) else _page_buttons(listed.page, listed.pages)
    await _reply(update, source_replies.sources_listed(listed, _ways_to_add(chat)), buttons)


async def sources_page(update: Update, context: LedeContext) -> None:
    """A "newer"/"older" button under /sources: show that page in place."""
    query = tap_of(update)
    number = (query.data or "").removeprefix(SOURCES_CALLBACK)
    if not number.isdigit():
        await query.answer("That button is no longer valid.")
        return
    chat = chat_of(update)
    page = await context.workers.quick(context.lede.sources.page, chat.id, int(number))
    ways = _ways_to_add(chat)
    if isinstance(page, Failure):  # the list has grown shorter since the button was made
        await query.answer(source_replies.to_plain(source_replies.sources_listed(page, ways)))
        return
    await query.answer()
    try:
        await query.edit_message_text(
            source_replies.sources_page(page, ways), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
            reply_markup=_page_buttons(page.page, page.pages),
        )
    except BadRequest as error:
        # A button tapped twice sends both taps before the first one's page arrives: it is shown already.
        if not unchanged(error):
            raise


def _ways_to_add(chat: Chat) -> source_replies.WaysToAdd:
    """How ``chat``, without sources, is told to get some."""
    return PRIVATE_WAYS_TO_ADD if chat.type == ChatType.PRIVATE else GROUP_WAYS_TO_ADD


def _page_buttons(page: int, pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 1:
        buttons.append(InlineKeyboardButton("‹ Newer", callback_data=f"{SOURCES_CALLBACK}{page - 1}"))
    if page < pages:
        buttons.append(InlineKeyboardButton("Older ›", callback_data=f"{SOURCES_CALLBACK}{page + 1}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def poll_feeds(context: LedeContext) -> None:
    """The JobQueue's repeating job: read the feeds that are due, off the event loop."""
    await context.workers.background(context.lede.poller.poll_due)


async def follow_store(context: LedeContext) -> None:
    """The JobQueue's repeating job: index what ``lede --ingest`` stored beside the bot, forget what ``lede --prune`` removed."""
    await context.workers.background(context.lede.follow_store)


async def prune_store(context: LedeContext) -> None:
    """The retention job, at start-up and then daily: forget the articles older than LEDE_KEEP_DAYS, off the event loop."""
    pruned = await context.workers.background(context.lede.retention.prune, context.now())
    if pruned is not None and pruned.removed:
        log.info("Removed %d articles dated before %s; the store went from %d to %d bytes",
                 pruned.removed, pruned.cutoff, pruned.bytes_before, pruned.bytes_after)


async def error_handler(update: object, context: LedeContext) -> None:
    """Log the failure (the log formatter masks the token) and tell the person briefly.

    A 403 means the chat blocked or removed the bot: it is marked unreachable
    instead, and gets no reply it could not receive anyway; a request Telegram
    confirmed too late may have arrived, so nothing follows it. A change asked of
    a read-only store is refused in so many words (the log says which file;
    the chat is not told the server's paths); anything else gets an apology.
    A failed button tap gets the same line as the answer to the tap. A reply refused
    in a forum topic closed or deleted since is a warning: no apology could reach it.
    """
    if unreachable := unreachable_chat(update, context):
        await context.workers.quick(context.lede.chats.chat_unreachable, *unreachable)
        return
    if isinstance(context.error, PerhapsDelivered):
        # The reply most likely arrived: an apology would contradict it.
        log.warning("Telegram confirmed a request too late (%s); it may have been delivered, so nothing more is sent",
                    context.error)
        return
    if isinstance(context.error, BadRequest) and topic_gone(context.error):
        # Only administrators post in a closed topic, and Lede need be none: Telegram refused the reply, no part of Lede
        # failed, and an apology would be refused the same way (a tap's query is answered already).
        log.warning("Could not reply in a forum topic closed (or deleted) since: %s", context.error.message)
        return
    if isinstance(context.error, ReadOnlyStore):
        log.warning("Refused a change: %s", context.error.reason)
        reply = READ_ONLY
    elif isinstance(context.error, StoreGone):
        # Nothing the bot does from now on could be kept: it stops, and its run ends in the reason's one line
        # and a failing status (bot.main), so a service manager starts it again on what is at the path now
        # (systemd: Restart=on-failure), rather than it apologising in every chat for ever.
        # It stops once: a second stop would come while the application shuts down, and asyncio would end the
        # run in a traceback ("Event loop stopped before Future completed") instead of the reason's one line.
        if context.bot_data.stopped_by is None:
            log.error("Stopping: %s", context.error.reason)
            context.bot_data.stopped_by = context.error
            context.application.stop_running()
        reply = APOLOGY
    else:
        log.error("Failed to handle an update", exc_info=context.error)
        reply = APOLOGY
    if isinstance(update, Update) and update.callback_query:
        # A tapped button shows loading until its query is answered, so the tap is answered with the reason.
        try:
            await update.callback_query.answer(reply)
            return
        except TelegramError:  # answered before the failure: the chat is told instead
            pass
    # A channel's post is read, never answered: the channel's readers are not told of Lede's failures.
    if (isinstance(update, Update) and update.effective_message and update.effective_chat
            and update.effective_chat.type != ChatType.CHANNEL):
        try:
            await update.effective_message.reply_text(reply, do_quote=True)
        except Exception:  # the reply is best effort; the failure is already logged
            log.warning("Could not send the apology either", exc_info=True)
