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

from retrieval.text import HOW_WORDS, STOP_WORDS, words


class AnswerType(Enum):
    """The kind of answer a question asks for."""

    PERSON = "person"
    NUMBER = "number"
    DATE = "date"
    DURATION = "duration"
    PLACE = "place"
    REASON = "reason"
    # "did ...", "could ...", "is ... still ...": the sentence that settles it restates the claim.
    YES_NO = "yes_no"
    # "what did X say / demand / tell ...": a reported statement.
    STATEMENT = "statement"
    OTHER = "other"


# "what/which <a few words> <noun>", but not "what did ..." ("what did the official say").
_WHICH = r"\b(?:what|which) (?!(?:is|was|are|were|do|does|did|has|have|had|will|would|can|could)\b)"
_DURATION = re.compile(r"\bhow long\b")
# Of the words after "how" that say what a question measures, "long" asks for a time span and "soon" for a date;
# the others ("much", "often", "far") for an amount.
_MEASURED = r"(?:" + "|".join(sorted(HOW_WORDS - {"long", "soon"})) + r")\b"
_QUANTITY = re.compile(
    r"\bhow " + _MEASURED + "|" + _WHICH
    + r"(?:[\w-]+ ){0,2}?(?:percentage|percent|proportion|share|amount|number|price|rate|size|age|figure)\b"
)
# The word after "how" that says what is measured ("much", "long"): part of how the question asks, not what about.
_MEASURE_WORD = re.compile(r"(?<=\bhow )(?:" + "|".join(sorted(HOW_WORDS)) + r")\b", re.IGNORECASE)
_DATE = re.compile(r"\bwhen\b|\bhow soon\b|" + _WHICH + r"(?:year|date|day|month|time|century|decade)\b")
_PLACE = re.compile(
    r"\bwhere\b|" + _WHICH + r"(?:[\w-]+ ){0,4}?"
    r"(?:country|city|state|province|region|place|continent|town|county|island|river|port)\b"
)
_PERSON = re.compile(
    r"\bwho(?:m|se)?\b|" + _WHICH + r"(?:[\w-]+ ){0,3}?(?:person|man|woman|president|company|firm|group|bank|"
    r"team|party|official|minister|warship|ship|newspaper|agency)\b"
)
# "why", and the what-questions that ask for a cause or a purpose: "what prompted ...",
# "what was the aim of ...", "what does X blame for ...".
_CAUSING = (
    r"prompted|prompts|triggered|triggers|drove|drives|dragged|drags|pushed|pushes|hurt|hurts|helped|helps|"
    r"fuell?ed|boosted|boosts|depressed|depresses|spurred|spurs|sparked|sparks|forced|forces|made(?! up)|makes(?! up)"
)
_REASON = re.compile(
    r"\bwhy\b|\bwhat (?:caused|causes|led to|reason)\b|\bhow come\b|"
    r"\bwhat (?:" + _CAUSING + r"|lay|lies|is|was|are|were) "
    r"(?:behind|the (?:purpose|aim|reason|cause|motive|rationale)|blamed|responsible)\b|"
    r"\bwhat (?:" + _CAUSING + r")\b|\bwhat (?:does|did|do) \S+(?: \S+){0,4} blame\b"
)
_YES_NO = re.compile(
    r"^(?:and |so |but )?(?:did|does|do|is|are|was|were|will|would|could|can|has|have|had|should|may|might|must)\b"
)
_STATEMENT = re.compile(
    r"\bwhat (?:did|does|do|has|have|will|would)\b.+\b(?:say|said|tell|told|demand|want|ask|call for|"
    r"warn|urge|promise|predict|expect|propose|suggest|claim|argue|announce|report)\w*\b"
)


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


def without_reporting_verb(question: str) -> str:
    """``question`` without the "say" or "tell" of a "what did X say / tell Y" question.

    The verb says what kind of answer is asked for (a statement, which the
    statement cue finds however it is reported: "told", "said", a quotation);
    as a word to match, it makes any sentence in which anybody says anything
    cover half of "what did Zelensky say?".
    """
    match = _SPEAKER.search(question)
    return question[: match.end(1)] + " " + question[match.end() :] if match else question


def lowered(question: str) -> str:
    """``question`` in lower case with straight apostrophes and single spaces: what the question patterns read."""
    return " ".join(question.lower().replace("’", "'").split())


def expected_answer(question: str) -> AnswerType:
    """The answer type a question asks for; quantity and date patterns win over "what"."""
    text = lowered(question)
    for pattern, answer_type in (
        (_DURATION, AnswerType.DURATION),
        (_QUANTITY, AnswerType.NUMBER),
        (_DATE, AnswerType.DATE),
        (_PLACE, AnswerType.PLACE),
        (_REASON, AnswerType.REASON),
        (_PERSON, AnswerType.PERSON),
        (_STATEMENT, AnswerType.STATEMENT),
        (_YES_NO, AnswerType.YES_NO),
    ):
        if pattern.search(text):
            return answer_type
    return AnswerType.OTHER


_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_DAYS = tuple("monday tuesday wednesday thursday friday saturday sunday".split())
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_DATE_WORDS = re.compile(
    r"\b(?:" + "|".join(_MONTHS) + r")\b\.?|\b(?:century|decade|" + "|".join(_DAYS) + r"|"
    r"yesterday|today|tomorrow|week|year)s?\b",
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
    r"(?:came|comes|stem(?:s|med)?) from|fear(?:s|ed)?|concerns?|hit by|amid|in a bid to|in an effort to|"
    r"in response to|as part of|following|after|prompted|to (?:avoid|help|prevent|boost|reduce|cut|protect|meet)|"
    r"the aim|purpose|an effort to|attributable|responsible for|triggered|sparked|spurred|fuell?ed by|driven by|"
    r"on the back of|tend to|to take account|to offset)\b",
    re.IGNORECASE,
)
# "in Vienna", "at the Munich conference", and a place named through what stands there or around it:
# "on the sidelines of the Munich Security Conference", "on the outskirts of Kyiv".
_PLACE_CUES = re.compile(
    r"\b(?:in|at|near|from|on|into|across)\s+(?:the\s+)?(?:(?:[a-z]+\s+){1,2}of\s+(?:the\s+)?)?([A-Z][a-z]+)"
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[-'][A-Za-z]+)?\b")


# "until the end of the year", "by 1990", "early tomorrow": when something will or did happen.
_TIME_CUES = re.compile(
    r"\b(?:until|till|by (?:the )?(?:end|middle|start)|early|later|next|last|ago|soon|shortly|tonight|"
    r"(?:this|that) (?:week|month|year|morning|afternoon|evening)|within|before|after)\b",
    re.IGNORECASE,
)
# "said", "told reporters", a quotation: somebody's statement.
_STATEMENT_CUES = re.compile(
    r"\b(?:said|says|say|told|tell|stated|added|declared|announced|warned|urged|demanded|called for|"
    r"argued|insisted|predicted|forecast|expects?|believes?)\b|[\"“”]",
    re.IGNORECASE,
)
# Idioms that use "said" or "say" without anyone saying anything: "That may be easier said than done."
# is no statement, yet held the cue and answered "what did Zelensky say?" over the seed.
_SAYING_IDIOMS = re.compile(
    r"\b(?:easier said than done|having said that|needless to say|so to speak|suffice it to say)\b|"
    # "That said, ..." opens a sentence; "the bank that said it would sell" is a statement.
    r"^\W*that said,",
    re.IGNORECASE,
)
# What may stand before a sentence's first word: a space, an opening quotation mark.
_OPENING_QUOTES = " \"“'"
# Pronouns that open a sentence standing for something the sentence before names ("He said ...").
_POINTING_BACK = frozenset("these this those that such he she it they his her its their".split())
# A quotation whose speaker is a pronoun: "..., he said".
_QUOTED_PRONOUN = re.compile(r"[\"”]\s+(?:he|she|they)\s+(?:said|says|added|told|continued)\b", re.IGNORECASE)
# Words that make a sentence lean on the one before it: "These included ...", "He said ...",
# "The company said ...", "But ...".
CONTINUATIONS = _POINTING_BACK | frozenset("him them the but however also".split())


def points_back(sentence: str) -> bool:
    """Whether only the sentence before says who or what ``sentence`` is about.

    It opens with a pronoun ("It employs 300 people") or quotes somebody it
    names only as "he", "she" or "they" ("“We want peace,” he said").
    """
    return _first_word(sentence) in _POINTING_BACK or bool(_QUOTED_PRONOUN.search(sentence))


def continues(sentence: str) -> bool:
    """Whether ``sentence`` opens with a word that points back at the sentence before it."""
    return _first_word(sentence) in CONTINUATIONS


def _first_word(sentence: str) -> str:
    """``sentence``'s first word in lower case, after any opening quotation mark ("" for none)."""
    opening = sentence.lstrip(_OPENING_QUOTES).lower().split(maxsplit=1)
    return opening[0] if opening else ""


_AUXILIARIES = r"(?:did|does|do|is|are|was|were|has|have|had|will|would|could|can|should|may|might)\b"
# "What concessions did Trump offer?": the things asked for, named before the verb.
_ASKED_THINGS = re.compile(rf"^(?:and |so |but )?(?:what|which)\s+((?:[\w-]+\s+){{0,3}}?[\w-]+)\s+{_AUXILIARIES}")
# "What are the concessions?", "what were the main concessions Trump offered?": plural things
# after a determiner (a singular one, "what is the plan?", asks for one thing, not a list).
_THE_THINGS = re.compile(
    r"^(?:and |so |but )?(?:what|which) (?:are|were) (?:the|these|those|his|her|its|their)\s+"
    r"(?:[\w-]+\s+){0,2}?([\w-]+s)\b"
)
# "what concessions?", "and which measures?": a follow-up asking for what the answer named
# (not "what did he say?", nor "what about ...?").
_BARE_THINGS = re.compile(
    r"^(?:and |so |but )?(?:what|which)\s+(?!about\b|else\b)"
    rf"(?!(?:[\w-]+\s+){{0,2}}{_AUXILIARIES})((?:[\w-]+\s+){{0,2}}?[\w-]+)\s*\??$"
)
# "These included ...", "They include ...", "The measures include ...", "Among them ...":
# a sentence that spells out what the one before it names.
_SPELLS_OUT = re.compile(
    r"^(?:(?:these|those|they|this|it|such|the|their|its)\s+(?:[\w-]+\s+)?(?:include|includes|included)\b|"
    r"among (?:them|these|those)\b)"
)


def asked_things(question: str, *, bare: bool = False) -> str | None:
    """The things a "what/which <things> did ..." or "what are the <things>" question asks for, else None.

    Such a question is answered by the things themselves, which a story
    often names in one sentence and spells out in the next: "Trump appeared
    to offer concessions ... These included ...". With ``bare``, a question
    that is only "what/which <things>?" asks for them too: the way a
    follow-up asks about what the answer before it named.
    """
    text = lowered(question)
    match = _ASKED_THINGS.match(text) or _THE_THINGS.match(text) or (_BARE_THINGS.match(text) if bare else None)
    return match.group(1).split()[-1] if match else None


def spells_out(sentence: str) -> bool:
    """Whether ``sentence`` lists what the sentence before it named ("These included ...")."""
    return bool(_SPELLS_OUT.match(" ".join(sentence.lstrip(_OPENING_QUOTES).lower().split())))


# What a bare question ("when?", "how much?") can be told by a sentence alone: its date, place or amount. "why?" and
# "who?" cannot: almost any sentence names someone or gives some reason.
_SLOTS = frozenset({AnswerType.DATE, AnswerType.DURATION, AnswerType.PLACE, AnswerType.NUMBER})


def without_measure_word(question: str) -> str:
    """``question`` without the word that says what its "how" measures: "how much?" asks about nothing, as "why?"."""
    return _MEASURE_WORD.sub("", question)


def asks_for_slot(question: str) -> bool:
    """Whether ``question`` asks for a date, a duration, a place or an amount, which a sentence holds or not."""
    return expected_answer(question) in _SLOTS


def holds_asked_slot(question: str, sentence: str) -> bool:
    """Whether ``question`` asks for a date, a duration, a place or an amount, and ``sentence`` holds one."""
    asked = expected_answer(question)
    return asked in _SLOTS and sentence_holds(asked, sentence, question_words(question))


def sentence_holds(answer_type: AnswerType, sentence: str, question_words: frozenset[str]) -> bool:
    """Whether ``sentence`` contains something of ``answer_type`` that the question does not already say."""
    if answer_type is AnswerType.NUMBER:
        return bool(_NUMBER.search(sentence))
    if answer_type is AnswerType.DATE:
        return bool(_YEAR.search(sentence) or _DATE_WORDS.search(sentence) or _TIME_CUES.search(sentence))
    if answer_type is AnswerType.STATEMENT:
        return bool(_STATEMENT_CUES.search(_SAYING_IDIOMS.sub(" ", sentence)))
    if answer_type is AnswerType.DURATION:
        return bool(_DURATION_CUES.search(sentence))
    if answer_type is AnswerType.REASON:
        return bool(_REASON_CUES.search(sentence))
    if answer_type is AnswerType.PLACE:
        return any(_new_name(match.group(1), question_words) for match in _PLACE_CUES.finditer(sentence))
    if answer_type is AnswerType.PERSON:
        return any(_new_name(match.group(0), question_words) for match in _CAPITALISED.finditer(sentence))
    return False


def question_words(question: str) -> frozenset[str]:
    """The question's content words, lower case, for telling new names from repeated ones."""
    return frozenset(word for word in words(question) if word not in STOP_WORDS)


def _new_name(word: str, known: frozenset[str]) -> bool:
    folded = word.lower()
    return folded not in known and folded not in STOP_WORDS and folded not in _MONTHS and folded not in _DAYS
