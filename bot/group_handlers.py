"""Telegram handlers for briefings, daily schedules, an answer's buttons and inline mode.

Each handler parses, calls one use case of :class:`bot.service.Lede` in a worker thread, formats and
replies, like those in :mod:`bot.telegram_app`, which registers these with
:func:`register`. Time comes from the shell's clock (:meth:`LedeContext.now`) so tests can
drive schedules without waiting.

Daily briefings are one JobQueue job per subscribed chat, re-created from the
store at start-up. Each run asks Lede whether a briefing is owed *now*; Lede
decides (at most one catch-up after downtime). A chat that blocked or removed
the bot loses its schedule, from a 403 or from the ``my_chat_member`` update.
Daily briefings have threads of their own (:mod:`bot.workers`): a morning's
many compose in the order they fell due, and a ``/brief`` waits for none of them.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    InlineQueryHandler,
    Job,
)

from bot import group_replies
from bot.access import Action
from bot.questions import Expired
from corpus.ingest import Failure
from bot.chat_rights import may_change_chat
from bot.formatting import MAX_TITLE_CHARS, briefing_html, clip, format_html
from bot.service import Lede
from bot.telegram_commands import CommandOrCaptionHandler
from bot.telegram_context import INLINE_START, LedeContext
from bot.telegram_failures import NO_PREVIEW, chat_gone, send_html, send_reply, topic_gone
from bot.telegram_limits import within_limit
from bot.telegram_updates import (
    chat_of, inline_query_of, job_chat, job_of, job_queue_of, message_of, tap_of, tapped_message,
)
from bot.waiting import turn_told
from retrieval.answer import Answer
from retrieval.text import words

log = logging.getLogger(__name__)

COMMANDS = (
    BotCommand("brief", "A briefing of the news since the last one"),
    BotCommand("subscribe", "A daily briefing: /subscribe 08:00 Europe/Kyiv, or off"),
    BotCommand("settings", "This chat's daily briefing"),
)
SCHEDULE_ADMINS_ONLY = "Only this group's administrators can change its daily briefing."
# Callback data: "ans:<action>:<answer number>", far below Telegram's 64 bytes.
ANSWER_CALLBACK = "ans:"
_ANSWER_DATA = re.compile(r"ans:(more|ctx|up|down):(\d{1,18})")
# The buttons under an answer (their action in the callback data, and their label) by the console's command
# for each (bot.console_commands), which a Telegram chat typing it is pointed to.
_ANSWER_BUTTONS = {
    "/more": ("more", "More"), "/context": ("ctx", "Context"), "/good": ("up", "👍"), "/bad": ("down", "👎"),
}
# Inline results may be reused by Telegram for this long: answers change only as sources arrive.
INLINE_CACHE_SECONDS = 60
INLINE_TITLE_CHARS = 100
# Above an empty list of inline results: what to do, on a button that opens the private chat (/start inline):
# before a question, or after words that are none ("why?" with nothing before it, "hello", a link, an emoji) ...
INLINE_EMPTY = "Type a question about the news"
# ... or after a question the articles do not answer.
INLINE_NO_ANSWER = "No answer in my articles: open Lede to add news"


def utc_clock() -> datetime:
    return datetime.now(UTC)


def register(application: Application, lede: Lede) -> None:
    """Add this module's handlers, and a job for every stored daily briefing."""
    application.add_handler(CommandOrCaptionHandler("brief", brief_command))
    application.add_handler(CommandOrCaptionHandler("subscribe", subscribe_command))
    application.add_handler(CommandOrCaptionHandler("settings", settings_command))
    application.add_handler(CallbackQueryHandler(answer_button, pattern=f"^{ANSWER_CALLBACK}"))
    application.add_handler(InlineQueryHandler(inline_query))
    if application.job_queue is None:
        return
    if lede.store.read_only:
        # A briefing sent could not be recorded as sent, so it would be owed again at every check.
        log.warning("Daily briefings are off: the store is read-only")
        return
    for scheduled in lede.briefings.scheduled():
        _schedule_job(application, scheduled.chat, scheduled.thread)


# ---- briefings on demand ------------------------------------------------------------------------


async def brief_command(update: Update, context: LedeContext) -> None:
    """``/brief [topic]``: the stories since the chat's last briefing, split at story boundaries.

    The topic is read without a mention of Lede typed after the command (``/brief @lede``).
    Remembered only once delivered: a briefing Telegram refused is told again by the next ``/brief``;
    with its messages, so that a question in reply to one of them is asked about its stories.
    """
    topic = without_mention(" ".join(context.args or ()), context.bot.username).strip() or None
    message, chat, briefings = message_of(update), chat_of(update).id, context.lede.briefings
    async with turn_told(message, context.shell.briefing_turns, context.workers.briefings):
        now = context.now()
        briefing = await context.workers.briefings(briefings.compose, chat, now=now, topic=topic)
        # Sent and noted in the chat's question turn: a question in reply to it is read once it is noted.
        async with context.shell.chat_turns.turn(chat):
            messages = [(await send_reply(message, part, quote=number == 0)).message_id
                        for number, part in enumerate(briefing_html(briefing))]
            await context.workers.quick(briefings.told, chat, briefing, now=now, messages=messages)


def without_mention(text: str, username: str) -> str:
    """``text`` without any ``@lede`` in it: addressing Lede is no part of a question or a topic."""
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)


# ---- daily briefings ----------------------------------------------------------------------------


async def subscribe_command(update: Update, context: LedeContext) -> None:
    """``/subscribe HH:MM [zone]`` or ``/subscribe off``; in groups for administrators only."""
    if not await may_change_chat(update, context, SCHEDULE_ADMINS_ONLY):
        return
    lede, workers = context.lede, context.workers
    chat = chat_of(update).id
    if [argument.lower() for argument in context.arguments] == ["off"]:
        reply = group_replies.unsubscribed(await workers.quick(lede.briefings.unsubscribe, chat))
        cancel_briefing_jobs(context.application, chat)
    else:
        thread = _topic(message_of(update))
        outcome = await workers.quick(lede.briefings.subscribe, chat, context.arguments, now=context.now(), thread=thread)
        reply = group_replies.subscription(outcome)
        if not isinstance(outcome, Failure):
            _schedule_job(context.application, chat, thread)
    await send_reply(message_of(update), reply)


async def settings_command(update: Update, context: LedeContext) -> None:
    message, chat = message_of(update), chat_of(update)
    current = await context.workers.quick(context.lede.briefings.settings, chat.id, now=context.now())
    reply = group_replies.settings(current, topic=_topic(message), group=chat.type != ChatType.PRIVATE)
    await send_reply(message, reply)


def _topic(message: Message) -> int | None:
    """The forum topic a message was written in, where a daily briefing set by it is posted; None outside topics."""
    return message.message_thread_id if message.is_topic_message else None


def _schedule_job(application: Application, chat: int, thread: int | None) -> None:
    """One repeating check per subscribed chat (replacing an earlier one): is a briefing owed now?"""
    cancel_briefing_jobs(application, chat)
    interval = application.bot_data.shell.briefing_check_interval
    job_queue_of(application).run_repeating(
        scheduled_briefing, interval=interval, first=interval, name=_job_name(chat), chat_id=chat, data=thread
    )


def _briefing_topic(job: Job[Any]) -> int | None:
    """The forum topic a chat's daily-briefing job posts in (its ``data``, from :func:`_schedule_job`), or None."""
    topic = job.data
    if topic is not None and not isinstance(topic, int):
        raise RuntimeError(f"job {job.name!r} holds {topic!r} where a daily briefing's forum topic goes")
    return topic


def cancel_briefing_jobs(application: Application, chat: int) -> None:
    """Stop the chat's daily-briefing check (after /subscribe off, or when the chat is gone)."""
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(_job_name(chat)):
            job.schedule_removal()


def _job_name(chat: int) -> str:
    return f"briefing:{chat}"


async def scheduled_briefing(context: LedeContext) -> None:
    """The JobQueue's check for one chat: send its briefing when one is owed; stop if the chat is gone.

    The briefing is remembered once delivered, so what Telegram failed to deliver is in the next day's.
    """
    scheduled_chat = job_chat(job_of(context))
    lede, workers = context.lede, context.workers
    async with context.shell.briefing_turns.turn(scheduled_chat):
        now = context.now()
        briefing = await workers.daily(lede.briefings.due_briefing, scheduled_chat, now=now)
        if briefing is None:
            return
        # Sent and noted in the chat's question turn, as /brief's is.
        async with context.shell.chat_turns.turn(scheduled_chat):
            delivered = await _deliver_briefing(context, briefing_html(briefing))
            if delivered is not None:
                chat, messages = delivered
                await workers.quick(lede.briefings.told, chat, briefing, now=now, messages=messages)


async def _deliver_briefing(context: LedeContext, parts: list[str]) -> tuple[int, list[int]] | None:
    """Send a daily briefing to the job's chat; the chat it reached (a group's new id) and its messages there,
    or None for a chat gone."""
    job = job_of(context)
    chat = job_chat(job)
    lede, workers = context.lede, context.workers
    try:
        return chat, await _send_briefing(context, chat, parts, _briefing_topic(job))
    except ChatMigrated as moved:  # the group became a supergroup, and this is how Lede hears of it first
        await move_chat(context, chat, moved.new_chat_id)
        # A basic group has no forum topics.
        return moved.new_chat_id, await _send_briefing(context, moved.new_chat_id, parts, None)
    except (Forbidden, BadRequest) as error:
        if chat_gone(error):
            await workers.quick(lede.chats.chat_unreachable, chat, error.message)  # which ends its daily briefing
            job.schedule_removal()
            return None
        if _briefing_topic(job) is None or not topic_gone(error):
            raise
        # The forum topic it was set in was deleted (or closed): rather than no briefing ever again, the group's
        # main thread.
        await workers.quick(lede.briefings.topic_gone, chat)
        job.data = None
        return chat, await _send_briefing(context, chat, parts, None)


async def _send_briefing(context: LedeContext, chat: int, parts: list[str], thread: int | None) -> list[int]:
    """Send a briefing's parts to ``chat`` (in its forum topic ``thread``, if any); their message ids."""
    return [(await send_html(context.bot, chat, part, thread=thread)).message_id for part in parts]


async def move_chat(context: LedeContext, old: int, new: int) -> None:
    """Follow a group to its new id as a supergroup: its sources, settings and conversation, and its briefing's job."""
    await context.workers.quick(context.lede.chats.chat_moved, old, new)
    cancel_briefing_jobs(context.application, old)
    for scheduled in await context.workers.quick(context.lede.briefings.scheduled, new):
        _schedule_job(context.application, new, scheduled.thread)


# ---- an answer's buttons ------------------------------------------------------------------------


def answer_buttons(number: int | None) -> InlineKeyboardMarkup | None:
    """"More", "Context", 👍 and 👎 under an answer (none when there was no answer)."""
    if number is None:
        return None
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(label, callback_data=f"{ANSWER_CALLBACK}{action}:{number}")
        for action, label in _ANSWER_BUTTONS.values()
    ]])


def answer_button_for(command: str) -> str | None:
    """The label of the button under an answer that the console's ``command`` (``/more``) stands for, if any."""
    button = _ANSWER_BUTTONS.get(command.lower())
    return button[1] if button else None


async def answer_button(update: Update, context: LedeContext) -> None:
    """A button under an answer: more answers or the context as a reply; feedback as a short notice."""
    query = tap_of(update)
    match = _ANSWER_DATA.fullmatch(query.data or "")
    if match is None:
        await query.answer(Expired().reason)
        return
    action, number = match[1], int(match[2])
    lede, workers = context.lede, context.workers
    chat = chat_of(update).id
    if action in ("up", "down"):
        known = await workers.quick(lede.questions.feedback, number, chat, helpful=action == "up")
        await query.answer(group_replies.THANKS if known else Expired().reason)
        return
    # Each More reads the question again, and each More or Context sends a reply: they count as questions.
    if not await within_limit(update, context, Action.QUESTION):
        return
    found = await workers.quick(lede.questions.more_answers if action == "more" else lede.questions.context, number, chat)
    if isinstance(found, Expired):
        await query.answer(found.reason)
        return
    reply = group_replies.more_answers(found) if isinstance(found, tuple) else group_replies.context(found)
    await query.answer()
    message = tapped_message(query)
    if message is None:  # deleted meanwhile: said on its own, in the forum topic the answer was given in
        thread = await workers.quick(lede.questions.topic_of, number, chat)
        await send_html(context.bot, chat, reply, thread=thread or None)
    else:
        await send_reply(message, reply)


# ---- inline mode --------------------------------------------------------------------------------


async def inline_query(update: Update, context: LedeContext) -> None:
    """``@bot question``: the best answers as results to pick; each sends the answer with its source."""
    query = inline_query_of(update)
    # Telegram sends a query at every pause in typing, the first one empty: each with a word in it is
    # searched (or refused as no question, as "hello" is), and counts as a question.
    searched = bool(words(query.query))
    if searched and not await within_limit(update, context, Action.QUESTION):
        return
    answer = await context.workers.quick(context.lede.questions.inline_answers, query.query) if searched else None
    results = []
    if answer is not None and answer.best is not None:
        for number, candidate in enumerate((answer.best, *answer.alternatives)):
            # The confidence is the best answer's. An alternative ranks below it and has no confidence of
            # its own, so it is shared as an answer Lede is unsure of, not with its answer's confidence.
            single = Answer(answer.question, candidate, answer.confidence if number == 0 else 0.0)
            article = candidate.passage.article
            results.append(InlineQueryResultArticle(
                id=str(number),
                title=clip(candidate.passage.text, INLINE_TITLE_CHARS),
                description=clip(" · ".join(part for part in (article.title, article.publisher) if part), MAX_TITLE_CHARS),
                input_message_content=InputTextMessageContent(
                    format_html(single), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                ),
            ))
    button = None
    if not results:
        # Telegram would show an empty list, which looks the same as a bot that is down.
        label = INLINE_NO_ANSWER if answer is not None else INLINE_EMPTY
        button = InlineQueryResultsButton(label, start_parameter=INLINE_START)
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=button)
