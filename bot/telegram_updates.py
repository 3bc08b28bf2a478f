"""The parts of an update (and of a job) that a handler's registration guarantees it, typed as present.

python-telegram-bot types each part of an update Optional (``update.effective_message``,
``update.callback_query`` …) because every kind of update lacks most of them: a tap has no
``inline_query``, an inline query no chat. A handler is registered for the updates that have the
parts it uses (a command handler for messages, whose chat and sender are never missing; a
``CallbackQueryHandler`` for taps), so it takes them from these functions, which return the part.
Should a registration ever let through an update without it, they say so in a RuntimeError (the
traceback names the handler) rather than leave an AttributeError on None further on.

Where an update may truly lack a part (:func:`bot.telegram_app.gate` and the error handler, which
see every update), the code checks for None itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import CallbackQuery, Chat, ChatMemberUpdated, InlineQuery, Message, Update, User
from telegram.ext import Application, Job, JobQueue

from bot.telegram_context import LedeContext

_Part = TypeVar("_Part")


def message_of(update: Update) -> Message:
    """The message (or its edit, or a channel's post) of an update from a handler registered for messages."""
    return _present(update.effective_message, "message", update)


def chat_of(update: Update) -> Chat:
    """The chat of an update from a handler registered for messages or for taps on Lede's buttons."""
    return _present(update.effective_chat, "chat", update)


def sender_of(update: Update) -> User:
    """Who sent the update, from a handler registered for messages in chats (not a channel's posts, which have no
    sender), taps or inline queries. Written as a chat, it is the user Telegram names for that chat."""
    return _present(update.effective_user, "user", update)


def tap_of(update: Update) -> CallbackQuery:
    """The tap on a button of an update from a ``CallbackQueryHandler``."""
    return _present(update.callback_query, "callback query", update)


def tapped_message(query: CallbackQuery) -> Message | None:
    """The message under the tapped button, or None when Telegram gives it as inaccessible (deleted meanwhile).

    Lede puts buttons only under messages it sends in a chat (none under an
    inline result). python-telegram-bot 22 parses an inaccessible one as a
    ``Message`` dated 0, a later release may give an ``InaccessibleMessage``:
    either way there is nothing left to reply to.
    """
    message = query.message
    return message if isinstance(message, Message) and message.is_accessible else None


def inline_query_of(update: Update) -> InlineQuery:
    """The inline query of an update from an ``InlineQueryHandler``."""
    return _present(update.inline_query, "inline query", update)


def membership_of(update: Update) -> ChatMemberUpdated:
    """The change of Lede's own membership of a chat, of an update from a ``ChatMemberHandler`` for ``MY_CHAT_MEMBER``."""
    return _present(update.my_chat_member, "my_chat_member", update)


def job_of(context: LedeContext) -> Job[Any]:
    """The job a JobQueue callback runs for (python-telegram-bot leaves ``context.job`` None for updates)."""
    if context.job is None:
        raise RuntimeError("a job's callback was run for an update, with no job")
    return context.job


def job_chat(job: Job[Any]) -> int:
    """The chat of a job scheduled for one (``chat_id=`` given to the JobQueue)."""
    if job.chat_id is None:
        raise RuntimeError(f"job {job.name!r} was scheduled without the chat_id its callback needs")
    return job.chat_id


def job_queue_of(application: Application[Any, Any, Any, Any, Any, Any]) -> JobQueue[Any]:
    """The application's JobQueue, which python-telegram-bot has only when installed with its job-queue extra (as
    Lede's dependencies install it)."""
    if application.job_queue is None:
        raise RuntimeError("python-telegram-bot has no JobQueue: install it with its job-queue extra "
                           "(python-telegram-bot[job-queue])")
    return application.job_queue


def _present(value: _Part | None, part: str, update: Update) -> _Part:
    """``value``, the ``part`` of ``update`` its handler uses, or the error saying it is missing."""
    if value is None:
        raise _missing(part, update)
    return value


def _missing(part: str, update: Update) -> RuntimeError:
    """The error for an update without the ``part`` its handler uses: that handler's registration lets through
    updates its filters should keep out."""
    kinds = ", ".join(name for name in update.to_dict() if name != "update_id") or "nothing"
    return RuntimeError(f"update {update.update_id} (with {kinds}) has no {part}, which the handler it reached "
                        "uses: that handler is registered for updates without one (see the traceback for which)")
