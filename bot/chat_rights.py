"""Who may change a chat's setup: anyone in a private chat, only administrators in a group."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode

from bot.telegram_context import LedeContext
from bot.telegram_updates import chat_of, message_of, sender_of

ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


async def may_change_chat(update: Update, context: LedeContext, refusal: str) -> bool:
    """True for a private chat or a group administrator (asked of Telegram each time: roles change),
    also one writing anonymously as the group; otherwise replies ``refusal`` (HTML) and returns False."""
    chat = chat_of(update)
    if chat.type == ChatType.PRIVATE:
        return True
    sender_chat = message_of(update).sender_chat
    if sender_chat is not None and sender_chat.id == chat.id:
        # An anonymous administrator: Telegram names no person (the sender is @GroupAnonymousBot, the
        # same for all of them, so getChatMember cannot tell), but only administrators can write as the group.
        return True
    if sender_chat is None:
        member = await context.bot.get_chat_member(chat.id, sender_of(update).id)
        if member.status in ADMIN_STATUSES:
            return True
    # Else written as another chat (a member's own channel, or a linked channel's post): anyone may do
    # that, and its sender (@Channel_Bot, Telegram) is nobody getChatMember knows.
    await message_of(update).reply_text(refusal, parse_mode=ParseMode.HTML, do_quote=True)
    return False
