"""Turn files on disk into clean :class:`Article` objects.

Sources arrive in four shapes: plain text as a feed delivered it (``.txt``),
Markdown (``.md``), saved web pages (``.html``) and JSON Lines in the
Reuters-21578 format of the shared data (``.jsonl``, optionally gzipped). Each
becomes body paragraphs with the feed's furniture (footers, "this post is part
of…" notes, repeated paragraphs) removed, because every sentence left in is a
candidate answer (see :mod:`corpus.cleaning`).
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from corpus.article import Article, read_moment
from corpus.cleaning import FEED_FOOTER, clean_paragraphs, split_paragraphs
from corpus.errors import UnreadableSource
from corpus.sizes import megabytes, sizes_apart
from corpus.feeds import MAX_FEED_ENTRIES, count_entries, parse_feed
from corpus.html import article_from_html

log = logging.getLogger(__name__)

# Half of a UTF-16 pair, alone: a valid pair is one character in a Python string.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Local RSS, Atom and RDF files are read as feeds: each entry is an article.
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz", *FEED_SUFFIXES)
# Malformed JSON Lines records named one by one in the log, per file; the rest are counted.
MALFORMED_LINES_NAMED = 5
# Why a path given as a source is no source (see absence).
NOTHING_THERE = "no such file or folder"
# The articles Lede answers from when it has nothing else: package data, so an
# installed Lede finds them wherever it runs (``tests/corpus/test_seeds.py``
# checks that they are the checkout's top-level ``seeds/`` folder, file for file).
BUNDLED_SEEDS = Path(__file__).resolve().parent / "seeds"


@dataclass(frozen=True)
class FileLimits:
    """What Lede will read from a file before it has seen what is inside.

    One article file is checked by its size before it is read (a 50 MB
    "article" is a dump or a mistake). JSON Lines are streamed, but each line
    is a record held in memory, and a compressed file can expand without
    end (a gzip bomb), so both are capped as they are read.
    """

    max_document_bytes: int = 10_000_000
    max_record_bytes: int = 10_000_000
    max_decompressed_bytes: int = 4_000_000_000

# Reuters wires end with a signature, on a line of its own or after the last sentence, in any
# case, sometimes trailed by an ellipsis or a carriage return's caret notation ("REUTER...^M").
_WIRE_SIGNATURE = re.compile(r"""(?:\s+REUTERS?|(?:^|\n|(?<=[.!?'"”)]))\s*(?i:reuters?))(?:\.{3}|\^M|\r)*\s*$""")

# The shared Reuters file's titles went through Python's str.title(), which capitalises every
# letter after a non-letter: "Fed'S", "Int'L", "Don'T", "2Nd Qtr", "<Gm>" for the ticker GM.
_TITLE_CASED_CONTRACTION = re.compile(r"(?<=[A-Za-z]')[A-Z]{1,2}\b")
_TITLE_CASED_ORDINAL = re.compile(r"\b(\d+)(St|Nd|Rd|Th)\b")
_TITLE_CASED_TICKER = re.compile(r"<[A-Za-z.]+>")

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")

# A first paragraph this short without closing punctuation reads as a headline.
_MAX_HEADLINE_WORDS = 20


def without_lone_surrogates(text: str | Path) -> str:
    """``text`` (or a path) fit to store and show: each lone surrogate read as U+FFFD.

    They are no characters, and SQLite, JSON output and Telegram refuse them.
    Python keeps the bytes of a file's name that are not UTF-8 (a file from an
    older system or a zip archive) as such, one for each byte, as the console
    reads such bytes typed at it.
    """
    return _LONE_SURROGATE.sub("\ufffd", str(text))


def refuse_binary(name: str, data: bytes) -> None:
    """Text never holds NUL bytes; nearly every binary format does, early on."""
    if b"\x00" in data[:8192]:
        raise UnreadableSource(f"{name} looks like a binary file, not text")


# Byte-order marks that say which UTF a file is in (UTF-32 LE's starts as UTF-16 LE's does, so it comes first).
# Windows Notepad's "Unicode" is UTF-16 with its mark, and every other byte of such a file is NUL.
_UNICODE_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                  (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(name: str, data: bytes) -> str:
    """The text of a .txt or .md file or upload: UTF-8, or UTF-16/32 with its byte-order mark; binary data is refused."""
    encoding = next((encoding for mark, encoding in _UNICODE_MARKS if data.startswith(mark)), None)
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise UnreadableSource(f"{name} is not {encoding.upper()} text though it begins like it "
                                   f"(byte {error.start:,} is not valid)") from None
    refuse_binary(name, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableSource(f"{name} is not UTF-8 text (byte {error.start:,} is not valid UTF-8)") from None


def load_paths(paths: Iterable[Path]) -> Iterator[Article]:
    """Yield the articles of every file and folder in ``paths``, in order.

    Folders are walked recursively in sorted order so that a corpus always
    loads the same way; files inside folders that are of other types, or
    that Lede cannot read, are skipped, each with a warning that names it and
    says why, as ``--ingest`` skips them. A file named in ``paths`` itself is
    read or refused: :class:`UnreadableSource` says why.
    """
    for path in paths:
        if not path.is_dir():
            yield from load_file(path)
            continue
        contents = folder_contents(path, SUPPORTED_SUFFIXES)
        for file in contents.unsupported:
            log.warning("Skipped %s: %s", file, unsupported_reason(file, SUPPORTED_SUFFIXES))
        for entry, reason in contents.unreachable:
            log.warning("Skipped %s: %s", entry, reason)
        for file in contents.sources:
            try:
                yield from load_file(file)
            except UnreadableSource as error:
                log.warning("Skipped %s: %s", file, error.reason)


@dataclass(frozen=True, slots=True)
class FolderContents:
    """What a walk of a folder found, each in sorted order (for a file: the file itself, as a source).

    ``sources``: the files ending in one of the suffixes read; ``unsupported``: the other files;
    ``unreachable``: the entries (the folder itself too) that Lede may not look at or into, links that lead
    to nothing (a volume not mounted), and devices and named pipes (:func:`special_file`), each with why.
    Walking past those, a subfolder Lede may not list, a link to nothing and a pipe were passed over without a
    word, and a link into a place it may not look stopped the walk with a traceback; so they are named, as
    unreadable files are.
    """

    sources: list[Path]
    unsupported: list[Path]
    unreachable: list[tuple[Path, str]]


def folder_contents(path: Path, suffixes: tuple[str, ...]) -> FolderContents:
    """``path`` itself as a source, or for a folder its files, recursively, in one walk (see :class:`FolderContents`)."""
    if not path.is_dir():
        return FolderContents([path], [], [])
    files, unreachable = _folder_files(path)
    return FolderContents(
        sources=[file for file in files if file.name.lower().endswith(suffixes)],
        unsupported=[file for file in files if not file.name.lower().endswith(suffixes)],
        unreachable=unreachable,
    )


def _folder_files(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files in ``folder``, recursively, and the entries Lede may not look at or into with why, both sorted."""
    files: list[Path] = []
    unreachable: list[tuple[Path, str]] = []
    for entry in sorted([folder, *folder.rglob("*")]):
        try:
            if entry.is_file():
                files.append(entry)
            elif entry.is_dir():
                with os.scandir(entry):  # rglob lists nothing of a folder it may not open, and says nothing
                    pass
            elif reason := special_file(entry):  # also a link to one, which leads somewhere after all
                unreachable.append((entry, reason))
            elif entry.is_symlink():
                unreachable.append((entry, leads_nowhere(entry)))
        except PermissionError as error:
            unreachable.append((entry, unreadable_reason(entry, error)))
    return files, unreachable


def unsupported_reason(path: Path, suffixes: tuple[str, ...]) -> str:
    return f"{path.name} is not a file type Lede reads (it reads {', '.join(suffixes)})"


def special_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a document when it is a device or a pipe, else None.

    Such a file has no size to check first, and reading it may never end: /dev/zero fills the memory,
    a named pipe nobody writes to waits forever.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        return f"{path.name} is a device or a pipe, not a file; save what it gives to a file and give that"
    return None


def load_file(path: Path, limits: FileLimits = FileLimits()) -> Iterator[Article]:
    """Yield the articles stored in one file (one, or many for JSON Lines and feeds) within ``limits``.

    A file the system will not let Lede read (no permission, gone meanwhile) is
    an :class:`UnreadableSource` like any other unreadable file.
    """
    try:
        yield from _articles_of(path, limits)
    except OSError as error:
        raise UnreadableSource(unreadable_reason(path, error)) from None


def unreadable_reason(path: Path, error: OSError) -> str:
    """Why the system would not let Lede read ``path`` (no permission, gone meanwhile), in a message's words."""
    return f"{path.name} could not be read ({error.strerror or error})"


def absence(path: Path) -> str | None:
    """Why there is nothing at ``path`` for Lede to read, in a message's words: :data:`NOTHING_THERE`, a link that
    leads to nothing, or a folder on the way it may not open (a link into another user's ``chmod 700`` folder);
    None when something is there."""
    try:
        if path.exists():
            return None
    except PermissionError as error:
        return unreadable_reason(path, error)
    return leads_nowhere(path) if path.is_symlink() else NOTHING_THERE


def leads_nowhere(link: Path) -> str:
    """Why the link at ``link``, which leads to nothing (a volume not mounted, a file moved), gives nothing to read."""
    return f"{link.name} is a link to {os.readlink(link)}, which does not exist"


def _articles_of(path: Path, limits: FileLimits) -> Iterator[Article]:
    if reason := special_file(path):
        raise UnreadableSource(reason)
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        yield from _load_jsonl(path, limits)
        return
    if not name.endswith(SUPPORTED_SUFFIXES):
        raise UnreadableSource(unsupported_reason(path, SUPPORTED_SUFFIXES))
    size = path.stat().st_size
    if size > limits.max_document_bytes:
        shown, limit = sizes_apart(size, limits.max_document_bytes)
        raise UnreadableSource(f"{path.name} is {shown}; I read articles up to {limit}")
    if name.endswith(FEED_SUFFIXES):
        yield from load_feed_file(path)
        return
    # The name titles the article, stored and shown.
    yield parse_document(without_lone_surrogates(path.name), path.read_bytes(), *document_identity(path))


def file_source(path: Path) -> str:
    """Where an article read from ``path`` comes from: the file itself, however its path was written (relative,
    absolute, through ``..`` or a link), so that the same file read by another path is the same source."""
    return without_lone_surrogates(path.resolve())


def document_identity(path: Path) -> tuple[str, str]:
    """The id and the source of the article a .txt, .md or .html file is: the name of the file itself (a link's
    target's), without its type, and its :func:`file_source`. (Another file of that name: see ``Library.reread``.)"""
    source = file_source(path)
    return Path(source).stem, source


def load_feed_file(path: Path) -> Iterator[Article]:
    """The entries of a local RSS, Atom or RDF file, read as a fetched feed is, each with the text it carries.

    An entry that carries only a summary gives the summary: a file is read
    as it is, without fetching anything.
    """
    feed = parse_feed(path.read_bytes(), path.resolve().as_uri())
    if feed.unread:
        log.warning("%s: read its first %d entries, left %d unread", path, len(feed.entries), feed.unread)
    for entry in feed.entries:
        if entry.article.paragraphs:
            yield entry.article


def expected_articles(paths: Iterable[Path]) -> int | None:
    """How many articles ``paths`` hold, counted cheaply for a progress bar's total; None when it cannot be known.

    A JSON Lines record and a feed entry are an article each, any other file one.
    """
    total = 0
    try:  # a path Lede may not look at (a link into a closed folder) too: reading it will say why
        for path in paths:
            for file in folder_contents(path, SUPPORTED_SUFFIXES).sources:
                name = file.name.lower()
                if name.endswith((".jsonl", ".jsonl.gz")):
                    total += sum(1 for line in _records(file, FileLimits()) if line.strip())
                elif name.endswith(FEED_SUFFIXES):
                    total += min(count_entries(file.read_bytes()), MAX_FEED_ENTRIES)
                else:
                    total += 1
    except (OSError, UnreadableSource):
        return None
    return total


def parse_document(name: str, data: bytes, article_id: str, source: str) -> Article:
    """A .txt, .md or .html document (a file or an upload) as an article, by the type its name says.

    Without a headline or a feed footer to name it, the article is titled by the file's name.
    """
    if name.lower().endswith((".html", ".htm")):
        refuse_binary(name, data)
        article = article_from_html(data, article_id, source=source)
    else:
        parse = parse_markdown if name.lower().endswith(".md") else parse_plain_text
        article = parse(decode_text(name, data), article_id, source)
        if article.title == article_id:
            article = replace(article, title=Path(name).stem)
    # Empty, or only markup and punctuation ("<&<&…"): no sentence a question could find, and
    # stored it would be a story of symbols in every briefing.
    if not any(character.isalnum() for paragraph in article.paragraphs for character in paragraph):
        raise UnreadableSource(f"{name} has no text to quote from")
    return article


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


def _load_jsonl(path: Path, limits: FileLimits) -> Iterator[Article]:
    """The records of a JSON Lines file; a malformed line is skipped with a warning, a file of nothing else refused.

    The first :data:`MALFORMED_LINES_NAMED` malformed lines are named one by
    one and the rest counted in one line: a file of the wrong format would
    otherwise put a warning on the log for each of its thousands of lines.
    """
    lines = records = malformed = 0
    source = file_source(path)
    for number, line in enumerate(_records(path, limits), start=1):
        if not line.strip():
            continue
        lines += 1
        try:
            # The first line may carry a byte-order mark (editors on Windows add one): it is no part of the record.
            record = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace"),
                                object_pairs_hook=_with_whole_characters)
            article = article_from_record(record, source=f"{source}:{number}")
        except (ValueError, KeyError, TypeError) as error:
            malformed += 1
            if malformed <= MALFORMED_LINES_NAMED:
                log.warning("%s:%d: skipped a malformed record (%s)", path, number, error)
            continue
        records += 1
        yield article
    if malformed > MALFORMED_LINES_NAMED:
        log.warning("%s: skipped %s more malformed records", path, f"{malformed - MALFORMED_LINES_NAMED:,}")
    if lines and not records:
        which = "its one line is not" if lines == 1 else f"none of its {lines:,} lines is"
        raise UnreadableSource(f"{path.name} holds no readable record: {which} a JSON object with an id and a text body")


def _records(path: Path, limits: FileLimits) -> Iterator[bytes]:
    """The lines of a JSON Lines file, gzipped or not, each and all within ``limits``."""
    compressed = path.name.lower().endswith(".gz")
    read = 0
    try:
        with (gzip.open(path, "rb") if compressed else open(path, "rb")) as lines:
            number = 0
            while line := lines.readline(limits.max_record_bytes + 1):
                number += 1
                read += len(line)
                if len(line) > limits.max_record_bytes:
                    raise UnreadableSource(f"{path.name} has a line over {megabytes(limits.max_record_bytes)} "
                                           f"(line {number:,}); is it really JSON Lines?")
                if read > limits.max_decompressed_bytes:
                    raise UnreadableSource(f"{path.name} expands to more than "
                                           f"{megabytes(limits.max_decompressed_bytes)}; I stopped reading it")
                yield line
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise UnreadableSource(f"{path.name} is a damaged gzip file ({error})") from None


def article_from_record(record: object, source: str | None = None) -> Article:
    """Build an article from one record in the shared Reuters JSON Lines format.

    Raises ValueError, saying what is wrong, for a record that is not an
    object with an id and a text body; optional fields of the wrong type
    (a number for a date) are left out rather than guessed at.
    """
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if record.get("id") in (None, ""):
        raise ValueError("it has no id")
    body = record.get("body")
    if not isinstance(body, str):
        raise ValueError("its body is missing or not text")
    article_id = str(record["id"])
    return Article(
        article_id=article_id,
        title=_undo_title_case(" ".join((_text(record.get("title")) or article_id).split())),
        paragraphs=clean_paragraphs(split_paragraphs(_WIRE_SIGNATURE.sub("", body))),
        publisher=_text(record.get("publisher")) or "Reuters",
        url=_text(record.get("url")),
        published=read_moment(_text(record.get("date"))),
        source=source,
    )


def _undo_title_case(title: str) -> str:
    """``title`` without the marks str.title() leaves: "Fed'S 2Nd Qtr <Gm>" → "Fed's 2nd Qtr <GM>".

    Every answer from such an article shows its title, and these read as
    typos. Only what str.title() cannot have meant is changed: a letter
    after an apostrophe inside a word, an ordinal's suffix, a ticker in
    angle brackets (always upper case on the wire). Other words keep their
    case: "Opec" might be a name written so.
    """
    title = _TITLE_CASED_CONTRACTION.sub(lambda match: match.group().lower(), title)
    title = _TITLE_CASED_ORDINAL.sub(lambda match: match.group(1) + match.group(2).lower(), title)
    return _TITLE_CASED_TICKER.sub(lambda match: match.group().upper(), title)


def _with_whole_characters(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose text holds an escaped half of a UTF-16 pair ("\\ud83d": an emoji cut in two by a
    program that counts UTF-16 units) with U+FFFD for it, as the bytes of a line that are not UTF-8 read."""
    return {key: without_lone_surrogates(value) if isinstance(value, str) else value for key, value in pairs}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _looks_like_headline(paragraph: str) -> bool:
    return len(paragraph.split()) <= _MAX_HEADLINE_WORDS and not paragraph.endswith((".", "?", "!", ":", ";", ","))
