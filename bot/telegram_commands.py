"""How the Telegram shell reads a command: typed as text, or as a photo's, video's or file's caption.

python-telegram-bot's ``CommandHandler`` and ``filters.COMMAND`` read only a text's command, so a photo
captioned ``/help`` would be a photo Lede cannot read, and a file captioned ``/settings`` news to add.
Here a command is the same command whichever way it is sent: :class:`CommandOrCaptionHandler` (registered
in place of python-telegram-bot's) and :data:`COMMAND` read a caption as they read a text.
"""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import CommandHandler, filters
from telegram.ext.filters import FilterDataDict

from bot.typed_commands import addressed_command


def command_of(message: Message) -> tuple[str, str | None]:
    """A command message's (or a caption's) ``/name``, and the bot it names (``/name@bot``), if any."""
    words = (message.text or message.caption or "").split(maxsplit=1)
    return addressed_command(words[0] if words else "")


def command_words(message: Message) -> list[str]:
    """The words after a command message's (or a caption's) ``/name``: ``context.args`` for either."""
    return (message.text or message.caption or "").split()[1:]


def is_this_bot(message: Message, username: str) -> bool:
    return username.lower() == message.get_bot().username.lower()


def _caption_command(message: Message) -> bool:
    """Whether the caption begins with a command, as Telegram marks one (what ``filters.COMMAND`` asks of a text)."""
    entities = message.caption_entities
    return bool(entities) and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0


class _CaptionCommand(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return _caption_command(message)


# A command, typed or as a caption: what the handlers of files, photos and forwards leave to the commands.
COMMAND = filters.COMMAND | _CaptionCommand()


class CommandOrCaptionHandler(CommandHandler):
    """python-telegram-bot's ``CommandHandler``, which also takes the command as a caption, with its words as
    ``context.args``: the callback cannot tell the two apart."""

    def check_update(self, update: object) -> bool | tuple[list[str], bool | FilterDataDict | None] | None:
        if (not isinstance(update, Update) or (message := update.effective_message) is None
                or message.text is not None or not _caption_command(message)):
            return super().check_update(update)
        name, addressee = command_of(message)
        if name[1:].lower() not in self.commands or not (addressee is None or is_this_bot(message, addressee)):
            return None
        passed = self.filters.check_update(update)
        return (command_words(message), passed) if passed else False
