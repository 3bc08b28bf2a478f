"""The per-person rate limits (:class:`bot.access.RateLimiter`) as Telegram's handlers apply them: to a
message (a question, a source added), to a tap on a button that does as much (More, Context) and to an
inline query with a word in it."""

from __future__ import annotations

from telegram import Update

from bot.access import Action, RateLimiter, slow_down_briefly
from bot.telegram_context import LedeContext, refuse_inline
from bot.telegram_failures import send_reply
from bot.telegram_updates import chat_of, message_of


async def within_limit(update: Update, context: LedeContext, action: Action) -> bool:
    """Count the action against the person's limit; over it, say when to come back instead.

    A message over the limit is told so once per wait (a reply per message would flood the chat). A tap
    is told every time, in the tap's own notice: unanswered it would show loading, and the notice is seen
    by the person who tapped alone, so it costs the chat nothing. So is an inline query, on the button over
    its empty results: theirs alone, and not cached, or Telegram would show it to others typing the same.
    """
    limiter: RateLimiter = context.shell.limiter
    person = _person(update)
    wait = limiter.wait(person, action)
    if not wait:
        return True
    if update.callback_query:
        await update.callback_query.answer(limiter.slow_down(action, wait))
    elif update.inline_query:
        await refuse_inline(update.inline_query, slow_down_briefly(wait))
    elif limiter.to_be_told(person, action):
        await send_reply(message_of(update), limiter.slow_down(action, wait))
    return False


def _person(update: Update) -> int:
    """Whom a limit counts: the user, or the chat they write as. Telegram gives everyone writing as a
    chat one sender (@GroupAnonymousBot for anonymous administrators), who would share one limit.
    A tap is counted for whoever tapped (the message it is under is Lede's), an inline query for whoever typed it."""
    message = None if update.callback_query else update.effective_message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    return update.effective_user.id if update.effective_user else chat_of(update).id
