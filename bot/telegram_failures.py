"""What the Telegram shell does when Telegram itself fails, so one bad chat or a bad minute loses nothing.

* Flood limits and transient failures: :class:`RetryingRateLimiter` keeps
  under Telegram's limits (python-telegram-bot's ``AIORateLimiter``), waits
  out a 429's ``retry_after`` for *that chat only*, and retries network
  errors and 5xx replies with exponential backoff.
* A reply Telegram refuses (400, e.g. entities it cannot parse) is sent
  once more as plain text: :func:`send_reply`, :func:`send_html` for a
  daily briefing, and :func:`edit_reply` when an edited question edits its reply.
* A chat that blocked or removed the bot (403) is marked unreachable in the
  store (:meth:`bot.reachability.Reachability.chat_unreachable`), so schedules stop sending there:
  :func:`unreachable_chat`.

Retrying a send whose reply was lost can deliver it twice; a duplicate
answer is a smaller harm than a lost one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, CallbackContext
from telegram.warnings import PTBDeprecationWarning

from bot.formatting import MAX_MESSAGE_CHARS, clip
from bot.source_replies import to_plain

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# The Bot API's methods that only read (getFile, getChatMember…): asking again is always safe.
READING_PREFIX = "get"
JSONDict = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
Sent = TypeVar("Sent")
# Sends a text with the parse mode given (None: plain text), as a reply, a message of Lede's own or an edit.
Send = Callable[[str, ParseMode | None], Awaitable[Sent]]


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter``'s throttling, with retries that hold up only the chat concerned.

    ``AIORateLimiter`` itself pauses *every* request after a 429; here the
    429's chat waits alone, so the bot keeps answering everyone else.
    """

    def __init__(self, *, attempts: int = 5, first_backoff: float = 0.5, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retries=0)
        self.attempts = attempts
        self.first_backoff = first_backoff
        self._sleep = sleep
        self._resume_at: dict[object, float] = {}  # chat id -> when its retry_after ends

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        for attempt in range(1, self.attempts + 1):
            await self._wait_for(chat_id)
            try:
                return await self._throttled(callback, args, kwargs, data)
            except RetryAfter as error:
                if attempt == self.attempts:
                    raise
                delay = _seconds(error)
                self._resume_at[chat_id] = max(self._resume_at.get(chat_id, 0.0), time.monotonic() + delay)
                log.warning("Telegram asked to wait %.0f s before %s to chat %s", delay, endpoint, chat_id)
            except BadRequest:
                raise  # a NetworkError subclass, but sending it again cannot help
            except NetworkError as error:
                if _unconfirmed(error) and not endpoint.startswith(READING_PREFIX):
                    raise PerhapsDelivered(f"Telegram confirmed {endpoint} too late") from error
                if attempt == self.attempts:
                    raise
                delay = self.first_backoff * 2 ** (attempt - 1)
                log.warning("%s failed (%s); retry %d in %.1f s", endpoint, error, attempt, delay)
                await self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _throttled(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                         kwargs: dict[str, Any], data: dict[str, Any]) -> Any:
        """One attempt within Telegram's flood limits: 30 messages a second, 20 a minute per group."""
        chat_id = data.get("chat_id")
        group = chat_id if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0) else False
        return await self._run_request(  # AIORateLimiter's throttle, without its all-chats pause
            chat=chat_id is not None, group=group, allow_paid_broadcast=bool(data.get("allow_paid_broadcast")),
            callback=callback, args=args, kwargs=kwargs,
        )

    async def _wait_for(self, chat_id: object) -> None:
        resume_at = self._resume_at.get(chat_id)
        if resume_at is None:
            return
        remaining = resume_at - time.monotonic()
        if remaining > 0:
            await self._sleep(remaining)
        elif self._resume_at.get(chat_id) == resume_at:
            del self._resume_at[chat_id]


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns about the int form; both forms are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_reply(message: Message, text_html: str, markup: InlineKeyboardMarkup | None = None, *,
                     quote: bool = True) -> Message:
    """Reply in HTML; if Telegram refuses that (400), reply once more in plain text.

    The plain retry keeps the buttons and fits the text to Telegram's limit. (A
    question deleted meanwhile refuses neither: the application's defaults send
    a reply to a message that is gone unquoted.) ``quote`` is False for the
    parts after a long reply's first, which quotes the message replied to.
    """
    async def reply(text: str, parse_mode: ParseMode | None) -> Message:
        return await message.reply_text(text, parse_mode=parse_mode, do_quote=quote, link_preview_options=NO_PREVIEW,
                                        reply_markup=markup)

    return await _html_else_plain(reply, text_html, message.chat_id)


async def send_html(bot: Bot, chat: int, text_html: str, *, thread: int | None = None) -> Message:
    """Send a message of Lede's own (a daily briefing: no reply to anything) to ``chat``, in its forum topic
    ``thread`` if any, in HTML; if Telegram refuses that (400), once more in plain text, as :func:`send_reply` does."""
    async def send(text: str, parse_mode: ParseMode | None) -> Message:
        return await bot.send_message(chat, text, parse_mode=parse_mode, link_preview_options=NO_PREVIEW,
                                      message_thread_id=thread)

    return await _html_else_plain(send, text_html, chat)


async def _html_else_plain(send: Send[Sent], text_html: str, chat: int) -> Sent:
    """``send`` the text as HTML; if Telegram refuses that (400), once more as plain text.

    A refusal of where the message goes rather than of what it says (the chat or its
    forum topic is gone, the message to edit is gone or already says it) is not retried:
    plain text would be refused the same way, and the caller decides what follows (a daily
    briefing's chat loses its schedule, or the briefing goes to the group's main thread;
    an edited question's reply is sent anew, or left as it is).
    """
    try:
        return await send(text_html, ParseMode.HTML)
    except BadRequest as error:
        if chat_gone(error) or topic_gone(error) or unchanged(error) or _uneditable(error):
            raise
        log.warning("Telegram refused HTML in chat %s (%s); sending it once more as plain text", chat, error.message)
    return await send(plain_text(text_html), None)


async def edit_reply(question: Message, reply_message: int, text_html: str,
                     markup: InlineKeyboardMarkup | None = None) -> int:
    """Replace Lede's earlier reply to ``question`` (an edited question) and return the reply's message id.

    An unchanged reply stays as it is (Telegram refuses an edit that changes
    nothing); a reply the user deleted, or one Telegram no longer lets the
    bot edit, is sent anew; HTML Telegram refuses is edited in as plain text,
    as :func:`send_reply` does.
    """
    async def edit(text: str, parse_mode: ParseMode | None) -> int:
        await question.get_bot().edit_message_text(text, chat_id=question.chat_id, message_id=reply_message,
                                                   parse_mode=parse_mode, link_preview_options=NO_PREVIEW,
                                                   reply_markup=markup)
        return reply_message

    try:
        return await _html_else_plain(edit, text_html, question.chat_id)
    except BadRequest as error:
        if unchanged(error):
            return reply_message
        if _uneditable(error):
            return (await send_reply(question, text_html, markup)).message_id
        raise


class PerhapsDelivered(TimedOut):
    """A request that changes something (a reply, an edit) was sent, and Telegram's answer came too late.

    Telegram may well have carried it out: sent again, the user would see the reply twice.
    """


def _unconfirmed(error: NetworkError) -> bool:
    """The request was sent, and reading Telegram's answer timed out."""
    return isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout)


def unchanged(error: BadRequest) -> bool:
    """Whether Telegram refused an edit because it would change nothing: the message already says it."""
    return "not modified" in error.message.lower()


def _uneditable(error: BadRequest) -> bool:
    """Whether Telegram refused an edit because the message is gone (deleted) or no longer the bot's to edit."""
    reason = error.message.lower()
    return "message to edit not found" in reason or "can't be edited" in reason


def plain_text(text_html: str) -> str:
    """What an HTML reply says, without markup, clipped to one message."""
    return clip(to_plain(text_html), MAX_MESSAGE_CHARS)


def chat_gone(error: TelegramError) -> bool:
    """Whether Telegram refused a message sent to a chat because nothing can be sent there any more.

    A 403: the bot was blocked or removed, or the group was deleted. A
    deleted supergroup is not forbidden but unknown: 400 "chat not found"
    (only a send to that chat says so of it: a handler's other calls may
    name other chats).
    """
    return isinstance(error, Forbidden) or (isinstance(error, BadRequest) and "chat not found" in error.message.lower())


def topic_gone(error: TelegramError) -> bool:
    """Whether Telegram refused a message sent to a forum topic because the topic was deleted ("message thread
    not found", or "TOPIC_DELETED"), or closed (where only administrators may post: "TOPIC_CLOSED")."""
    message = error.message.lower()
    return any(reason in message for reason in ("thread not found", "topic_deleted", "topic_closed"))


def unreachable_chat(update: object, context: CallbackContext[Any, Any, Any, Any]) -> tuple[int, str] | None:
    """The chat and Telegram's reason, when the failure is a 403 (the bot was blocked or removed).

    The chat is the update's, or a scheduled job's (jobs run with ``chat_id``).
    """
    if not isinstance(context.error, Forbidden):
        return None
    chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    if chat is None and context.job is not None:
        chat = context.job.chat_id
    return (chat, context.error.message) if chat is not None else None
