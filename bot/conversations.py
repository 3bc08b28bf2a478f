"""Conversations: each chat's (and forum topic's) last questions, so that a follow-up is read in their light.

A conversation lives in the store with its chat, so a restart keeps it. It
is bounded (:data:`retrieval.followup.MAX_TURNS` turns) and ends after a
quiet spell, when a question plainly starts a topic of its own, or on
``/new``. In a group it belongs to the forum topic (``thread``) and is shared
by everyone writing there, as people expect of a thread; one chat's
conversation is never read in another chat. Replying to one of Lede's
answers follows that answer up, whatever was asked in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.shared_index import SharedIndex
from corpus.store import ConversationTurn, QuestionReply, Store
from retrieval.followup import (
    MAX_TURNS,
    FollowUp,
    FollowUpSettings,
    Topic,
    could_stand_alone,
    follow_up,
    read_follow_up,
)

# A conversation that has been quiet this long is over: the next question starts afresh.
DEFAULT_QUIET = timedelta(minutes=15)
# Outside forum topics a chat has one conversation.
NO_THREAD = 0


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question is read: what it is about, the turns it continues (none: it starts afresh), its follow-up."""

    topic: Topic
    earlier: tuple[ConversationTurn, ...]
    follow_up: FollowUp | None
    # Read as a follow-up only for saying little that is new, though it could stand alone
    # (:func:`retrieval.followup.could_stand_alone`) and is not a reply to an answer.
    tentative: bool = False

    def afresh(self) -> Reading:
        """The same question read as starting a conversation of its own."""
        return Reading(self.topic, (), None)


class Conversations:
    """Reads questions in the light of their chat's conversation, and keeps that conversation."""

    def __init__(self, store: Store, index: SharedIndex, settings: FollowUpSettings, quiet: timedelta = DEFAULT_QUIET) -> None:
        self.store = store
        self.index = index
        self.settings = settings
        self.quiet = quiet

    def read(self, question: str, chat: int, thread: int, *, now: datetime, replying_to: int | None = None,
             replacing: QuestionReply | None = None) -> Reading:
        """How ``question``, asked in ``chat`` (and forum topic ``thread``) at ``now``, is to be answered.

        ``replying_to`` is the message the question replies to: when it
        carries one of Lede's answers in this chat, the question follows that
        answer up. ``replacing`` is the question it was edited from: when that
        is still the conversation's latest, the edit takes its place, read in
        the light of the questions before it.
        """
        topic = self.index.topic(question)
        replied = self._replied_turn(chat, replying_to, now) if replying_to is not None else None
        if replied is not None:
            return Reading(topic, (replied,), follow_up(question, topic, (replied,), self.settings))
        turns = self.store.conversation(chat, thread)
        if replacing is not None and turns and (turns[-1].question, turns[-1].asked) == (replacing.question, replacing.asked):
            turns = turns[:-1]
        if turns and now - turns[-1].asked > self.quiet:
            turns = []
        reading = read_follow_up(question, topic, turns, self.settings)
        if reading is None:
            return Reading(topic, (), None)
        return Reading(topic, tuple(turns), reading, tentative=could_stand_alone(question, topic))

    def record(self, chat: int, thread: int, question: str, reading: Reading, answer: tuple[str, int] | None,
               *, now: datetime) -> None:
        """Add the question (and the sentence that answered it, if any) to the conversation it was read in."""
        article_id, position = answer if answer else (None, None)
        turn = ConversationTurn(question, reading.topic.terms, reading.topic.names, article_id, position, now)
        self.store.continue_conversation(chat, thread, [*reading.earlier, turn], keep=MAX_TURNS)

    def forget(self, chat: int, thread: int) -> None:
        """``/new``: the next question starts afresh."""
        self.store.forget_conversation(chat, thread)

    def note_answer_message(self, chat: int, message: int, number: int) -> None:
        """Telegram message ``message`` carries answer ``number``: a reply to it will follow that answer up."""
        self.store.remember_answer_message(chat, message, number)

    def _replied_turn(self, chat: int, message: int, now: datetime) -> ConversationTurn | None:
        record = self.store.answer_in_message(chat, message)
        if record is None or record.chat != chat:
            return None
        topic = self.index.topic(record.question)
        return ConversationTurn(record.question, topic.terms, topic.names, record.article_id, record.position, now)
