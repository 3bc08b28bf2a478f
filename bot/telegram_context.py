"""The handlers' typed context: what every Telegram handler may use, instead of ``bot_data["…"]`` lookups,
and the one way an inline query is refused (:func:`refuse_inline`).

python-telegram-bot creates ``bot_data`` itself (empty) from :data:`CONTEXT_TYPES`;
:func:`bot.telegram_app.build_application` then gives it the one :class:`Shell`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import InlineQuery, InlineQueryResultsButton
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.access import AccessPolicy, RateLimiter
from bot.chat_turns import ChatTurns
from bot.workers import Workers
from corpus.errors import StoreGone

if TYPE_CHECKING:
    from bot.channel_handlers import Audiences
    from bot.service import Lede

Clock = Callable[[], datetime]
# The /start parameter of the button over an inline query's empty results, which opens the private chat with Lede.
INLINE_START = "inline"


async def refuse_inline(query: InlineQuery, line: str) -> None:
    """Answer an inline query with no results under a button saying ``line``, which opens the private chat.

    Unanswered, the query would show loading until the client gives up. The answer is the person's alone and
    not cached: Telegram would otherwise show it to others typing the same.
    """
    button = InlineQueryResultsButton(line, start_parameter=INLINE_START)
    await query.answer([], cache_time=0, is_personal=True, button=button)


@dataclass(frozen=True)
class Shell:
    """Everything the handlers share: the service, the gatekeepers, the clock and the worker threads."""

    lede: Lede
    access: AccessPolicy
    limiter: RateLimiter
    clock: Clock
    briefing_check_interval: float
    workers: Workers
    # Questions are answered one at a time per chat, in the order they came (bot/chat_turns.py).
    chat_turns: ChatTurns = field(default_factory=ChatTurns)
    # And briefings, each from composing it to remembering it once delivered: two side by side would
    # tell the same stories twice. Apart from questions, which need not wait for a briefing.
    briefing_turns: ChatTurns = field(default_factory=ChatTurns)
    # And the sources a chat adds (or a channel posts), so that one chat's many slow pages hold one of the
    # source threads, not all of them (bot/workers.py).
    source_turns: ChatTurns = field(default_factory=ChatTurns)


class BotData:
    """``context.bot_data``: holds the :class:`Shell` once the application is built."""

    shell: Shell
    audiences: Audiences  # when each private channel's audience was last read
    # What stopped the bot, to end the run with after polling stops (see bot.telegram_app.error_handler).
    stopped_by: StoreGone | None = None


class LedeContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """``context`` in every handler: the shell's parts by name."""

    @property
    def shell(self) -> Shell:
        return self.bot_data.shell

    @property
    def lede(self) -> Lede:
        return self.bot_data.shell.lede

    @property
    def workers(self) -> Workers:
        return self.bot_data.shell.workers

    def now(self) -> datetime:
        return self.bot_data.shell.clock()

    @property
    def arguments(self) -> list[str]:
        """The words after the command, less a mention of Lede typed among them (``/feed @lede list``):
        in a group people address the bot so, and the mention is no argument."""
        mention = f"@{self.bot.username}".lower()
        return [word for word in self.args or () if word.lower() != mention]


CONTEXT_TYPES = ContextTypes(context=LedeContext, bot_data=BotData)
