"""Turn files on disk into clean :class:`Article` objects.

Sources arrive in four shapes: plain text as a feed delivered it (``.txt``),
Markdown (``.md``), saved web pages (``.html``) and JSON Lines in the
Reuters-21578 format of the shared data (``.jsonl``, optionally gzipped). Each
becomes body paragraphs with the feed's furniture (footers, "this post is part
of…" notes, repeated paragraphs) removed, because every sentence left in is a
candidate answer (see :mod:`corpus.cleaning`).
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from corpus.article import Article
from corpus.cleaning import FEED_FOOTER, clean_paragraphs, split_paragraphs
from corpus.html import article_from_html

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz")

# Reuters wires end with a signature, on a line of its own or after the last sentence.
_WIRE_SIGNATURE = re.compile(r"""(?:\s+REUTERS?|(?:^|\n|(?<=[.!?'"”)]))\s*Reuters?)\s*$""")

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")

# A first paragraph this short without closing punctuation reads as a headline.
_MAX_HEADLINE_WORDS = 20


def load_paths(paths: Iterable[Path]) -> Iterator[Article]:
    """Yield the articles of every file and folder in ``paths``, in order.

    Folders are walked recursively in sorted order so that a corpus always
    loads the same way; unsupported files inside folders are skipped.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _is_supported(child):
                    yield from load_file(child)
        else:
            yield from load_file(path)


def load_file(path: Path) -> Iterator[Article]:
    """Yield the articles stored in one file (one, or many for JSON Lines)."""
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        yield from _load_jsonl(path)
    elif name.endswith(".md"):
        yield parse_markdown(path.read_text(encoding="utf-8", errors="replace"), path.stem, str(path))
    elif name.endswith(".txt"):
        yield parse_plain_text(path.read_text(encoding="utf-8", errors="replace"), path.stem, str(path))
    elif name.endswith((".html", ".htm")):
        yield article_from_html(path.read_bytes(), path.stem, source=str(path))
    else:
        raise ValueError(f"{path}: unsupported file type (expected one of {', '.join(SUPPORTED_SUFFIXES)})")


def _is_supported(path: Path) -> bool:
    return path.name.lower().endswith(SUPPORTED_SUFFIXES)


def parse_plain_text(text: str, article_id: str, source: str | None = None) -> Article:
    """Build an article from plain text as it arrived from a feed or a file.

    The title and publisher come from a feed footer when there is one, else
    the first paragraph is taken as the title when it reads like a headline,
    else the article id stands in for it.
    """
    paragraphs = split_paragraphs(text)
    title, publisher = None, None
    if paragraphs and (footer := FEED_FOOTER.match(paragraphs[-1])):
        title, publisher = footer["title"].strip(), footer["publisher"].strip()
        paragraphs = paragraphs[:-1]
    if title is None and len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    return Article(
        article_id=article_id,
        title=title or article_id,
        paragraphs=clean_paragraphs(paragraphs),
        publisher=publisher,
        source=source,
    )


def parse_markdown(text: str, article_id: str, source: str | None = None) -> Article:
    """Build an article from Markdown: the first heading is the title."""
    lines = text.splitlines()
    title = None
    for index, line in enumerate(lines):
        if _MARKDOWN_HEADING.match(line):
            title = _strip_markdown(_MARKDOWN_HEADING.sub("", line)).strip()
            del lines[index]
            break
        if line.strip():
            break
    article = parse_plain_text(_strip_markdown("\n".join(lines)), article_id, source)
    return replace(article, title=title) if title else article


def _strip_markdown(text: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_EMPHASIS.sub(r"\2", text)
    return "\n".join(_MARKDOWN_HEADING.sub("", line) for line in text.splitlines())


def _load_jsonl(path: Path) -> Iterator[Article]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                yield article_from_record(record, source=f"{path}:{number}")
            except (ValueError, KeyError, TypeError) as error:
                log.warning("%s:%d: skipped a malformed record (%s)", path, number, error)


def article_from_record(record: dict, source: str | None = None) -> Article:
    """Build an article from one record in the shared Reuters JSON Lines format."""
    body = _WIRE_SIGNATURE.sub("", str(record["body"]))
    return Article(
        article_id=str(record["id"]),
        title=" ".join(str(record.get("title") or record["id"]).split()),
        paragraphs=clean_paragraphs(split_paragraphs(body)),
        publisher=record.get("publisher") or "Reuters",
        url=record.get("url"),
        published=record.get("date"),
        source=source,
    )


def _looks_like_headline(paragraph: str) -> bool:
    return len(paragraph.split()) <= _MAX_HEADLINE_WORDS and not paragraph.endswith((".", "?", "!", ":", ";", ","))
