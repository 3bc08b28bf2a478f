"""Questions: an answer from what the chat may see, and the follow-ups under it ("More", "Context", 👍/👎, inline).

Every answer with a sentence is remembered in the store under a number its
buttons carry, so that "More" and "Context" work after a restart too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.shared_index import SharedIndex
from corpus.store import EVERYONE, Store
from retrieval.answer import Answer, Candidate
from retrieval.index import Passage
from retrieval.text import words

# Long enough for any real question, short enough that nobody pastes an
# article into the question box by mistake and waits for a useless answer.
MAX_QUESTION_CHARS = 500
# "Context" shows this many sentences on either side of the answer.
CONTEXT_SENTENCES = 2
# "More" shows up to this many further answers.
MORE_ANSWERS = 3


@dataclass(frozen=True, slots=True)
class InvalidQuestion:
    """A question Lede will not try to answer, with the reason to show the user."""

    question: str
    reason: str


Outcome = Answer | InvalidQuestion


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer and the number its buttons carry (None when there is nothing to follow up)."""

    outcome: Outcome
    number: int | None


@dataclass(frozen=True, slots=True)
class Context:
    """The sentences around an answer, in reading order, and which one is the answer."""

    passages: tuple[Passage, ...]
    answer_at: int


@dataclass(frozen=True, slots=True)
class Expired:
    """A button whose answer Lede no longer has (or never gave): say so politely."""

    reason: str = "That answer has expired; please ask again."


class Questions:
    """Answers questions from the shared index and remembers them for their buttons."""

    def __init__(self, index: SharedIndex, store: Store) -> None:
        self.index = index
        self.store = store

    def ask(self, question: str, chat: int = EVERYONE) -> Outcome:
        """Answer a question typed by a person, from what ``chat`` may see, or say why it cannot be asked."""
        # Invisible format characters (zero-width spaces, direction marks) split
        # words without showing it; the question means the same without them.
        question = " ".join("".join(c for c in question if unicodedata.category(c) != "Cf").split())
        if not question:
            return InvalidQuestion(question, "Ask me a question about the news, for example: what did Zelensky demand?")
        if len(question) > MAX_QUESTION_CHARS:
            return InvalidQuestion(
                question[:80] + "…",
                f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.",
            )
        if not self.index.analyzer.terms(question):
            reason = ("That has only common words like “what” and “the”; say who or what you are asking about."
                      if words(question) else "There are no words in that to search for; ask me a question in words.")
            return InvalidQuestion(question, reason)
        return self.index.answer(question, chat)

    def answer(self, question: str, chat: int = EVERYONE, *, now: datetime) -> Answered:
        """A question asked in a chat, remembered so that its buttons ("More", "Context", 👍/👎) work later."""
        outcome = self.ask(question, chat)
        if not isinstance(outcome, Answer) or outcome.best is None:
            return Answered(outcome, None)
        passage = outcome.best.passage
        number = self.store.remember_answer(chat, outcome.question, passage.article.article_id, passage.position, now)
        return Answered(outcome, number)

    def more_answers(self, number: int, chat: int) -> tuple[Candidate, ...] | Expired:
        """"More": the next best distinct answers to the question, from other sentences or sources."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return Expired()
        outcome = self.index.answer(record.question, chat, alternatives=MORE_ANSWERS)
        shown = (record.article_id, record.position)
        ranked = (outcome.best, *outcome.alternatives) if outcome.best else ()
        return tuple(c for c in ranked if (c.passage.article.article_id, c.passage.position) != shown)[:MORE_ANSWERS]

    def context(self, number: int, chat: int) -> Context | Expired:
        """"Context": the sentences around the quoted one, from its article."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return Expired()
        sentences = self.index.article_sentences(record.article_id)
        if not sentences or record.position >= len(sentences):
            return Expired("That article is no longer available.")
        start = max(record.position - CONTEXT_SENTENCES, 0)
        window = tuple(sentences[start : record.position + CONTEXT_SENTENCES + 1])
        return Context(window, record.position - start)

    def feedback(self, number: int, chat: int, helpful: bool) -> bool:
        """👍/👎 on an answer, kept with its question; False when the answer is unknown here."""
        record = self.store.answer_record(number)
        if record is None or record.chat != chat:
            return False
        self.store.record_feedback(number, helpful)
        return True

    def inline_answers(self, question: str) -> Answer | None:
        """``@bot question`` in any chat: answers from what every chat may see (None for an unusable question)."""
        outcome = self.ask(question, EVERYONE)
        return outcome if isinstance(outcome, Answer) else None
