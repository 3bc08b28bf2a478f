"""Questions: an answer from what the chat may see, and the follow-ups under it ("More", "Context", 👍/👎, inline).

Every answer with a sentence is remembered in the store under a number its
buttons carry, so that "More" and "Context" work after a restart too. A
question asked in a chat is read in the light of the chat's conversation
(:mod:`bot.conversations`); inline questions stand alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from bot.conversations import NO_THREAD, Conversations, Reading
from bot.shared_index import SharedIndex
from corpus.store import EVERYONE, AnswerRecord, QuestionReply, Store
from retrieval.answer import Answer, Candidate
from retrieval.briefing_replies import Scope, ToldStory
from retrieval.followup import FollowUp, asks_for_more
from retrieval.index import Passage
from retrieval.question import AnswerType, asks_for_slot, expected_answer, holds_asked_slot
from retrieval.text import words

# Long enough for any real question, short enough that nobody pastes an
# article into the question box by mistake and waits for a useless answer.
MAX_QUESTION_CHARS = 500
# A member's message Lede was pointed to (a bare /ask or mention in reply to it) that is longer, or has no text (a
# photo): nobody typed it as a question, so nobody is asked to shorten it or told to ask one.
QUOTED_TOO_LONG = ("That message is {length:,} characters long, too long to ask about (a question is under "
                   f"{MAX_QUESTION_CHARS:,}): ask me about it in your own words, /ask <question>.")
QUOTED_NO_TEXT = "That message has no text to ask about; ask me about it in your own words, /ask <question>."
# A message that is only a web address: someone sharing an article, not asking about one.
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# "Thanks!", "thank you so much 🙏" (its words, lower case): courtesy, not a question. Read as a
# follow-up of the answer it thanks for, it was answered with another sentence of the news.
_THANKS = re.compile(
    r"(?:(?:many|big|great|ok|okay) )?(?:thanks|thank you|thank u|thx|ty|cheers|much appreciated)"
    r"(?: (?:so much|very much|a lot|lots|again|lede))*"
)
YOU_ARE_WELCOME = "You're welcome."
# "hi", "hello Lede", "good morning": a greeting, answered with how to ask (it got "I couldn't find that").
_GREETING = re.compile(r"(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening|day))(?: (?:there|lede|all))?")
GREETING_REPLY = "Hello! Ask me a question about the news, for example: what did Zelensky demand?"
# "what's new?", "any news today?", "latest headlines": the news itself, which a briefing tells.
_WHATS_NEW = re.compile(
    r"(?:(?:what|what is|is there|is there any|any|anything) )?(?:the )?(?:latest )?(?:new|news|headlines|happening)"
    r"(?: today)?"
)
WHATS_NEW_REPLY = "For the latest stories, send /brief (or /brief <topic>); then ask me about any of them."
# "Context" shows this many sentences on either side of the answer.
CONTEXT_SENTENCES = 2
# "More" shows up to this many further answers.
MORE_ANSWERS = 3
# "Context" under an answer whose sentence an edit of its article (a channel post) changed or removed.
SENTENCE_EDITED = "That sentence is no longer in its article (it was edited since); please ask again."


@dataclass(frozen=True, slots=True)
class InvalidQuestion:
    """A question Lede will not try to answer, with what to tell the user instead (why, or a courtesy)."""

    question: str
    reason: str
    # Only a link: the reason says how to add its article, which each front end does its own way.
    link: bool = False


Outcome = Answer | InvalidQuestion


def link_refusal(how_to_add: str) -> str:
    """What a message that is only a link is told, ``how_to_add`` being this front end's way to add an article."""
    return f"That is a link, not a question: {how_to_add} adds the article it points to, and then you can ask me about it."


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer and the number its buttons carry (None when there is nothing to follow up)."""

    outcome: Outcome
    number: int | None
    # The stories of the briefing the question was sent to, when a reply to the outcome may name one of them
    # and so asks the question of it: the outcome asks which story a bare "why?" meant, says how many there are
    # (to a number beyond them), or says that the story named does not answer.
    briefing: tuple[ToldStory, ...] = ()


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

    def __init__(self, index: SharedIndex, store: Store, conversations: Conversations) -> None:
        self.index = index
        self.store = store
        self.conversations = conversations

    def ask(self, question: str, chat: int = EVERYONE, *, quoted: bool = False) -> Outcome:
        """Answer a question on its own, from what ``chat`` may see, or say why it cannot be asked.

        ``quoted``: the question is a message Lede was pointed to, not one typed to it (see :meth:`answer`).
        """
        checked = _checked(question, quoted)
        if isinstance(checked, InvalidQuestion):
            return checked
        # "how much?" has no words to search for either: "much" is how it asks.
        if not self.conversations.asks_about_something(checked, self.index.topic(checked)):
            return _only_common_words(checked)
        return self.index.answer(checked, chat)

    def answer(
        self, question: str, chat: int = EVERYONE, *, now: datetime, thread: int = NO_THREAD,
        replying_to: int | None = None, replacing: QuestionReply | None = None, quoted: bool = False,
        member_said: str | None = None,
    ) -> Answered:
        """A question asked in a chat (and forum topic ``thread``), read in the light of its conversation.

        The answer is remembered so that its buttons ("More", "Context",
        👍/👎) work later, and the question joins the conversation. A question
        of common words only ("why?") can be asked only as a follow-up.
        ``replying_to`` is the message it replies to, if any; ``replacing`` the
        reply to the question it was edited from, if it is an edit. ``quoted``: the question is a member's
        message Lede was pointed to (a bare ``/ask`` in reply to it), so one too long, or without text, is not
        called a question. ``member_said``: what a member's message the question replies to says; a question
        that leans on it ("why?") is read as following it up.
        """
        if self.store.read_only:
            # A store Lede may not write keeps no conversation and no buttons: each question stands alone.
            return Answered(self.ask(question, chat, quoted=quoted), None)
        checked = _checked(question, quoted)
        if isinstance(checked, InvalidQuestion):
            return Answered(checked, None)
        reading = self.conversations.read(checked, chat, thread, now=now, replying_to=replying_to, replacing=replacing,
                                          member_said=member_said)
        if reading.asks_which:
            stories = len(reading.stories)
            which = _no_such_story(stories) if reading.beyond else _which_story(checked, stories)
            return Answered(InvalidQuestion(checked, which), None, reading.stories)
        if reading.follow_up is None and not self.conversations.asks_about_something(checked, reading.topic):
            return Answered(_only_common_words(checked), None)
        asked = reading.asked or checked
        outcome, within = self._answered_in(asked, chat, reading)
        if reading.named is not None and not _answers_story_question(asked, outcome, reading):
            # Said about the story asked of: "I couldn't find that" reads as if the question had searched it all.
            self.conversations.record(chat, thread, asked, reading, None, now=now)
            return Answered(InvalidQuestion(checked, _story_does_not_say(*reading.named, reading)), None, reading.stories)
        if reading.tentative:
            # "Will the US send troops to Ukraine?" after another question about the same story
            # says too little that is new to be told from a follow-up by its words. Read as one,
            # it borrows the conversation's words and may not repeat an answer already given, so
            # it can lose the sentence that answers it on its own. The surer answer says which
            # reading was meant; and when its own answer is one already given, it asks about
            # that sentence ("Where did Vance meet Zelensky?" after "Who did Vance meet?", both
            # answered by the lead), which the follow-up reading may not give.
            alone = self.index.answer(asked, chat)
            if alone.best is not None and (alone.confidence >= outcome.confidence or _given_in(alone, reading)):
                outcome, reading, within = alone, reading.afresh(), None
        passage = outcome.best.passage if outcome.best else None
        given = passage.key if passage else None
        self.conversations.record(chat, thread, asked, reading, given, now=now)
        outcome = replace(outcome, question=checked)  # as the user asked it, "the second one" and all
        if passage is None:
            return Answered(outcome, None)
        # "More" reads a follow-up ("why?", "what else?") the way it was read here, in the articles it was answered from.
        follow_up = reading.follow_up.to_json() if reading.follow_up else None
        number = self.store.remember_answer(chat, asked, *passage.key, now, follow_up, passage.text,
                                            within.to_json() if within else None, thread)
        return Answered(outcome, number)

    def _answered_in(self, asked: str, chat: int, reading: Reading) -> tuple[Answer, Scope | None]:
        """The answer to ``asked`` as ``reading`` reads it, and the articles it came from (None: all the chat may
        see): in reply to a briefing, its story's (or its) articles; a question of its own they do not answer
        surely gets the surer answer from all the chat may see (the briefing may just not be where it is), a bare
        "why?" about a story only that story's."""
        follow_up = reading.follow_up
        if reading.within is None:
            return self.index.answer(asked, chat, follow_up=follow_up), None
        from_briefing = self.index.answer(asked, chat, follow_up=follow_up, within=reading.within)
        if not reading.fall_back or (from_briefing.best is not None and not from_briefing.unsure):
            return from_briefing, reading.within
        anywhere = self.index.answer(asked, chat, follow_up=follow_up)
        if anywhere.best is not None and anywhere.confidence > from_briefing.confidence:
            return anywhere, None
        return from_briefing, reading.within

    def more_answers(self, number: int, chat: int) -> tuple[Candidate, ...] | Expired:
        """"More": the next best distinct answers to the question, from other sentences or sources."""
        record = self._answer_in(number, chat)
        if record is None:
            return Expired()
        follow_up = FollowUp.from_json(record.follow_up) if record.follow_up else None
        # An answer about a briefing's story has more answers in that story's articles, not in all the chat's.
        within = Scope.from_json(record.within) if record.within else None
        outcome = self.index.answer(record.question, chat, alternatives=MORE_ANSWERS, follow_up=follow_up, within=within)
        # The answer shown is left out, wherever an edit of its article has moved it since.
        shown = (record.article_id, _answered_at(record, self.index.article_sentences(record.article_id)))
        ranked = (outcome.best, *outcome.alternatives) if outcome.best else ()
        return tuple(c for c in ranked if c.passage.key != shown)[:MORE_ANSWERS]

    def topic_of(self, number: int, chat: int) -> int:
        """The forum topic answer ``number`` was given in (NO_THREAD outside topics, or for an answer not known here):
        where a reply to its buttons goes when the answer itself is gone."""
        record = self._answer_in(number, chat)
        return record.thread if record is not None else NO_THREAD

    def _answer_in(self, number: int, chat: int) -> AnswerRecord | None:
        """Answer ``number`` as kept, if it was given in ``chat``: another chat's buttons reach no answer of this one."""
        record = self.store.answer_record(number)
        return record if record is not None and record.chat == chat else None

    @property
    def keeps_answers(self) -> bool:
        """Whether answers are kept for their buttons: not while the store is read-only."""
        return not self.store.read_only

    def context(self, number: int, chat: int) -> Context | Expired:
        """"Context": the sentences around the quoted one, from its article."""
        record = self._answer_in(number, chat)
        if record is None:
            return Expired()
        # A chat that stopped following the article's feed (or left a private channel's audience) sees it no more.
        sentences = self.index.article_sentences(record.article_id) if self.index.sees(chat, record.article_id) else []
        if not sentences:
            return Expired("That article is no longer available.")
        at = _answered_at(record, sentences)
        if at is None:
            return Expired(SENTENCE_EDITED)
        start = max(at - CONTEXT_SENTENCES, 0)
        window = tuple(sentences[start : at + CONTEXT_SENTENCES + 1])
        return Context(window, at - start)

    def feedback(self, number: int, chat: int, helpful: bool) -> bool:
        """👍/👎 on an answer, kept with its question; False when the answer is unknown here."""
        record = self._answer_in(number, chat)
        if record is None:
            return False
        self.store.record_feedback(number, helpful)
        return True

    def new_conversation(self, chat: int, thread: int = NO_THREAD) -> None:
        """``/new``: forget the chat's (or topic's) conversation; the next question stands alone."""
        self.conversations.forget(chat, thread)

    def note_reply(self, chat: int, question_message: int, reply_message: int, answered: Answered, asked: datetime) -> None:
        """Lede replied to Telegram message ``question_message`` with ``reply_message``, saying ``answered``.

        A reply to that message follows its answer up, and an edit of the
        question edits it (:meth:`reply_to`).
        """
        if self.store.read_only:
            return
        if answered.number is not None:
            self.conversations.note_answer_message(chat, reply_message, answered.number)
        self.note_which_story(chat, reply_message, answered, asked)
        self.store.remember_reply(chat, question_message, QuestionReply(reply_message, answered.outcome.question, asked))

    def note_which_story(self, chat: int, message: int, answered: Answered, asked: datetime) -> None:
        """When ``answered`` asks which story of a briefing its question meant, or says the story it named does not
        answer it, in message ``message``: a reply to that message naming a story ("the second") counts as one to
        the briefing, and asks the question of that story."""
        if answered.briefing and not self.store.read_only:
            self.conversations.note_briefing_asked(chat, message, answered.briefing, answered.outcome.question,
                                                   now=asked)

    def reply_to(self, chat: int, question_message: int) -> QuestionReply | None:
        """Lede's reply to Telegram message ``question_message``, if it sent one (the user edited the question)."""
        return self.store.reply_to_question(chat, question_message)

    def inline_answers(self, question: str) -> Answer | None:
        """``@bot question`` in any chat: answers from what every chat may see (None for an unusable question)."""
        outcome = self.ask(question, EVERYONE)
        return outcome if isinstance(outcome, Answer) else None


def _checked(question: str, quoted: bool = False) -> str | InvalidQuestion:
    """The question as it will be read, or why it cannot be (``quoted``: a message Lede was pointed to)."""
    # Invisible format characters (zero-width spaces, direction marks) split
    # words without showing it; the question means the same without them.
    question = " ".join("".join(c for c in question if unicodedata.category(c) != "Cf").split())
    # A lone surrogate (bytes that were not UTF-8, passed on by the command line) cannot be stored or shown.
    question = question.encode("utf-8", "replace").decode("utf-8")
    if not question:
        return InvalidQuestion(question, QUOTED_NO_TEXT if quoted else
                               "Ask me a question about the news, for example: what did Zelensky demand?")
    if len(question) > MAX_QUESTION_CHARS:
        too_long = (QUOTED_TOO_LONG.format(length=len(question)) if quoted else
                    f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}.")
        return InvalidQuestion(question[:80] + "…", too_long)
    if _LINK.fullmatch(question):
        return InvalidQuestion(question, link_refusal("/add <link>"), link=True)
    said_words = words(question)
    if not said_words:
        # "😀" or "?" after an answer is no follow-up: read as one, it took the conversation's words for its own.
        return InvalidQuestion(question, "There are no words in that to search for; ask me a question in words.")
    said = " ".join(said_words)
    for courtesy, reply in ((_THANKS, YOU_ARE_WELCOME), (_GREETING, GREETING_REPLY), (_WHATS_NEW, WHATS_NEW_REPLY)):
        if courtesy.fullmatch(said):
            return InvalidQuestion(question, reply)
    return question


def _answered_at(record: AnswerRecord, sentences: list[Passage]) -> int | None:
    """Where the sentence ``record`` quoted stands in its article now, or None if it is there no more.

    An edited article (a channel post) is split again, so the sentence may have
    moved; where it now occurs more than once, the place nearest its old one is
    taken. An answer kept without its sentence's text trusts the old place.
    """
    if record.sentence is None:
        return record.position if record.position < len(sentences) else None
    places = [place for place, passage in enumerate(sentences) if passage.text == record.sentence]
    return min(places, key=lambda place: abs(place - record.position), default=None)


def _given_in(answer: Answer, reading: Reading) -> bool:
    """Whether ``answer``'s sentence was already given in the conversation ``reading`` continues."""
    best, follow_up = answer.best, reading.follow_up
    if best is None or follow_up is None:
        return False
    return best.passage.key in follow_up.given


def _answers_story_question(asked: str, answer: Answer, reading: Reading) -> bool:
    """Whether ``answer`` answers ``asked`` of the briefing's story ``reading`` names: it has a sentence, and one of
    the story's answers a question for a date, a place or an amount ("how much, the second?") only if it holds one."""
    best = answer.best
    if best is None:
        return False
    from_story = reading.within is not None and reading.within.accepts(best.passage.key)
    return not from_story or not asks_for_slot(asked) or holds_asked_slot(asked, best.passage.text)


def _story_does_not_say(number: int, story: ToldStory, reading: Reading) -> str:
    """The reply to a question about story ``number`` of a briefing that its articles do not answer."""
    named = f"{number} (“{story.headline}”)"
    if reading.follow_up is not None and reading.follow_up.repeats is not None:
        return f"I have nothing more on story {named} than the briefing told."
    return f"Story {named} doesn't say; ask me in full to search all my articles."


def _which_story(question: str, stories: int) -> str:
    """The reply to a bare question ("why?") sent to a briefing of ``stories`` stories without saying which one."""
    return (f"Which story? Ask again with its number (1 to {stories}) or a word of its headline, "
            f"e.g. “{question.rstrip('?!. ')}, the second?”")


def _no_such_story(stories: int) -> str:
    """The reply to a question sent to a briefing of ``stories`` stories naming one by a number beyond them."""
    told = "1 story; ask again with its number (1)" if stories == 1 else (
        f"{stories} stories; ask again with its number (1 to {stories})")
    return f"That briefing has {told} or a word of its headline."


def _only_common_words(question: str) -> InvalidQuestion:
    """The reply to a question of common words only, asked with no conversation to follow.

    "what else?" and a bare "why?" or "when?" ask about an answer; with none before them, that is what is missing.
    """
    if asks_for_more(question) or expected_answer(question) is not AnswerType.OTHER:
        return InvalidQuestion(question, "There is no earlier question to go on from; ask me one about the news, "
                                         "for example: what did Zelensky demand?")
    return InvalidQuestion(
        question, "That has only common words like “what” and “the”; say who or what you are asking about.")
