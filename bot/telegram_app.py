"""The Telegram front end: one handler per intent, each a thin shell around :class:`Lede`.

Handlers parse the update, call ``Lede.ask``, format, and reply. In private
chats every text message is a question; in groups Lede speaks only when
addressed (``/ask``, a mention, or a reply to one of its messages), which also
works with Telegram's privacy mode on for ``/ask`` and replies.
"""

from __future__ import annotations

import logging
import re

from telegram import BotCommand, LinkPreviewOptions, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import Config
from bot.formatting import format_html
from bot.service import Lede

log = logging.getLogger(__name__)

HELP_TEXT = (
    "<b>Lede</b> answers questions about the news with the exact sentence that answers them, "
    "and says where that sentence came from.\n\n"
    "In a private chat, just write your question, for example:\n"
    "<i>what did Zelensky demand?</i>\n\n"
    "In a group, use /ask &lt;question&gt;, mention me, or reply to one of my messages."
)
APOLOGY = "Sorry, something went wrong while answering that. Please try again in a moment."
COMMANDS = (
    BotCommand("ask", "Ask a question about the news"),
    BotCommand("help", "What Lede does and how to ask"),
)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class _AddressedToBot(filters.MessageFilter):
    """Group messages meant for the bot: a mention of it, or a reply to it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        return _mentions_bot(message, bot.username)


def _mentions_bot(message: Message, username: str) -> bool:
    mention = f"@{username}".lower()
    return any(text.lower() == mention for text in message.parse_entities([MessageEntity.MENTION]).values())


def build_application(config: Config, lede: Lede) -> Application:
    """Wire the handlers to a python-telegram-bot Application."""
    application = (
        ApplicationBuilder()
        .token(config.token or "")
        .base_url(config.base_url)
        .base_file_url(config.base_file_url)
        .post_init(_register_commands)
        .build()
    )
    application.bot_data["lede"] = lede
    application.add_handler(CommandHandler(["start", "help"], help_command))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, question_message)
    )
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & _AddressedToBot(), group_message)
    )
    application.add_error_handler(error_handler)
    return application


async def _register_commands(application: Application) -> None:
    await application.bot.set_my_commands(COMMANDS)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(HELP_TEXT, link_preview_options=_NO_PREVIEW)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, context, " ".join(context.args or ()))


async def question_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, context, update.effective_message.text or "")


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    mention = re.compile(rf"@{re.escape(context.bot.username)}\b", re.IGNORECASE)
    await _answer(update, context, mention.sub(" ", update.effective_message.text or ""))


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    lede: Lede = context.bot_data["lede"]
    reply = format_html(lede.ask(question))
    await update.effective_message.reply_text(
        reply, parse_mode=ParseMode.HTML, do_quote=True, link_preview_options=_NO_PREVIEW
    )


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (the log formatter masks the token) and apologise briefly."""
    log.error("Failed to handle an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(APOLOGY, do_quote=True)
        except Exception:  # the apology is best effort; the failure is already logged
            log.warning("Could not send the apology either", exc_info=True)
