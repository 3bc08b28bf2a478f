"""Follow-up questions: read a question in the light of the conversation before it.

People in a chat ask the way they talk: "what did Zelensky demand?", then
"where did they meet?", then "why?". Each question after the first leans on
the ones before it, and on its own says too little to find its answer. This
module decides whether a question follows on (:func:`read_follow_up`) and,
if it does, what it borrows from the conversation (:class:`FollowUp`): the
earlier questions' topic words at a lower weight than its own words, and
the article of the answer it follows, which is preferred when it holds an
answer. Pure functions: the conversation itself is kept by the caller.

The signs of a follow-up are cheap on purpose (word lists and capitals, no
tagger), because they run on every question:

* a pronoun or a pointing phrase ("he", "they", "that", "the company");
* an opening that carries on ("and …", "what about …", "what else", "so …");
* few words of its own: "why?", "how much?", "and in Japan?" leave the subject out.

A request for more ("what else?", "go on") asks the latest question that had
words of its own again, for an answer not yet given (:attr:`FollowUp.repeats`).

A question that names enough of its own (words and names the conversation
has not used) is self-contained, pronouns or not, and is answered as if it
were the first. How much is enough, and how much the borrowed words and the
article count, are chosen by cross-validation on the dev conversations
(:mod:`retrieval.evaluate_followups`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from retrieval.question import lowered
from retrieval.text import HOW_WORDS, STOP_WORDS, Analyzer, words

# The turns a conversation keeps: enough for "and him?" three questions on,
# few enough that an old topic cannot pull a new one off course.
MAX_TURNS = 4
# Sentences either side of the answer followed that compete even without a matching word.
NEIGHBOURS = 2

# Words that point back at something said before.
POINTERS = frozenset(
    "he she it they him her them his hers its their theirs that this those these there then such "
    "former latter".split()
)
# Pointers that, after a name, point at it: "when will Kodak ship *its* system?"
_POSSESSIVES = frozenset("its their his her".split())
# "the company", "the bank": a noun phrase that stands for a name said before.
_POINTING_NOUNS = (
    "company firm bank banks group government minister ministry official officials president chairman country "
    "countries report deal plan bill contract agreement talks sale market markets exchange unit rate package "
    "study proposal move stock shares offer cartel organisation organization agency board committee union "
    "parks tax index pact program programme loan loans measure spokesman industry city state nation"
).split()
_POINTING_PHRASE = re.compile(r"\b(?:the|that|this|those|these)\s+(?:" + "|".join(_POINTING_NOUNS) + r")\b")
# Openings that carry the conversation on rather than start a new one.
_CARRYING_ON = re.compile(r"^\s*(?:and|so|but|or|also|then|what about|how about|what else|anything else)\b")
# A request for more of the same: "what else?", "anything else?", "more?", "go on".
_MORE = re.compile(
    r"^\s*(?:and|so|ok|okay)?[\s,]*(?:what else|anything else|what more|any more|anymore|more|tell me more|go on|"
    r"(?:any )?more (?:details|detail|info|information)|details|keep going|continue)"
    r"(?:\s+(?:is there|was there|did (?:he|she|they|it) say))?\s*[?.!]*\s*$"
)
# "which ones?", "like what?", "what are they?": the things the latest answer named, one by one.
_WHICH_ONES = re.compile(
    r"^\s*(?:and|so|but|ok|okay)?[\s,]*(?:which ones|what ones|like what|such as what|such as|"
    r"(?:what|which) (?:are|were) (?:they|those|these))\s*[?.!]*\s*$"
)
# A capitalised word not at the start of the question: a name ("Zelensky", "OPEC", "Bank of Canada").
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’.-]*")


@dataclass(frozen=True, slots=True)
class FollowUpSettings:
    """The weights of a follow-up and the test that tells one, chosen by cross-validation.

    ``context_weight``: how much a topic word borrowed from the conversation
    counts, against 1 for the question's own words. ``article_bonus``: what
    the answer's article adds to the ranking score of its sentences.
    ``own_words``: what covering all of the question's own words adds to a
    sentence's score (the ranker, trained on questions that stand alone,
    cannot tell the new words of a follow-up from the borrowed ones).
    ``threshold``: a question whose new words and names, less what its signs
    of leaning back count (``sign_weight``), reach this starts a new topic.
    """

    context_weight: float = 0.2
    article_bonus: float = 4.0
    own_words: float = 2.0
    threshold: float = 5.0
    sign_weight: float = 2.0


@dataclass(frozen=True, slots=True)
class Topic:
    """What a question is about: its content terms (index terms) and the names it uses."""

    terms: tuple[str, ...]
    names: tuple[str, ...]


class Said(Protocol):
    """A turn of a conversation as the caller keeps it: the question, what it was about, the answer's sentence.

    Read only (properties), so that a frozen dataclass such as the store's ``ConversationTurn`` is one.
    """

    @property
    def question(self) -> str: ...
    @property
    def terms(self) -> tuple[str, ...]: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def article_id(self) -> str | None: ...
    @property
    def position(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class FollowUp:
    """How to answer a follow-up: the question it follows, the topic it borrows, the article it prefers."""

    follows: str
    # The conversation's topic terms not in the question, each at its (lower) weight.
    context: Mapping[str, float]
    # The article and sentence of the latest answer, when there was one.
    article_id: str | None
    position: int | None
    # Sentences already given in this conversation: a follow-up asks for something else.
    given: frozenset[tuple[str, int]]
    article_bonus: float
    own_words: float
    # The earlier question a request for more ("what else?") asks again, or None.
    repeats: str | None = None
    # "which ones?": the answer is the list after the latest answer, when one follows it.
    lists_named: bool = False

    def searched(self, question: str) -> str:
        """What to search for to answer ``question``: the question itself, or the one it asks again."""
        return self.repeats or question

    def to_json(self) -> str:
        """This reading as text, kept with the answer so that "More" reads the question the same way later."""
        return json.dumps({
            "follows": self.follows, "context": dict(self.context), "article_id": self.article_id,
            "position": self.position, "given": sorted(self.given), "article_bonus": self.article_bonus,
            "own_words": self.own_words, "repeats": self.repeats, "lists_named": self.lists_named,
        })

    @classmethod
    def from_json(cls, text: str) -> FollowUp:
        """The reading :meth:`to_json` wrote."""
        data = json.loads(text)
        return cls(data["follows"], data["context"], data["article_id"], data["position"],
                   frozenset((article_id, position) for article_id, position in data["given"]),
                   data["article_bonus"], data["own_words"], data["repeats"], data.get("lists_named", False))


def topic_of(question: str, analyzer: Analyzer) -> Topic:
    """The content terms and the names of ``question``, in order, each once.

    With an analyzer for questions (one that knows the index's spellings), a
    misspelt word counts as the term it most likely means.
    """
    names = dict.fromkeys(
        match.group(0).rstrip(".'’") for match in _NAME.finditer(question) if match.group(0).lower() not in STOP_WORDS
    )
    return Topic(tuple(dict.fromkeys(analyzer.meant_terms(question))), tuple(names))


def signs_of_leaning_back(question: str) -> int:
    """How many kinds of sign say ``question`` leans on what came before: a pointer, a carrying-on opening."""
    text = lowered(question)
    pointer = any(word in POINTERS for word in words(text)) or bool(_POINTING_PHRASE.search(text))
    return int(pointer) + int(bool(_CARRYING_ON.match(text)))


def novelty(topic: Topic, conversation: Sequence[Said]) -> int:
    """How much ``topic`` says that the conversation has not: its new terms plus its new names."""
    known_terms = {term for said in conversation for term in said.terms}
    known_names = {name.lower() for said in conversation for name in said.names}
    new_terms = [term for term in topic.terms if term not in known_terms]
    new_names = [name for name in topic.names if name.lower() not in known_names]
    return len(new_terms) + len(new_names)


def follows_on(question: str, topic: Topic, conversation: Sequence[Said], settings: FollowUpSettings) -> bool:
    """Whether ``question`` leans on ``conversation`` rather than starting a topic of its own."""
    if not conversation:
        return False
    # Asking the same again asks for the same answer, not for the next one.
    if topic.terms and any(set(said.terms) == set(topic.terms) for said in conversation):
        return False
    leaning = settings.sign_weight * signs_of_leaning_back(question)
    return novelty(topic, conversation) - leaning < settings.threshold


def asks_for_more(question: str) -> bool:
    """Whether ``question`` only asks for more of what the conversation asked: "what else?", "more?", "go on"."""
    return bool(_MORE.match(lowered(question)))


def asks_which_ones(question: str) -> bool:
    """Whether ``question`` only asks for the things the answer before it named: "which ones?", "like what?"."""
    return bool(_WHICH_ONES.match(lowered(question)))


def could_stand_alone(question: str, topic: Topic) -> bool:
    """Whether ``question``, read as a follow-up for saying little that is new, may still be a question of its own.

    "Will the US send troops to Ukraine?" after a question about the same
    story has no pronoun, no "and …", and words enough to search by; "what
    concessions?" or "why?" leave their subject to the conversation. A
    possessive after the question has named something ("when will Kodak ship
    *its* system?") points inside the question; "how much would *their* bill
    save?" and "what did *the company* say?" point back.
    """
    if len(topic.terms) < 2:
        return False
    text = lowered(question)
    if _CARRYING_ON.match(text) or _POINTING_PHRASE.search(text):
        return False
    said = words(text)
    return all(
        word in _POSSESSIVES and any(earlier not in STOP_WORDS and earlier not in HOW_WORDS for earlier in said[:at])
        for at, word in enumerate(said)
        if word in POINTERS
    )


def follow_up(question: str, topic: Topic, conversation: Sequence[Said], settings: FollowUpSettings) -> FollowUp:
    """What ``question`` borrows from ``conversation`` (oldest turn first), read as following its last turn."""
    context: dict[str, float] = {}
    for said in conversation:
        for term in said.terms:
            if term not in topic.terms:
                context[term] = settings.context_weight
    answered = [(said.article_id, said.position) for said in conversation
                if said.article_id is not None and said.position is not None]
    latest_article, latest_position = answered[-1] if answered else (None, None)
    # "what else?" asks the latest question with words of its own again, for an answer not yet given;
    # "which ones?" asks it again for the list that follows its answer.
    lists_named = asks_which_ones(question)
    repeats = None
    if asks_for_more(question) or lists_named:
        repeats = next((said.question for said in reversed(conversation) if said.terms), None)
    return FollowUp(
        follows=conversation[-1].question,
        context=context,
        article_id=latest_article,
        position=latest_position,
        given=frozenset(answered),
        article_bonus=settings.article_bonus,
        own_words=settings.own_words,
        repeats=repeats,
        lists_named=lists_named,
    )


def read_follow_up(
    question: str, topic: Topic, conversation: Sequence[Said], settings: FollowUpSettings
) -> FollowUp | None:
    """The follow-up ``question`` is, or None when it starts a topic of its own (or there is no conversation)."""
    if not follows_on(question, topic, conversation, settings):
        return None
    return follow_up(question, topic, conversation, settings)
