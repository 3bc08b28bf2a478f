"""Telegram's HTML parse mode, for the fake Bot API: visible text plus UTF-16 entities.

Modelled on tdlib's ``parse_html`` (what the Bot API server runs) and the documented rules at
https://core.telegram.org/bots/api#html-style. Where Telegram would silently degrade a message,
this parser is stricter and rejects it, so such bugs fail tests instead of reaching users: bare
``<``, ``>`` and ``&``; named entities other than lt/gt/amp/quot; entities without ``;``; nesting
Telegram forbids (it drops the inner entity); and ``<a>`` without an absolute http(s)/tg/ton URL
(Telegram drops the link). ``tg://user?id=`` links stay ``text_link`` (Telegram makes a
``text_mention``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

JSON = dict[str, Any]


class HtmlError(ValueError):
    """Why Telegram would answer "Bad Request: can't parse entities: <this message>"."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring an entity's UTF-16 ``offset``/``length`` designate."""
    return text.encode("utf-16-le")[2 * offset : 2 * (offset + length)].decode("utf-16-le")


_FORMATTING_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler",
}
#: Telegram: these entities "can't contain each other" (pre may only wrap a language <code>).
_ATOMIC_TAGS = {"a", "code", "pre", "tg-emoji"}
_SUPPORTED_TAGS = set(_FORMATTING_TAGS) | _ATOMIC_TAGS | {"blockquote"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")
_PLAIN_RUN_RE = re.compile(r"[^<>&]+")
_TAG_NAME_RE = re.compile(r"[^\s>]*")
_ATTR_NAME_RE = re.compile(r"[^\s=>]+")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")
_END_TAG_RE = re.compile(r"</([^\s>]*)\s*>")
_SPACES_RE = re.compile(r"\s*")
_LINK_SCHEMES = {"http", "https", "tg", "ton"}


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    language_code: tuple[int, int, str] | None = None  # pre only: its <code class="language-x">


class _HtmlParser:
    """One pass over the source, keeping a stack of open tags and the UTF-16 output offset."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.visible: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "<":
                self._tag()
            elif char == "&":
                decoded, self.pos = self._entity(self.pos)
                self._emit(decoded)
            elif char == ">":
                raise HtmlError(f'bare ">" at byte offset {self._bytes(self.pos)}; escape it as &gt;')
            else:
                run = _PLAIN_RUN_RE.match(self.src, self.pos)
                assert run is not None
                self._emit(run.group())
                self.pos = run.end()
        if self.stack:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.visible), self.entities

    def _emit(self, text: str) -> None:
        self.visible.append(text)
        self.offset += utf16_len(text)

    def _bytes(self, pos: int) -> int:
        return len(self.src[:pos].encode())

    def _entity(self, pos: int) -> tuple[str, int]:
        """Decode the character reference at ``pos``; return it and the position after it."""
        match = _ENTITY_RE.match(self.src, pos)
        if match is None:
            raise HtmlError(f'bare "&" at byte offset {self._bytes(pos)}; escape it as &amp;')
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                at = self._bytes(pos)
                raise HtmlError(f'unsupported HTML entity "&{name};" at byte offset {at}')
            return _NAMED_ENTITIES[name], match.end()
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if not 0 < code < 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise HtmlError(f"invalid character reference at byte offset {self._bytes(pos)}")
        return chr(code), match.end()

    def _tag(self) -> None:
        begin = self.pos
        if self.src.startswith("</", begin):
            self._end_tag(begin)
        else:
            self._start_tag(begin)

    def _start_tag(self, begin: int) -> None:
        at = self._bytes(begin)
        name_match = _TAG_NAME_RE.match(self.src, begin + 1)
        assert name_match is not None
        name, pos = name_match.group().lower(), name_match.end()
        if pos >= len(self.src):
            raise HtmlError(f"Unclosed start tag at byte offset {at}")
        if name not in _SUPPORTED_TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {at}')
        attrs, pos = self._attributes(name, pos, at)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}')
        self._check_nesting(name, at)
        self.stack.append(_OpenTag(name, attrs, self.offset))
        self.pos = pos + 1

    def _attributes(self, tag: str, pos: int, at: int) -> tuple[dict[str, str], int]:
        """Parse attributes up to the closing ``>``; return them and the position of ``>``."""
        attrs: dict[str, str] = {}
        unclosed = HtmlError(f'Unclosed start tag "{tag}" at byte offset {at}')
        while True:
            pos = self._skip_spaces(pos)
            if pos >= len(self.src):
                raise unclosed
            if self.src[pos] == ">":
                return attrs, pos
            name_match = _ATTR_NAME_RE.match(self.src, pos)
            if name_match is None:
                raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
            name, pos = name_match.group(), self._skip_spaces(name_match.end())
            if pos < len(self.src) and self.src[pos] != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise HtmlError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {at}"
                )
            pos = self._skip_spaces(pos + 1)
            if pos >= len(self.src):
                raise unclosed
            if self.src[pos] in "\"'":
                end = self.src.find(self.src[pos], pos + 1)
                if end < 0:
                    raise unclosed
                attrs[name] = self._decode_value(pos + 1, end)
                pos = end + 1
            else:
                token = _NAME_TOKEN_RE.match(self.src, pos)
                assert token is not None
                attrs[name], pos = token.group().lower(), token.end()
                if pos < len(self.src) and not (self.src[pos].isspace() or self.src[pos] == ">"):
                    raise HtmlError(f"Unexpected end of name token at byte offset {self._bytes(pos)}")

    def _skip_spaces(self, pos: int) -> int:
        match = _SPACES_RE.match(self.src, pos)
        assert match is not None
        return match.end()

    def _decode_value(self, start: int, end: int) -> str:
        decoded: list[str] = []
        pos = start
        while pos < end:
            if self.src[pos] == "&":
                char, pos = self._entity(pos)
                decoded.append(char)
            else:
                decoded.append(self.src[pos])
                pos += 1
        return "".join(decoded)

    def _check_nesting(self, name: str, at: int) -> None:
        """Telegram documents which entities may nest and silently drops the others; we reject."""
        open_names = [tag.name for tag in self.stack]
        if name == "code" and open_names and open_names[-1] == "pre":
            return
        forbidden = {"code", "pre"} if name in _FORMATTING_TAGS else _ATOMIC_TAGS
        if name == "blockquote":
            forbidden = _ATOMIC_TAGS | {"blockquote"}
        outer = next((open_name for open_name in open_names if open_name in forbidden), None)
        if outer is not None:
            raise HtmlError(f'tag "{name}" can\'t be nested in "{outer}" at byte offset {at}')

    def _end_tag(self, begin: int) -> None:
        at = self._bytes(begin)
        match = _END_TAG_RE.match(self.src, begin)
        if match is None:
            raise HtmlError(f"Unclosed end tag at byte offset {at}")
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {at}")
        tag = self.stack.pop()
        name = match.group(1)
        if name and name != tag.name:
            raise HtmlError(
                f'Unmatched end tag at byte offset {at}, expected "</{tag.name}>", found "</{name}>"'
            )
        self._close(tag)
        self.pos = match.end()

    def _close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.start
        if length == 0:
            return
        entity: JSON = {"offset": tag.start, "length": length}
        if tag.name in _FORMATTING_TAGS:
            entity["type"] = _FORMATTING_TAGS[tag.name]
        elif tag.name == "a":
            url = tag.attrs.get("href") or utf16_slice("".join(self.visible), tag.start, length)
            parts = urlsplit(url)
            if parts.scheme not in _LINK_SCHEMES or not (parts.netloc or parts.scheme in {"tg", "ton"}):
                raise HtmlError(f'link "{url}" is no absolute http(s)/tg URL; Telegram drops it')
            entity.update(type="text_link", url=url)
        elif tag.name == "code":
            language = tag.attrs.get("class", "")
            if language.startswith("language-") and self.stack and self.stack[-1].name == "pre":
                self.stack[-1].language_code = (tag.start, length, language.removeprefix("language-"))
                return
            entity["type"] = "code"
        elif tag.name == "pre":
            entity["type"] = "pre"
            if tag.language_code is not None:
                code_start, code_length, language = tag.language_code
                if (code_start, code_length) == (tag.start, length):
                    entity["language"] = language
                else:
                    self.entities.append({"type": "code", "offset": code_start, "length": code_length})
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        else:
            entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
        self.entities.append(entity)


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (visible text, entities with UTF-16 offsets); raise HtmlError."""
    return _HtmlParser(text).parse()

