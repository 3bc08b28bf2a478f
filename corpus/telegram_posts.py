"""Telegram posts as articles: a channel's posts and the posts people forward to Lede.

Pure conversion from plain dataclasses (the Telegram shell fills them from
its updates; nothing here imports Telegram), so the rules are tested without
a bot:

* the text is the post's text or caption, each text link kept as
  ``anchor (url)``, one paragraph per line;
* the title is its first line (clipped), the publisher the channel's or
  chat's title or the sender's name, the date the post's own;
* the link is ``https://t.me/<username>/<message id>`` for a public channel,
  ``https://t.me/c/<internal id>/<message id>`` for a private one (it opens
  only for the channel's members);
* a channel's repost (a post it forwarded from elsewhere) is credited to the
  original: its author's name "via" the channel as the publisher, its date,
  and its link when the original has one (else the repost's);
* the article id comes from the channel and the message, so a post Lede
  reads in its channel and the same post forwarded to it are one article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from corpus.article import Article

# Fewer words than this (links not counted) is not news: a channel's "good morning", a forwarded "lol".
MIN_NEWS_WORDS = 8
# A post with one link and at most this many words of its own is a headline pointing to an article.
MAX_HEADLINE_WORDS = 40
MAX_TITLE_CHARS = 120
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_TELEGRAM_HOSTS = ("t.me", "telegram.me", "telegram.org")


@dataclass(frozen=True, slots=True)
class TextLink:
    """A ``text_link`` entity: ``length`` characters at ``offset`` (UTF-16 code units, as Telegram counts) link to ``url``."""

    offset: int
    length: int
    url: str


@dataclass(frozen=True, slots=True)
class Chat:
    """A channel (or group) a post comes from; public ones have a username."""

    chat_id: int
    title: str
    username: str | None = None

    @property
    def public(self) -> bool:
        return self.username is not None

    def post_link(self, message_id: int) -> str:
        """The post's t.me link; a private channel's opens only for its members."""
        if self.username:
            return f"https://t.me/{self.username}/{message_id}"
        return f"https://t.me/c/{str(-self.chat_id).removeprefix('100')}/{message_id}"


@dataclass(frozen=True, slots=True)
class Post:
    """A channel post (or one item of an album, ``album`` being its media group id); ``original`` for a repost."""

    chat: Chat
    message_id: int
    date: datetime
    text: str
    links: tuple[TextLink, ...] = ()
    album: str | None = None
    original: Original | None = None

    @property
    def article_id(self) -> str:
        return _post_id(self.chat, f"album-{self.album}" if self.album else self.message_id)


def _post_id(chat: Chat, key: str | int) -> str:
    return f"tg{chat.chat_id}-{key}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Who first posted a forwarded message: a channel (with its message id), a chat, a user or a hidden user."""

    name: str
    key: str  # a channel's post itself, else the sender (a chat, a user, a hidden user's name)
    link: str | None = None
    one_post: bool = False  # whether ``key`` names the post itself, not only its sender


@dataclass(frozen=True, slots=True)
class Original:
    """Whom a channel's repost (a post it forwarded from elsewhere) came from, and when that was first posted."""

    origin: Origin
    date: datetime


def channel_origin(chat: Chat, message_id: int) -> Origin:
    """A forward from a channel: the same article id as the post read in the channel itself."""
    return Origin(chat.title, _post_id(chat, message_id), chat.post_link(message_id) if chat.public else None,
                  one_post=True)


def chat_origin(chat: Chat) -> Origin:
    return Origin(chat.title, f"tg{chat.chat_id}")


def user_origin(user_id: int, name: str) -> Origin:
    return Origin(name, f"tg-user{user_id}")


def hidden_user_origin(name: str) -> Origin:
    return Origin(name, f"tg-hidden-{name}")


@dataclass(frozen=True, slots=True)
class Forward:
    """A message forwarded to Lede: its text and the original post's origin and date."""

    origin: Origin
    date: datetime
    text: str
    links: tuple[TextLink, ...] = ()

    @property
    def article_id(self) -> str:
        """A channel's post is named by its message; anyone else's by its sender and original date."""
        return self.origin.key if self.origin.one_post else f"{self.origin.key}-{int(self.date.timestamp())}"


def with_links(text: str, links: Sequence[TextLink]) -> str:
    """The text with each text link written out after its anchor, ``anchor (url)``; plain URLs are already there."""
    units = text.encode("utf-16-le")
    pieces: list[str] = []
    cursor = 0
    for link in sorted(links, key=lambda link: link.offset):
        start, end = 2 * link.offset, 2 * (link.offset + link.length)
        if start < cursor or end > len(units):
            continue  # overlapping or out of range: Telegram never sends them, and the text stays intact
        anchor = units[start:end].decode("utf-16-le")
        pieces.append(units[cursor:start].decode("utf-16-le"))
        pieces.append(anchor if anchor.strip() == link.url else f"{anchor} ({link.url})")
        cursor = end
    pieces.append(units[cursor:].decode("utf-16-le"))
    return "".join(pieces)


def words(text: str) -> int:
    """Words of the post's own, links not counted."""
    return len(_WORD.findall(_URL.sub(" ", text)))


def is_news(text: str) -> bool:
    return words(text) >= MIN_NEWS_WORDS


def headline_link(text: str, links: Sequence[TextLink]) -> str | None:
    """The article a post points to, when the post is little more than a headline and that one link."""
    urls = {url.rstrip(".,;:!?)") for url in _URL.findall(text)} | {link.url for link in links}
    outside = {url for url in urls if not _is_telegram(url)}
    if len(outside) != 1 or words(text) > MAX_HEADLINE_WORDS:
        return None
    return outside.pop()


def _is_telegram(url: str) -> bool:
    host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/", 1)[0].lower()
    return host in _TELEGRAM_HOSTS or host.endswith(".t.me")


def article(
    article_id: str, raw: str, text: str, *, publisher: str, url: str | None, date: datetime, source: str
) -> Article:
    """A post as an article: each line of its ``text`` (links written out) a paragraph, the first line of its ``raw`` text the title."""
    paragraphs = tuple(line.strip() for line in text.splitlines() if line.strip())
    headline = next((line.strip() for line in raw.splitlines() if line.strip()), "")
    return Article(
        article_id=article_id,
        title=_title(headline) if headline else publisher,
        paragraphs=paragraphs,
        publisher=publisher,
        url=url,
        published=date,
        source=source,
    )


def post_article(post: Post, parts: Sequence[Post] = ()) -> Article:
    """A channel post as its channel's article; an album's captioned ``parts`` (in order) make one article.

    A repost is credited to its original (name, date, link) via the channel, which stays its source.
    """
    items = sorted(parts or (post,), key=lambda item: item.message_id)
    first = items[0]
    text = "\n".join(with_links(item.text, item.links) for item in items)
    link = post.chat.post_link(first.message_id)
    publisher, url, date = post.chat.title, link, first.date
    if first.original is not None:
        # The repost's own link stands in for an original without a public one: Telegram shows it as forwarded from whom.
        origin = first.original.origin
        publisher, url, date = f"{origin.name} via {post.chat.title}", origin.link or link, first.original.date
    return article(post.article_id, "\n".join(item.text for item in items), text, publisher=publisher,
                   url=url, date=date, source=link)


def forward_article(forward: Forward) -> Article:
    """A forwarded post as an article of the chat it was forwarded to."""
    return article(forward.article_id, forward.text, with_links(forward.text, forward.links), publisher=forward.origin.name,
                   url=forward.origin.link, date=forward.date,
                   source=forward.origin.link or f"a post forwarded from {forward.origin.name}")


def _title(line: str) -> str:
    line = _URL.sub("", line).strip(" -–—:|") or line
    if len(line) <= MAX_TITLE_CHARS:
        return line
    return line[: MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
