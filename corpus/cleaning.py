"""Paragraphs from raw text, with the furniture of feeds and sites removed.

Every sentence left in is a candidate answer, so whatever describes the
publication rather than the news goes: feed footers, "this post is part of"
notes, newsletter pleas, and paragraphs a feed delivered twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# WordPress and many other feed generators close every item with this line
# (Yoast and others word it "first appeared on"; some say "article" or "entry").
FEED_FOOTER = re.compile(
    r"^The (?:post|article|entry) (?P<title>.+?) (?:appeared first|first appeared) on (?P<publisher>.+?)\.?$"
)

# The same footer run into the entry's last paragraph, after its last sentence.
_TRAILING_FOOTER = re.compile(
    r"(?<=[.!?\"”’])\s+The (?:post|article|entry) .+? (?:appeared first|first appeared) on .+?\.?$"
)

# Editorial notes that describe the publication, not the news.
_BOILERPLATE = (
    re.compile(r"^This (?:post|article|story|piece) is part of\b", re.IGNORECASE),
    re.compile(r"\bFollow along here\.?$", re.IGNORECASE),
    re.compile(r"^(?:Sign up|Subscribe) (?:for|to) (?:our|the)\b.*newsletter", re.IGNORECASE),
    # A feed summary's link to the page: "Read more", "Continue reading <title> →" (a short paragraph of its own).
    re.compile(r"^(?:Read more|Continue reading|Keep reading|Read the (?:full|rest of the) (?:story|article|post))\b"
               r"(?:\s+\S+){0,12}\s*$", re.IGNORECASE),
)

_INDENTS = ("    ", "\t")


def split_paragraphs(text: str) -> list[str]:
    """Split text into paragraphs, joining hard-wrapped lines.

    Three layouts occur: blank lines between paragraphs; an indented first
    line per paragraph (newswires); or one paragraph per line (feeds). The
    first two join wrapped lines. In the last, a wire story of one
    paragraph is hard-wrapped too ("Colombia has opened export
    registrations / for November coffee shipments"), so a line is joined to
    the next where it plainly breaks off mid-sentence (:func:`_wraps`).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    blank_separated = any(not line.strip() for line in lines)
    indented = any(line.startswith(_INDENTS) for line in lines[1:])
    if not blank_separated and not indented:
        joined: list[str] = []
        for line in lines:
            if joined and _wraps(joined[-1], line):
                joined[-1] = f"{joined[-1]} {line.strip()}"
            elif line.strip():
                joined.append(line.strip())
        return joined
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and (not line.strip() or (indented and line.startswith(_INDENTS))):
            paragraphs.append(" ".join(current))
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


# Words a sentence does not end on: a line that stops at one was wrapped.
_NEVER_LAST = frozenset(
    "a an the of in on at to for from by with into about and or but nor as than that which who whose "
    "its his her their our my your is are was were be been has have had will would can could said says".split()
)
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "”", "’", "'", ")")


def _wraps(line: str, following: str) -> bool:
    """Whether ``line`` breaks off a sentence that ``following`` goes on with.

    Only where it cannot end there: no closing punctuation, and either the
    next line goes on in lower case or with a number, or ``line`` stops on
    a word no sentence ends on. A line that starts indented (a table's row)
    starts afresh, as does a headline above its story ("Dam Opens" / "The
    new dam ...").
    """
    following = following.rstrip()
    if not following or following[0].isspace() or line.endswith(_SENTENCE_END):
        return False
    return following[0].islower() or following[0].isdigit() or line.rsplit(maxsplit=1)[-1].lower() in _NEVER_LAST


def clean_paragraphs(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """Drop boilerplate and repeated paragraphs, collapsing white space.

    Feeds sometimes deliver the lead twice; only the first copy is kept so a
    sentence cannot compete with itself.
    """
    seen: set[str] = set()
    kept: list[str] = []
    for paragraph in paragraphs:
        paragraph = _TRAILING_FOOTER.sub("", " ".join(paragraph.split()))
        if not paragraph or paragraph in seen or _is_boilerplate(paragraph):
            continue
        seen.add(paragraph)
        kept.append(paragraph)
    return tuple(kept)


def _is_boilerplate(paragraph: str) -> bool:
    return any(pattern.search(paragraph) for pattern in _BOILERPLATE) or bool(
        FEED_FOOTER.match(paragraph)
    )
