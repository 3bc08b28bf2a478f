"""Questions sent in reply to a briefing: which of its stories they are about.

A briefing is a numbered list of stories, each a headline, a sentence or two
and its sources. A reader replies to it the way they talk: "more on the second
one", "why? (2)", "what did the Fed say?", "how much?". This module keeps what
a sent briefing must be remembered by (:class:`ToldStory`: small, bounded) and
reads which story a reply points at: by its number or place (:func:`story_number`) or
by a word of its headline (:func:`story_by_words`). Pure functions: the
briefing is kept, and the question answered, by the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass


# A story listing more articles than this is remembered by its first ones: enough to answer from,
# and a sent briefing stays a few kilobytes however wide a story is.
MAX_ARTICLES_PER_STORY = 20

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9, "tenth": 10, "10th": 10,
}
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
# "the second one", "the last story", "the third?", "story 2", "story two", "number 3", "#2", "(2)", or a reply that
# is only a number or a place ("2", "second", "2nd one?", as "Which story?" is answered). An ordinal counts only after
# "the" and before "one", "story", a clause's last "about" ("what's the second about?") or the end of a clause, or alone: "the first
# quarter" and "last week" name no story.
# A number in words only after "story" or "item": "no one" and "the number two at the Fed" name none.
_NUMBERED = re.compile(
    rf"(?:\b(?:on|about|in|for|of)\s+)?"
    rf"(?:\bthe\s+(?P<ordinal>{_ORDINAL}|last)\b(?:\s+(?:one|story|item|article)\b|(?=\s+about\s*(?:[?.!,;:]|$))|(?=\s*(?:[?.!,;:]|$)))"
    r"|\b(?:story|item|number|no\.?)\s*#?\s*(?P<number>\d{1,2})\b"
    rf"|\b(?:story|item)\s+(?P<word>{'|'.join(_NUMBER_WORDS)})\b"
    r"|#\s*(?P<hash>\d{1,2})\b|\(\s*(?P<bracketed>\d{1,2})\s*\)|^\s*(?P<alone>\d{1,2})(?=\s*[?.!]*\s*$)"
    rf"|^\s*(?P<lone>{_ORDINAL}|last)(?:\s+(?:one|story))?(?=\s*[?.!]*\s*$))",
    re.IGNORECASE,
)
# A comma or colon left before the question mark once the story's number is taken out.
_DANGLING = re.compile(r"\s*[,;:]+\s*(?=[?.!]*$)")
# "the Fed story": the word says which story is meant, "story" itself is nothing to search for.
_STORY_WORD = re.compile(r"\b(?:story|stories)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ToldStory:
    """A story as a sent briefing is remembered by: its headline, its articles, and the sentences quoted from them."""

    headline: str
    article_ids: tuple[str, ...]
    # (article id, position) of each sentence the briefing quoted, in the order it quoted them.
    quoted: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Scope:
    """The sentences a reply to a briefing is answered from: its story's (or its) articles, less any left out."""

    article_ids: frozenset[str]
    # "more on the second one" wants what the briefing did not already quote.
    left_out: frozenset[tuple[str, int]] = frozenset()

    def accepts(self, key: tuple[str, int]) -> bool:
        """Whether the sentence ``key`` (article id, position) is in scope."""
        return key[0] in self.article_ids and key not in self.left_out

    def to_json(self) -> str:
        """This scope as text, kept with an answer given in it, so that "More" under it searches it again."""
        return json.dumps({"articles": sorted(self.article_ids), "left_out": sorted(self.left_out)})

    @classmethod
    def from_json(cls, text: str) -> Scope:
        """The scope :meth:`to_json` wrote."""
        data = json.loads(text)
        return cls(frozenset(data["articles"]), frozenset((key[0], key[1]) for key in data["left_out"]))


@dataclass(frozen=True, slots=True)
class ToldBriefing:
    """What a message of Lede's about a briefing is remembered by: the briefing's stories, and for its "Which
    story?" the question that waits for the answer ("why?": a reply saying only "the second" asks it of that one)."""

    stories: tuple[ToldStory, ...]
    waiting: str | None = None


def told_to_json(told: ToldBriefing) -> str:
    """``told`` as text, to be kept with each of the messages it is about."""
    return json.dumps({
        "stories": [
            {"headline": story.headline, "articles": _kept_articles(story), "quoted": [list(key) for key in story.quoted]}
            for story in told.stories
        ],
        "waiting": told.waiting,
    })


def _kept_articles(story: ToldStory) -> list[str]:
    """The story's articles a reply may be answered from: those it quoted first, then the rest, so many."""
    quoted = [article_id for article_id, _ in story.quoted]
    return list(dict.fromkeys([*quoted, *story.article_ids]))[:MAX_ARTICLES_PER_STORY]


def told_from_json(text: str) -> ToldBriefing:
    """What :func:`told_to_json` wrote."""
    data = json.loads(text)
    stories = tuple(
        ToldStory(story["headline"], tuple(story["articles"]), tuple((key[0], key[1]) for key in story["quoted"]))
        for story in data["stories"]
    )
    return ToldBriefing(stories, data["waiting"])


def story_number(question: str, count: int) -> int | None:
    """The number (from 1) by which ``question`` names a story of ``count``, if it names one: perhaps one beyond
    them ("why, the fifth?" of three), which the reader is told."""
    match = _NUMBERED.search(question)
    if match is None:
        return None
    ordinal = match["ordinal"] or match["lone"]
    if ordinal is not None:
        return count if ordinal.lower() == "last" else _ORDINALS[ordinal.lower()]
    if match["word"] is not None:
        return _NUMBER_WORDS[match["word"].lower()]
    return int(match["number"] or match["hash"] or match["bracketed"] or match["alone"])


def without_story_pointer(question: str) -> str:
    """``question`` without the words that point at a story ("more on the second one" is "more")."""
    left = " ".join(_STORY_WORD.sub(" ", _NUMBERED.sub(" ", question, count=1)).split())
    # "why, the second?" is "why?", not "why, ?"; "the last one: why?" is "why?"; "2?" asks nothing.
    left = _DANGLING.sub("", re.sub(r"\s+(?=[?.!,;:])", "", left)).lstrip(",;: ")
    return left if re.search(r"\w", left) else ""


def story_by_words(terms: Sequence[str], headlines_terms: Sequence[Sequence[str]]) -> int | None:
    """The one story whose headline shares a term with the question ("what did the Fed say?"), or None.

    None when no headline shares one, or when several do: then the words do not say which story is meant.
    """
    asked = set(terms)
    sharing = [at for at, headline in enumerate(headlines_terms) if asked & set(headline)]
    return sharing[0] if len(sharing) == 1 else None
