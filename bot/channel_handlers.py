"""Channel posts and forwarded posts in Telegram: thin handlers around :class:`~corpus.channel_posts.ChannelPosts`.

Telegram delivers a channel's posts (``channel_post``, ``edited_channel_post``)
only to bots that are administrators of the channel. Each is read into a
plain :class:`~corpus.telegram_posts.Post` here (a repost, one the channel
forwarded from elsewhere, with its original) and kept in a worker thread
(fetching a linked page and splitting are slow). A private channel's
audience (its linked discussion group and its human administrators) is read
with ``getChat`` and ``getChatAdministrators`` before its post is kept, at
most every :data:`AUDIENCE_TTL` seconds per channel.

A message forwarded to Lede in a private chat, or one an administrator
answers with ``/add`` in a group, becomes an article of that chat
(:func:`add_forward`; :mod:`bot.telegram_app` routes both, after its rights
and rate checks).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import (
    Bot,
    Message,
    MessageEntity,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram import Chat as TelegramChat
from telegram.error import TelegramError
from telegram.ext import Application, MessageHandler, filters

from bot import source_replies
from bot.telegram_context import LedeContext
from bot.telegram_failures import send_reply
from bot.telegram_updates import chat_of, message_of
from bot.waiting import turn_told
from corpus.telegram_posts import (
    Chat,
    Forward,
    Origin,
    Original,
    Post,
    TextLink,
    channel_origin,
    chat_origin,
    hidden_user_origin,
    user_origin,
)

log = logging.getLogger(__name__)

# How long a private channel's administrators and linked group are trusted before they are read again.
AUDIENCE_TTL = 600.0
# Lede's own reply forwarded back: kept, it would be an article citing Lede in place of the post it quotes.
OWN_MESSAGE = "That is one of my own messages, not news to add: forward me the post it quotes instead."


def register(application: Application) -> None:
    """Before any handler of messages: a channel post with a document is a post, not an upload."""
    application.bot_data.audiences = Audiences()
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, channel_post))


# ---- reading Telegram's objects --------------------------------------------------------------


def _chat(chat: TelegramChat) -> Chat:
    return Chat(chat.id, chat.title or chat.effective_name or str(chat.id), chat.username)


def _text_and_links(message: Message) -> tuple[str, tuple[TextLink, ...]]:
    """The text or caption, and its text links (URL entities are in the text already)."""
    text = message.text or message.caption or ""
    entities = message.entities if message.text else message.caption_entities
    links = tuple(TextLink(entity.offset, entity.length, entity.url) for entity in entities
                  if entity.type == MessageEntity.TEXT_LINK and entity.url)
    return text, links


def post_of(message: Message) -> Post:
    """A channel's post; one it forwarded from elsewhere (a repost) keeps whom it came from, and when."""
    text, links = _text_and_links(message)
    original = Original(_origin(message), message.forward_origin.date) if message.forward_origin else None
    return Post(_chat(message.chat), message.message_id, message.date, text, links, message.media_group_id, original)


def _origin(message: Message) -> Origin:
    match message.forward_origin:
        case MessageOriginChannel(chat=chat, message_id=message_id):
            return channel_origin(_chat(chat), message_id)
        case MessageOriginChat(sender_chat=chat):
            return chat_origin(_chat(chat))
        case MessageOriginUser(sender_user=user):
            return user_origin(user.id, user.full_name)
        case MessageOriginHiddenUser(sender_user_name=name):
            return hidden_user_origin(name)
    raise ValueError(f"not a forwarded message: {message.forward_origin!r}")


def forward_of(message: Message) -> Forward:
    """The forwarded post a message carries (it must be a forward)."""
    assert message.forward_origin is not None
    text, links = _text_and_links(message)
    return Forward(_origin(message), message.forward_origin.date, text, links)


# ---- handlers --------------------------------------------------------------------------------


async def channel_post(update: Update, context: LedeContext) -> None:
    """A post (or its edit) in a channel Lede administers; nothing is said in the channel."""
    message = message_of(update)
    if _sent_by(message, context.bot.id):
        # Kept, it would be an article citing Lede via the channel, as OWN_MESSAGE says of a forward.
        log.info("Skipped post %d of channel %d: it reposts one of my own messages", message.message_id, message.chat_id)
        return
    post = post_of(message)
    if not post.chat.public:
        await context.bot_data.audiences.refresh(context, post.chat.chat_id)
    # One post at a time per channel (in order, an edit after its post): a burst of posts whose links are
    # slow to fetch holds one of the source threads, and the chats adding sources keep the others.
    async with context.shell.source_turns.turn(post.chat.chat_id):
        await context.workers.sources(context.lede.posts.receive, post, edited=update.edited_channel_post is not None)


async def add_forward(update: Update, context: LedeContext, forwarded: Message) -> None:
    """Keep a forwarded post for this chat and confirm it as ``/add`` does (or say why not)."""
    if _sent_by(forwarded, context.bot.id):
        await send_reply(message_of(update), OWN_MESSAGE)
        return
    message, chat = message_of(update), chat_of(update).id
    async with turn_told(message, context.shell.source_turns, context.workers.sources):
        outcome = await context.workers.sources(context.lede.posts.add_forward, forward_of(forwarded), chat)
        await send_reply(message, source_replies.added(outcome))


def _sent_by(forwarded: Message, user_id: int) -> bool:
    origin = forwarded.forward_origin
    return isinstance(origin, MessageOriginUser) and origin.sender_user.id == user_id


# ---- who sees a private channel's posts ----------------------------------------------------


class Audiences:
    """When each private channel's audience was last read, so Telegram is asked at most every :data:`AUDIENCE_TTL`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._read: dict[int, float] = {}

    async def refresh(self, context: LedeContext, channel: int) -> None:
        """Read the channel's audience again if it is older than the TTL; on failure keep what was known.

        Until it was read once, nobody but the channel sees its posts.
        """
        now = self._clock()
        if now - self._read.get(channel, -AUDIENCE_TTL) < AUDIENCE_TTL:
            return
        # Marked before reading, so posts arriving meanwhile do not read it again: they need not wait
        # for it either, as who sees a channel's posts is decided when a question is asked.
        self._read[channel] = now
        try:
            chats = await audience(context.bot, channel)
        except TelegramError as error:
            log.warning("Could not read who may see channel %s's posts: %s", channel, error)
            del self._read[channel]
            return
        await context.workers.quick(context.lede.posts.set_audience, channel, chats)


async def audience(bot: Bot, channel: int) -> frozenset[int]:
    """A private channel's audience: its linked discussion group and its human administrators' private chats."""
    info = await bot.get_chat(channel)
    admins = await bot.get_chat_administrators(channel)
    people = {member.user.id for member in admins if not member.user.is_bot}
    return frozenset(people | ({info.linked_chat_id} if info.linked_chat_id else set()))
