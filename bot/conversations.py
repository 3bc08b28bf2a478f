"""Conversations: each chat's (and forum topic's) last questions, so that a follow-up is read in their light.

A conversation lives in the store with its chat, so a restart keeps it. It
is bounded (:data:`retrieval.followup.MAX_TURNS` turns) and ends after a
quiet spell, when a question plainly starts a topic of its own, or on
``/new``. In a group it belongs to the forum topic (``thread``) and is shared
by everyone writing there, as people expect of a thread; one chat's
conversation is never read in another chat. Replying to one of Lede's
answers follows that answer up, whatever was asked in between; replying to
one of its briefings asks about the briefing's stories
(:mod:`retrieval.briefing_replies`): a story named by its number or a word
of its headline is followed up as an answer would be, another question is
answered from the briefing's articles when one of them answers it well, and
a bare "why?" to a briefing of several stories is asked which story it means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.shared_index import SharedIndex
from corpus.store import ConversationTurn, QuestionReply, Store
from retrieval.briefing_replies import (
    Scope,
    ToldBriefing,
    ToldStory,
    story_by_words,
    story_number,
    told_from_json,
    told_to_json,
    without_story_pointer,
)
from retrieval.followup import (
    MAX_TURNS,
    FollowUp,
    FollowUpSettings,
    Topic,
    could_stand_alone,
    follow_up,
    read_follow_up,
)
from retrieval.question import without_measure_word

# A conversation that has been quiet this long is over: the next question starts afresh.
DEFAULT_QUIET = timedelta(minutes=15)
# Outside forum topics a chat has one conversation.
NO_THREAD = 0
# What a reply to a briefing that only names a story ("2", "the second one") asks of it.
TELL_ME_MORE = "tell me more"


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question is read: what it is about, the turns it continues (none: it starts afresh), its follow-up."""

    topic: Topic
    earlier: tuple[ConversationTurn, ...]
    follow_up: FollowUp | None
    # Read as a follow-up only for saying little that is new, though it could stand alone
    # (:func:`retrieval.followup.could_stand_alone`) and is not a reply to an answer.
    tentative: bool = False
    # In reply to a briefing: the question without the words that pointed at a story ("more on the second one"
    # is "more"); the articles to answer from (the story's, else the briefing's), and whether a question they
    # do not answer surely is answered from all the others (one with words of its own) or not (a bare "why?");
    # the briefing's stories, which a reply to what Lede says back may name; whether it must ask which of them
    # a bare "why?" that names none of several means (or say how many there are, to a number beyond them);
    # and the story it names (by its number or a word of its headline), if any, with its number: told when it
    # does not answer.
    asked: str | None = None
    within: Scope | None = None
    fall_back: bool = True
    stories: tuple[ToldStory, ...] = ()
    asks_which: bool = False
    named: tuple[int, ToldStory] | None = None
    # It named one by a number beyond them ("why, the fifth?"): it is told how many there are to choose from.
    beyond: bool = False

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
             replacing: QuestionReply | None = None, member_said: str | None = None) -> Reading:
        """How ``question``, asked in ``chat`` (and forum topic ``thread``) at ``now``, is to be answered.

        ``replying_to`` is the message the question replies to: when it
        carries one of Lede's answers in this chat, the question follows that
        answer up. ``replacing`` is the question it was edited from: when that
        is still the conversation's latest, the edit takes its place, read in
        the light of the questions before it. ``member_said`` is what a
        member's message the question replies to says: a question that leans
        on it ("why?", "how much?") follows it up, as if it had been asked;
        one that says enough of its own is read as any other.
        """
        if replying_to is not None and (told := self.store.briefing_in_message(chat, replying_to)) is not None:
            return self._in_briefing(question, told_from_json(told), now)
        topic = self.index.topic(question)
        replied = self._replied_turn(chat, replying_to, now) if replying_to is not None else None
        if replied is not None:
            return Reading(topic, (replied,), follow_up(question, topic, (replied,), self.settings))
        if member_said is not None:
            said = self._said_turn(member_said, now)
            leaning = read_follow_up(question, topic, (said,), self.settings)
            if leaning is not None:
                return Reading(topic, (said,), leaning, tentative=could_stand_alone(question, topic))
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

    def note_briefing_asked(self, chat: int, message: int, stories: Sequence[ToldStory], question: str, *,
                            now: datetime) -> None:
        """Message ``message`` asks which of ``stories`` ``question`` ("why?") was about, or says the story it named
        does not answer it: a reply to it is one to their briefing, and one that only names a story ("the
        second") asks ``question`` of it (without any story it named: "why, the fifth?" of two is "why?")."""
        told = ToldBriefing(tuple(stories), waiting=without_story_pointer(question) or None)
        self.store.remember_briefing_messages(chat, [message], told_to_json(told), now)

    def note_answer_message(self, chat: int, message: int, number: int) -> None:
        """Telegram message ``message`` carries answer ``number``: a reply to it will follow that answer up."""
        self.store.remember_answer_message(chat, message, number)

    def asks_about_something(self, question: str, topic: Topic) -> bool:
        """Whether ``question`` (about ``topic``) has words to search for beyond how it asks: "why?" has none, nor
        "how much?" ("much" is how it asks, not what about)."""
        measured = without_measure_word(question)
        return bool(topic.terms) if measured == question else bool(self.index.topic(measured).terms)

    def _in_briefing(self, question: str, briefing: ToldBriefing, now: datetime) -> Reading:
        """``question``, sent in reply to a message about ``briefing``, read in the light of its stories."""
        stories = briefing.stories
        # "2" or "the second" alone answers "Which story?" (and asks what was waiting for it), else asks for more.
        asked = without_story_pointer(question) or briefing.waiting or TELL_ME_MORE
        topic = self.index.topic(asked)
        about = self.asks_about_something(asked, topic)
        number = story_number(question, len(stories))
        if number is not None and not 1 <= number <= len(stories):
            return Reading(topic, (), None, asked=asked, stories=tuple(stories), asks_which=True, beyond=True)
        at = None if number is None else number - 1
        if at is None:
            at = story_by_words(topic.terms, [self.index.topic(story.headline).terms for story in stories])
        if at is None and len(stories) == 1 and not about:
            at = 0
        if at is not None:
            story = stories[at]
            told = self._story_turns(story, now)
            reading = follow_up(asked, topic, told, self.settings)
            more = reading.repeats is not None
            # Only "more on it" wants what the briefing did not quote: "why?" may be answered by the
            # quoted "… walked out over pay", which its reader may have passed over.
            within = Scope(frozenset(story.article_ids), frozenset(story.quoted) if more else frozenset())
            if not more:
                reading = replace(reading, given=frozenset())
                # Nor do the questions after it count the quoted sentences as given: "how much?" after "when,
                # the first?" may be answered by the quoted "The bridge will cost 40 million euros.".
                told = self._story_turns(story, now, quoted=False)
            return Reading(topic, told, reading, asked=asked, within=within, fall_back=about and not more,
                           stories=tuple(stories), named=(at + 1, story))
        if not about:
            # "why?" to several stories: guessing one would answer, with confidence, a question not asked.
            return Reading(topic, (), None, asked=asked, stories=tuple(stories), asks_which=True)
        within = Scope(frozenset(article_id for story in stories for article_id in story.article_ids))
        return Reading(topic, (), None, asked=asked, within=within, stories=tuple(stories))

    def _story_turns(self, story: ToldStory, now: datetime, *, quoted: bool = True) -> tuple[ConversationTurn, ...]:
        """A briefing's story as the conversation a question about it follows: its headline, answered by the
        sentences the briefing quoted (the first quoted last, as the latest answer whose article is preferred);
        without ``quoted``, its headline alone, which gave no answer."""
        topic = self.index.topic(story.headline)
        answers: list[tuple[str | None, int | None]] = [*reversed(story.quoted)] if quoted else []
        return tuple(ConversationTurn(story.headline, topic.terms, topic.names, article_id, position, now)
                     for article_id, position in answers or [(None, None)])

    def _said_turn(self, said: str, now: datetime) -> ConversationTurn:
        """A member's message as the turn a question replying to it follows: what it is about, answered by nothing."""
        topic = self.index.topic(said)
        return ConversationTurn(said, topic.terms, topic.names, None, None, now)

    def _replied_turn(self, chat: int, message: int, now: datetime) -> ConversationTurn | None:
        record = self.store.answer_in_message(chat, message)
        if record is None or record.chat != chat:
            return None
        topic = self.index.topic(record.question)
        return ConversationTurn(record.question, topic.terms, topic.names, record.article_id, record.position, now)
