"""What kind of answer a question expects, and whether a sentence could hold one.

"When did the Titanic sink?" is answered by a sentence with a date in it,
"How many games did Jennings win?" by one with a number, "Who invented
radar?" by one that names somebody the question does not. BM25 knows none of
this: it rewards sentences that repeat the question's words, and the
sentence that merely restates the question often outscores the one that
answers it. The ranker learns how much each match between the expected answer
type and what a sentence contains is worth (:mod:`retrieval.features`).

The cues are shallow on purpose (word lists and capitalisation, no tagger or
model), because they must run on every candidate of every question on a
small CPU with nothing downloaded.
"""

from __future__ import annotations

import re
from enum import Enum

from retrieval.text import STOP_WORDS, words


class AnswerType(Enum):
    """The kind of answer a question asks for."""

    PERSON = "person"
    NUMBER = "number"
    DATE = "date"
    DURATION = "duration"
    PLACE = "place"
    REASON = "reason"
    OTHER = "other"


# "what/which <a few words> <noun>", but not "what did ..." ("what did the official say").
_WHICH = r"\b(?:what|which) (?!(?:is|was|are|were|do|does|did|has|have|had|will|would|can|could)\b)"
_DURATION = re.compile(r"\bhow long\b")
_QUANTITY = re.compile(
    r"\bhow (?:many|much|old|far|big|large|tall|high|deep|fast|heavy|wide|often)\b|" + _WHICH
    + r"(?:[\w-]+ ){0,2}?(?:percentage|percent|proportion|share|amount|number|price|rate|size|age|figure)\b"
)
_DATE = re.compile(r"\bwhen\b|" + _WHICH + r"(?:year|date|day|month|time|century|decade)\b")
_PLACE = re.compile(
    r"\bwhere\b|" + _WHICH + r"(?:[\w-]+ ){0,4}?"
    r"(?:country|city|state|province|region|place|continent|town|county|island|river|port)\b"
)
_PERSON = re.compile(
    r"\bwho(?:m|se)?\b|" + _WHICH + r"(?:[\w-]+ ){0,3}?(?:person|man|woman|president|company|firm|group|bank|"
    r"team|party|official|minister|warship|ship|newspaper|agency)\b"
)
_REASON = re.compile(r"\bwhy\b|\bwhat (?:caused|causes|led to|reason)\b|\bhow come\b")


# "according to the DIW", "what did minister Bangemann say about ...": who said it.
_ACCORDING_TO = re.compile(r",?\s*\baccording to\s+([^,?]+)", re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*what did\s+(.+?)\s+(?:say|tell|said|told)\b", re.IGNORECASE)


def split_attribution(question: str) -> tuple[str, str]:
    """The question without its attribution, and the attribution ("" when none).

    News answers name their source once per story, often a sentence or two
    before the quote: "what did Bangemann say about handouts?" is answered by
    "The minister also criticised state subsidies ...". The speaker is
    evidence about the article, not about the sentence.
    """
    attribution = []
    # "according to X" goes as a whole; of "what did X say", only X.
    for pattern, whole in ((_ACCORDING_TO, 0), (_SPEAKER, 1)):
        match = pattern.search(question)
        if match:
            attribution.append(match.group(1))
            question = question[: match.start(whole)] + question[match.end(whole) :]
    return question, " ".join(attribution)


def expected_answer(question: str) -> AnswerType:
    """The answer type a question asks for; quantity and date patterns win over "what"."""
    text = " ".join(question.lower().replace("’", "'").split())
    for pattern, answer_type in (
        (_DURATION, AnswerType.DURATION),
        (_QUANTITY, AnswerType.NUMBER),
        (_DATE, AnswerType.DATE),
        (_PLACE, AnswerType.PLACE),
        (_REASON, AnswerType.REASON),
        (_PERSON, AnswerType.PERSON),
    ):
        if pattern.search(text):
            return answer_type
    return AnswerType.OTHER


_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_DATE_WORDS = re.compile(
    r"\b(?:" + "|".join(_MONTHS) + r")\b\.?|\b(?:century|decade|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|yesterday|today|tomorrow|week|year)s?\b",
    re.IGNORECASE,
)
# Digits, TrecQA's "<num>" placeholder, and numbers written as words.
_NUMBER = re.compile(
    r"\d|<num>|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|trillion|mln|bln|dozen|half|quarter|pct|percent)\b",
    re.IGNORECASE,
)
# "frozen since August 1985", "for three years", "from 27 BC to 476 AD".
_DURATION_CUES = re.compile(
    r"\bsince\b|\buntil\b|\b(?:from|between)\b[^.;]*?\b(?:to|and|until)\b[^.;]*?\d|"
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"several|few|many|a|an)\b)[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries)\b",
    re.IGNORECASE,
)
_REASON_CUES = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|result of|caused|causes?|so that|so as to|in order to|"
    r"aim(?:s|ed)? (?:at|to)|reflect(?:s|ed|ing)?|blam(?:e|ed|ing)|attribut(?:e|ed|ing)|led to|reasons?|"
    r"(?:came|comes|stem(?:s|med)?) from|fear(?:s|ed)?|concerns?|hit by|amid)\b",
    re.IGNORECASE,
)
_PLACE_CUES = re.compile(r"\b(?:in|at|near|from|on|into|across)\s+(?:the\s+)?[A-Z][a-z]")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-'][A-Za-z]+)?\b")


def sentence_holds(answer_type: AnswerType, sentence: str, question_words: frozenset[str]) -> bool:
    """Whether ``sentence`` contains something of ``answer_type`` that the question does not already say."""
    if answer_type is AnswerType.NUMBER:
        return bool(_NUMBER.search(sentence))
    if answer_type is AnswerType.DATE:
        return bool(_YEAR.search(sentence) or _DATE_WORDS.search(sentence))
    if answer_type is AnswerType.DURATION:
        return bool(_DURATION_CUES.search(sentence))
    if answer_type is AnswerType.REASON:
        return bool(_REASON_CUES.search(sentence))
    if answer_type is AnswerType.PLACE:
        return any(_new_name(match.group(0).split()[-1], question_words) for match in _PLACE_CUES.finditer(sentence))
    if answer_type is AnswerType.PERSON:
        return any(_new_name(match.group(0), question_words) for match in _CAPITALISED.finditer(sentence))
    return False


def question_words(question: str) -> frozenset[str]:
    """The question's content words, lower case, for telling new names from repeated ones."""
    return frozenset(word for word in words(question) if word not in STOP_WORDS)


def _new_name(word: str, known: frozenset[str]) -> bool:
    lowered = word.lower()
    return lowered not in known and lowered not in STOP_WORDS and lowered not in _MONTHS
